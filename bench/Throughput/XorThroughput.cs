using Privomega.Pir.Engine;

namespace Privomega.Pir.Bench.Throughput;

/// <summary>Bit-vector XOR PIR: the timed part is one server answering the batch; the second server is only used by <see cref="IThroughputRun.Verify"/>.</summary>
internal sealed class XorThroughput : IThroughputScheme
{
    public string Name => "xor";

    public IThroughputRun Prepare(PirDatabase database, int threads, int batch) => new Run(database, threads, batch);

    private sealed class Run : IThroughputRun
    {
        private readonly PirDatabase _database;
        private readonly XorPirClient _client;
        private readonly XorPirServer _server;
        private readonly long[] _indices;
        private readonly PirQuery[] _sharesA;
        private readonly PirQuery[] _sharesB;
        private PirAnswer[] _answers = [];

        public Run(PirDatabase database, int threads, int batch)
        {
            _database = database;
            _client = new XorPirClient(database.RecordCount, database.RecordBytes);
            _server = new XorPirServer(database, threads);
            var rng = new Random(batch);
            _indices = new long[batch];
            _sharesA = new PirQuery[batch];
            _sharesB = new PirQuery[batch];
            for (int q = 0; q < batch; q++)
            {
                _indices[q] = rng.NextInt64(database.RecordCount);
                PirQuery[] shares = _client.Query(_indices[q]);
                _sharesA[q] = shares[0];
                _sharesB[q] = shares[1];
            }

            Kernel = XorKernels.KernelName(batch, _server.Width, _server.Method);
        }

        public string Kernel { get; }

        public int VectorWidth => (int)_server.Width;

        public long QueryBytes => _client.QueryBytes;

        public long AnswerBytes => _client.AnswerBytes;

        public void AnswerBatch() => _answers = _server.AnswerBatch(_sharesA);

        /// <summary>Recovers the first and last query of the batch (a full second batch would double the run time on large databases).</summary>
        public bool Verify()
        {
            foreach (int q in new[] { 0, _indices.Length - 1 })
            {
                PirAnswer other = new XorPirServer(_database, 1).Answer(_sharesB[q]);
                if (!_database.GetRecord(_indices[q]).SequenceEqual(_client.Recover(_indices[q], [_answers[q], other])))
                {
                    return false;
                }
            }

            return true;
        }

        public void Dispose()
        {
        }
    }
}
