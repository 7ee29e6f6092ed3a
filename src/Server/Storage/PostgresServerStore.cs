using Npgsql;

namespace Privomega.Server.Storage;

/// <summary>
/// <see cref="IServerStore"/> on PostgreSQL (Npgsql), the shared store of a deployment. Every call is one
/// transaction that returns only after PostgreSQL acknowledged its commit (with <c>synchronous_commit</c> on,
/// after the WAL record is flushed; <see cref="DurabilityAsync"/> reports the settings in force). The tables
/// live in their own schema and hold what the SQLite store holds: no addresses, no reader or writer links,
/// mail without timestamps. Concurrent writers are ordered by row locks and unique keys, so several server
/// processes may share one database.
/// </summary>
public sealed class PostgresServerStore : IServerStore
{
    private readonly NpgsqlDataSource _source;
    private readonly string _schema;

    private PostgresServerStore(NpgsqlDataSource source, string schema)
    {
        _source = source;
        _schema = schema;
    }

    /// <summary>
    /// Opens the store in schema <paramref name="schema"/> (lower-case letters, digits and underscores, starting with
    /// a letter) of the database <paramref name="connectionString"/> names, creating its tables if needed.
    /// </summary>
    public static async Task<PostgresServerStore> OpenAsync(string connectionString, string schema = "privomega", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (string.IsNullOrEmpty(schema) || schema.Length > 63 || !char.IsAsciiLetterLower(schema[0]) || !schema.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"Schema name '{schema}' is not 1..63 of [a-z0-9_] starting with a letter.", nameof(schema));
        }

        var source = NpgsqlDataSource.Create(connectionString);
        var store = new PostgresServerStore(source, schema);
        try
        {
            await store.InTransaction(async (c, tx) =>
            {
                // Two servers opening one fresh database at once would race on CREATE ... IF NOT EXISTS.
                await Execute(c, tx, "SELECT pg_advisory_xact_lock(7361202413)").ConfigureAwait(false);
                await Execute(c, tx, $"""
                    CREATE SCHEMA IF NOT EXISTS {schema};
                    CREATE TABLE IF NOT EXISTS {schema}.secrets (name text PRIMARY KEY, value bytea NOT NULL);
                    CREATE TABLE IF NOT EXISTS {schema}.certificates (log_index bigint PRIMARY KEY, key_hash bytea NOT NULL UNIQUE, encoded bytea NOT NULL, issued_at bigint NOT NULL);
                    CREATE TABLE IF NOT EXISTS {schema}.epoch_heads (epoch bigint PRIMARY KEY, head bytea NOT NULL);
                    CREATE TABLE IF NOT EXISTS {schema}.mail_heads (mail_epoch bigint PRIMARY KEY, head bytea NOT NULL);
                    CREATE TABLE IF NOT EXISTS {schema}.queue (epoch bigint NOT NULL, cursor bigint NOT NULL, request bytea NOT NULL, PRIMARY KEY (epoch, cursor));
                    CREATE TABLE IF NOT EXISTS {schema}.mail (mailbox_id bytea PRIMARY KEY, mail_epoch bigint NOT NULL, ciphertext bytea NOT NULL);
                    CREATE INDEX IF NOT EXISTS mail_by_epoch ON {schema}.mail (mail_epoch, mailbox_id);
                    CREATE TABLE IF NOT EXISTS {schema}.spent_tokens (period bigint NOT NULL, spent_key bytea NOT NULL, PRIMARY KEY (period, spent_key));
                    CREATE TABLE IF NOT EXISTS {schema}.token_quota (period bigint NOT NULL, user_hash bytea NOT NULL, used bigint NOT NULL, PRIMARY KEY (period, user_hash));
                    CREATE TABLE IF NOT EXISTS {schema}.eval_keys (period bigint NOT NULL, key_id bytea NOT NULL, db smallint NOT NULL, keys bytea NOT NULL, PRIMARY KEY (period, key_id, db));
                    """).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return store;
    }

    /// <summary>The server's <c>fsync</c> and <c>synchronous_commit</c> settings (for tests and start-up logs).</summary>
    public async Task<(string Fsync, string SynchronousCommit)> DurabilityAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var fsync = (string)(await Scalar(c, null, "SHOW fsync").ConfigureAwait(false))!;
        var sync = (string)(await Scalar(c, null, "SHOW synchronous_commit").ConfigureAwait(false))!;
        return (fsync, sync);
    }

    /// <inheritdoc />
    public Task<byte[]> GetOrCreateSecretAsync(string name, Func<byte[]> create, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(create);
        return InTransaction(async (c, tx) =>
        {
            if (await Scalar(c, tx, $"SELECT value FROM {_schema}.secrets WHERE name = @n", ("n", name)).ConfigureAwait(false) is byte[] existing)
            {
                return existing;
            }

            await Execute(c, tx, $"INSERT INTO {_schema}.secrets (name, value) VALUES (@n, @v) ON CONFLICT (name) DO NOTHING", ("n", name), ("v", create())).ConfigureAwait(false);
            // Another server may have won the race: everyone returns the stored value.
            return (byte[])(await Scalar(c, tx, $"SELECT value FROM {_schema}.secrets WHERE name = @n", ("n", name)).ConfigureAwait(false))!;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<long?> TryAppendCertificateAsync(byte[] keyHash, byte[] encoded, ulong issuedAt, CancellationToken cancellationToken = default) => InTransaction<long?>(async (c, tx) =>
    {
        // The log is append-only with dense indices: one appender at a time.
        await Execute(c, tx, $"LOCK TABLE {_schema}.certificates IN SHARE ROW EXCLUSIVE MODE").ConfigureAwait(false);
        if (await Scalar(c, tx, $"SELECT 1 FROM {_schema}.certificates WHERE key_hash = @k", ("k", keyHash)).ConfigureAwait(false) is not null)
        {
            return null;
        }

        var index = (long)(await Scalar(c, tx, $"SELECT COUNT(*) FROM {_schema}.certificates").ConfigureAwait(false))!;
        await Execute(c, tx, $"INSERT INTO {_schema}.certificates (log_index, key_hash, encoded, issued_at) VALUES (@i, @k, @e, @t)", ("i", index), ("k", keyHash), ("e", encoded), ("t", (long)issuedAt)).ConfigureAwait(false);
        return index;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<long> CountCertificatesAsync(CancellationToken cancellationToken = default) =>
        Read(async c => (long)(await Scalar(c, null, $"SELECT COUNT(*) FROM {_schema}.certificates").ConfigureAwait(false))!, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredCertificate>> ReadCertificatesAsync(long fromIndex, int max, CancellationToken cancellationToken = default) =>
        Rows($"SELECT log_index, encoded, issued_at FROM {_schema}.certificates WHERE log_index >= @f ORDER BY log_index LIMIT @m",
            r => new StoredCertificate(r.GetInt64(0), (byte[])r[1], (ulong)r.GetInt64(2)), cancellationToken, ("f", fromIndex), ("m", Math.Max(0, max)));

    /// <inheritdoc />
    public Task<bool> TryAddEpochHeadAsync(ulong epoch, byte[] head, CancellationToken cancellationToken = default) => AddHead("epoch_heads", "epoch", epoch, head, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetEpochHeadAsync(ulong epoch, CancellationToken cancellationToken = default) =>
        Read(async c => await Scalar(c, null, $"SELECT head FROM {_schema}.epoch_heads WHERE epoch = @e", ("e", Clamp(epoch))).ConfigureAwait(false) as byte[], cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetLatestEpochHeadAsync(CancellationToken cancellationToken = default) =>
        Read(async c => await Scalar(c, null, $"SELECT head FROM {_schema}.epoch_heads ORDER BY epoch DESC LIMIT 1").ConfigureAwait(false) as byte[], cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]>> ReadEpochHeadsAsync(ulong fromEpoch, int max, CancellationToken cancellationToken = default) =>
        Rows($"SELECT head FROM {_schema}.epoch_heads WHERE epoch >= @f ORDER BY epoch LIMIT @m", r => (byte[])r[0], cancellationToken, ("f", Clamp(fromEpoch)), ("m", Math.Max(0, max)));

    /// <inheritdoc />
    public Task<bool> TryAddMailHeadAsync(ulong mailEpoch, byte[] head, CancellationToken cancellationToken = default) => AddHead("mail_heads", "mail_epoch", mailEpoch, head, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetMailHeadAsync(ulong mailEpoch, CancellationToken cancellationToken = default) =>
        Read(async c => await Scalar(c, null, $"SELECT head FROM {_schema}.mail_heads WHERE mail_epoch = @e", ("e", Clamp(mailEpoch))).ConfigureAwait(false) as byte[], cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetLatestMailHeadAsync(CancellationToken cancellationToken = default) =>
        Read(async c => await Scalar(c, null, $"SELECT head FROM {_schema}.mail_heads ORDER BY mail_epoch DESC LIMIT 1").ConfigureAwait(false) as byte[], cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]>> ReadMailHeadsAsync(ulong fromMailEpoch, int max, CancellationToken cancellationToken = default) =>
        Rows($"SELECT head FROM {_schema}.mail_heads WHERE mail_epoch >= @f ORDER BY mail_epoch LIMIT @m", r => (byte[])r[0], cancellationToken, ("f", Clamp(fromMailEpoch)), ("m", Math.Max(0, max)));

    /// <inheritdoc />
    public Task<long> EnqueueAsync(ulong epoch, byte[] request, CancellationToken cancellationToken = default) => InTransaction(async (c, tx) =>
    {
        // Cursors are dense per epoch: one enqueuer of an epoch at a time.
        await Execute(c, tx, "SELECT pg_advisory_xact_lock(hashtextextended(@s || ':queue:' || @e::text, 7361202414))", ("s", _schema), ("e", Clamp(epoch))).ConfigureAwait(false);
        var cursor = (long)(await Scalar(c, tx, $"SELECT COALESCE(MAX(cursor), 0) + 1 FROM {_schema}.queue WHERE epoch = @e", ("e", Clamp(epoch))).ConfigureAwait(false))!;
        await Execute(c, tx, $"INSERT INTO {_schema}.queue (epoch, cursor, request) VALUES (@e, @c, @r)", ("e", Clamp(epoch)), ("c", cursor), ("r", request)).ConfigureAwait(false);
        return cursor;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<QueueEntry>> ReadQueueAsync(ulong epoch, long afterCursor, int max, CancellationToken cancellationToken = default) =>
        Rows($"SELECT cursor, request FROM {_schema}.queue WHERE epoch = @e AND cursor > @a ORDER BY cursor LIMIT @m",
            r => new QueueEntry(r.GetInt64(0), (byte[])r[1]), cancellationToken, ("e", Clamp(epoch)), ("a", afterCursor), ("m", Math.Max(0, max)));

    /// <inheritdoc />
    public Task<long> CountQueueAsync(ulong epoch, CancellationToken cancellationToken = default) =>
        Read(async c => (long)(await Scalar(c, null, $"SELECT COUNT(*) FROM {_schema}.queue WHERE epoch = @e", ("e", Clamp(epoch))).ConfigureAwait(false))!, cancellationToken);

    /// <inheritdoc />
    public async Task<MailPutResult> PutMailAsync(byte[] mailboxId, ulong mailEpoch, byte[] ciphertext, long tokenPeriod, byte[] spentKey, CancellationToken cancellationToken = default)
    {
        await using var c = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await c.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The unique keys decide races between servers: the token first, then the mailbox; a refusal rolls back both.
        if (await Execute(c, tx, $"INSERT INTO {_schema}.spent_tokens (period, spent_key) VALUES (@p, @k) ON CONFLICT DO NOTHING", ("p", tokenPeriod), ("k", spentKey)).ConfigureAwait(false) != 1)
        {
            await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return MailPutResult.TokenSpent;
        }

        if (await Execute(c, tx, $"INSERT INTO {_schema}.mail (mailbox_id, mail_epoch, ciphertext) VALUES (@i, @m, @c) ON CONFLICT DO NOTHING", ("i", mailboxId), ("m", Clamp(mailEpoch)), ("c", ciphertext)).ConfigureAwait(false) != 1)
        {
            await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return MailPutResult.MailboxTaken;
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return MailPutResult.Stored;
    }

    /// <inheritdoc />
    public Task<bool> TrySpendTokenAsync(long tokenPeriod, byte[] spentKey, CancellationToken cancellationToken = default) => InTransaction(async (c, tx) =>
        await Execute(c, tx, $"INSERT INTO {_schema}.spent_tokens (period, spent_key) VALUES (@p, @k) ON CONFLICT DO NOTHING", ("p", tokenPeriod), ("k", spentKey)).ConfigureAwait(false) == 1, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMail>> ReadMailAsync(ulong fromMailEpoch, ulong toMailEpoch, CancellationToken cancellationToken = default) =>
        Rows($"SELECT mailbox_id, mail_epoch, ciphertext FROM {_schema}.mail WHERE mail_epoch >= @f AND mail_epoch <= @t ORDER BY mail_epoch, mailbox_id",
            r => new StoredMail((byte[])r[0], (ulong)r.GetInt64(1), (byte[])r[2]), cancellationToken, ("f", Clamp(fromMailEpoch)), ("t", Clamp(toMailEpoch)));

    /// <inheritdoc />
    public Task<bool> TryReserveTokensAsync(long tokenPeriod, byte[] userHash, int count, int quota, CancellationToken cancellationToken = default)
    {
        if (count <= 0)
        {
            return Task.FromResult(false);
        }

        return InTransaction(async (c, tx) =>
        {
            await Execute(c, tx, $"INSERT INTO {_schema}.token_quota (period, user_hash, used) VALUES (@p, @u, 0) ON CONFLICT DO NOTHING", ("p", tokenPeriod), ("u", userHash)).ConfigureAwait(false);
            var used = (long)(await Scalar(c, tx, $"SELECT used FROM {_schema}.token_quota WHERE period = @p AND user_hash = @u FOR UPDATE", ("p", tokenPeriod), ("u", userHash)).ConfigureAwait(false))!;
            if (used + count > quota)
            {
                return false;
            }

            await Execute(c, tx, $"UPDATE {_schema}.token_quota SET used = @n WHERE period = @p AND user_hash = @u", ("p", tokenPeriod), ("u", userHash), ("n", used + count)).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task ReleaseTokensAsync(long tokenPeriod, byte[] userHash, int count, CancellationToken cancellationToken = default) => InTransaction(async (c, tx) =>
    {
        await Execute(c, tx, $"UPDATE {_schema}.token_quota SET used = GREATEST(0, used - @n) WHERE period = @p AND user_hash = @u", ("p", tokenPeriod), ("u", userHash), ("n", (long)count)).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    /// <inheritdoc />
    public Task PutEvalKeyAsync(ulong period, byte[] keyId, byte database, byte[] keys, CancellationToken cancellationToken = default) => InTransaction(async (c, tx) =>
    {
        await Execute(c, tx, $"INSERT INTO {_schema}.eval_keys (period, key_id, db, keys) VALUES (@p, @i, @d, @k) ON CONFLICT (period, key_id, db) DO UPDATE SET keys = EXCLUDED.keys", ("p", Clamp(period)), ("i", keyId), ("d", (short)database), ("k", keys)).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetEvalKeyAsync(ulong period, byte[] keyId, byte database, CancellationToken cancellationToken = default) =>
        Read(async c => await Scalar(c, null, $"SELECT keys FROM {_schema}.eval_keys WHERE period = @p AND key_id = @i AND db = @d", ("p", Clamp(period)), ("i", keyId), ("d", (short)database)).ConfigureAwait(false) as byte[], cancellationToken);

    /// <inheritdoc />
    public Task PruneAsync(PruneHorizon horizon, CancellationToken cancellationToken = default) => InTransaction(async (c, tx) =>
    {
        await Execute(c, tx, $"DELETE FROM {_schema}.queue WHERE epoch < @e", ("e", Clamp(horizon.QueueEpoch))).ConfigureAwait(false);
        await Execute(c, tx, $"DELETE FROM {_schema}.mail WHERE mail_epoch < @m", ("m", Clamp(horizon.MailEpoch))).ConfigureAwait(false);
        await Execute(c, tx, $"DELETE FROM {_schema}.spent_tokens WHERE period < @p", ("p", horizon.TokenPeriod)).ConfigureAwait(false);
        await Execute(c, tx, $"DELETE FROM {_schema}.token_quota WHERE period < @p", ("p", horizon.TokenPeriod)).ConfigureAwait(false);
        await Execute(c, tx, $"DELETE FROM {_schema}.eval_keys WHERE period < @k", ("k", Clamp(horizon.EvalKeyPeriod))).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _source.Dispose();

    private static long Clamp(ulong value) => (long)Math.Min(value, long.MaxValue);

    private Task<bool> AddHead(string table, string column, ulong epoch, byte[] head, CancellationToken cancellationToken) => InTransaction(async (c, tx) =>
        await Execute(c, tx, $"INSERT INTO {_schema}.{table} ({column}, head) VALUES (@e, @h) ON CONFLICT DO NOTHING", ("e", Clamp(epoch)), ("h", head)).ConfigureAwait(false) == 1, cancellationToken);

    private async Task<T> InTransaction<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> body, CancellationToken cancellationToken)
    {
        await using var c = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await c.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await body(c, tx).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task<T> Read<T>(Func<NpgsqlConnection, Task<T>> body, CancellationToken cancellationToken)
    {
        await using var c = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await body(c).ConfigureAwait(false);
    }

    private static NpgsqlCommand Command(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, c, tx);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private static async Task<object?> Scalar(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(c, tx, sql, parameters);
        var result = await command.ExecuteScalarAsync().ConfigureAwait(false);
        return result is DBNull ? null : result;
    }

    private static async Task<int> Execute(NpgsqlConnection c, NpgsqlTransaction tx, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(c, tx, sql, parameters);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<T>> Rows<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var c = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(c, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
