namespace Privomega.Pir.Engine;

/// <summary>
/// One of the two servers of bit-vector XOR PIR, bound to a database it does not own. <c>Answer</c> XORs the
/// records the share selects; <c>AnswerBatch</c> answers B shares in one pass over the rows, on
/// <see cref="Threads"/> threads over row ranges.
/// </summary>
public sealed class XorPirServer : IPirServer
{
    private readonly PirDatabase _database;

    /// <summary>Creates a server over <paramref name="database"/> that scans with <paramref name="threads"/> threads at the default kernel width.</summary>
    public XorPirServer(PirDatabase database, int threads = 1)
        : this(database, threads, XorKernels.DefaultWidth, XorBatchMethod.Auto)
    {
    }

    /// <summary>Creates a server with a forced kernel width and batch method (benchmarks and tests).</summary>
    public XorPirServer(PirDatabase database, int threads, KernelWidth width, XorBatchMethod method)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (threads < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(threads), threads, "at least 1");
        }

        _database = database;
        Threads = threads;
        Width = width;
        Method = method;
    }

    /// <inheritdoc />
    public PirSchemeKind Scheme => PirSchemeKind.XorBitVector;

    /// <summary>Threads a scan uses.</summary>
    public int Threads { get; }

    /// <summary>Kernel width the scans use.</summary>
    public KernelWidth Width { get; }

    /// <summary>Batch method the scans use.</summary>
    public XorBatchMethod Method { get; }

    /// <inheritdoc />
    public bool NeedsEvaluationKey => false;

    /// <inheritdoc />
    public PirAnswer Answer(PirQuery query, PirEvaluationKey? evaluationKey = null) => AnswerBatch([query])[0];

    /// <inheritdoc />
    public PirAnswer[] AnswerBatch(ReadOnlySpan<PirQuery> queries, ReadOnlySpan<PirEvaluationKey> evaluationKeys = default)
    {
        if (queries.IsEmpty)
        {
            return [];
        }

        long recordCount = _database.RecordCount;
        // Each query's own words are scanned in place: a batch is not copied side by side.
        var selections = new ulong[queries.Length][];
        for (int q = 0; q < queries.Length; q++)
        {
            if (queries[q] is not XorQuery share)
            {
                ThrowHelper.Argument(nameof(queries), $"queries[{q}] is a {queries[q]?.Scheme.ToString() ?? "null"} query; expected {PirSchemeKind.XorBitVector}.");
                return [];
            }

            if (share.RecordCount != recordCount)
            {
                ThrowHelper.Argument(nameof(queries), $"queries[{q}] selects from {share.RecordCount} records; the database has {recordCount}.");
            }

            selections[q] = share.Words;
        }

        int stride = _database.RecordStride;
        var accumulators = new byte[checked(queries.Length * stride)];
        // The scan reference keeps the rows alive if the database is disposed while this scan runs.
        _database.AddScanReference();
        try
        {
            XorKernels.AccumulateMaskedParallel(_database, selections, accumulators, Threads, Width, Method);
        }
        finally
        {
            _database.ReleaseScanReference();
        }

        var answers = new PirAnswer[queries.Length];
        for (int q = 0; q < answers.Length; q++)
        {
            answers[q] = new XorAnswer(accumulators.AsSpan(q * stride, _database.RecordBytes));
        }

        return answers;
    }
}
