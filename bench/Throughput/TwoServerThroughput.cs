using Privomega.Pir.Engine;

namespace Privomega.Pir.Bench.Throughput;

/// <summary>
/// Two-server XOR PIR, with bit-vector shares (<see cref="Xor"/>) or DPF keys (<see cref="Dpf"/>, key expansion fused
/// with the scan; <c>queryBytes</c> is the encoded key, 292 B at 2^22 records). The timed part is one server answering
/// the batch; the second server is only used by <see cref="IThroughputRun.Verify"/>.
/// </summary>
internal sealed class TwoServerThroughput : IThroughputScheme
{
    private readonly Func<PirDatabase, Scheme> _create;

    private TwoServerThroughput(string name, Func<PirDatabase, Scheme> create)
    {
        Name = name;
        _create = create;
    }

    public static TwoServerThroughput Xor { get; } = new("xor", db => new Scheme(
        new XorPirClient(db.RecordCount, db.RecordBytes),
        threads => new XorPirServer(db, threads),
        XorQuery.EncodedLengthFor(db.RecordCount),
        (server, batch) => XorKernels.KernelName(batch, ((XorPirServer)server).Width, ((XorPirServer)server).Method),
        server => ((XorPirServer)server).Width));

    public static TwoServerThroughput Dpf { get; } = new("dpf", db => new Scheme(
        new DpfPirClient(db.RecordCount, db.RecordBytes),
        threads => new DpfPirServer(db, threads),
        DpfQuery.EncodedLengthFor(db.RecordCount),
        (server, batch) => "dpf-" + XorKernels.KernelName(batch, ((DpfPirServer)server).Width, ((DpfPirServer)server).Method),
        server => ((DpfPirServer)server).Width));

    public string Name { get; }

    public IThroughputRun Prepare(PirDatabase database, int threads, int batch) => new Run(database, _create(database), threads, batch);

    /// <summary>What differs between the two query encodings: the client, the server, the query size and how the kernel is named.</summary>
    private sealed record Scheme(
        IPirClient Client, Func<int, IPirServer> NewServer, long QueryBytes, Func<IPirServer, int, string> KernelName, Func<IPirServer, KernelWidth> Width);

    private sealed class Run : IThroughputRun
    {
        private readonly PirDatabase _database;
        private readonly Scheme _scheme;
        private readonly IPirServer _server;
        private readonly long[] _indices;
        private readonly PirQuery[] _sharesA;
        private readonly PirQuery[] _sharesB;
        private PirAnswer[] _answers = [];

        public Run(PirDatabase database, Scheme scheme, int threads, int batch)
        {
            _database = database;
            _scheme = scheme;
            _server = scheme.NewServer(threads);
            var rng = new Random(batch);
            _indices = new long[batch];
            _sharesA = new PirQuery[batch];
            _sharesB = new PirQuery[batch];
            for (int q = 0; q < batch; q++)
            {
                _indices[q] = rng.NextInt64(database.RecordCount);
                PirQuery[] shares = scheme.Client.Query(_indices[q]);
                _sharesA[q] = shares[0];
                _sharesB[q] = shares[1];
            }

            Kernel = scheme.KernelName(_server, batch);
        }

        public string Kernel { get; }

        public int VectorWidth => (int)_scheme.Width(_server);

        public long QueryBytes => _scheme.QueryBytes;

        public long AnswerBytes => XorAnswer.EncodedLengthFor(_database.RecordBytes);

        public void AnswerBatch() => _answers = _server.AnswerBatch(_sharesA);

        /// <summary>Recovers the first and last query of the batch (a full second batch would double the run time on large databases).</summary>
        public bool Verify()
        {
            IPirServer second = _scheme.NewServer(1);
            foreach (int q in new[] { 0, _indices.Length - 1 })
            {
                PirAnswer other = second.Answer(_sharesB[q]);
                if (!_database.GetRecord(_indices[q]).SequenceEqual(_scheme.Client.Recover(_indices[q], [_answers[q], other])))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The shares reveal the index together, so both kinds are wiped (XOR shares and DPF keys are disposable).</summary>
        public void Dispose()
        {
            foreach (PirQuery query in _sharesA.Concat(_sharesB))
            {
                (query as IDisposable)?.Dispose();
            }
        }
    }
}
