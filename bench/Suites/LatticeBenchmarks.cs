using BenchmarkDotNet.Attributes;
using Privomega.Pir.Engine;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Bench.Suites;

/// <summary>Kernel paths this machine runs in hardware, as vector widths in bits (an emulated path is not worth timing).</summary>
internal static class LatticePaths
{
    public static IEnumerable<int> Hardware() =>
        KernelPaths.All.Where(p => p <= KernelPaths.Best).Select(p => p switch { KernelPath.Vector512 => 512, KernelPath.Vector256 => 256, _ => 0 });

    public static KernelPath FromWidth(int width) => width switch { 512 => KernelPath.Vector512, 256 => KernelPath.Vector256, _ => KernelPath.Scalar };
}

/// <summary>The negacyclic NTT of one residue polynomial (N = 4096, 30-bit prime), each path forced.</summary>
[MemoryDiagnoser]
public class LatticeNttBenchmarks
{
    private readonly NttTables _tables = BfvContext.Get(LatticeParameters.N4096_Logq108_Logt20).Tables[0];
    private ulong[] _poly = [];

    [ParamsSource(nameof(Widths))]
    public int Width { get; set; }

    public static IEnumerable<int> Widths() => LatticePaths.Hardware();

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _poly = new ulong[_tables.N];
        for (int i = 0; i < _poly.Length; i++)
        {
            _poly[i] = (ulong)rng.NextInt64((long)_tables.Modulus.Value);
        }
    }

    [Benchmark]
    public void Forward() => Ntt.Forward(_poly, _tables, LatticePaths.FromWidth(Width));

    [Benchmark]
    public void Inverse() => Ntt.Inverse(_poly, _tables, LatticePaths.FromWidth(Width));
}

/// <summary>
/// Ciphertext × plaintext in NTT form as the first PIR dimension does it: 64 rows × 16 columns of
/// preprocessed 32-bit plaintexts (N = 4096, 3 primes) against 64 query ciphertexts, lazily accumulated.
/// Bytes per second = database bytes / mean.
/// </summary>
[MemoryDiagnoser]
public class LatticeProductBenchmarks : IDisposable
{
    private PirDatabase? _database;
    private LatticePirServer? _server;
    private LatticePirClient? _client;
    private BfvCiphertext[] _expanded = [];

    [ParamsSource(nameof(Widths))]
    public int Width { get; set; }

    public static IEnumerable<int> Widths() => LatticePaths.Hardware();

    [GlobalSetup]
    public void Setup()
    {
        var p = LatticePirPlanner.Plan(64 * 16 * 35, 288, dimensions: 2);
        _database = PirDatabase.Generate(p.RecordCount, p.RecordBytes, 1);
        _server = new LatticePirServer(_database, p) { KernelPath = LatticePaths.FromWidth(Width) };
        _client = new LatticePirClient(p);
        _expanded = _server.Expand(_client.Query(1), _client.GaloisKeys);
    }

    /// <summary>Both dimensions (first-dimension products dominate), decomposition and modulus switching.</summary>
    [Benchmark]
    public LatticeAnswer Process() => _server!.Process(_expanded.Select(c => c.Clone()).ToArray());

    public void Dispose()
    {
        _server?.Dispose();
        _client?.Dispose();
        _database?.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>One Galois automorphism with key switching (N = 4096, k = 3 plus the special prime): the unit of query expansion.</summary>
[MemoryDiagnoser]
public class LatticeKeySwitchBenchmarks : IDisposable
{
    private readonly BfvContext _context = BfvContext.Get(LatticeParameters.N4096_Logq108_Logt20);
    private BfvSecretKey? _secretKey;
    private BfvGaloisKey? _key;
    private BfvCiphertext? _ciphertext;
    private ulong[] _out0 = [];
    private ulong[] _out1 = [];

    [GlobalSetup]
    public void Setup()
    {
        _secretKey = new BfvSecretKey(_context);
        _key = Bfv.GenerateGaloisKey(_context, _secretKey, (uint)_context.N + 1);
        _ciphertext = Bfv.Encrypt(_context, _secretKey, new ulong[_context.N]);
        _out0 = new ulong[_context.K * _context.N];
        _out1 = new ulong[_context.K * _context.N];
    }

    [Benchmark]
    public void ApplyGalois() => Bfv.ApplyGalois(_context, _ciphertext!, _key!, _out0, _out1);

    public void Dispose()
    {
        _secretKey?.Dispose();
        GC.SuppressFinalize(this);
    }
}
