using Microsoft.Extensions.Logging;
using Orleans.Placement;
using Privomega.Pir.Engine;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Cluster;

/// <summary>
/// The shard grain: its slice (rows for XOR and DPF, preprocessed plaintext columns for lattice) lives in native
/// memory for as long as the activation does; it is kept alive while its silo runs and, when the silo leaves,
/// the next call activates it on another silo, which reloads the slice from the snapshot file. It logs shard
/// keys and sizes only, never a query.
/// </summary>
[KeepAlive]
[PirShardPlacement]
internal sealed partial class PirShardGrain(ILocalSiloDetails silo, ILogger<PirShardGrain> logger) : Grain, IPirShardGrain
{
    /// <summary>Most queries one call may carry.</summary>
    public const int MaxBatch = 256;

    private PirShardSpec? _spec;
    private PirShardServer? _server;
    private PirQueryCodec? _codec;

    public Task<PirShardReply> Answer(PirShardSpec spec, byte[][] queries, ulong[] keyIds)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(keyIds);
        if (queries.Length is < 1 or > MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(queries), queries.Length, $"expected 1..{MaxBatch} queries");
        }

        var server = Load(spec);
        var decoded = new PirQuery[queries.Length];
        for (int i = 0; i < queries.Length; i++)
        {
            decoded[i] = _codec!.Decode(queries[i], i);
        }

        PirEvaluationKey[] keys = [];
        if (server.NeedsEvaluationKey)
        {
            if (keyIds.Length != queries.Length)
            {
                throw new ArgumentException($"keyIds has {keyIds.Length} ids; expected one per query ({queries.Length}).", nameof(keyIds));
            }

            var missing = keyIds.Where(id => !_keys.ContainsKey(id)).Distinct().ToArray();
            if (missing.Length > 0)
            {
                return Task.FromResult(new PirShardReply(null, missing));
            }

            keys = [.. keyIds.Select(id => (PirEvaluationKey)_keys[id])];
        }

        var shares = server.AnswerBatch(decoded, keys);
        return Task.FromResult(new PirShardReply([.. shares.Select(s => s.Encode())], []));
    }

    // Evaluation keys by id, oldest first out beyond MaxKeys (each is megabytes at real parameters).
    private readonly Dictionary<ulong, LatticeGaloisKeys> _keys = [];
    private readonly Queue<ulong> _keyOrder = new();

    /// <summary>Most evaluation keys one shard activation keeps.</summary>
    public const int MaxKeys = 256;

    public Task StoreKey(PirShardSpec spec, ulong keyId, byte[] galoisKeys)
    {
        ArgumentNullException.ThrowIfNull(galoisKeys);
        var server = Load(spec);
        if (server.LatticeParameters is not { } parameters)
        {
            throw new ArgumentException($"shard {this.GetPrimaryKeyString()} answers {server.Scheme} queries, which need no Galois keys.", nameof(galoisKeys));
        }

        if (!LatticeGaloisKeys.TryDecode(galoisKeys, parameters, out var keys, out var error))
        {
            throw new ArgumentException($"Galois keys do not decode: {error}", nameof(galoisKeys));
        }

        if (_keys.TryAdd(keyId, keys))
        {
            _keyOrder.Enqueue(keyId);
            while (_keys.Count > MaxKeys)
            {
                _keys.Remove(_keyOrder.Dequeue());
            }
        }
        else
        {
            _keys[keyId] = keys;
        }

        return Task.CompletedTask;
    }

    public Task<PirShardLocation> Locate(PirShardSpec spec)
    {
        var server = Load(spec);
        return Task.FromResult(new PirShardLocation(silo.SiloAddress.ToString(), server.SliceBytes));
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _server?.Dispose();
        _server = null;
        _keys.Clear();
        _keyOrder.Clear();
        return Task.CompletedTask;
    }

    // Loads the slice on the first call; later calls must name the same snapshot and shape.
    private PirShardServer Load(PirShardSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (_server is not null)
        {
            if (!SameSpec(_spec!, spec))
            {
                throw new ArgumentException($"shard {this.GetPrimaryKeyString()} holds a slice of another snapshot shape; expected the spec it was loaded with.", nameof(spec));
            }

            return _server;
        }

        string key = this.GetPrimaryKeyString();
        if (!PirShardSpec.TryParseShardKey(key, out int index, out int count) || count != spec.Shards || key != spec.ShardKey(index))
        {
            throw new ArgumentException($"shard key {key} does not match the spec's snapshot {spec.Snapshot} with {spec.Shards} shards.", nameof(spec));
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var scheme = spec.SchemeKind;
        if (scheme == PirSchemeKind.Lattice)
        {
            var parameters = (spec.Lattice ?? throw new ArgumentException("a lattice spec needs its lattice shape.", nameof(spec))).ToParameters(spec.RecordCount, spec.RecordBytes);
            var range = PirSharding.Split(scheme, spec.RecordCount, spec.Shards, parameters)[index];
            using var whole = PirDatabase.FromFile(spec.Path, spec.RecordBytes);
            _server = PirShardServer.ForLattice(whole, parameters, range, spec.Threads, allowInsecure: spec.Lattice.AllowInsecure);
            _codec = new PirQueryCodec(scheme, spec.RecordCount, parameters);
        }
        else
        {
            var range = PirSharding.Split(scheme, spec.RecordCount, spec.Shards)[index];
            var rows = PirDatabase.FromFile(spec.Path, spec.RecordBytes, range.First, range.Length);
            _server = PirShardServer.ForRows(scheme, rows, range, spec.RecordCount, spec.Threads);
            _codec = new PirQueryCodec(scheme, spec.RecordCount, null);
        }

        _spec = spec;
        LogLoaded(logger, key, _server.SliceBytes, started.Elapsed.TotalMilliseconds);
        return _server;
    }

    private static bool SameSpec(PirShardSpec a, PirShardSpec b) =>
        a.Snapshot == b.Snapshot && a.Scheme == b.Scheme && a.Path == b.Path && a.RecordCount == b.RecordCount
        && a.RecordBytes == b.RecordBytes && a.Shards == b.Shards
        && (a.Lattice is null) == (b.Lattice is null)
        && (a.Lattice is null || (a.Lattice.N == b.Lattice!.N && a.Lattice.CiphertextModuli.AsSpan().SequenceEqual(b.Lattice.CiphertextModuli)
            && a.Lattice.SpecialModulus == b.Lattice.SpecialModulus && a.Lattice.PlainBits == b.Lattice.PlainBits && a.Lattice.Dimensions == b.Lattice.Dimensions));

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard} loaded its slice: {Bytes} bytes in {Milliseconds:F0} ms")]
    private static partial void LogLoaded(ILogger logger, string shard, long bytes, double milliseconds);
}
