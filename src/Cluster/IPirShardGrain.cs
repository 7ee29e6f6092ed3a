namespace Privomega.Pir.Cluster;

/// <summary>
/// One shard of one snapshot, keyed by <see cref="PirShardSpec.ShardKey"/>: it holds its slice in native memory
/// and answers every query of the snapshot with its partial answer.
/// </summary>
public interface IPirShardGrain : IGrainWithStringKey
{
    /// <summary>Answers encoded whole-database queries with encoded <c>PirPartialAnswer</c>s, loading the slice first if needed.</summary>
    Task<PirShardReply> Answer(PirShardSpec spec, byte[][] queries);

    /// <summary>Keeps a lattice client's encoded Galois keys (lattice snapshots only).</summary>
    Task RegisterClient(PirShardSpec spec, ulong clientId, byte[] galoisKeys);

    /// <summary>The silo this activation runs on and the bytes of its slice (operations and tests).</summary>
    Task<PirShardLocation> Locate(PirShardSpec spec);
}

/// <summary>Where a shard runs.</summary>
[GenerateSerializer]
[Immutable]
public sealed record PirShardLocation([property: Id(0)] string Silo, [property: Id(1)] long SliceBytes);
