namespace Privomega.Server.Storage;

/// <summary>
/// <see cref="IServerStore"/> in process memory (tests, the privacy measurements, demos): the same
/// semantics as the durable stores, one lock, nothing survives the process.
/// </summary>
public sealed class InMemoryServerStore : IServerStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, byte[]> _secrets = [];
    private readonly List<StoredCertificate> _log = [];
    private readonly HashSet<string> _keyHashes = [];
    private readonly SortedDictionary<ulong, byte[]> _heads = [];
    private readonly SortedDictionary<ulong, byte[]> _mailHeads = [];
    private readonly SortedDictionary<ulong, List<QueueEntry>> _queues = [];
    private readonly Dictionary<string, StoredMail> _mail = [];
    private readonly HashSet<(long Period, string Key)> _spent = [];
    private readonly Dictionary<(long Period, string User), int> _issued = [];
    private readonly Dictionary<(ulong Period, string Id, byte Db), byte[]> _evalKeys = [];

    /// <inheritdoc />
    public Task<byte[]> GetOrCreateSecretAsync(string name, Func<byte[]> create, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(create);
        lock (_gate)
        {
            if (!_secrets.TryGetValue(name, out var value))
            {
                value = create();
                _secrets[name] = value;
            }

            return Task.FromResult((byte[])value.Clone());
        }
    }

    /// <inheritdoc />
    public Task<long?> TryAppendCertificateAsync(byte[] keyHash, byte[] encoded, ulong issuedAt, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_keyHashes.Add(Convert.ToHexString(keyHash)))
            {
                return Task.FromResult<long?>(null);
            }

            long index = _log.Count;
            _log.Add(new StoredCertificate(index, (byte[])encoded.Clone(), issuedAt));
            return Task.FromResult<long?>(index);
        }
    }

    /// <inheritdoc />
    public Task<long> CountCertificatesAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult((long)_log.Count);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredCertificate>> ReadCertificatesAsync(long fromIndex, int max, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<StoredCertificate> page = fromIndex >= _log.Count || max <= 0
                ? []
                : _log.GetRange((int)fromIndex, (int)Math.Min(max, _log.Count - fromIndex));
            return Task.FromResult(page);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryAddEpochHeadAsync(ulong epoch, byte[] head, CancellationToken cancellationToken = default) => AddHead(_heads, epoch, head);

    /// <inheritdoc />
    public Task<byte[]?> GetEpochHeadAsync(ulong epoch, CancellationToken cancellationToken = default) => GetHead(_heads, epoch);

    /// <inheritdoc />
    public Task<byte[]?> GetLatestEpochHeadAsync(CancellationToken cancellationToken = default) => LatestHead(_heads);

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]>> ReadEpochHeadsAsync(ulong fromEpoch, int max, CancellationToken cancellationToken = default) => ReadHeads(_heads, fromEpoch, max);

    /// <inheritdoc />
    public Task<bool> TryAddMailHeadAsync(ulong mailEpoch, byte[] head, CancellationToken cancellationToken = default) => AddHead(_mailHeads, mailEpoch, head);

    /// <inheritdoc />
    public Task<byte[]?> GetMailHeadAsync(ulong mailEpoch, CancellationToken cancellationToken = default) => GetHead(_mailHeads, mailEpoch);

    /// <inheritdoc />
    public Task<byte[]?> GetLatestMailHeadAsync(CancellationToken cancellationToken = default) => LatestHead(_mailHeads);

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]>> ReadMailHeadsAsync(ulong fromMailEpoch, int max, CancellationToken cancellationToken = default) => ReadHeads(_mailHeads, fromMailEpoch, max);

    /// <inheritdoc />
    public Task<long> EnqueueAsync(ulong epoch, byte[] request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_queues.TryGetValue(epoch, out var queue))
            {
                queue = [];
                _queues[epoch] = queue;
            }

            long cursor = queue.Count + 1;
            queue.Add(new QueueEntry(cursor, (byte[])request.Clone()));
            return Task.FromResult(cursor);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<QueueEntry>> ReadQueueAsync(ulong epoch, long afterCursor, int max, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<QueueEntry> page = _queues.TryGetValue(epoch, out var queue)
                ? queue.Where(e => e.Cursor > afterCursor).Take(Math.Max(0, max)).ToList()
                : [];
            return Task.FromResult(page);
        }
    }

    /// <inheritdoc />
    public Task<long> CountQueueAsync(ulong epoch, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_queues.TryGetValue(epoch, out var queue) ? (long)queue.Count : 0);
        }
    }

    /// <inheritdoc />
    public Task<MailPutResult> PutMailAsync(byte[] mailboxId, ulong mailEpoch, byte[] ciphertext, long tokenPeriod, byte[] spentKey, CancellationToken cancellationToken = default)
    {
        var id = Convert.ToHexString(mailboxId);
        var spent = (tokenPeriod, Convert.ToHexString(spentKey));
        lock (_gate)
        {
            if (_spent.Contains(spent))
            {
                return Task.FromResult(MailPutResult.TokenSpent);
            }

            if (_mail.ContainsKey(id))
            {
                return Task.FromResult(MailPutResult.MailboxTaken);
            }

            _spent.Add(spent);
            _mail[id] = new StoredMail((byte[])mailboxId.Clone(), mailEpoch, (byte[])ciphertext.Clone());
            return Task.FromResult(MailPutResult.Stored);
        }
    }

    /// <inheritdoc />
    public Task<bool> TrySpendTokenAsync(long tokenPeriod, byte[] spentKey, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_spent.Add((tokenPeriod, Convert.ToHexString(spentKey))));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMail>> ReadMailAsync(ulong fromMailEpoch, ulong toMailEpoch, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<StoredMail> mail = _mail.Values
                .Where(m => m.MailEpoch >= fromMailEpoch && m.MailEpoch <= toMailEpoch)
                .OrderBy(m => m.MailEpoch)
                .ThenBy(m => m.MailboxId, ByteOrder.Instance)
                .ToList();
            return Task.FromResult(mail);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryReserveTokensAsync(long tokenPeriod, byte[] userHash, int count, int quota, CancellationToken cancellationToken = default)
    {
        var key = (tokenPeriod, Convert.ToHexString(userHash));
        lock (_gate)
        {
            var used = _issued.GetValueOrDefault(key);
            if (count <= 0 || used + count > quota)
            {
                return Task.FromResult(false);
            }

            _issued[key] = used + count;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task ReleaseTokensAsync(long tokenPeriod, byte[] userHash, int count, CancellationToken cancellationToken = default)
    {
        var key = (tokenPeriod, Convert.ToHexString(userHash));
        lock (_gate)
        {
            _issued[key] = Math.Max(0, _issued.GetValueOrDefault(key) - count);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task PutEvalKeyAsync(ulong period, byte[] keyId, byte database, byte[] keys, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _evalKeys[(period, Convert.ToHexString(keyId), database)] = (byte[])keys.Clone();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<byte[]?> GetEvalKeyAsync(ulong period, byte[] keyId, byte database, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_evalKeys.TryGetValue((period, Convert.ToHexString(keyId), database), out var keys) ? keys : null);
        }
    }

    /// <inheritdoc />
    public Task PruneAsync(PruneHorizon horizon, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (var epoch in _queues.Keys.Where(e => e < horizon.QueueEpoch).ToList())
            {
                _queues.Remove(epoch);
            }

            foreach (var (id, _) in _mail.Where(m => m.Value.MailEpoch < horizon.MailEpoch).ToList())
            {
                _mail.Remove(id);
            }

            _spent.RemoveWhere(s => s.Period < horizon.TokenPeriod);
            foreach (var key in _issued.Keys.Where(k => k.Period < horizon.TokenPeriod).ToList())
            {
                _issued.Remove(key);
            }

            foreach (var key in _evalKeys.Keys.Where(k => k.Period < horizon.EvalKeyPeriod).ToList())
            {
                _evalKeys.Remove(key);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private Task<bool> AddHead(SortedDictionary<ulong, byte[]> heads, ulong epoch, byte[] head)
    {
        lock (_gate)
        {
            return Task.FromResult(heads.TryAdd(epoch, (byte[])head.Clone()));
        }
    }

    private Task<byte[]?> GetHead(SortedDictionary<ulong, byte[]> heads, ulong epoch)
    {
        lock (_gate)
        {
            return Task.FromResult(heads.TryGetValue(epoch, out var head) ? head : null);
        }
    }

    private Task<byte[]?> LatestHead(SortedDictionary<ulong, byte[]> heads)
    {
        lock (_gate)
        {
            return Task.FromResult(heads.Count == 0 ? null : heads.Last().Value);
        }
    }

    private Task<IReadOnlyList<byte[]>> ReadHeads(SortedDictionary<ulong, byte[]> heads, ulong from, int max)
    {
        lock (_gate)
        {
            IReadOnlyList<byte[]> page = heads.Where(h => h.Key >= from).Take(Math.Max(0, max)).Select(h => h.Value).ToList();
            return Task.FromResult(page);
        }
    }

    /// <summary>Orders byte arrays lexicographically (SQLite's BLOB order), so both stores list mail alike.</summary>
    internal sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x is null || y is null ? Comparer<object>.Default.Compare(x, y) : x.AsSpan().SequenceCompareTo(y);
    }
}
