namespace Privomega.Pir.Cluster;

/// <summary>
/// One shard of one snapshot, keyed by <see cref="PirShardSpec.ShardKey"/>: it holds its slice in native memory
/// and answers every query of the snapshot with its partial answer.
/// </summary>
public interface IPirShardGrain : IGrainWithStringKey
{
    /// <summary>
    /// Answers encoded whole-database queries with encoded <c>PirPartialAnswer</c>s, loading the slice first if
    /// needed. Lattice queries name their evaluation keys by id (<paramref name="keyIds"/>, one per query); the reply
    /// lists the ids this activation does not hold instead of answering.
    /// </summary>
    Task<PirShardReply> Answer(PirShardSpec spec, byte[][] queries, ulong[] keyIds);

    /// <summary>Keeps a lattice client's encoded Galois keys under <paramref name="keyId"/> (lattice snapshots only).</summary>
    Task StoreKey(PirShardSpec spec, ulong keyId, byte[] galoisKeys);

    /// <summary>The silo this activation runs on and the bytes of its slice (operations and tests).</summary>
    Task<PirShardLocation> Locate(PirShardSpec spec);
}

/// <summary>Where a shard runs.</summary>
[GenerateSerializer]
[Immutable]
public sealed record PirShardLocation([property: Id(0)] string Silo, [property: Id(1)] long SliceBytes);
