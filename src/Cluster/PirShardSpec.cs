using Privomega.Pir.Engine;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Cluster;

/// <summary>
/// The encryption parameters and matrix shape of a lattice snapshot, as plain values a shard can rebuild the
/// exact <see cref="LatticePirParameters"/> from (<see cref="LatticePirPlanner.Plan"/> is deterministic).
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record LatticeShape(
    [property: Id(0)] int N,
    [property: Id(1)] ulong[] CiphertextModuli,
    [property: Id(2)] ulong SpecialModulus,
    [property: Id(3)] int PlainBits,
    [property: Id(4)] int Dimensions,
    [property: Id(5)] bool AllowInsecure)
{
    /// <summary>The shape of <paramref name="parameters"/>.</summary>
    public static LatticeShape Of(LatticePirParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var e = parameters.Encryption;
        return new LatticeShape(e.N, [.. e.CiphertextModuli], e.SpecialModulus, e.PlainModulusBits, parameters.Dimensions, !e.IsSecure);
    }

    /// <summary>Rebuilds the parameters for a database of <paramref name="recordCount"/> × <paramref name="recordBytes"/>.</summary>
    public LatticePirParameters ToParameters(long recordCount, int recordBytes) =>
        LatticePirPlanner.Plan(recordCount, recordBytes, LatticeParameters.Create(N, CiphertextModuli, SpecialModulus, PlainBits, AllowInsecure), Dimensions);
}

/// <summary>
/// What every shard of one snapshot needs to load its slice: the snapshot's file (records end to end, readable
/// from every silo: a shared volume or a copy per node), its shape, the scheme and the number of shards. The
/// front end sends it with every call, so a shard activated anew on another silo (its silo left) reloads its
/// slice from the file on the first query it gets.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record PirShardSpec(
    [property: Id(0)] string Snapshot,
    [property: Id(1)] byte Scheme,
    [property: Id(2)] string Path,
    [property: Id(3)] long RecordCount,
    [property: Id(4)] int RecordBytes,
    [property: Id(5)] int Shards,
    [property: Id(6)] int Threads,
    [property: Id(7)] LatticeShape? Lattice)
{
    /// <summary>The scheme as the engine's enum.</summary>
    public PirSchemeKind SchemeKind => (PirSchemeKind)Scheme;

    /// <summary>The grain key of shard <paramref name="index"/>: snapshot id, shard index and count.</summary>
    public string ShardKey(int index) => $"{Snapshot}#{index}/{Shards}";

    /// <summary>Parses the index and count back out of a shard key (the placement spreads shards by index).</summary>
    public static bool TryParseShardKey(string key, out int index, out int count)
    {
        index = count = 0;
        int hash = key.LastIndexOf('#');
        int slash = key.LastIndexOf('/');
        return hash >= 0 && slash > hash
            && int.TryParse(key.AsSpan(hash + 1, slash - hash - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index)
            && int.TryParse(key.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count)
            && count > 0 && index < count;
    }
}

/// <summary>A shard's reply to a batch: the encoded partial answers, or the evaluation key ids it lacks.</summary>
[GenerateSerializer]
[Immutable]
public sealed record PirShardReply(
    [property: Id(0)] byte[][]? Shares,
    [property: Id(1)] ulong[] MissingKeys);
