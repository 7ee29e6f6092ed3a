using Privomega.Server.Storage;

namespace Privomega.Server.Tests.Storage;

/// <summary>
/// What every <see cref="IServerStore"/> must do. A store implementation's test class derives from this and
/// says how to open a fresh store and, for durable stores, how to reopen the same one.
/// </summary>
public abstract class ServerStoreContract
{
    /// <summary>Opens an empty store.</summary>
    protected abstract IServerStore CreateStore();

    /// <summary>Closes <paramref name="store"/> and opens the same data again; null for stores that do not persist.</summary>
    protected abstract IServerStore? Reopen(IServerStore store);

    private static byte[] Bytes(int length, byte fill) => Enumerable.Repeat(fill, length).ToArray();

    [Fact]
    public async Task Secret_is_created_once_and_kept()
    {
        using var store = CreateStore();
        var first = await store.GetOrCreateSecretAsync("server-key", () => Bytes(32, 7));
        var second = await store.GetOrCreateSecretAsync("server-key", () => Bytes(32, 9));
        Assert.Equal(Bytes(32, 7), first);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Certificates_append_in_order_and_refuse_duplicate_keys()
    {
        using var store = CreateStore();
        Assert.Equal(0, await store.TryAppendCertificateAsync(Bytes(32, 1), Bytes(146, 1), 100));
        Assert.Equal(1, await store.TryAppendCertificateAsync(Bytes(32, 2), Bytes(146, 2), 101));
        Assert.Null(await store.TryAppendCertificateAsync(Bytes(32, 1), Bytes(146, 3), 102));
        Assert.Equal(2, await store.CountCertificatesAsync());
        var page = await store.ReadCertificatesAsync(1, 10);
        Assert.Single(page);
        Assert.Equal(1, page[0].LogIndex);
        Assert.Equal(Bytes(146, 2), page[0].Encoded);
        Assert.Equal(101UL, page[0].IssuedAt);
        Assert.Empty(await store.ReadCertificatesAsync(2, 10));
    }

    [Fact]
    public async Task One_head_per_epoch_and_latest_is_highest()
    {
        using var store = CreateStore();
        Assert.Null(await store.GetLatestEpochHeadAsync());
        Assert.True(await store.TryAddEpochHeadAsync(0, Bytes(265, 0)));
        Assert.True(await store.TryAddEpochHeadAsync(1, Bytes(265, 1)));
        Assert.False(await store.TryAddEpochHeadAsync(1, Bytes(265, 9)));
        Assert.Equal(Bytes(265, 1), await store.GetEpochHeadAsync(1));
        Assert.Equal(Bytes(265, 1), await store.GetLatestEpochHeadAsync());
        Assert.Null(await store.GetEpochHeadAsync(5));
        Assert.Equal(2, (await store.ReadEpochHeadsAsync(0, 10)).Count);
        Assert.Single(await store.ReadEpochHeadsAsync(1, 10));

        Assert.True(await store.TryAddMailHeadAsync(3, Bytes(217, 3)));
        Assert.False(await store.TryAddMailHeadAsync(3, Bytes(217, 4)));
        Assert.Equal(Bytes(217, 3), await store.GetLatestMailHeadAsync());
        Assert.Equal(Bytes(217, 3), await store.GetMailHeadAsync(3));
        Assert.Single(await store.ReadMailHeadsAsync(0, 10));
    }

    [Fact]
    public async Task Queue_cursors_increase_per_epoch()
    {
        using var store = CreateStore();
        var a = await store.EnqueueAsync(4, Bytes(10, 1));
        var b = await store.EnqueueAsync(4, Bytes(10, 2));
        await store.EnqueueAsync(5, Bytes(10, 3));
        Assert.True(b > a);
        var page = await store.ReadQueueAsync(4, a, 10);
        Assert.Single(page);
        Assert.Equal(Bytes(10, 2), page[0].Request);
        Assert.Equal(2, await store.CountQueueAsync(4));
        Assert.Equal(2, (await store.ReadQueueAsync(4, 0, 10)).Count);
        Assert.Single(await store.ReadQueueAsync(4, 0, 1));
    }

    [Fact]
    public async Task Mail_put_spends_token_once_and_mailbox_ids_are_one_time()
    {
        using var store = CreateStore();
        Assert.Equal(MailPutResult.Stored, await store.PutMailAsync(Bytes(32, 1), 7, Bytes(201, 1), 0, Bytes(32, 0xA1)));
        Assert.Equal(MailPutResult.TokenSpent, await store.PutMailAsync(Bytes(32, 2), 7, Bytes(201, 2), 0, Bytes(32, 0xA1)));
        Assert.Equal(MailPutResult.MailboxTaken, await store.PutMailAsync(Bytes(32, 1), 7, Bytes(201, 3), 0, Bytes(32, 0xA2)));

        // The refused put with a fresh token did not spend it.
        Assert.True(await store.TrySpendTokenAsync(0, Bytes(32, 0xA2)));
        Assert.False(await store.TrySpendTokenAsync(0, Bytes(32, 0xA2)));

        // Same spent key in another period is another token.
        Assert.Equal(MailPutResult.Stored, await store.PutMailAsync(Bytes(32, 3), 8, Bytes(201, 3), 1, Bytes(32, 0xA1)));
        var mail = await store.ReadMailAsync(0, 100);
        Assert.Equal(2, mail.Count);
        Assert.Equal(Bytes(201, 1), mail[0].Ciphertext);
        Assert.Equal(7UL, mail[0].MailEpoch);
        Assert.Single(await store.ReadMailAsync(8, 8));
    }

    [Fact]
    public async Task Token_quota_is_enforced_and_released()
    {
        using var store = CreateStore();
        var user = Bytes(32, 5);
        Assert.True(await store.TryReserveTokensAsync(0, user, 3, 4));
        Assert.False(await store.TryReserveTokensAsync(0, user, 2, 4));
        Assert.True(await store.TryReserveTokensAsync(0, Bytes(32, 6), 4, 4));
        await store.ReleaseTokensAsync(0, user, 3);
        Assert.True(await store.TryReserveTokensAsync(0, user, 4, 4));
        Assert.True(await store.TryReserveTokensAsync(1, user, 4, 4));
        Assert.False(await store.TryReserveTokensAsync(1, user, 0, 4));
    }

    [Fact]
    public async Task Eval_keys_replace_under_the_same_id_and_are_pruned_by_period()
    {
        using var store = CreateStore();
        var id = Bytes(16, 1);
        await store.PutEvalKeyAsync(2, id, 1, Bytes(100, 1));
        await store.PutEvalKeyAsync(2, id, 1, Bytes(100, 2));
        Assert.Equal(Bytes(100, 2), await store.GetEvalKeyAsync(2, id, 1));
        Assert.Null(await store.GetEvalKeyAsync(2, id, 2));
        Assert.Null(await store.GetEvalKeyAsync(3, id, 1));
        await store.PruneAsync(new PruneHorizon(0, 0, 0, 3));
        Assert.Null(await store.GetEvalKeyAsync(2, id, 1));
    }

    [Fact]
    public async Task Prune_drops_only_what_is_older_than_the_horizons()
    {
        using var store = CreateStore();
        await store.EnqueueAsync(1, Bytes(10, 1));
        await store.EnqueueAsync(2, Bytes(10, 2));
        await store.PutMailAsync(Bytes(32, 1), 1, Bytes(201, 1), 0, Bytes(32, 1));
        await store.PutMailAsync(Bytes(32, 2), 2, Bytes(201, 2), 1, Bytes(32, 2));
        await store.TryReserveTokensAsync(0, Bytes(32, 9), 4, 4);
        await store.PruneAsync(new PruneHorizon(2, 2, 1, 0));
        Assert.Equal(0, await store.CountQueueAsync(1));
        Assert.Equal(1, await store.CountQueueAsync(2));
        var mail = await store.ReadMailAsync(0, 10);
        Assert.Single(mail);
        Assert.Equal(2UL, mail[0].MailEpoch);

        // Period 0's spent set and quota are gone; period 1's spent token is kept.
        Assert.True(await store.TrySpendTokenAsync(0, Bytes(32, 1)));
        Assert.False(await store.TrySpendTokenAsync(1, Bytes(32, 2)));
        Assert.True(await store.TryReserveTokensAsync(0, Bytes(32, 9), 4, 4));

        // A freed mailbox id may be written again.
        Assert.Equal(MailPutResult.Stored, await store.PutMailAsync(Bytes(32, 1), 3, Bytes(201, 1), 1, Bytes(32, 3)));
    }

    [Fact]
    public async Task Everything_acknowledged_survives_a_reopen()
    {
        var store = CreateStore();
        await store.GetOrCreateSecretAsync("k", () => Bytes(32, 4));
        await store.TryAppendCertificateAsync(Bytes(32, 1), Bytes(146, 1), 1);
        await store.TryAddEpochHeadAsync(0, Bytes(265, 1));
        await store.TryAddMailHeadAsync(0, Bytes(217, 1));
        await store.EnqueueAsync(0, Bytes(10, 1));
        await store.PutMailAsync(Bytes(32, 1), 0, Bytes(201, 1), 0, Bytes(32, 1));
        await store.PutEvalKeyAsync(0, Bytes(16, 1), 1, Bytes(8, 1));
        await store.TryReserveTokensAsync(0, Bytes(32, 2), 3, 3);
        var reopened = Reopen(store);
        if (reopened is null)
        {
            store.Dispose();
            return;
        }

        using (reopened)
        {
            Assert.Equal(Bytes(32, 4), await reopened.GetOrCreateSecretAsync("k", () => Bytes(32, 5)));
            Assert.Equal(1, await reopened.CountCertificatesAsync());
            Assert.NotNull(await reopened.GetEpochHeadAsync(0));
            Assert.NotNull(await reopened.GetMailHeadAsync(0));
            Assert.Equal(1, await reopened.CountQueueAsync(0));
            Assert.Single(await reopened.ReadMailAsync(0, 0));
            Assert.False(await reopened.TrySpendTokenAsync(0, Bytes(32, 1)));
            Assert.NotNull(await reopened.GetEvalKeyAsync(0, Bytes(16, 1), 1));
            Assert.False(await reopened.TryReserveTokensAsync(0, Bytes(32, 2), 1, 3));
        }
    }
}

/// <summary>The contract on the in-memory store.</summary>
public sealed class InMemoryServerStoreTests : ServerStoreContract
{
    protected override IServerStore CreateStore() => new InMemoryServerStore();

    protected override IServerStore? Reopen(IServerStore store) => null;
}

/// <summary>The contract on SQLite, plus its durability settings.</summary>
public sealed class SqliteServerStoreTests : ServerStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("privomega-store-").FullName;
    private int _next;

    protected override IServerStore CreateStore() => SqliteServerStore.Open(Path.Combine(_directory, $"s{Interlocked.Increment(ref _next)}.db"));

    protected override IServerStore? Reopen(IServerStore store)
    {
        var path = Path.Combine(_directory, $"s{_next}.db");
        store.Dispose();
        return SqliteServerStore.Open(path);
    }

    [Fact]
    public void Wal_and_full_sync_are_in_force()
    {
        using var store = (SqliteServerStore)CreateStore();
        var (mode, synchronous) = store.Durability();
        Assert.Equal("wal", mode);
        Assert.Equal(2, synchronous); // FULL
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// The contract on PostgreSQL: the throwaway cluster scripts/test.sh starts (PRIVOMEGA_POSTGRES); each store gets
/// its own schema, and reopening opens the same schema through a new data source.
/// </summary>
public sealed class PostgresServerStoreTests : ServerStoreContract
{
    private readonly string _prefix = $"t{Guid.NewGuid():N}"[..12];
    private int _next;

    private static string ConnectionString =>
        Environment.GetEnvironmentVariable("PRIVOMEGA_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("PRIVOMEGA_POSTGRES is not set: run the tests through scripts/test.sh, or eval \"$(scripts/postgres.sh start)\" first.");

    protected override IServerStore CreateStore() =>
        PostgresServerStore.OpenAsync(ConnectionString, $"{_prefix}_{Interlocked.Increment(ref _next)}").GetAwaiter().GetResult();

    protected override IServerStore? Reopen(IServerStore store)
    {
        store.Dispose();
        return PostgresServerStore.OpenAsync(ConnectionString, $"{_prefix}_{_next}").GetAwaiter().GetResult();
    }

    [Fact]
    public async Task Commits_wait_for_the_flushed_wal()
    {
        using var store = (PostgresServerStore)CreateStore();
        var (fsync, synchronousCommit) = await store.DurabilityAsync();
        Assert.Equal("on", fsync);
        Assert.Equal("on", synchronousCommit);
    }
}
