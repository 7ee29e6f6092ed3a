using BenchmarkDotNet.Attributes;
using Privomega.Pir.Engine;

namespace Privomega.Pir.Bench.Suites;

/// <summary>
/// DPF key generation (client cost per query) at several domain sizes. Key bytes per domain are
/// <see cref="DpfKey.EncodedLengthFor"/>: 290 B at 2^22.
/// </summary>
[MemoryDiagnoser]
public class DpfKeyGenerationBenchmarks
{
    [Params(16, 22, 32)]
    public int DomainBits { get; set; }

    [Benchmark]
    public int Generate()
    {
        (DpfKey key0, DpfKey key1) = Dpf.Generate((1L << DomainBits) / 3, DomainBits);
        int bytes = key0.EncodedLength + key1.EncodedLength;
        key0.Dispose();
        key1.Dispose();
        return bytes;
    }
}

/// <summary>
/// Server-side expansion of one key over a 2^22-leaf domain (1 GiB of 256-byte records), whole or in
/// the blocks the fused PIR scan uses. Each invocation counts as 2^22 operations, so the reported mean is
/// time per leaf: leaves per second = 10^9 / mean(ns). The 1 GiB scan the expansion is fused with takes
/// ~40 ms at 27 GB/s, i.e. ~9.5 ns per record; expansion must stay far below that.
/// </summary>
[MemoryDiagnoser]
public class DpfExpansionBenchmarks
{
    private const int DomainBits = 22;
    private const int Leaves = 1 << DomainBits;

    private DpfKey _key = null!;
    private ulong[] _full = [];
    private ulong[] _block = [];

    [Params(1 << 10, 1 << 14, 1 << 16)]
    public int BlockLeaves { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_key, DpfKey other) = Dpf.Generate(3_141_592, DomainBits);
        other.Dispose();
        _full = new ulong[Leaves / 64];
        _block = new ulong[BlockLeaves / 64];
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(OperationsPerInvoke = Leaves, Baseline = true)]
    public ulong FullDomain()
    {
        Dpf.EvaluateRange(_key, 0, Leaves, _full);
        return _full[^1];
    }

    [Benchmark(OperationsPerInvoke = Leaves)]
    public ulong Blocked()
    {
        ulong sink = 0;
        for (long first = 0; first < Leaves; first += BlockLeaves)
        {
            Dpf.EvaluateRange(_key, first, BlockLeaves, _block);
            sink ^= _block[0];
        }

        return sink;
    }
}

/// <summary>
/// Fused DPF PIR answer against bit-vector XOR PIR on the same 64 MiB database (2^18 × 256 B), one thread:
/// the ratio is the price of the 292-byte query over the 32 KiB one.
/// </summary>
[MemoryDiagnoser]
public class DpfAnswerBenchmarks
{
    private const long Records = 1 << 18;
    private const int RecordBytes = 256;

    private PirDatabase _database = null!;
    private PirQuery[] _dpfQueries = [];
    private PirQuery[] _xorQueries = [];
    private DpfPirServer _dpfServer = null!;
    private XorPirServer _xorServer = null!;

    [Params(1, 8)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _database = PirDatabase.Generate(Records, RecordBytes, seed: 1);
        _dpfServer = new DpfPirServer(_database);
        _xorServer = new XorPirServer(_database);
        var dpfClient = new DpfPirClient(Records, RecordBytes);
        var xorClient = new XorPirClient(Records, RecordBytes);
        _dpfQueries = Enumerable.Range(0, Batch).Select(q => dpfClient.Query(q * 1000L)[0]).ToArray();
        _xorQueries = Enumerable.Range(0, Batch).Select(q => xorClient.Query(q * 1000L)[0]).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _database.Dispose();

    [Benchmark(Baseline = true)]
    public PirAnswer[] BitVector() => _xorServer.AnswerBatch(_xorQueries);

    [Benchmark]
    public PirAnswer[] Dpf() => _dpfServer.AnswerBatch(_dpfQueries);
}
