using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Privomega.Pir.Engine;

namespace Privomega.Pir.Bench.Suites;

/// <summary>Widths this machine runs in hardware; a width the JIT would emulate in software is not worth timing.</summary>
internal static class HardwareWidths
{
    public static IEnumerable<KernelWidth> All()
    {
        yield return KernelWidth.Scalar;
        if (Vector256.IsHardwareAccelerated)
        {
            yield return KernelWidth.Vector256;
        }

        if (Vector512.IsHardwareAccelerated)
        {
            yield return KernelWidth.Vector512;
        }
    }
}

/// <summary>
/// One selection over a 16 MiB database (L3-sized, so the kernel rather than DRAM is measured), each width forced.
/// 100-byte records pad to a 104-byte row: not a multiple of any vector width, so the word tail runs on every row.
/// Bytes per second = 16 MiB / mean.
/// </summary>
[MemoryDiagnoser]
public class MaskedKernelBenchmarks : IDisposable
{
    private const long DatabaseBytes = 16L << 20;
    private PirDatabase? _database;
    private ulong[] _selection = [];
    private byte[] _accumulator = [];
    private int _count;

    [ParamsSource(nameof(Widths))]
    public KernelWidth Width { get; set; }

    [Params(256, 100)]
    public int RecordBytes { get; set; }

    public static IEnumerable<KernelWidth> Widths() => HardwareWidths.All();

    [GlobalSetup]
    public void Setup()
    {
        _count = (int)(DatabaseBytes / RecordBytes);
        _database = PirDatabase.Generate(_count, RecordBytes, 1);
        var rng = new Random(1);
        _selection = new ulong[(_count + 63) / 64];
        for (int i = 0; i < _selection.Length; i++)
        {
            _selection[i] = (ulong)rng.NextInt64();
        }

        _accumulator = new byte[_database.RecordStride];
    }

    [Benchmark]
    public void AccumulateMasked() => XorKernels.AccumulateMasked(_database!, 0, _count, _selection, _accumulator, Width);

    [GlobalCleanup]
    public void Dispose()
    {
        _database?.Dispose();
        _database = null;
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// B selections answered in one pass over a 16 MiB database of 256-byte records, masked against four Russians, at the
/// default width. Queries per second = B / mean. <see cref="XorKernels.FourRussiansMinBatch"/> is set from where the lines
/// cross at 1 GiB (the <c>throughput</c> command), where memory stalls weigh more than at this L3-sized database.
/// </summary>
[MemoryDiagnoser]
public class BatchKernelBenchmarks : IDisposable
{
    private const int Records = 1 << 16;
    private PirDatabase? _database;
    private ulong[] _selections = [];
    private byte[] _accumulators = [];

    [Params(1, 2, 4, 8, 16, 32, 64)]
    public int Batch { get; set; }

    [Params(XorBatchMethod.Masked, XorBatchMethod.FourRussians)]
    public XorBatchMethod Method { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _database = PirDatabase.Generate(Records, 256, 2);
        var rng = new Random(2);
        _selections = new ulong[Batch * (Records / 64)];
        for (int i = 0; i < _selections.Length; i++)
        {
            _selections[i] = (ulong)rng.NextInt64();
        }

        _accumulators = new byte[Batch * _database.RecordStride];
    }

    [Benchmark]
    public void AccumulateBatch() =>
        XorKernels.AccumulateMaskedBatch(_database!, 0, Records, _selections, Records / 64, _accumulators, XorKernels.DefaultWidth, Method);

    [GlobalCleanup]
    public void Dispose()
    {
        _database?.Dispose();
        _database = null;
        GC.SuppressFinalize(this);
    }
}

/// <summary>The whole server path (shares in, answers out) with 1 and 2 threads, 64 MiB database, odd record size included.</summary>
[MemoryDiagnoser]
public class XorServerBenchmarks : IDisposable
{
    private PirDatabase? _database;
    private XorPirServer? _server;
    private PirQuery[] _queries = [];

    [Params(1, 2)]
    public int Threads { get; set; }

    [Params(1, 16)]
    public int Batch { get; set; }

    [Params(256, 100)]
    public int RecordBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        long records = (64L << 20) / RecordBytes;
        _database = PirDatabase.Generate(records, RecordBytes, 3);
        _server = new XorPirServer(_database, Threads);
        var client = new XorPirClient(records, RecordBytes);
        _queries = Enumerable.Range(0, Batch).Select(i => client.Query(i * 1000L % records)[0]).ToArray();
    }

    [Benchmark]
    public PirAnswer[] AnswerBatch() => _server!.AnswerBatch(_queries);

    [GlobalCleanup]
    public void Dispose()
    {
        _database?.Dispose();
        _database = null;
        GC.SuppressFinalize(this);
    }
}
