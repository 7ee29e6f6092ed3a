using System.Numerics;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Tests.Lattice;

/// <summary>
/// The RNS kernels, modulus switching and key switching against references written here with
/// BigInteger (or exact UInt128) arithmetic, on every kernel path and at lengths with vector tails.
/// </summary>
public class RnsReferenceTests
{
    private static readonly BfvContext Ctx = BfvContext.Get(LatticeParameters.N256_Logq108_Logt20_Insecure);

    private static readonly int[] Lengths = [.. Enumerable.Range(0, 40), 255, 256, 257, (6 * 512) + 7];

    private static ulong[] Random(Random rng, int length, ulong below)
    {
        var values = new ulong[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (ulong)rng.NextInt64((long)below);
        }

        return values;
    }

    private static ulong Mod(BigInteger value, ulong modulus)
    {
        var r = value % modulus;
        return (ulong)(r.Sign < 0 ? r + modulus : r);
    }

    /// <summary>The centered representative the rounding uses: v − D when v &gt; ⌊D/2⌋.</summary>
    private static BigInteger Centered(BigInteger value, ulong modulus)
    {
        ulong r = Mod(value, modulus);
        return r > modulus >> 1 ? (BigInteger)r - modulus : r;
    }

    [Fact]
    public void Reduce_matches_the_integer_remainder_on_every_path()
    {
        var rng = new Random(21);
        foreach (ulong q in new[] { Ctx.Moduli[1].Value, Ctx.Moduli[0].Value })
        {
            var mod = new Modulus(q);
            foreach (int length in Lengths)
            {
                var src = Random(rng, length, 1UL << 32);
                if (length > 2)
                {
                    src[0] = uint.MaxValue;
                    src[1] = q;
                    src[2] = q - 1;
                }

                foreach (var path in KernelPaths.All)
                {
                    var dst = new ulong[length];
                    RnsKernels.Reduce(src, dst, mod, path);
                    for (int i = 0; i < length; i++)
                    {
                        Assert.True(src[i] % q == dst[i], $"{path} q {q} length {length} i {i}: {src[i]} mod q gave {dst[i]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void DivideRound_matches_a_big_integer_reference_on_every_path()
    {
        var rng = new Random(22);
        var q = Ctx.Moduli[1];
        ulong dropped = Ctx.Special.Value;
        ulong inverse = (ulong)BigInteger.ModPow(dropped, q.Value - 2, q.Value);
        foreach (int length in Lengths)
        {
            var x = Random(rng, length, q.Value);
            var v = Random(rng, length, dropped);
            if (length > 3)
            {
                v[0] = dropped >> 1;       // the largest value that stays positive
                v[1] = (dropped >> 1) + 1; // the smallest that turns negative
                v[2] = dropped - 1;
                v[3] = 0;
            }

            var initial = Random(rng, length, q.Value);
            foreach (var path in KernelPaths.All)
            {
                foreach (bool accumulate in new[] { false, true })
                {
                    var dst = (ulong[])initial.Clone();
                    RnsKernels.DivideRound(x, v, dst, accumulate, q, dropped, inverse, path);
                    for (int i = 0; i < length; i++)
                    {
                        BigInteger quotient = (x[i] - Centered(v[i], dropped)) * inverse;
                        ulong expected = Mod(quotient + (accumulate ? initial[i] : 0), q.Value);
                        Assert.True(expected == dst[i], $"{path} accumulate {accumulate} length {length} i {i}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Modulus_switching_matches_successive_rounded_division_on_every_path()
    {
        var rng = new Random(23);
        int n = Ctx.N;
        int k = Ctx.K;
        var ciphertext = new ulong[2 * k * n];
        for (int poly = 0; poly < 2; poly++)
        {
            for (int j = 0; j < k; j++)
            {
                Random(rng, n, Ctx.Moduli[j].Value).CopyTo(ciphertext, ((poly * k) + j) * n);
            }
        }

        // Reference: each coefficient as the integer of its residues (CRT), then X ↦ (X − centered(X mod q_last)) / q_last per dropped prime.
        var expected = new ulong[2 * n];
        BigInteger q = Enumerable.Range(0, k).Aggregate(BigInteger.One, (acc, j) => acc * Ctx.Moduli[j].Value);
        for (int poly = 0; poly < 2; poly++)
        {
            for (int c = 0; c < n; c++)
            {
                BigInteger x = BigInteger.Zero;
                for (int j = 0; j < k; j++)
                {
                    ulong qj = Ctx.Moduli[j].Value;
                    BigInteger rest = q / qj;
                    x += ciphertext[(((poly * k) + j) * n) + c] * rest * BigInteger.ModPow(rest % qj, qj - 2, qj);
                }

                x %= q;
                for (int level = k; level >= 2; level--)
                {
                    ulong last = Ctx.Moduli[level - 1].Value;
                    x = (x - Centered(x, last)) / last;
                }

                expected[(poly * n) + c] = Mod(x, Ctx.Moduli[0].Value);
            }
        }

        foreach (var path in KernelPaths.All)
        {
            var work = (ulong[])ciphertext.Clone();
            Bfv.ModSwitchToFirstInPlace(Ctx, work, k, path);
            Assert.True(work.AsSpan(0, n).SequenceEqual(expected.AsSpan(0, n)), $"{path}: c0 modulo q_0");
            Assert.True(work.AsSpan(k * n, n).SequenceEqual(expected.AsSpan(n, n)), $"{path}: c1 modulo q_0");
        }
    }

    [Theory]
    [InlineData(257u)]
    [InlineData(3u)]
    public void Key_switching_matches_a_schoolbook_and_big_integer_reference(uint g)
    {
        var rng = new Random((int)g);
        int n = Ctx.N;
        int k = Ctx.K;
        int all = k + 1;
        using var sk = new BfvSecretKey(Ctx);
        var key = Bfv.GenerateGaloisKey(Ctx, sk, g);
        var ct = new BfvCiphertext(n, k, isNtt: false);
        for (int poly = 0; poly < 2; poly++)
        {
            for (int j = 0; j < k; j++)
            {
                Random(rng, n, Ctx.Moduli[j].Value).CopyTo(ct.Poly(poly).Slice(j * n, n));
            }
        }

        // σ_g on each residue: x^i ↦ ±x^(i·g mod N).
        ulong[] Automorphism(ReadOnlySpan<ulong> src, ulong q)
        {
            var dst = new ulong[n];
            for (int i = 0; i < n; i++)
            {
                int target = (int)((ulong)i * g % (ulong)(2 * n));
                if (target < n)
                {
                    dst[target] = src[i];
                }
                else
                {
                    dst[target - n] = src[i] == 0 ? 0 : q - src[i];
                }
            }

            return dst;
        }

        // The key's polynomials in coefficient form, residue by residue (q_0 … q_(k-1), P).
        ulong[][][] Coefficients(ulong[][] polys) => polys.Select(p => Enumerable.Range(0, all).Select(j =>
        {
            var r = p.AsSpan(j * n, n).ToArray();
            Ntt.Inverse(r, Ctx.Tables[j]);
            return r;
        }).ToArray()).ToArray();

        var b = Coefficients(key.B);
        var a = Coefficients(key.A);
        var rotated1 = Enumerable.Range(0, k).Select(i => Automorphism(ct.C1.Slice(i * n, n), Ctx.Moduli[i].Value)).ToArray();
        var expected0 = new ulong[k * n];
        var expected1 = new ulong[k * n];
        BigInteger qp = Enumerable.Range(0, all).Aggregate(BigInteger.One, (acc, j) => acc * Ctx.Moduli[j].Value);
        ulong special = Ctx.Special.Value;
        foreach ((ulong[][][] keyPart, ulong[] output, bool addC0) in new[] { (b, expected0, true), (a, expected1, false) })
        {
            // acc = Σ_i digit_i · key_i negacyclically, exactly modulo each of the k + 1 primes (schoolbook, UInt128).
            var acc = new ulong[all][];
            for (int j = 0; j < all; j++)
            {
                ulong qj = Ctx.Moduli[j].Value;
                acc[j] = new ulong[n];
                for (int i = 0; i < k; i++)
                {
                    for (int u = 0; u < n; u++)
                    {
                        ulong d = rotated1[i][u] % qj;
                        if (d == 0)
                        {
                            continue;
                        }

                        for (int w = 0; w < n; w++)
                        {
                            ulong prod = (ulong)((UInt128)d * keyPart[i][j][w] % qj);
                            int t = u + w;
                            if (t < n)
                            {
                                acc[j][t] = (acc[j][t] + prod) % qj;
                            }
                            else
                            {
                                acc[j][t - n] = (acc[j][t - n] + qj - prod) % qj;
                            }
                        }
                    }
                }
            }

            // round(acc / P) modulo each q_j, from the CRT integer of acc modulo q·P.
            for (int c = 0; c < n; c++)
            {
                BigInteger x = BigInteger.Zero;
                for (int j = 0; j < all; j++)
                {
                    ulong qj = Ctx.Moduli[j].Value;
                    BigInteger rest = qp / qj;
                    x += acc[j][c] * rest * BigInteger.ModPow(rest % qj, qj - 2, qj);
                }

                x %= qp;
                BigInteger rounded = (x - Centered(x, special)) / special;
                for (int j = 0; j < k; j++)
                {
                    ulong qj = Ctx.Moduli[j].Value;
                    ulong own = addC0 ? Automorphism(ct.C0.Slice(j * n, n), qj)[c] : 0;
                    output[(j * n) + c] = Mod(rounded + own, qj);
                }
            }
        }

        var ntt = ct.Clone();
        Bfv.ToNtt(Ctx, ntt);
        var result = new BfvCiphertext(n, k, isNtt: true);
        Bfv.ApplyGaloisNtt(Ctx, ntt, key, result.C0, result.C1);
        Bfv.FromNtt(Ctx, result);
        Assert.True(result.C0.SequenceEqual(expected0), $"g {g}: c0");
        Assert.True(result.C1.SequenceEqual(expected1), $"g {g}: c1");
    }
}
