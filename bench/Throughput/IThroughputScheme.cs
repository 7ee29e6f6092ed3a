using Privomega.Pir.Engine;

namespace Privomega.Pir.Bench.Throughput;

/// <summary>A scheme the <c>throughput</c> command can measure. One file per scheme; register it in <see cref="ThroughputSchemes"/>.</summary>
internal interface IThroughputScheme
{
    /// <summary>The <c>--scheme</c> name.</summary>
    string Name { get; }

    /// <summary>Builds a server over <paramref name="database"/> and <paramref name="batch"/> client queries for it.</summary>
    IThroughputRun Prepare(PirDatabase database, int threads, int batch);
}

/// <summary>A prepared server and batch of queries; <see cref="AnswerBatch"/> is what gets timed.</summary>
internal interface IThroughputRun : IDisposable
{
    /// <summary>Kernel name for the report, e.g. <c>4russians-v512</c>.</summary>
    string Kernel { get; }

    /// <summary>Vector width in bits the server's kernel uses (0 = scalar).</summary>
    int VectorWidth { get; }

    /// <summary>Bytes one query sends to one server.</summary>
    long QueryBytes { get; }

    /// <summary>Bytes one server returns for one query.</summary>
    long AnswerBytes { get; }

    /// <summary>Answers the whole batch in one pass over the database.</summary>
    void AnswerBatch();

    /// <summary>Checks the last answers recover the queried records (outside the timed region).</summary>
    bool Verify();
}

/// <summary>A run that keeps its own per-query timings and must leave the warm-up passes out of them.</summary>
internal interface IThroughputPhases
{
    /// <summary>Called once, after the warm-up passes and before the measured ones.</summary>
    void StartMeasuring();
}

/// <summary>The schemes <c>throughput --scheme</c> knows. Adding one is one line.</summary>
internal static class ThroughputSchemes
{
    public static readonly IThroughputScheme[] All =
    [
        TwoServerThroughput.Xor,
        TwoServerThroughput.Dpf,
        new LatticeThroughput(),
        new YpirThroughput(),
    ];
}
