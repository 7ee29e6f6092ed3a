namespace Privomega.Pir.Engine.Planning;

/// <summary>
/// What serving one database shape costs with one scheme, on one thread: the sizes follow from the
/// scheme's layout exactly; the seconds are predicted from a calibration of this machine's kernels.
/// </summary>
/// <param name="Scheme">The scheme's name (<see cref="IPirCostModel.Scheme"/>).</param>
/// <param name="Records">Records of the database.</param>
/// <param name="RecordBytes">Bytes per record.</param>
/// <param name="Batch">Queries answered together in one pass.</param>
/// <param name="QueryBytesPerServer">Bytes one query sends to one server.</param>
/// <param name="AnswerBytesPerServer">Bytes one server returns for one query.</param>
/// <param name="ClientKeyBytes">Bytes of the per-client evaluation keys the server must hold (0 when the scheme has none).</param>
/// <param name="SecondsPerBatch">Predicted seconds for one server to answer <paramref name="Batch"/> queries on one thread.</param>
/// <param name="DatabaseMemoryBytes">Bytes one server holds for one snapshot: rows plus any preprocessed form.</param>
/// <param name="Layout">The scheme's layout in words (rows, dimensions, preset).</param>
public sealed record PirShapeCost(
    string Scheme,
    long Records,
    int RecordBytes,
    int Batch,
    long QueryBytesPerServer,
    long AnswerBytesPerServer,
    long ClientKeyBytes,
    double SecondsPerBatch,
    long DatabaseMemoryBytes,
    string Layout);

/// <summary>
/// A scheme's calibrated cost model. The planner knows schemes only through this interface, so a
/// new scheme (a YPIR-class one) joins every plan by registering its <see cref="IPirCostCalibrator"/>
/// in <see cref="PirCostModels"/>.
/// </summary>
public interface IPirCostModel
{
    /// <summary>The scheme's short name (<c>xor</c>, <c>dpf</c>, <c>lattice</c>), as <c>plan --scheme</c> and <c>throughput --scheme</c> spell it.</summary>
    string Scheme { get; }

    /// <summary>Non-colluding servers the scheme needs; each answers every query.</summary>
    int ServerCount { get; }

    /// <summary>Batches the calibration measured; the planner recommends one of them. Always contains 1.</summary>
    IReadOnlyList<int> CalibratedBatches { get; }

    /// <summary>Whether the scheme can serve a database of this shape at all (parameter limits).</summary>
    bool Supports(long records, int recordBytes);

    /// <summary>The cost of answering <paramref name="batch"/> queries (≥ 1) on a database of this shape.</summary>
    PirShapeCost Cost(long records, int recordBytes, int batch);
}

/// <summary>Calibrates one scheme's <see cref="IPirCostModel"/> by timing its kernels on this machine.</summary>
public interface IPirCostCalibrator
{
    /// <summary>The scheme's short name.</summary>
    string Scheme { get; }

    /// <summary>Times the kernels for about <paramref name="budget"/> (never much longer) and returns the model.</summary>
    IPirCostModel Calibrate(TimeSpan budget);
}

/// <summary>The schemes the planner calibrates. Adding a scheme is one entry here.</summary>
public static class PirCostModels
{
    /// <summary>Every calibrator, in the order plans list schemes.</summary>
    public static IReadOnlyList<IPirCostCalibrator> All { get; } =
    [
        new ScanCostCalibrator(ScanCostModel.Kind.BitVector),
        new ScanCostCalibrator(ScanCostModel.Kind.Dpf),
        new LatticeCostCalibrator(),
    ];

    /// <summary>The calibrator named <paramref name="scheme"/> (case-insensitive), or null.</summary>
    public static IPirCostCalibrator? Find(string scheme) =>
        All.FirstOrDefault(c => string.Equals(c.Scheme, scheme, StringComparison.OrdinalIgnoreCase));
}
