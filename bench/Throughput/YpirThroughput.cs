using System.Globalization;
using Privomega.Pir.Engine;
using Privomega.Pir.Engine.Ypir;

namespace Privomega.Pir.Bench.Throughput;

/// <summary>
/// Single-server YPIR-class PIR on the 128-bit preset. Setup (matrix layout, hint, packing precomputation; once per
/// snapshot) is outside the timed region and reported as <c>setupSeconds</c>; the timed part answers the batch one
/// query after another (first dimension, then the online packing). The packing key is reported apart
/// (<c>packingKeyBytes</c>: uploaded once per key period, or added to every query if sent with it).
/// </summary>
internal sealed class YpirThroughput : IThroughputScheme
{
    public string Name => "ypir";

    public IThroughputRun Prepare(PirDatabase database, int threads, int batch) => new Run(database, batch);

    private sealed class Run : IThroughputRun, IThroughputDetails
    {
        private readonly PirDatabase _database;
        private readonly YpirParameters _parameters;
        private readonly YpirClient _client;
        private readonly YpirServer _server;
        private readonly YpirPackingKey _key;
        private readonly long[] _indices;
        private readonly YpirQuery[] _queries;
        private readonly YpirAnswer[] _answers;
        private TimeSpan _firstDimension;
        private TimeSpan _packing;
        private int _answered;

        public Run(PirDatabase database, int batch)
        {
            _database = database;
            _parameters = YpirPlanner.Plan(database.RecordCount, database.RecordBytes);
            _server = new YpirServer(database, _parameters);
            _client = new YpirClient(_parameters);
            _key = YpirPackingKey.Decode(_client.PackingKey.Encode(), _parameters);
            var rng = new Random(batch);
            _indices = new long[batch];
            _queries = new YpirQuery[batch];
            _answers = new YpirAnswer[batch];
            for (int q = 0; q < batch; q++)
            {
                _indices[q] = rng.NextInt64(database.RecordCount);
                _queries[q] = YpirQuery.Decode(_client.MakeQuery(_indices[q]).Encode(), _parameters);
            }

            Kernel = string.Create(CultureInfo.InvariantCulture, $"ypir-d{_parameters.Preset.RingDegree}-k{_parameters.OutputCiphertexts}-v{VectorWidth}");
        }

        public string Kernel { get; }

        public int VectorWidth => YpirServer.KernelVectorWidth;

        public long QueryBytes => _parameters.QueryBytes;

        public long AnswerBytes => _parameters.AnswerBytes;

        public Dictionary<string, object> Details
        {
            get
            {
                double perQuery = _answered == 0 ? 0 : 1.0 / _answered;
                return new Dictionary<string, object>
                {
                    ["packingKeyBytes"] = _parameters.PackingKeyBytes,
                    ["setupSeconds"] = _server.SetupTime.TotalSeconds,
                    ["firstDimensionSeconds"] = _firstDimension.TotalSeconds * perQuery,
                    ["packingSeconds"] = _packing.TotalSeconds * perQuery,
                    ["preset"] = _parameters.Preset.Name,
                    ["rows"] = _parameters.Rows,
                    ["columns"] = _parameters.Columns,
                    ["outputCiphertexts"] = _parameters.OutputCiphertexts,
                    ["preprocessedBytes"] = _parameters.PreprocessedBytes,
                };
            }
        }

        public void AnswerBatch()
        {
            for (int q = 0; q < _queries.Length; q++)
            {
                _answers[q] = _server.Answer(_queries[q], _key, out var timings);
                _firstDimension += timings.FirstDimension;
                _packing += timings.Packing;
                _answered++;
            }
        }

        public bool Verify()
        {
            for (int q = 0; q < _indices.Length; q++)
            {
                var answer = YpirAnswer.Decode(_answers[q].Encode(), _parameters);
                if (!_database.GetRecord(_indices[q]).SequenceEqual(_client.Recover(_indices[q], [answer])))
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
