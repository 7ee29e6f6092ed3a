using System.Collections.Concurrent;
using Privomega.Pir.Engine;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Cluster;

/// <summary>
/// The front end of one sharded snapshot: sends every query to every shard (so no shard learns more than a
/// single server would), combines the partial answers into the single-node answer, and retries a shard whose
/// silo went away (Orleans activates it elsewhere and it reloads its slice). Lattice evaluation keys are kept
/// here by id (the host's key id, e.g. the one an upload is referred to by) and handed again to any shard
/// activation that lacks them. Works from a silo (its <see cref="IGrainFactory"/>)
/// or from an Orleans client.
/// </summary>
public sealed class PirClusterFrontEnd
{
    private readonly IPirShardGrain[] _shards;
    private readonly PirShardCombiner _combiner;
    private readonly ConcurrentDictionary<ulong, byte[]> _keys = new();

    /// <summary>A front end for the snapshot <paramref name="spec"/> describes.</summary>
    public PirClusterFrontEnd(IGrainFactory grains, PirShardSpec spec, int attempts = 6, TimeSpan? retryDelay = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(spec);
        if (attempts is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(attempts), attempts, "expected 1..100");
        }

        Spec = spec;
        Attempts = attempts;
        RetryDelay = retryDelay ?? TimeSpan.FromMilliseconds(250);
        Parameters = spec.Lattice?.ToParameters(spec.RecordCount, spec.RecordBytes);
        // Validates the shard count against the shape (throws ArgumentOutOfRangeException with the limit).
        PirSharding.Split(spec.SchemeKind, spec.RecordCount, spec.Shards, Parameters);
        _combiner = new PirShardCombiner(spec.SchemeKind, spec.RecordBytes, spec.Shards, Parameters);
        _shards = [.. Enumerable.Range(0, spec.Shards).Select(i => grains.GetGrain<IPirShardGrain>(spec.ShardKey(i)))];
    }

    /// <summary>The snapshot.</summary>
    public PirShardSpec Spec { get; }

    /// <summary>The lattice parameters (lattice snapshots).</summary>
    public LatticePirParameters? Parameters { get; }

    /// <summary>Tries per shard call before a query fails.</summary>
    public int Attempts { get; }

    /// <summary>Pause before a retry (grows linearly with the attempt).</summary>
    public TimeSpan RetryDelay { get; }

    /// <summary>Calls that had to be retried since this front end was made (operations and tests).</summary>
    public int Retries => _retries;

    private int _retries;

    /// <summary>Bytes each shard sends back per query (the fan-in's network cost is Shards × this).</summary>
    public int ShareBytes => _combiner.PayloadBytes;

    /// <summary>
    /// Describes a snapshot held in <paramref name="path"/> (records end to end) for <paramref name="shards"/> shards.
    /// </summary>
    public static PirShardSpec Describe(string snapshot, PirSchemeKind scheme, string path, long recordCount, int recordBytes, int shards, int threads = 1, LatticePirParameters? lattice = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(snapshot);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (snapshot.Contains('#', StringComparison.Ordinal))
        {
            throw new ArgumentException($"snapshot id {snapshot} contains '#'; expected an id without it (shard keys append #index/count).", nameof(snapshot));
        }

        if ((scheme == PirSchemeKind.Lattice) != (lattice is not null))
        {
            throw new ArgumentException($"scheme {scheme} with{(lattice is null ? "out" : string.Empty)} lattice parameters; lattice parameters go with the lattice scheme only.", nameof(lattice));
        }

        PirSharding.Split(scheme, recordCount, shards, lattice);
        return new PirShardSpec(snapshot, (byte)scheme, path, recordCount, recordBytes, shards, threads, lattice is null ? null : LatticeShape.Of(lattice));
    }

    /// <summary>Keeps a lattice client's Galois keys under <paramref name="keyId"/> and hands them to every shard.</summary>
    public async Task StoreKeyAsync(ulong keyId, LatticeGaloisKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (Parameters is null)
        {
            throw new InvalidOperationException($"snapshot {Spec.Snapshot} is a {Spec.SchemeKind} snapshot; only lattice snapshots take Galois keys.");
        }

        var encoded = keys.Encode();
        _keys[keyId] = encoded;
        await Task.WhenAll(_shards.Select(s => WithRetry(() => s.StoreKey(Spec, keyId, encoded)))).ConfigureAwait(false);
    }

    /// <summary>Forgets the keys stored under <paramref name="keyId"/> here (shards drop theirs as newer ones arrive).</summary>
    public bool ForgetKey(ulong keyId) => _keys.TryRemove(keyId, out _);

    /// <summary>Answers one query of the whole snapshot (lattice: with the id its keys were stored under).</summary>
    public async Task<PirAnswer> AnswerAsync(PirQuery query, ulong? keyId = null) =>
        (await AnswerBatchAsync([query], keyId is { } id ? [id] : null).ConfigureAwait(false))[0];

    /// <summary>
    /// Answers a batch: one call per shard for the whole batch, all shards in parallel. Lattice batches name each
    /// query's keys by the id they were stored under (<see cref="StoreKeyAsync"/>).
    /// </summary>
    public async Task<PirAnswer[]> AnswerBatchAsync(IReadOnlyList<PirQuery> queries, IReadOnlyList<ulong>? keyIds = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ulong[] ids = keyIds is null ? [] : [.. keyIds];
        if (Parameters is not null && ids.Length != queries.Count)
        {
            throw new ArgumentException($"keyIds has {ids.Length} ids; a lattice batch needs one per query ({queries.Count}).", nameof(keyIds));
        }

        foreach (ulong id in ids)
        {
            if (!_keys.ContainsKey(id))
            {
                throw new ArgumentException("A query names an evaluation key id that was never stored with the cluster; store the keys first.", nameof(keyIds));
            }
        }

        if (queries.Count is < 1 or > PirShardGrain.MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(queries), queries.Count, $"expected 1..{PirShardGrain.MaxBatch} queries");
        }

        var encoded = new byte[queries.Count][];
        for (int i = 0; i < encoded.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(queries[i]);
            if (queries[i].Scheme != Spec.SchemeKind)
            {
                throw new ArgumentException($"queries[{i}] is a {queries[i].Scheme} query; expected {Spec.SchemeKind}.", nameof(queries));
            }

            encoded[i] = queries[i].Encode();
        }

        var replies = await Task.WhenAll(_shards.Select(s => AskShard(s, encoded, ids))).ConfigureAwait(false);
        var answers = new PirAnswer[encoded.Length];
        var shares = new PirPartialAnswer[_shards.Length];
        for (int q = 0; q < answers.Length; q++)
        {
            for (int s = 0; s < shares.Length; s++)
            {
                var bytes = replies[s][q];
                if (!PirPartialAnswer.TryDecode(bytes, Spec.SchemeKind, _combiner.PayloadBytes, out var share, out var error))
                {
                    throw new InvalidOperationException($"shard {s} of {Spec.Snapshot} sent a share that does not decode: {error}");
                }

                shares[s] = share;
            }

            answers[q] = _combiner.Combine(shares);
        }

        return answers;
    }

    // One shard's shares for the batch; hands it evaluation keys it lacks (it was re-activated, or evicted them).
    private async Task<byte[][]> AskShard(IPirShardGrain shard, byte[][] queries, ulong[] keyIds)
    {
        for (int round = 0; round < 3; round++)
        {
            var reply = await WithRetry(() => shard.Answer(Spec, queries, keyIds)).ConfigureAwait(false);
            if (reply.Shares is { } shares)
            {
                if (shares.Length != queries.Length)
                {
                    throw new InvalidOperationException($"a shard of {Spec.Snapshot} sent {shares.Length} shares; expected {queries.Length}.");
                }

                return shares;
            }

            foreach (ulong id in reply.MissingKeys)
            {
                if (!_keys.TryGetValue(id, out var keys))
                {
                    throw new InvalidOperationException("A shard asked for an evaluation key id this front end does not hold.");
                }

                await WithRetry(() => shard.StoreKey(Spec, id, keys)).ConfigureAwait(false);
            }
        }

        throw new InvalidOperationException($"a shard of {Spec.Snapshot} kept losing the evaluation keys.");
    }

    // Retries a call that failed for any reason but bad input (a silo leaving shows up as several exception types).
    private async Task<T> WithRetry<T>(Func<Task<T>> call)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < Attempts && e is not ArgumentException)
            {
                Interlocked.Increment(ref _retries);
                await Task.Delay(RetryDelay * attempt).ConfigureAwait(false);
            }
        }
    }

    private async Task WithRetry(Func<Task> call) => await WithRetry(async () =>
    {
        await call().ConfigureAwait(false);
        return true;
    }).ConfigureAwait(false);
}
