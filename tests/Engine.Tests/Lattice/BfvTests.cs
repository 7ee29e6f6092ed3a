using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Tests.Lattice;

public class BfvTests
{
    private static readonly BfvContext Ctx = BfvContext.Get(LatticeParameters.N256_Logq108_Logt20_Insecure);

    private static ulong[] RandomPlain(Random rng, ulong t, int n)
    {
        var m = new ulong[n];
        for (int i = 0; i < n; i++)
        {
            m[i] = (ulong)rng.NextInt64((long)t);
        }

        return m;
    }

    // Negacyclic product of plaintexts modulo t (the reference for ct × pt).
    private static ulong[] PlainProduct(ulong[] a, ulong[] b, ulong t)
    {
        int n = a.Length;
        var r = new ulong[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                ulong prod = a[i] * b[j] % t;
                int k = i + j;
                r[k % n] = k < n ? (r[k] + prod) % t : (r[k - n] + t - prod) % t;
            }
        }

        return r;
    }

    [Fact]
    public void Encrypt_then_decrypt_returns_the_plaintext_with_a_large_budget()
    {
        const int seed = 11;
        var rng = new Random(seed);
        using var sk = new BfvSecretKey(Ctx);
        var m = RandomPlain(rng, Ctx.PlainModulus, Ctx.N);
        var ct = Bfv.Encrypt(Ctx, sk, m);
        Assert.Equal(m, Bfv.Decrypt(Ctx, sk, ct));
        double budget = Bfv.NoiseBudget(Ctx, sk, ct);
        Assert.True(budget > 50, $"fresh budget {budget}, seed {seed}");
    }

    [Fact]
    public void Homomorphic_add_and_plain_product_match_plaintext_arithmetic()
    {
        const int seed = 12;
        var rng = new Random(seed);
        ulong t = Ctx.PlainModulus;
        using var sk = new BfvSecretKey(Ctx);
        var a = RandomPlain(rng, t, Ctx.N);
        var b = RandomPlain(rng, t, Ctx.N);
        var ca = Bfv.Encrypt(Ctx, sk, a);
        var cb = Bfv.Encrypt(Ctx, sk, b);
        var sum = ca.Clone();
        Bfv.AddInPlace(Ctx, sum, cb);
        Assert.Equal(a.Zip(b, (x, y) => (x + y) % t).ToArray(), Bfv.Decrypt(Ctx, sk, sum));

        var p = RandomPlain(rng, t, Ctx.N);
        var lifted = new ulong[Ctx.K * Ctx.N];
        Ctx.LiftPlain(p, lifted, Ctx.K);
        Ctx.ToNtt(lifted, Ctx.K);
        var prod = ca.Clone();
        Bfv.ToNtt(Ctx, prod);
        Bfv.MultiplyPlainNttInPlace(Ctx, prod, lifted);
        Assert.Equal(PlainProduct(a, p, t), Bfv.Decrypt(Ctx, sk, prod));
        Assert.True(Bfv.NoiseBudget(Ctx, sk, prod) < Bfv.NoiseBudget(Ctx, sk, ca), $"seed {seed}");
    }

    [Theory]
    [InlineData(257u)]
    [InlineData(129u)]
    [InlineData(3u)]
    public void Galois_automorphism_with_key_switching_permutes_the_plaintext(uint g)
    {
        const int seed = 13;
        var rng = new Random(seed);
        ulong t = Ctx.PlainModulus;
        int n = Ctx.N;
        using var sk = new BfvSecretKey(Ctx);
        var key = Bfv.GenerateGaloisKey(Ctx, sk, g);
        var m = RandomPlain(rng, t, n);
        var ct = Bfv.Encrypt(Ctx, sk, m);
        var rotated = Bfv.ApplyGalois(Ctx, ct, key);
        var expected = new ulong[n];
        for (int j = 0; j < n; j++)
        {
            int target = (int)((ulong)j * g % (ulong)(2 * n));
            if (target < n)
            {
                expected[target] = m[j];
            }
            else
            {
                expected[target - n] = (t - m[j]) % t;
            }
        }

        Assert.Equal(expected, Bfv.Decrypt(Ctx, sk, rotated));
        double before = Bfv.NoiseBudget(Ctx, sk, ct);
        double after = Bfv.NoiseBudget(Ctx, sk, rotated);
        Assert.True(after > before - 6, $"key switching cost {before - after} bits, seed {seed}");
    }

    [Fact]
    public void Ntt_domain_automorphism_matches_the_coefficient_domain_one()
    {
        const int seed = 15;
        var rng = new Random(seed);
        using var sk = new BfvSecretKey(Ctx);
        var m = RandomPlain(rng, Ctx.PlainModulus, Ctx.N);
        var ct = Bfv.Encrypt(Ctx, sk, m);
        foreach (uint g in new uint[] { 257, 129, 65, 3 })
        {
            var key = Bfv.GenerateGaloisKey(Ctx, sk, g);
            var coefficient = Bfv.ApplyGalois(Ctx, ct, key);
            var ntt = ct.Clone();
            Bfv.ToNtt(Ctx, ntt);
            var result = new BfvCiphertext(Ctx.N, Ctx.K, isNtt: true);
            Bfv.ApplyGaloisNtt(Ctx, ntt, key, result.C0, result.C1);
            Assert.Equal(Bfv.Decrypt(Ctx, sk, coefficient), Bfv.Decrypt(Ctx, sk, result));
            Bfv.FromNtt(Ctx, result);
            Assert.True(coefficient.Data.AsSpan().SequenceEqual(result.Data), $"g {g}: the two key-switching orders round identically");
        }
    }

    [Fact]
    public void Modulus_switching_to_q0_keeps_the_plaintext()
    {
        const int seed = 14;
        var rng = new Random(seed);
        using var sk = new BfvSecretKey(Ctx);
        var m = RandomPlain(rng, Ctx.PlainModulus, Ctx.N);
        var ct = Bfv.Encrypt(Ctx, sk, m);
        var small = Bfv.ModSwitchToFirst(Ctx, ct, KernelPaths.Best);
        Assert.Equal(1, small.Primes);
        Assert.Equal(m, Bfv.Decrypt(Ctx, sk, small));
        Assert.True(Bfv.NoiseBudget(Ctx, sk, small) >= 1, $"seed {seed}");
    }

    [Fact]
    public void Monomial_product_rotates_negacyclically()
    {
        var mod = Ctx.Moduli[0];
        var src = Enumerable.Range(1, Ctx.N).Select(i => (ulong)i).ToArray();
        var dst = new ulong[Ctx.N];
        Bfv.MultiplyByMonomialResidue(src, dst, 1, mod);
        Assert.Equal(mod.Value - (ulong)Ctx.N, dst[0]);
        Assert.Equal(1UL, dst[1]);
        Bfv.MultiplyByMonomialResidue(src, dst, Ctx.N, mod);
        Assert.Equal(mod.Value - 1, dst[0]);
    }

    [Fact]
    public void Secure_parameters_require_an_explicit_opt_out_below_128_bits()
    {
        Assert.True(LatticeParameters.N4096_Logq108_Logt20.IsSecure);
        Assert.Equal("N4096_Logq108_Logt20", LatticeParameters.N4096_Logq108_Logt20.Name);
        Assert.True(LatticeParameters.N8192_Logq210_Logt20.IsSecure);
        Assert.False(LatticeParameters.N256_Logq108_Logt20_Insecure.IsSecure);
        var e = Assert.Throws<ArgumentException>(() => LatticeParameters.Create(1024, [30, 24, 24], 30, 20));
        Assert.Contains("128-bit", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => LatticeParameters.Create(4096, [30, 30, 30], 30, 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatticeParameters.Create(4096, [30, 24, 24], 30, 23));

        // The HE Standard bounds log2 of q·P, the special prime included: each preset's actual product.
        foreach (var (preset, bound) in new[] { (LatticeParameters.N4096_Logq108_Logt20, 109), (LatticeParameters.N8192_Logq210_Logt20, 218) })
        {
            var qp = preset.CiphertextModuli.Aggregate(new System.Numerics.BigInteger(preset.SpecialModulus), (acc, q) => acc * q);
            Assert.True(System.Numerics.BigInteger.Log(qp, 2) <= bound, $"{preset}: log2(qP) = {System.Numerics.BigInteger.Log(qp, 2)}");
            Assert.Equal(preset.CiphertextModuli.Sum(q => 64 - System.Numerics.BitOperations.LeadingZeroCount(q)) + 30, preset.TotalModulusBits);
        }

        // At the boundary: 30 + 30 + 19 + 30 = 109 bits is accepted, one bit more is not, which holds only
        // if P is counted (without it both would be far below 109).
        Assert.True(LatticeParameters.Create(4096, [30, 30, 19], 30, 11).IsSecure);
        Assert.Throws<ArgumentException>(() => LatticeParameters.Create(4096, [30, 30, 20], 30, 12));
        Assert.Throws<ArgumentException>(() => LatticeParameters.Create(8192, [30, 30, 30, 30, 30, 30, 30], 30, 20));

        // Explicit primes are checked for size before primality (2^61 − 1 is prime; trial division would hang).
        var p = LatticeParameters.N4096_Logq108_Logt20;
        Assert.Throws<ArgumentOutOfRangeException>(() => LatticeParameters.Create(4096, [(1UL << 61) - 1], p.SpecialModulus, 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatticeParameters.Create(4096, [p.CiphertextModuli[0]], (1UL << 61) - 1, 20));
    }
}
