using Privomega.Pir.Engine;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Server.Pir;
using Privomega.Server.Storage;

namespace Privomega.Server.Domain;

/// <summary>
/// Mail (primary): puts (a token spent, the message durable before the answer), and every mail epoch a frozen
/// snapshot in the keyword layout with its signed mail head. The layout is updated incrementally — expired
/// messages leave their slots, new ones take a free slot of a candidate bucket — so consecutive snapshots
/// differ only in the buckets that changed; when no candidate has room the bucket count doubles under a new
/// layout key. Records: a message under a one-time id and its mail epoch; nothing about its writer.
/// </summary>
public sealed class MailboxService : IDisposable
{
    private const int HistoryKept = 16;

    private readonly IServerStore _store;
    private readonly ServerKeys _keys;
    private readonly ServerClock _clock;
    private readonly ServerOptions _options;
    private readonly TokenService _tokens;
    private readonly PirCatalog _catalog;
    private readonly ServerMetrics _metrics;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _stamp = new();
    private readonly Dictionary<ulong, int> _inFlight = [];
    private readonly SortedDictionary<ulong, byte[]> _history = [];
    private readonly Dictionary<string, (long Bucket, int Slot, ulong MailEpoch)> _placed = [];
    private readonly int _recordBytes;
    private int[] _used = [];
    private byte[] _records = [];
    private long _buckets;
    private ulong _generation;
    private byte[] _layoutKey = new byte[MailHead.LayoutKeySize];

    /// <summary>Creates the service; call <see cref="LoadAsync"/> before use.</summary>
    public MailboxService(IServerStore store, ServerKeys keys, ServerClock clock, ServerOptions options, TokenService tokens, PirCatalog catalog, ServerMetrics metrics)
    {
        _store = store;
        _keys = keys;
        _clock = clock;
        _options = options;
        _tokens = tokens;
        _catalog = catalog;
        _metrics = metrics;
        _recordBytes = MailboxLayout.RecordBytes(options.BucketSlots, options.MailCiphertextBytes);
    }

    /// <summary>The latest mail head, or null before the first.</summary>
    public MailHead? LatestHead { get; private set; }

    /// <summary>Loads the latest mail head and starts an empty layout (the next freeze places every retained message).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var latest = await _store.GetLatestMailHeadAsync(cancellationToken).ConfigureAwait(false);
        LatestHead = latest is null ? null : MailHead.Decode(latest);
        Reset(Math.Max(_options.MailboxBuckets, LatestHead?.RecordCount ?? 0), 0);
    }

    /// <summary>Stores a message: checks the body, spends the token, answers the mail epoch it was stamped with.</summary>
    public async Task<ulong> PutAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (!MailPut.TryDecode(body.Span, _options.MailCiphertextBytes, out var put, out var error))
        {
            throw ServerProblemException.Decode(error);
        }

        if (put.MailboxId.Span.IndexOfAnyExcept((byte)0) < 0)
        {
            throw new ServerProblemException(400, "bad-value", "the all-zero mailbox id marks an empty slot", "mailbox_id");
        }

        var (period, spentKey) = _tokens.Verify(put.Token.Span);
        ulong m;
        lock (_stamp)
        {
            m = _clock.CurrentMailEpoch;
            _inFlight[m] = _inFlight.GetValueOrDefault(m) + 1;
        }

        MailPutResult result;
        try
        {
            result = await _store.PutMailAsync(put.MailboxId.ToArray(), m, put.Ciphertext.ToArray(), period, spentKey, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_stamp)
            {
                if (--_inFlight[m] == 0)
                {
                    _inFlight.Remove(m);
                }
            }
        }

        switch (result)
        {
            case MailPutResult.TokenSpent:
                throw new ServerProblemException(409, "token-double-spent", "token already spent");
            case MailPutResult.MailboxTaken:
                throw new ServerProblemException(409, "mailbox-taken", "mailbox id already written");
        }

        _metrics.MailPuts.Add(1);
        return m;
    }

    /// <summary>
    /// Freezes every mail epoch that has ended since the last snapshot (normally one): waits for puts stamped
    /// with it, updates the layout, signs the mail head, publishes the PIR database. Returns the newest head.
    /// </summary>
    public async Task<MailHead?> FreezeAsync(EpochHead? epochHead, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _clock.CurrentMailEpoch;
            if (current == 0)
            {
                return LatestHead;
            }

            var m = current - 1;
            if (LatestHead is not null && LatestHead.MailEpoch >= m)
            {
                return LatestHead;
            }

            await WaitForPutsAsync(m, cancellationToken).ConfigureAwait(false);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var retainFrom = m + 1 > (ulong)_options.MailRetentionEpochs ? m + 1 - (ulong)_options.MailRetentionEpochs : 0;
            var mail = await _store.ReadMailAsync(retainFrom, m, cancellationToken).ConfigureAwait(false);
            Update(mail, retainFrom);
            var digest = MailHead.Digest(m, _buckets, _recordBytes, _records);
            var head = MailHead.Sign(
                _keys.Signing,
                m,
                (ulong)_clock.Now.ToUnixTimeMilliseconds(),
                _buckets,
                _recordBytes,
                digest,
                LatestHead is null ? new byte[32] : LatestHead.Hash(),
                epochHead is null ? new byte[32] : epochHead.Hash(),
                _layoutKey);
            if (!await _store.TryAddMailHeadAsync(m, head.Encode(), cancellationToken).ConfigureAwait(false))
            {
                // Signed before a restart with another layout: never sign a second head for m; serve from m + 1 on.
                LatestHead = MailHead.Decode((await _store.GetMailHeadAsync(m, cancellationToken).ConfigureAwait(false))!);
                return LatestHead;
            }

            LatestHead = head;
            var snapshot = (byte[])_records.Clone();
            _history[m] = snapshot;
            while (_history.Count > HistoryKept)
            {
                _history.Remove(_history.Keys.First());
            }

            _catalog.Publish(new LocalPirAnswerer(PirDatabaseKind.Mailbox, m, PirDatabase.FromConcatenated(snapshot, _recordBytes), _options.PirThreads, lattice: true));
            _metrics.SnapshotBuilt("mailbox", _buckets, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            await _store.PruneAsync(new PruneHorizon(_clock.CurrentEpoch > 1 ? _clock.CurrentEpoch - 1 : 0, retainFrom, _clock.CurrentTokenPeriod - 1, _clock.CurrentEpoch), cancellationToken).ConfigureAwait(false);
            _tokens.Retire(_clock.CurrentTokenPeriod - 1);
            return head;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The config clients read first.</summary>
    public PirConfig Config(PirCatalog.Lease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var head = LatestHead;
        return new PirConfig(
            PirDatabaseKind.Mailbox,
            lease.Answerer.SnapshotId,
            lease.Answerer.RecordCount,
            lease.Answerer.RecordBytes,
            Http.Endpoints.Schemes(lease.Answerer),
            Http.Endpoints.LatticeDimensions(lease.Answerer),
            (ushort)_options.BucketSlots,
            (byte)_options.HashCount,
            head?.LayoutKey.ToArray() ?? new byte[MailHead.LayoutKeySize]);
    }

    /// <summary>Snapshot <paramref name="m"/> as a delta from <paramref name="baseEpoch"/> when both are kept, else whole.</summary>
    public async Task<MailboxDelta> DeltaAsync(ulong m, ulong? baseEpoch, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_history.TryGetValue(m, out var target))
            {
                throw new ServerProblemException(410, "unknown-snapshot", "mail snapshot not kept", "m", (long)Math.Min(m, long.MaxValue), (long)(LatestHead?.MailEpoch ?? 0));
            }

            var count = target.Length / _recordBytes;
            var records = new List<(long, ReadOnlyMemory<byte>)>();
            if (baseEpoch is { } b && b < m && _history.TryGetValue(b, out var previous) && previous.Length == target.Length)
            {
                for (var i = 0; i < count; i++)
                {
                    var slice = target.AsMemory(i * _recordBytes, _recordBytes);
                    if (!slice.Span.SequenceEqual(previous.AsSpan(i * _recordBytes, _recordBytes)))
                    {
                        records.Add((i, slice));
                    }
                }

                return new MailboxDelta(m, b, count, _recordBytes, records);
            }

            for (var i = 0; i < count; i++)
            {
                records.Add((i, target.AsMemory(i * _recordBytes, _recordBytes)));
            }

            return new MailboxDelta(m, ulong.MaxValue, count, _recordBytes, records);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private async Task WaitForPutsAsync(ulong m, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 200; i++)
        {
            lock (_stamp)
            {
                if (!_inFlight.Keys.Any(k => k <= m))
                {
                    return;
                }
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Reset(long buckets, ulong generation)
    {
        _buckets = buckets;
        _generation = generation;
        _layoutKey = _keys.LayoutKey(generation);
        _records = new byte[checked((int)(buckets * _recordBytes))];
        _used = new int[buckets];
        _placed.Clear();
    }

    private void Update(IReadOnlyList<StoredMail> retained, ulong retainFrom)
    {
        // Expired messages leave their slots.
        foreach (var (id, place) in _placed.Where(p => p.Value.MailEpoch < retainFrom).ToList())
        {
            ClearSlot(place.Bucket, place.Slot);
            _placed.Remove(id);
        }

        foreach (var mail in retained)
        {
            var id = Convert.ToHexString(mail.MailboxId);
            if (_placed.ContainsKey(id))
            {
                continue;
            }

            if (!TryPlace(mail, id))
            {
                // No candidate has room: double the buckets under a new layout key and place everything again.
                Reset(_buckets * 2, _generation + 1);
                Update(retained, retainFrom);
                return;
            }
        }
    }

    private bool TryPlace(StoredMail mail, string id)
    {
        long best = -1;
        for (var j = 0; j < _options.HashCount; j++)
        {
            var bucket = MailboxLayout.Candidate(_layoutKey, j, mail.MailboxId, _buckets);
            if (_used[bucket] < _options.BucketSlots && (best < 0 || _used[bucket] < _used[best]))
            {
                best = bucket;
            }
        }

        if (best < 0)
        {
            return false;
        }

        var slotBytes = MailPut.MailboxIdSize + _options.MailCiphertextBytes;
        for (var slot = 0; slot < _options.BucketSlots; slot++)
        {
            var offset = (int)(best * _recordBytes) + (slot * slotBytes);
            if (_records.AsSpan(offset, MailPut.MailboxIdSize).IndexOfAnyExcept((byte)0) < 0)
            {
                mail.MailboxId.CopyTo(_records, offset);
                mail.Ciphertext.CopyTo(_records, offset + MailPut.MailboxIdSize);
                _used[best]++;
                _placed[id] = (best, slot, mail.MailEpoch);
                return true;
            }
        }

        return false;
    }

    private void ClearSlot(long bucket, int slot)
    {
        var slotBytes = MailPut.MailboxIdSize + _options.MailCiphertextBytes;
        _records.AsSpan((int)(bucket * _recordBytes) + (slot * slotBytes), slotBytes).Clear();
        _used[bucket]--;
    }
}
