using Privomega.Protocol.Api;

namespace Privomega.Server.Pir;

/// <summary>
/// The snapshots a server answers: per database the newest and the one before (a client that read the
/// config just before a rebuild still gets answers). Answerers are reference-counted, so a snapshot
/// retired while a request still scans it is disposed only when that request is done.
/// </summary>
public sealed class PirCatalog : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<PirDatabaseKind, List<Entry>> _entries = new()
    {
        [PirDatabaseKind.Directory] = [],
        [PirDatabaseKind.Mailbox] = [],
    };

    /// <summary>Snapshots kept per database.</summary>
    public const int Kept = 2;

    /// <summary>Publishes a new snapshot; the oldest beyond <see cref="Kept"/> is retired.</summary>
    public void Publish(IPirAnswerer answerer)
    {
        ArgumentNullException.ThrowIfNull(answerer);
        Entry? retired = null;
        lock (_gate)
        {
            var list = _entries[answerer.Database];
            list.Add(new Entry(answerer));
            if (list.Count > Kept)
            {
                retired = list[0];
                list.RemoveAt(0);
            }
        }

        retired?.Release();
    }

    /// <summary>The newest snapshot of <paramref name="database"/>, leased; null when none.</summary>
    public Lease? Latest(PirDatabaseKind database)
    {
        lock (_gate)
        {
            var list = _entries[database];
            return list.Count == 0 ? null : list[^1].Acquire();
        }
    }

    /// <summary>Snapshot <paramref name="snapshotId"/> of <paramref name="database"/>, leased; null when not kept.</summary>
    public Lease? Find(PirDatabaseKind database, ulong snapshotId)
    {
        lock (_gate)
        {
            foreach (var entry in _entries[database])
            {
                if (entry.Answerer.SnapshotId == snapshotId)
                {
                    return entry.Acquire();
                }
            }

            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        List<Entry> all;
        lock (_gate)
        {
            all = [.. _entries.Values.SelectMany(e => e)];
            foreach (var list in _entries.Values)
            {
                list.Clear();
            }
        }

        foreach (var entry in all)
        {
            entry.Release();
        }
    }

    /// <summary>A use of one snapshot; dispose when done.</summary>
    public sealed class Lease : IDisposable
    {
        private Entry? _entry;

        internal Lease(Entry entry) => _entry = entry;

        /// <summary>The snapshot's answerer.</summary>
        public IPirAnswerer Answerer => _entry?.Answerer ?? throw new ObjectDisposedException(nameof(Lease));

        /// <inheritdoc />
        public void Dispose() => Interlocked.Exchange(ref _entry, null)?.Release();
    }

    internal sealed class Entry(IPirAnswerer answerer)
    {
        private int _references = 1;

        public IPirAnswerer Answerer { get; } = answerer;

        public Lease Acquire()
        {
            Interlocked.Increment(ref _references);
            return new Lease(this);
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0)
            {
                Answerer.Dispose();
            }
        }
    }
}
