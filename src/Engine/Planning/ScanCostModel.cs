using System.Globalization;

namespace Privomega.Pir.Engine.Planning;

/// <summary>
/// Cost model of the two-server XOR schemes (bit-vector and DPF queries): a batch of b queries is one
/// pass over the rows, costing <c>t(b) = A(b)·records + C(b)·rowBytes</c> seconds on one thread —
/// per-record work (selection bits, DPF expansion) plus per-byte work (the masked XOR scan).
/// A and C are measured at batch 1 and at <see cref="LargeBatch"/> and are linear in b between
/// (and beyond, by extrapolation).
/// </summary>
public sealed class ScanCostModel : IPirCostModel
{
    /// <summary>The batch calibrated besides 1.</summary>
    public const int LargeBatch = 16;

    private readonly Kind _kind;
    private readonly (double A, double C) _single;
    private readonly (double A, double C) _large;

    /// <summary>Creates a model from measured coefficients (seconds per record and per row byte, one thread).</summary>
    public ScanCostModel(Kind kind, double perRecordSeconds1, double perByteSeconds1, double perRecordSecondsLarge, double perByteSecondsLarge)
    {
        if (!(perRecordSeconds1 >= 0 && perByteSeconds1 >= 0 && perRecordSecondsLarge >= 0 && perByteSecondsLarge >= 0)
            || perRecordSeconds1 + perByteSeconds1 <= 0)
        {
            ThrowHelper.Argument(nameof(perRecordSeconds1), "coefficients must be finite and non-negative, and batch 1 must cost something.");
        }

        _kind = kind;
        _single = (perRecordSeconds1, perByteSeconds1);
        _large = (perRecordSecondsLarge, perByteSecondsLarge);
    }

    /// <summary>Which XOR query form.</summary>
    public enum Kind
    {
        /// <summary>N-bit selection vectors (<see cref="XorPirServer"/>).</summary>
        BitVector,

        /// <summary>DPF keys (<see cref="DpfPirServer"/>).</summary>
        Dpf,
    }

    /// <inheritdoc />
    public string Scheme => _kind == Kind.BitVector ? "xor" : "dpf";

    /// <inheritdoc />
    public int ServerCount => 2;

    /// <inheritdoc />
    public IReadOnlyList<int> CalibratedBatches => [1, LargeBatch];

    /// <summary>Seconds per record and per row byte at batch 1, then at <see cref="LargeBatch"/>.</summary>
    public (double PerRecord1, double PerByte1, double PerRecordLarge, double PerByteLarge) Coefficients => (_single.A, _single.C, _large.A, _large.C);

    /// <inheritdoc />
    public bool Supports(long records, int recordBytes) => records >= 1 && recordBytes >= 1 && records <= (1L << 40);

    /// <inheritdoc />
    public PirShapeCost Cost(long records, int recordBytes, int batch)
    {
        if (!Supports(records, recordBytes))
        {
            ThrowHelper.Argument(nameof(records), $"{records} records of {recordBytes} B is not a shape {Scheme} serves.");
        }

        if (batch < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(batch), batch, "at least 1");
        }

        double rowBytes = (double)records * PirDatabase.StrideFor(recordBytes);
        double f = (batch - 1) / (double)(LargeBatch - 1);
        double a = _single.A + (f * (_large.A - _single.A));
        double c = _single.C + (f * (_large.C - _single.C));
        double seconds = Math.Max((a * records) + (c * rowBytes), (_single.A * records) + (_single.C * rowBytes));
        long query = _kind == Kind.BitVector ? XorQuery.EncodedLengthFor(records) : DpfQuery.EncodedLengthFor(records);
        return new PirShapeCost(
            Scheme,
            records,
            recordBytes,
            batch,
            query,
            XorAnswer.EncodedLengthFor(recordBytes),
            ClientKeyBytes: 0,
            seconds,
            DatabaseMemoryBytes: (long)rowBytes,
            string.Create(CultureInfo.InvariantCulture, $"{records} rows x {PirDatabase.StrideFor(recordBytes)} B"));
    }
}

/// <summary>Calibrates a <see cref="ScanCostModel"/>: two shapes of one database size (many short records, few long ones) at batches 1 and 16.</summary>
internal sealed class ScanCostCalibrator(ScanCostModel.Kind kind) : IPirCostCalibrator
{
    /// <summary>Calibration database bytes: beyond the last-level cache, so the scan runs at memory speed as deployments do.</summary>
    internal const long DatabaseBytes = 64L << 20;

    public string Scheme => kind == ScanCostModel.Kind.BitVector ? "xor" : "dpf";

    public IPirCostModel Calibrate(TimeSpan budget)
    {
        (int shortRecord, int longRecord) = (128, 4096);
        var points = new Dictionary<(int RecordBytes, int Batch), double>();
        TimeSpan perPoint = budget / 5;
        foreach (int recordBytes in new[] { shortRecord, longRecord })
        {
            long records = DatabaseBytes / recordBytes;
            using PirDatabase db = PirDatabase.Generate(records, recordBytes, seed: 0xCA11B);
            foreach (int batch in new[] { 1, ScanCostModel.LargeBatch })
            {
                points[(recordBytes, batch)] = kind == ScanCostModel.Kind.BitVector
                    ? TimeBatch(new XorPirServer(db, threads: 1), new XorPirClient(records, recordBytes), records, batch, perPoint)
                    : TimeBatch(new DpfPirServer(db, threads: 1), new DpfPirClient(records, recordBytes), records, batch, perPoint);
            }
        }

        (double A, double C) Fit(int batch)
        {
            long nShort = DatabaseBytes / shortRecord;
            long nLong = DatabaseBytes / longRecord;
            return Calibration.SolveTwo(
                points[(shortRecord, batch)], nShort, nShort * (double)PirDatabase.StrideFor(shortRecord),
                points[(longRecord, batch)], nLong, nLong * (double)PirDatabase.StrideFor(longRecord));
        }

        (double a1, double c1) = Fit(1);
        (double aL, double cL) = Fit(ScanCostModel.LargeBatch);
        return new ScanCostModel(kind, a1, c1, aL, cL);
    }

    private static double TimeBatch(IPirServer server, IPirClient client, long records, int batch, TimeSpan budget)
    {
        var rng = new Random(batch);
        var queries = new PirQuery[batch];
        for (int q = 0; q < batch; q++)
        {
            queries[q] = client.Query(rng.NextInt64(records))[0];
        }

        return Calibration.MedianSeconds(() => server.AnswerBatch(queries), budget);
    }
}
