using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Tests.Lattice;

public class LatticeArithmeticTests
{
    private static readonly int[] Sizes = [16, 64, 1024, 4096];

    private static ulong[] RandomPoly(Random rng, int n, ulong bound)
    {
        var a = new ulong[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (ulong)rng.NextInt64((long)bound);
        }

        return a;
    }

    private static ulong[] Schoolbook(ulong[] a, ulong[] b, ulong p)
    {
        int n = a.Length;
        var c = new UInt128[2 * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                c[i + j] += (UInt128)a[i] * b[j];
            }
        }

        var r = new ulong[n];
        for (int i = 0; i < n; i++)
        {
            // x^N = -1: the upper half wraps with a sign flip.
            ulong lo = (ulong)(c[i] % p);
            ulong hi = (ulong)(c[i + n] % p);
            r[i] = (lo + p - hi) % p;
        }

        return r;
    }

    [Theory]
    [InlineData(30, 16)]
    [InlineData(30, 64)]
    [InlineData(24, 256)]
    [InlineData(17, 128)]
    public void Ntt_product_matches_schoolbook_negacyclic_convolution(int bits, int n)
    {
        const int seed = 1234;
        var rng = new Random(seed + n + bits);
        var mod = new Modulus(NttPrimes.Find(bits, n, 1)[0]);
        var tables = new NttTables(mod, n);
        var a = RandomPoly(rng, n, mod.Value);
        var b = RandomPoly(rng, n, mod.Value);
        var expected = Schoolbook(a, b, mod.Value);
        foreach (var path in KernelPaths.All)
        {
            var fa = (ulong[])a.Clone();
            var fb = (ulong[])b.Clone();
            Ntt.Forward(fa, tables, path);
            Ntt.Forward(fb, tables, path);
            var prod = new ulong[n];
            PolyKernels.Mul(fa, fb, prod, mod, path);
            Ntt.Inverse(prod, tables, path);
            Assert.True(expected.AsSpan().SequenceEqual(prod), $"path {path}, p {mod.Value}, n {n}, seed {seed}");
        }
    }

    [Fact]
    public void Ntt_vector_paths_match_scalar_bit_for_bit_and_invert()
    {
        const int seed = 99;
        var rng = new Random(seed);
        foreach (int n in Sizes)
        {
            var mod = new Modulus(NttPrimes.Find(30, n, 1)[0]);
            var tables = new NttTables(mod, n);
            var a = RandomPoly(rng, n, mod.Value);
            var reference = (ulong[])a.Clone();
            Ntt.Forward(reference, tables, KernelPath.Scalar);
            Assert.All(reference, v => Assert.True(v < mod.Value));
            foreach (var path in KernelPaths.All)
            {
                var f = (ulong[])a.Clone();
                Ntt.Forward(f, tables, path);
                Assert.True(reference.AsSpan().SequenceEqual(f), $"forward {path} n {n} seed {seed}");
                Ntt.Inverse(f, tables, path);
                Assert.True(a.AsSpan().SequenceEqual(f), $"inverse {path} n {n} seed {seed}");
            }
        }
    }

    [Fact]
    public void Ntt_of_x_evaluates_at_odd_powers_of_psi()
    {
        const int n = 16;
        var mod = new Modulus(NttPrimes.Find(20, n, 1)[0]);
        var tables = new NttTables(mod, n);
        var x = new ulong[n];
        x[1] = 1;
        Ntt.Forward(x, tables, KernelPath.Scalar);
        var expected = new HashSet<ulong>();
        for (ulong k = 1; k < 2 * n; k += 2)
        {
            expected.Add(mod.Pow(tables.Psi, k));
        }

        Assert.Equal(expected, new HashSet<ulong>(x));
        Assert.Equal(mod.Value - 1, mod.Pow(tables.Psi, n));
    }

    [Fact]
    public void Pointwise_kernels_agree_with_big_integer_reference_at_every_length()
    {
        const int seed = 7;
        var rng = new Random(seed);
        var mod = new Modulus(NttPrimes.Find(30, 16, 1)[0]);
        ulong p = mod.Value;
        var lengths = Enumerable.Range(0, 257).Append((6 * 512) + 7);
        foreach (int len in lengths)
        {
            var a = RandomPoly(rng, len, p);
            var b = RandomPoly(rng, len, p);
            var wide = new ulong[len];
            for (int i = 0; i < len; i++)
            {
                wide[i] = (ulong)rng.NextInt64() * 2 + (ulong)rng.Next(2);
            }

            foreach (var path in KernelPaths.All)
            {
                var sum = new ulong[len];
                var diff = new ulong[len];
                var prod = new ulong[len];
                var red = new ulong[len];
                var acc = (ulong[])wide.Clone();
                PolyKernels.Add(a, b, sum, mod, path);
                PolyKernels.Sub(a, b, diff, mod, path);
                PolyKernels.Mul(a, b, prod, mod, path);
                PolyKernels.ReduceWide(wide, red, mod, path);
                var accIn = new ulong[len];
                PolyKernels.ReduceWide(wide, accIn, mod, path);
                PolyKernels.MulAccumulate(a, b, accIn, path);
                for (int i = 0; i < len; i++)
                {
                    string where = $"path {path} len {len} i {i} seed {seed}";
                    Assert.True((a[i] + b[i]) % p == sum[i], where);
                    Assert.True((a[i] + p - b[i]) % p == diff[i], where);
                    Assert.True((ulong)((UInt128)a[i] * b[i] % p) == prod[i], where);
                    Assert.True(wide[i] % p == red[i], where);
                    Assert.True((ulong)(((UInt128)a[i] * b[i] + (wide[i] % p)) % p) == accIn[i] % p, where);
                }
            }
        }
    }

    [Fact]
    public void Modulus_rejects_unsupported_sizes_and_finds_ntt_primes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Modulus((1UL << 31) - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Modulus(65521));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Modulus(1UL << 20));
        var primes = NttPrimes.Find(30, 4096, 3);
        Assert.Equal(3, primes.Distinct().Count());
        Assert.All(primes, q => Assert.True(q % 8192 == 1 && NttPrimes.IsPrime(q) && q < (1UL << 30) && q > (1UL << 29)));
        var m = new Modulus(primes[0]);
        Assert.Equal(1UL, m.Mul(m.Inverse(12345), 12345));
        Assert.Equal(ulong.MaxValue % m.Value, m.ReduceWide(ulong.MaxValue));
    }

    [Theory]
    [InlineData(4099, 5)] // beyond the largest N1 (4096 rows, d = 1), with row and column tails
    [InlineData(2048, 4)] // the largest d = 2 matrix at N = 4096 is 2048 x 2048
    public unsafe void First_dimension_kernel_cannot_overflow_its_lazy_sums_at_the_largest_shapes(int n1, int n2)
    {
        // Every plaintext and query value at p − 1 makes every product and every sum between folds as
        // large as they can be; with the largest (30-bit) prime an overflow anywhere would show.
        var mod = new Modulus(NttPrimes.Find(30, 4096, 1, [])[0]);
        ulong max = mod.Value - 1;
        const int chunk = LatticePirKernels.Chunk;
        var db = new uint[(long)n2 * n1 * chunk];
        Array.Fill(db, (uint)max);
        var query = new ulong[(long)n1 * 2 * chunk];
        Array.Fill(query, max);
        ulong expected = (ulong)((UInt128)(ulong)n1 * max % mod.Value * max % mod.Value);
        const int polyStride = chunk;
        const int columnStride = 2 * chunk;
        foreach (var path in KernelPaths.All)
        {
            var output = new ulong[(long)n2 * columnStride];
            fixed (uint* pd = db)
            fixed (ulong* pq = query)
            fixed (ulong* po = output)
            {
                LatticePirKernels.FirstDimension(pd, pq, n1, n2, mod, po, columnStride, polyStride, path);
            }

            Assert.True(output.All(v => v == expected), $"path {path}, {n1} x {n2}: expected every slot {expected}, got {string.Join(',', output.Distinct().Take(4))}");
        }
    }
}
