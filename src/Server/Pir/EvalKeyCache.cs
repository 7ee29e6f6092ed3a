using Privomega.Pir.Engine;
using Privomega.Pir.Engine.Lattice;
using Privomega.Protocol.Api;
using Privomega.Server.Domain;
using Privomega.Server.Storage;

namespace Privomega.Server.Pir;

/// <summary>
/// Decoded lattice Galois keys of the current key period, looked up by the key id a batch names and kept in a
/// small bounded cache (decoding a key set costs more than a read). A key id never appears in logs or problems;
/// an unknown or expired id is a 404 <c>unknown-key</c>.
/// </summary>
public sealed class EvalKeyCache(IServerStore store, ServerClock clock, int capacity = 16)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<(Entry Key, LatticeGaloisKeys Value)> _order = new();
    private readonly Dictionary<Entry, LinkedListNode<(Entry Key, LatticeGaloisKeys Value)>> _entries = [];

    /// <summary>The decoded keys for <paramref name="keyId"/> in the current period, laid out for <paramref name="parameters"/>.</summary>
    public async Task<LatticeGaloisKeys> FindAsync(PirDatabaseKind database, byte[] keyId, LatticePirParameters parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(parameters);
        var period = clock.CurrentEpoch;
        var entry = new Entry(period, Convert.ToHexString(keyId), database, parameters);
        lock (_gate)
        {
            if (_entries.TryGetValue(entry, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                return node.Value.Value;
            }
        }

        var bytes = await store.GetEvalKeyAsync(period, keyId, (byte)database, cancellationToken).ConfigureAwait(false);
        if (bytes is null || !LatticeGaloisKeys.TryDecode(bytes, parameters, out var keys, out _))
        {
            // Also when the stored key was laid out for an earlier snapshot shape: the client re-uploads.
            throw new ServerProblemException(404, "unknown-key", "lattice evaluation key not stored for this period");
        }

        lock (_gate)
        {
            if (_entries.TryGetValue(entry, out var raced))
            {
                return raced.Value.Value;
            }

            foreach (var stale in _entries.Keys.Where(k => k.Period != period).ToList())
            {
                Remove(stale);
            }

            while (_entries.Count >= capacity && _order.Last is { } last)
            {
                Remove(last.Value.Key);
            }

            _entries[entry] = _order.AddFirst((entry, keys));
            return keys;
        }
    }

    /// <summary>Drops a cached key (an upload replaced it).</summary>
    public void Invalidate(ulong period, byte[] keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        var hex = Convert.ToHexString(keyId);
        lock (_gate)
        {
            foreach (var stale in _entries.Keys.Where(k => k.Period == period && k.KeyId == hex).ToList())
            {
                Remove(stale);
            }
        }
    }

    private void Remove(Entry key)
    {
        if (_entries.Remove(key, out var node))
        {
            _order.Remove(node);
        }
    }

    private readonly record struct Entry(ulong Period, string KeyId, PirDatabaseKind Database, LatticePirParameters Parameters);
}
