namespace Privomega.Pir.Engine.Tests.Schemes;

/// <summary>
/// One scheme as the generic tests see it: how to build its servers over a database, its client, and its decoders
/// (decoders get the database shape: record count and record bytes). Schemes with evaluation keys
/// give their decoder too; the tests upload each key through its encoding, as a host would.
/// </summary>
public sealed record PirSchemeCase(
    string Name,
    Func<PirDatabase, IPirServer[]> CreateServers,
    Func<long, int, IPirClient> CreateClient,
    Func<byte[], long, int, PirQuery> DecodeQuery,
    Func<byte[], long, int, PirAnswer> DecodeAnswer,
    Func<byte[], long, int, PirEvaluationKey>? DecodeEvaluationKey = null)
{
    /// <summary>The client's evaluation key as a server receives it (decoded from its bytes), or null for keyless schemes.</summary>
    public PirEvaluationKey? Upload(IPirClient client, long recordCount, int recordBytes) =>
        client.EvaluationKey is { } key ? DecodeEvaluationKey!(key.Encode(), recordCount, recordBytes) : null;

    public override string ToString() => Name;
}

/// <summary>Every scheme the round-trip tests run. Adding a scheme is one entry here.</summary>
public static class SchemeRegistry
{
    public static readonly PirSchemeCase[] All =
    [
        new("Plain", db => [new PlainPirServer(db)], (n, r) => new PlainPirClient(n, r), (b, n, _) => PlainQuery.Decode(b, n), (b, _, r) => PlainAnswer.Decode(b, r)),
        new("XorBitVector", db => [new XorPirServer(db, threads: 1), new XorPirServer(db, threads: 2)], (n, r) => new XorPirClient(n, r), (b, n, _) => XorQuery.Decode(b, n), (b, _, r) => XorAnswer.Decode(b, r)),
        new("XorDpf", db => [new DpfPirServer(db, threads: 1), new DpfPirServer(db, threads: 2)], (n, r) => new DpfPirClient(n, r), (b, n, _) => DpfQuery.Decode(b, n), (b, _, r) => XorAnswer.Decode(b, r, PirSchemeKind.XorDpf)),
        Lattice.LatticeSchemeCase.Create(),
        Ypir.YpirSchemeCase.Create(),
    ];

    public static PirSchemeCase Get(string name) => All.Single(s => s.Name == name);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (PirSchemeCase scheme in All)
        {
            data.Add(scheme.Name);
        }

        return data;
    }

    /// <summary>Every scheme crossed with database shapes (records, record bytes).</summary>
    public static TheoryData<string, long, int> NamesAndShapes()
    {
        (long N, int R)[] shapes = [(1, 1), (5, 3), (64, 32), (100, 17), (1000, 256), ((6 * 512) + 7, 40)];
        var data = new TheoryData<string, long, int>();
        foreach (PirSchemeCase scheme in All)
        {
            foreach ((long n, int r) in shapes)
            {
                data.Add(scheme.Name, n, r);
            }
        }

        return data;
    }
}
