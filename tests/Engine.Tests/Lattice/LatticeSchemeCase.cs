using Privomega.Pir.Engine.Lattice;
using Privomega.Pir.Engine.Tests.Schemes;

namespace Privomega.Pir.Engine.Tests.Lattice;

/// <summary>Lattice PIR as the generic scheme tests see it, on the insecure N = 256 test preset (opted in).</summary>
internal static class LatticeSchemeCase
{
    public static LatticePirParameters Plan(long recordCount, int recordBytes) =>
        LatticePirPlanner.Plan(recordCount, recordBytes, LatticeParameters.N256_Logq108_Logt20_Insecure);

    public static PirSchemeCase Create() => new(
        "Lattice",
        db => [new LatticePirServer(db, Plan(db.RecordCount, db.RecordBytes), allowInsecure: true)],
        (n, r) => new LatticePirClient(Plan(n, r), allowInsecure: true),
        (bytes, n, r) => LatticeQuery.Decode(bytes, Plan(n, r)),
        (bytes, n, r) => LatticeAnswer.Decode(bytes, Plan(n, r)),
        (bytes, n, r) => LatticeGaloisKeys.Decode(bytes, Plan(n, r)));
}
