using System.Net;
using Privomega.Pir.Engine;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Merkle;
using Privomega.Protocol.Primitives;
using Privomega.Server.Pir;
using Privomega.Server.Storage;

namespace Privomega.Server.Replication;

/// <summary>What the replica has verified and serves.</summary>
public sealed class ReplicaState
{
    /// <summary>The primary's key the replica verifies against (set once).</summary>
    public Ed25519PublicKey? PrimaryKey { get; set; }

    /// <summary>The newest epoch head verified.</summary>
    public EpochHead? LatestHead { get; set; }

    /// <summary>The newest mail head whose snapshot verified.</summary>
    public MailHead? LatestMailHead { get; set; }

    /// <summary>The mailbox layout's slots per bucket and hash count, as the primary's config gives them.</summary>
    public (ushort Slots, byte Hashes) MailboxLayout { get; set; }

    private int _rejected;

    /// <summary>Snapshots and heads refused so far.</summary>
    public int Rejected => Volatile.Read(ref _rejected);

    /// <summary>Counts one refusal.</summary>
    public void CountRejected() => Interlocked.Increment(ref _rejected);
}

/// <summary>
/// The replica (DESIGN "Two servers"): follows the primary's heads and snapshots, checks every head's signature
/// and chain link, rebuilds keydir_t from the certificates and serves it only if its size and root are the
/// signed head's, applies mailbox deltas and serves a snapshot only if its digest is the signed mail head's.
/// A mismatch is refused, logged with the snapshot id and counted; nothing from it is served or stored.
/// </summary>
public sealed partial class ReplicaFollower(
    HttpClient http,
    ServerOptions options,
    ReplicaState state,
    IServerStore store,
    PirCatalog catalog,
    ServerMetrics metrics,
    ILogger<ReplicaFollower> logger) : BackgroundService
{
    private byte[]? _mailRecords;

    /// <summary>One round of following (also called by tests).</summary>
    public async Task SyncOnceAsync(CancellationToken cancellationToken)
    {
        await EnsurePrimaryKeyAsync(cancellationToken).ConfigureAwait(false);
        await FollowHeadsAsync(cancellationToken).ConfigureAwait(false);
        await FollowMailAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var latest = await store.GetLatestEpochHeadAsync(stoppingToken).ConfigureAwait(false);
        state.LatestHead = latest is null ? null : EpochHead.Decode(latest);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(100, options.MailEpochMilliseconds / 4)));
        do
        {
            try
            {
                await SyncOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or ProtocolFormatException && !stoppingToken.IsCancellationRequested)
            {
                var error = e.GetType().Name;
                LogSyncFailed(logger, error);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task EnsurePrimaryKeyAsync(CancellationToken cancellationToken)
    {
        if (state.PrimaryKey is not null)
        {
            return;
        }

        var info = ServerInfo.Decode(await http.GetByteArrayAsync(new Uri("/v1/info", UriKind.Relative), cancellationToken).ConfigureAwait(false));
        var reported = Ed25519PublicKey.Import(info.ServerKey.Span);
        if (!string.IsNullOrEmpty(options.PrimaryKey))
        {
            var configured = Ed25519PublicKey.Import(Convert.FromHexString(options.PrimaryKey));
            if (!configured.Equals(reported))
            {
                throw new InvalidOperationException("The primary reports a key other than the configured Privomega:PrimaryKey.");
            }
        }
        else
        {
            var hex = Convert.ToHexString(info.ServerKey.Span);
            LogTrustOnFirstUse(logger, hex);
        }

        state.PrimaryKey = reported;
    }

    private async Task FollowHeadsAsync(CancellationToken cancellationToken)
    {
        var key = state.PrimaryKey!;
        IReadOnlyList<byte[]> items;
        if (state.LatestHead is null)
        {
            var latest = await GetOrNullAsync("/v1/heads/latest", cancellationToken).ConfigureAwait(false);
            items = latest is null ? [] : [latest];
        }
        else
        {
            var list = FixedList.Decode(await http.GetByteArrayAsync(new Uri($"/v1/replication/heads?after={state.LatestHead.Epoch}", UriKind.Relative), cancellationToken).ConfigureAwait(false), EpochHead.Size, 256);
            items = list.Items;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var head = EpochHead.Decode(items[i]);
            if (!head.VerifySignature(key) || (state.LatestHead is { } previous && EpochHead.CheckLink(previous, head) != EpochLinkStatus.Valid))
            {
                Reject("epoch head", head.Epoch);
                return;
            }

            // Only the newest head's directory is fetched and served; earlier ones are verified as links of the chain.
            if (i == items.Count - 1 && head.DirectorySize > 0 && !await FollowDirectoryAsync(head, key, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            await store.TryAddEpochHeadAsync(head.Epoch, head.Encode(), cancellationToken).ConfigureAwait(false);
            state.LatestHead = head;
        }
    }

    private async Task<bool> FollowDirectoryAsync(EpochHead head, Ed25519PublicKey key, CancellationToken cancellationToken)
    {
        var bytes = await GetOrNullAsync($"/v1/replication/directory/{head.Epoch}", cancellationToken).ConfigureAwait(false);
        if (bytes is null || !FixedList.TryDecode(bytes, Certificate.Size, int.MaxValue, out var list, out _) || list.Header != head.Epoch || list.Items.Count != head.DirectorySize)
        {
            Reject("directory snapshot", head.Epoch);
            return false;
        }

        var certificates = new List<Certificate>(list.Items.Count);
        foreach (var item in list.Items)
        {
            if (!Certificate.TryDecode(item, out var certificate, out _) || !certificate.VerifySignature(key))
            {
                Reject("directory snapshot", head.Epoch);
                return false;
            }

            certificates.Add(certificate);
        }

        using var tree = DirectoryTree.Build(list.Items.Select(c => (ReadOnlyMemory<byte>)c).ToList());
        if (tree.Size != head.DirectorySize || !tree.Root.SequenceEqual(head.DirectoryRoot))
        {
            Reject("directory snapshot", head.Epoch);
            return false;
        }

        var records = DirectoryRecord.EncodeDatabase(certificates, tree);
        catalog.Publish(new LocalPirAnswerer(PirDatabaseKind.Directory, head.Epoch, PirDatabase.FromConcatenated(records, DirectoryRecord.SizeFor(tree.Size)), options.PirThreads));
        metrics.ReplicaAccepted.Add(1, new KeyValuePair<string, object?>("database", "directory"));
        return true;
    }

    private async Task FollowMailAsync(CancellationToken cancellationToken)
    {
        var bytes = await GetOrNullAsync("/v1/mail-heads/latest", cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return;
        }

        var head = MailHead.Decode(bytes);
        var current = state.LatestMailHead;
        if (current is not null && head.MailEpoch <= current.MailEpoch)
        {
            return;
        }

        if (!head.VerifySignature(state.PrimaryKey!) || head.RecordBytes <= 0 || head.RecordCount <= 0 || (long)head.RecordBytes * head.RecordCount > int.MaxValue)
        {
            Reject("mail head", head.MailEpoch);
            return;
        }

        if (state.MailboxLayout == default)
        {
            var config = PirConfig.Decode(await http.GetByteArrayAsync(new Uri("/v1/pir/mailbox/config", UriKind.Relative), cancellationToken).ConfigureAwait(false));
            state.MailboxLayout = (config.BucketSlots, config.HashCount);
        }

        var query = current is null || _mailRecords is null ? string.Empty : $"?base={current.MailEpoch}";
        var deltaBytes = await GetOrNullAsync($"/v1/replication/mailbox/{head.MailEpoch}{query}", cancellationToken).ConfigureAwait(false);
        if (deltaBytes is null || !MailboxDelta.TryDecode(deltaBytes, head.RecordBytes, out var delta, out _)
            || delta.MailEpoch != head.MailEpoch || delta.RecordCount != head.RecordCount || delta.RecordBytes != head.RecordBytes)
        {
            Reject("mailbox snapshot", head.MailEpoch);
            return;
        }

        byte[] records;
        if (delta.BaseEpoch == ulong.MaxValue)
        {
            records = new byte[head.RecordCount * head.RecordBytes];
        }
        else if (current is not null && delta.BaseEpoch == current.MailEpoch && _mailRecords is not null && _mailRecords.Length == head.RecordCount * head.RecordBytes)
        {
            records = (byte[])_mailRecords.Clone();
        }
        else
        {
            Reject("mailbox snapshot", head.MailEpoch);
            return;
        }

        foreach (var (index, record) in delta.Records)
        {
            record.Span.CopyTo(records.AsSpan((int)(index * head.RecordBytes), head.RecordBytes));
        }

        var digest = MailHead.Digest(head.MailEpoch, head.RecordCount, head.RecordBytes, records);
        if (!digest.AsSpan().SequenceEqual(head.SnapshotDigest))
        {
            Reject("mailbox snapshot", head.MailEpoch);
            return;
        }

        _mailRecords = records;
        await store.TryAddMailHeadAsync(head.MailEpoch, head.Encode(), cancellationToken).ConfigureAwait(false);
        state.LatestMailHead = head;
        catalog.Publish(new LocalPirAnswerer(PirDatabaseKind.Mailbox, head.MailEpoch, PirDatabase.FromConcatenated(records, head.RecordBytes), options.PirThreads));
        metrics.ReplicaAccepted.Add(1, new KeyValuePair<string, object?>("database", "mailbox"));
    }

    private async Task<byte[]?> GetOrNullAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone or HttpStatusCode.ServiceUnavailable)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Reject(string what, ulong id)
    {
        state.CountRejected();
        metrics.ReplicaRejected.Add(1);
        LogRejected(logger, what, id);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "snapshot rejected: {What} {Id} does not match what the primary signed")]
    private static partial void LogRejected(ILogger logger, string what, ulong id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "replica trusts the primary key it was first shown: {Key} (set Privomega:PrimaryKey to pin it)")]
    private static partial void LogTrustOnFirstUse(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "replica sync failed ({Error}); retrying")]
    private static partial void LogSyncFailed(ILogger logger, string error);
}
