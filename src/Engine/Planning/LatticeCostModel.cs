using System.Diagnostics;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Planning;

/// <summary>
/// Cost model of single-server lattice PIR (<see cref="LatticePirServer"/>, the layout of
/// <see cref="LatticePirPlanner"/>): one query costs <c>α·2^L + β·P·N1·N2 + γ·P·N2</c> seconds on one
/// thread — L expansion levels of automorphisms and key switching, P·N1·N2 plaintext products of the
/// first dimension, and P·N2 decompositions and products of the second (P plaintexts per record).
/// Batching shares the pass over the preprocessed database but not the arithmetic, so a batch of b
/// costs b queries; the planner recommends batch 1.
/// </summary>
public sealed class LatticeCostModel : IPirCostModel
{
    /// <summary>Creates a model from measured coefficients (seconds per expansion step, first-dimension product and second-dimension column).</summary>
    public LatticeCostModel(double expansionSeconds, double firstDimensionSeconds, double secondDimensionSeconds, LatticeParameters? encryption = null)
    {
        if (!(expansionSeconds >= 0 && firstDimensionSeconds >= 0 && secondDimensionSeconds >= 0) || expansionSeconds + firstDimensionSeconds <= 0)
        {
            ThrowHelper.Argument(nameof(expansionSeconds), "coefficients must be finite and non-negative, and something must cost time.");
        }

        Alpha = expansionSeconds;
        Beta = firstDimensionSeconds;
        Gamma = secondDimensionSeconds;
        Encryption = encryption ?? LatticeParameters.N4096_Logq108_Logt20;
    }

    /// <summary>Seconds per expansion step (2^L steps per query).</summary>
    public double Alpha { get; }

    /// <summary>Seconds per first-dimension plaintext product (P·N1·N2 per query).</summary>
    public double Beta { get; }

    /// <summary>Seconds per second-dimension column (P·N2 per query).</summary>
    public double Gamma { get; }

    /// <summary>The encryption preset planned with.</summary>
    public LatticeParameters Encryption { get; }

    /// <inheritdoc />
    public string Scheme => "lattice";

    /// <inheritdoc />
    public int ServerCount => 1;

    /// <inheritdoc />
    public IReadOnlyList<int> CalibratedBatches => [1];

    /// <inheritdoc />
    public bool Supports(long records, int recordBytes)
    {
        try
        {
            _ = LatticePirPlanner.Plan(records, recordBytes, Encryption);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public PirShapeCost Cost(long records, int recordBytes, int batch)
    {
        if (batch < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(batch), batch, "at least 1");
        }

        LatticePirParameters p = LatticePirPlanner.Plan(records, recordBytes, Encryption);
        double perQuery = QuerySeconds(p);
        return new PirShapeCost(
            Scheme,
            records,
            recordBytes,
            batch,
            p.QueryBytes,
            p.AnswerBytes,
            p.GaloisKeyBytes,
            perQuery * batch,
            ((long)records * PirDatabase.StrideFor(recordBytes)) + p.PreprocessedBytes,
            p.ToString());
    }

    /// <summary>Predicted seconds for one query on <paramref name="p"/>.</summary>
    public double QuerySeconds(LatticePirParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        (double e, double x, double y) = Terms(p);
        return (Alpha * e) + (Beta * x) + (Gamma * y);
    }

    internal static (double Expansion, double First, double Second) Terms(LatticePirParameters p) =>
        (Math.Pow(2, p.ExpansionLevels), (double)p.PlaintextsPerRecord * p.N1 * p.N2, p.Dimensions == 1 ? 0 : (double)p.PlaintextsPerRecord * p.N2);
}

/// <summary>Calibrates a <see cref="LatticeCostModel"/> on the default 128-bit preset: two square plaintext matrices (16 × 16 and 32 × 32).</summary>
internal sealed class LatticeCostCalibrator : IPirCostCalibrator
{
    public string Scheme => "lattice";

    public IPirCostModel Calibrate(TimeSpan budget)
    {
        LatticeParameters encryption = LatticeParameters.N4096_Logq108_Logt20;
        int recordBytes = encryption.N * encryption.PlainModulusBits / 8;
        var watch = Stopwatch.StartNew();
        var samples = new List<(LatticePirParameters P, double Expansion, double Processing)>();
        long[] shapes = [256, 1024];
        for (int s = 0; s < shapes.Length; s++)
        {
            long records = shapes[s];
            LatticePirParameters p = LatticePirPlanner.Plan(records, recordBytes, encryption);
            using PirDatabase db = PirDatabase.Generate(records, recordBytes, seed: 0x1A77);
            using var server = new LatticePirServer(db, p, threads: 1);
            using var client = new LatticePirClient(p);
            LatticeQuery query = client.Query(records / 3);
            server.Answer(query, client.GaloisKeys, out _);
            TimeSpan remaining = budget - watch.Elapsed;
            TimeSpan perShape = remaining / (shapes.Length - s) / 2;
            var expansion = new List<double>();
            var processing = new List<double>();
            var shapeWatch = Stopwatch.StartNew();
            (_, double share) = Calibration.Timed(() =>
            {
                while (expansion.Count < 20 && (expansion.Count < 3 || shapeWatch.Elapsed < perShape))
                {
                    server.Answer(query, client.GaloisKeys, out LatticeAnswerTimings timings);
                    expansion.Add(timings.Expansion.TotalSeconds);
                    processing.Add(timings.Processing.TotalSeconds);
                }
            });

            // Scaled to a dedicated core like every calibration (Calibration.MedianSeconds).
            expansion = [.. expansion.Select(t => t * share)];
            processing = [.. processing.Select(t => t * share)];
            expansion.Sort();
            processing.Sort();
            samples.Add((p, expansion[expansion.Count / 2], processing[processing.Count / 2]));
        }

        double alpha = samples.Average(x => x.Expansion / LatticeCostModel.Terms(x.P).Expansion);
        var (t1, t2) = (samples[0], samples[1]);
        var terms1 = LatticeCostModel.Terms(t1.P);
        var terms2 = LatticeCostModel.Terms(t2.P);
        (double beta, double gamma) = Calibration.SolveTwo(t1.Processing, terms1.First, terms1.Second, t2.Processing, terms2.First, terms2.Second);
        return new LatticeCostModel(alpha, beta, gamma, encryption);
    }
}
