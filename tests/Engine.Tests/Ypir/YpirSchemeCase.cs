using Privomega.Pir.Engine.Tests.Schemes;
using Privomega.Pir.Engine.Ypir;

namespace Privomega.Pir.Engine.Tests.Ypir;

/// <summary>YPIR as the generic scheme tests see it, on the insecure d = 256 preset (same moduli as the real one).</summary>
internal static class YpirSchemeCase
{
    public static YpirParameters Plan(long recordCount, int recordBytes) =>
        YpirPlanner.Plan(recordCount, recordBytes, YpirPreset.N256_Insecure);

    public static PirSchemeCase Create() => new(
        "Ypir",
        db => [new YpirServer(db, Plan(db.RecordCount, db.RecordBytes), allowInsecure: true)],
        (n, r) => new YpirClient(Plan(n, r), allowInsecure: true),
        (bytes, n, r) => YpirQuery.Decode(bytes, Plan(n, r)),
        (bytes, n, r) => YpirAnswer.Decode(bytes, Plan(n, r)),
        (bytes, n, r) => YpirPackingKey.Decode(bytes, Plan(n, r)));
}
