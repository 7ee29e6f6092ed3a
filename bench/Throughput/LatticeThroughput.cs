using System.Globalization;
using Privomega.Pir.Engine;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Bench.Throughput;

/// <summary>A run that reports scheme-specific fields; they are written as extra top-level JSON fields.</summary>
internal interface IThroughputDetails
{
    /// <summary>Field name → value, camelCase.</summary>
    Dictionary<string, object> Details { get; }
}

/// <summary>
/// Single-server lattice PIR (BFV, SealPIR's algorithm) on the planner's default 128-bit preset. Setup
/// (packing, NTT preprocessing, one client's Galois keys) is outside the timed region and reported as
/// <c>setupSeconds</c>; the timed part answers the batch, one query after another.
/// </summary>
internal sealed class LatticeThroughput : IThroughputScheme
{
    public string Name => "lattice";

    public IThroughputRun Prepare(PirDatabase database, int threads, int batch) => new Run(database, threads, batch);

    private sealed class Run : IThroughputRun, IThroughputDetails, IThroughputPhases
    {
        private readonly PirDatabase _database;
        private readonly LatticePirParameters _parameters;
        private readonly LatticePirClient _client;
        private readonly LatticePirServer _server;
        private readonly long[] _indices;
        private readonly LatticeGaloisKeys _keys;
        private readonly LatticeQuery[] _queries;
        private readonly LatticeAnswer[] _answers;
        private readonly List<double> _expansion = [];
        private readonly List<double> _processing = [];

        public Run(PirDatabase database, int threads, int batch)
        {
            _database = database;
            _parameters = LatticePirPlanner.Plan(database.RecordCount, database.RecordBytes);
            _server = new LatticePirServer(database, _parameters, threads);
            _client = new LatticePirClient(_parameters);
            // The keys as a host would hold them after the client's upload.
            _keys = LatticeGaloisKeys.Decode(_client.GaloisKeys.Encode(), _parameters);
            var rng = new Random(batch);
            _indices = new long[batch];
            _queries = new LatticeQuery[batch];
            _answers = new LatticeAnswer[batch];
            for (int q = 0; q < batch; q++)
            {
                _indices[q] = rng.NextInt64(database.RecordCount);
                _queries[q] = _client.Query(_indices[q]);
            }

            Kernel = string.Create(CultureInfo.InvariantCulture, $"bfv-n{_parameters.Encryption.N}-d{_parameters.Dimensions}-v{VectorWidth}");
        }

        public string Kernel { get; }

        public int VectorWidth => LatticePirServer.KernelVectorWidth;

        public long QueryBytes => _parameters.QueryBytes;

        public long AnswerBytes => _parameters.AnswerBytes;

        public Dictionary<string, object> Details
        {
            get
            {
                // Medians over the measured queries (the warm-up pass is left out); serverSeconds is the command's.
                return new Dictionary<string, object>
                {
                    ["keyBytes"] = _parameters.GaloisKeyBytes,
                    ["setupSeconds"] = _server.SetupTime.TotalSeconds,
                    ["expansionSeconds"] = _expansion.Count == 0 ? 0 : ThroughputCommand.Median(_expansion),
                    ["processingSeconds"] = _processing.Count == 0 ? 0 : ThroughputCommand.Median(_processing),
                    ["preset"] = _parameters.Encryption.Name,
                    ["dimensions"] = _parameters.Dimensions,
                    ["n1"] = _parameters.N1,
                    ["n2"] = _parameters.N2,
                    ["recordsPerPlaintext"] = _parameters.RecordsPerPlaintext,
                    ["preprocessedBytes"] = _parameters.PreprocessedBytes,
                };
            }
        }

        public void AnswerBatch()
        {
            for (int q = 0; q < _queries.Length; q++)
            {
                _answers[q] = _server.Answer(_queries[q], _keys, out var timings);
                _expansion.Add(timings.Expansion.TotalSeconds);
                _processing.Add(timings.Processing.TotalSeconds);
            }
        }

        public void StartMeasuring()
        {
            _expansion.Clear();
            _processing.Clear();
        }

        public bool Verify()
        {
            for (int q = 0; q < _indices.Length; q++)
            {
                var answer = LatticeAnswer.Decode(_answers[q].Encode(), _parameters);
                if (!_database.GetRecord(_indices[q]).SequenceEqual(_client.Recover(_indices[q], answer)))
                {
                    return false;
                }
            }

            return true;
        }

        public void Dispose()
        {
            _server.Dispose();
            _client.Dispose();
        }
    }
}
