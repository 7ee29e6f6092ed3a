using System.Diagnostics;
using System.Numerics;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// The BFV operations PIR needs: symmetric (seeded) encryption, decryption, noise measurement,
/// addition, products with plaintexts, Galois automorphisms with key switching, multiplication by
/// monomials and modulus switching. All internal: the public surface is the PIR client and server.
/// </summary>
internal static class Bfv
{
    /// <summary>Domain of the uniform polynomial of an encryption expanded from a seed: (poly id, prime).</summary>
    public static ulong Domain(int polyId, int prime) => ((ulong)polyId << 8) | (uint)prime;

    /// <summary>
    /// Symmetric encryption of an arbitrary residue polynomial M (coefficient form) over the first
    /// <paramref name="primes"/> primes (k + 1 means including P): a is expanded from the seed in NTT
    /// form, c0 = −a·s + e + M in coefficient form. Returns c0 and writes a (NTT form) to <paramref name="aNtt"/>.
    /// </summary>
    public static void EncryptRaw(BfvContext ctx, BfvSecretKey sk, ReadOnlySpan<ulong> message, int primes, ReadOnlySpan<byte> seed, int polyId, Span<ulong> c0, Span<ulong> aNtt)
    {
        int n = ctx.N;
        Span<sbyte> e = new sbyte[n];
        SecretSampling.CenteredBinomial(e);
        var errorPoly = new ulong[primes * n];
        ctx.LiftSmall(e, errorPoly, primes);
        e.Clear();
        var s = sk.Ntt;
        for (int i = 0; i < primes; i++)
        {
            var mod = ctx.Moduli[i];
            var a = aNtt.Slice(i * n, n);
            SeededUniform.Fill(seed, Domain(polyId, i), a, mod);
            var r = c0.Slice(i * n, n);
            PolyKernels.Mul(a, s.Slice(i * n, n), r, mod);
            Ntt.Inverse(r, ctx.Tables[i]);
            PolyKernels.Sub(errorPoly.AsSpan(i * n, n), r, r, mod);
            PolyKernels.Add(r, message.Slice(i * n, n), r, mod);
        }

        Array.Clear(errorPoly);
    }

    /// <summary>Regenerates the uniform half (NTT form) of a seeded encryption.</summary>
    public static void ExpandSeed(BfvContext ctx, ReadOnlySpan<byte> seed, int polyId, int primes, Span<ulong> aNtt)
    {
        for (int i = 0; i < primes; i++)
        {
            SeededUniform.Fill(seed, Domain(polyId, i), aNtt.Slice(i * ctx.N, ctx.N), ctx.Moduli[i]);
        }
    }

    /// <summary>Encrypts a plaintext (N coefficients in [0, t)) at the top level, coefficient form.</summary>
    public static BfvCiphertext Encrypt(BfvContext ctx, BfvSecretKey sk, ReadOnlySpan<ulong> plain)
    {
        int k = ctx.K;
        int n = ctx.N;
        var message = new ulong[k * n];
        for (int i = 0; i < k; i++)
        {
            var mod = ctx.Moduli[i];
            ulong delta = ctx.DeltaMod[k][i];
            ulong qModT = ctx.QModT[k];
            ulong halfT = ctx.PlainModulus >> 1;
            for (int j = 0; j < n; j++)
            {
                // round(q·m/t) rather than ⌊q/t⌋·m keeps the message-dependent error below 1/2.
                ulong m = plain[j];
                ulong correction = ((qModT * m) + halfT) >> ctx.PlainBits;
                message[(i * n) + j] = mod.Add(mod.Mul(delta, m % mod.Value), mod.Reduce(correction));
            }
        }

        var ct = new BfvCiphertext(n, k, isNtt: false);
        EncryptRaw(ctx, sk, message, k, SeededUniform.NewSeed(), 0, ct.C0, ct.C1);
        ctx.FromNtt(ct.C1, k);
        return ct;
    }

    /// <summary>x = c0 + c1·s residue-wise, coefficient form, over the ciphertext's primes.</summary>
    internal static ulong[] Phase(BfvContext ctx, BfvSecretKey sk, BfvCiphertext ct)
    {
        int n = ctx.N;
        int primes = ct.Primes;
        var work = ct.IsNtt ? ct : ct.Clone();
        if (!ct.IsNtt)
        {
            ctx.ToNtt(work.C0, primes);
            ctx.ToNtt(work.C1, primes);
        }

        var x = new ulong[primes * n];
        for (int i = 0; i < primes; i++)
        {
            var mod = ctx.Moduli[i];
            var r = x.AsSpan(i * n, n);
            PolyKernels.Mul(work.C1.Slice(i * n, n), sk.Ntt.Slice(i * n, n), r, mod);
            PolyKernels.Add(r, work.C0.Slice(i * n, n), r, mod);
            Ntt.Inverse(r, ctx.Tables[i]);
        }

        return x;
    }

    internal static BigInteger[] Compose(BfvContext ctx, ulong[] residues, int primes)
    {
        int n = ctx.N;
        var q = ctx.ModulusProducts[primes];
        var basis = new BigInteger[primes];
        for (int i = 0; i < primes; i++)
        {
            var qHat = q / ctx.Moduli[i].Value;
            ulong qHatModQi = (ulong)(qHat % ctx.Moduli[i].Value);
            basis[i] = qHat * ctx.Moduli[i].Inverse(qHatModQi);
        }

        var result = new BigInteger[n];
        for (int j = 0; j < n; j++)
        {
            BigInteger acc = BigInteger.Zero;
            for (int i = 0; i < primes; i++)
            {
                acc += basis[i] * residues[(i * n) + j];
            }

            result[j] = acc % q;
        }

        return result;
    }

    /// <summary>Decrypts to N coefficients in [0, t): m = round(t·x / q) mod t.</summary>
    public static ulong[] Decrypt(BfvContext ctx, BfvSecretKey sk, BfvCiphertext ct)
    {
        var x = Phase(ctx, sk, ct);
        var result = new ulong[ctx.N];
        ulong tMask = ctx.PlainModulus - 1;
        if (ct.Primes == 1)
        {
            ulong q = ctx.Moduli[0].Value;
            for (int j = 0; j < ctx.N; j++)
            {
                result[j] = (ulong)((((UInt128)x[j] << ctx.PlainBits) + (q >> 1)) / q) & tMask;
            }

            // x = Δ·m + e: the message and the noise, which reveals s combined with the ciphertext.
            Array.Clear(x);
            return result;
        }

        var q2 = ctx.ModulusProducts[ct.Primes];
        var composed = Compose(ctx, x, ct.Primes);
        Array.Clear(x);
        for (int j = 0; j < ctx.N; j++)
        {
            var m = ((composed[j] << ctx.PlainBits) + (q2 >> 1)) / q2;
            result[j] = (ulong)(m & tMask);
        }

        return result;
    }

    /// <summary>
    /// SEAL's invariant noise budget in bits: log2(q) − 1 − log2 ‖[t·(c0 + c1·s)]_q‖∞. Decryption is
    /// correct while it is positive. For tests and diagnostics only; it needs the secret key.
    /// </summary>
    public static double NoiseBudget(BfvContext ctx, BfvSecretKey sk, BfvCiphertext ct)
    {
        var x = Phase(ctx, sk, ct);
        var q = ctx.ModulusProducts[ct.Primes];
        var composed = Compose(ctx, x, ct.Primes);
        Array.Clear(x);
        BigInteger max = BigInteger.Zero;
        var half = q >> 1;
        foreach (var v in composed)
        {
            var w = (v << ctx.PlainBits) % q;
            if (w > half)
            {
                w = q - w;
            }

            if (w > max)
            {
                max = w;
            }
        }

        double logQ = BigInteger.Log(q, 2);
        double logNoise = max.IsZero ? 0 : BigInteger.Log(max, 2);
        return Math.Max(0, logQ - 1 - logNoise);
    }

    public static void AddInPlace(BfvContext ctx, BfvCiphertext a, BfvCiphertext b)
    {
        Debug.Assert(a.Primes == b.Primes && a.IsNtt == b.IsNtt);
        int n = ctx.N;
        for (int poly = 0; poly < 2; poly++)
        {
            var x = a.Poly(poly);
            var y = b.Poly(poly);
            for (int i = 0; i < a.Primes; i++)
            {
                PolyKernels.Add(x.Slice(i * n, n), y.Slice(i * n, n), x.Slice(i * n, n), ctx.Moduli[i]);
            }
        }
    }

    /// <summary>ct · p where p is a plaintext already lifted and in NTT form over the ciphertext's primes; ct in NTT form.</summary>
    public static void MultiplyPlainNttInPlace(BfvContext ctx, BfvCiphertext ct, ReadOnlySpan<ulong> plainNtt)
    {
        Debug.Assert(ct.IsNtt);
        int n = ctx.N;
        for (int poly = 0; poly < 2; poly++)
        {
            var x = ct.Poly(poly);
            for (int i = 0; i < ct.Primes; i++)
            {
                PolyKernels.Mul(x.Slice(i * n, n), plainNtt.Slice(i * n, n), x.Slice(i * n, n), ctx.Moduli[i]);
            }
        }
    }

    public static void ToNtt(BfvContext ctx, BfvCiphertext ct)
    {
        if (!ct.IsNtt)
        {
            ctx.ToNtt(ct.C0, ct.Primes);
            ctx.ToNtt(ct.C1, ct.Primes);
            ct.IsNtt = true;
        }
    }

    public static void FromNtt(BfvContext ctx, BfvCiphertext ct)
    {
        if (ct.IsNtt)
        {
            ctx.FromNtt(ct.C0, ct.Primes);
            ctx.FromNtt(ct.C1, ct.Primes);
            ct.IsNtt = false;
        }
    }

    /// <summary>dst = σ_g(src) for one residue in coefficient form: x^j ↦ x^(j·g mod 2N), with x^N = −1.</summary>
    public static void ApplyGaloisResidue(ReadOnlySpan<ulong> src, Span<ulong> dst, uint galoisElement, Modulus mod)
    {
        int n = src.Length;
        uint mask = (uint)(2 * n) - 1;
        for (int j = 0; j < n; j++)
        {
            uint target = (uint)((ulong)j * galoisElement) & mask;
            if (target < n)
            {
                dst[(int)target] = src[j];
            }
            else
            {
                dst[(int)target - n] = mod.Negate(src[j]);
            }
        }
    }

    /// <summary>σ_g of a small signed polynomial (for key generation).</summary>
    public static sbyte[] ApplyGaloisSmall(ReadOnlySpan<sbyte> src, uint galoisElement)
    {
        int n = src.Length;
        uint mask = (uint)(2 * n) - 1;
        var dst = new sbyte[n];
        for (int j = 0; j < n; j++)
        {
            uint target = (uint)((ulong)j * galoisElement) & mask;
            if (target < n)
            {
                dst[(int)target] = src[j];
            }
            else
            {
                dst[(int)target - n] = (sbyte)-src[j];
            }
        }

        return dst;
    }

    /// <summary>dst = src · x^power for one residue in coefficient form, power in [0, 2N).</summary>
    public static void MultiplyByMonomialResidue(ReadOnlySpan<ulong> src, Span<ulong> dst, int power, Modulus mod)
    {
        int n = src.Length;
        Debug.Assert(power >= 0 && power < 2 * n);
        bool flip = power >= n;
        int shift = power % n;
        for (int j = 0; j < n; j++)
        {
            int target = j + shift;
            bool negate = flip;
            if (target >= n)
            {
                target -= n;
                negate = !negate;
            }

            dst[target] = negate ? mod.Negate(src[j]) : src[j];
        }
    }

    /// <summary>Generates the Galois key for element g (odd, below 2N).</summary>
    public static BfvGaloisKey GenerateGaloisKey(BfvContext ctx, BfvSecretKey sk, uint galoisElement)
    {
        int n = ctx.N;
        int k = ctx.K;
        int all = k + 1;
        var rotated = ApplyGaloisSmall(sk.Coefficients, galoisElement);
        var seed = SeededUniform.NewSeed();
        var b = new ulong[k][];
        var a = new ulong[k][];
        var message = new ulong[all * n];
        for (int digit = 0; digit < k; digit++)
        {
            Array.Clear(message);
            var mod = ctx.Moduli[digit];
            ulong pModQ = ctx.SpecialMod[digit];
            var r = message.AsSpan(digit * n, n);
            for (int j = 0; j < n; j++)
            {
                ulong v = rotated[j] >= 0 ? (ulong)rotated[j] : mod.Value - (ulong)(-rotated[j]);
                r[j] = mod.Mul(v, pModQ);
            }

            b[digit] = new ulong[all * n];
            a[digit] = new ulong[all * n];
            EncryptRaw(ctx, sk, message, all, seed, digit, b[digit], a[digit]);
            ctx.ToNtt(b[digit], all);
        }

        Array.Clear(message);
        Array.Clear(rotated);
        return new BfvGaloisKey(galoisElement, seed, b, a);
    }

    /// <summary>
    /// Key switching of one polynomial c (coefficient form, all k primes) from σ_g(s) to s: decompose
    /// c into its residues, take the inner product with the key modulo q·P in NTT form, then divide by P
    /// with rounding. Adds the result to (out0, out1) in coefficient form.
    /// </summary>
    public static void KeySwitchAdd(BfvContext ctx, ReadOnlySpan<ulong> c, BfvGaloisKey key, Span<ulong> out0, Span<ulong> out1)
    {
        int n = ctx.N;
        int k = ctx.K;
        int all = k + 1;
        var scratch = Scratch.Get(Scratch.KeySwitch, ((2 * all) + 1) * n);
        var acc0 = scratch.AsSpan(0, all * n);
        var acc1 = scratch.AsSpan(all * n, all * n);
        var digit = scratch.AsSpan(2 * all * n, n);
        acc0.Clear();
        acc1.Clear();
        var path = KernelPaths.Best;
        for (int i = 0; i < k; i++)
        {
            var ci = c.Slice(i * n, n);
            for (int j = 0; j < all; j++)
            {
                if (j == i)
                {
                    ci.CopyTo(digit);
                }
                else
                {
                    RnsKernels.Reduce(ci, digit, ctx.Moduli[j], path);
                }

                Ntt.Forward(digit, ctx.Tables[j]);
                PolyKernels.MulAccumulate(digit, key.B[i].AsSpan(j * n, n), acc0.Slice(j * n, n));
                PolyKernels.MulAccumulate(digit, key.A[i].AsSpan(j * n, n), acc1.Slice(j * n, n));
            }
        }

        for (int j = 0; j < all; j++)
        {
            var mod = ctx.Moduli[j];
            var r0 = acc0.Slice(j * n, n);
            var r1 = acc1.Slice(j * n, n);
            PolyKernels.ReduceWide(r0, r0, mod);
            PolyKernels.ReduceWide(r1, r1, mod);
            Ntt.Inverse(r0, ctx.Tables[j]);
            Ntt.Inverse(r1, ctx.Tables[j]);
        }

        // out += round(acc / P), residue by residue.
        for (int j = 0; j < k; j++)
        {
            var mod = ctx.Moduli[j];
            RnsKernels.DivideRound(acc0.Slice(j * n, n), acc0.Slice(k * n, n), out0.Slice(j * n, n), accumulate: true, mod, ctx.Special.Value, ctx.SpecialInverse[j], path);
            RnsKernels.DivideRound(acc1.Slice(j * n, n), acc1.Slice(k * n, n), out1.Slice(j * n, n), accumulate: true, mod, ctx.Special.Value, ctx.SpecialInverse[j], path);
        }
    }

    /// <summary>σ_g(ct) re-encrypted under s: (σ(c0) + ks0, ks1), all in coefficient form at the top level.</summary>
    public static BfvCiphertext ApplyGalois(BfvContext ctx, BfvCiphertext ct, BfvGaloisKey key)
    {
        var result = new BfvCiphertext(ctx.N, ct.Primes, isNtt: false);
        ApplyGalois(ctx, ct, key, result.C0, result.C1);
        return result;
    }

    /// <summary>As <see cref="ApplyGalois(BfvContext, BfvCiphertext, BfvGaloisKey)"/>, writing into caller-owned polynomials.</summary>
    public static void ApplyGalois(BfvContext ctx, BfvCiphertext ct, BfvGaloisKey key, Span<ulong> out0, Span<ulong> out1)
    {
        Debug.Assert(!ct.IsNtt && ct.Primes == ctx.K);
        int n = ctx.N;
        var rotated1 = Scratch.Get(Scratch.Galois, ct.Primes * n).AsSpan(0, ct.Primes * n);
        for (int i = 0; i < ct.Primes; i++)
        {
            ApplyGaloisResidue(ct.C0.Slice(i * n, n), out0.Slice(i * n, n), key.GaloisElement, ctx.Moduli[i]);
            ApplyGaloisResidue(ct.C1.Slice(i * n, n), rotated1.Slice(i * n, n), key.GaloisElement, ctx.Moduli[i]);
        }

        out1[..(ct.Primes * n)].Clear();
        KeySwitchAdd(ctx, rotated1, key, out0, out1);
    }

    /// <summary>
    /// σ_g(ct) re-encrypted under s with ct and the result in NTT form: the automorphism is a slot
    /// permutation, and only what key switching must see in coefficient form is transformed
    /// (the digits, and the P residue of the rounded division). Same result as the coefficient-form path.
    /// </summary>
    public static void ApplyGaloisNtt(BfvContext ctx, BfvCiphertext ct, BfvGaloisKey key, Span<ulong> out0, Span<ulong> out1)
    {
        Debug.Assert(ct.IsNtt && ct.Primes == ctx.K);
        int n = ctx.N;
        int k = ctx.K;
        int all = k + 1;
        var perm = ctx.GaloisPermutation(key.GaloisElement);
        var scratch = Scratch.Get(Scratch.Galois, 2 * k * n);
        var rotated = scratch.AsSpan(0, k * n);
        var coefficients = scratch.AsSpan(k * n, k * n);
        for (int i = 0; i < k; i++)
        {
            var c0 = ct.C0.Slice(i * n, n);
            var c1 = ct.C1.Slice(i * n, n);
            var o0 = out0.Slice(i * n, n);
            var r1 = rotated.Slice(i * n, n);
            for (int x = 0; x < n; x++)
            {
                o0[x] = c0[perm[x]];
                r1[x] = c1[perm[x]];
            }
        }

        rotated.CopyTo(coefficients);
        ctx.FromNtt(coefficients, k);

        var ks = Scratch.Get(Scratch.KeySwitch, ((2 * all) + 1) * n);
        var acc0 = ks.AsSpan(0, all * n);
        var acc1 = ks.AsSpan(all * n, all * n);
        var digit = ks.AsSpan(2 * all * n, n);
        acc0.Clear();
        acc1.Clear();
        var path = KernelPaths.Best;
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < all; j++)
            {
                if (j == i)
                {
                    rotated.Slice(i * n, n).CopyTo(digit);
                }
                else
                {
                    RnsKernels.Reduce(coefficients.Slice(i * n, n), digit, ctx.Moduli[j], path);
                    Ntt.Forward(digit, ctx.Tables[j]);
                }

                PolyKernels.MulAccumulate(digit, key.B[i].AsSpan(j * n, n), acc0.Slice(j * n, n));
                PolyKernels.MulAccumulate(digit, key.A[i].AsSpan(j * n, n), acc1.Slice(j * n, n));
            }
        }

        for (int j = 0; j < all; j++)
        {
            var mod = ctx.Moduli[j];
            PolyKernels.ReduceWide(acc0.Slice(j * n, n), acc0.Slice(j * n, n), mod);
            PolyKernels.ReduceWide(acc1.Slice(j * n, n), acc1.Slice(j * n, n), mod);
        }

        // round(acc / P) in NTT form: (acc_j − [acc]_P centered) · P^-1, where only the P residue needs
        // the coefficient domain: −[acc]_P · P^-1 is formed there and transformed back per prime.
        var accP0 = acc0.Slice(k * n, n);
        var accP1 = acc1.Slice(k * n, n);
        Ntt.Inverse(accP0, ctx.Tables[k]);
        Ntt.Inverse(accP1, ctx.Tables[k]);
        var zero = Scratch.Get(Scratch.Correction, 2 * n).AsSpan(0, 2 * n);
        var zeros = zero[..n];
        var correction = zero[n..];
        zeros.Clear();
        out1[..(k * n)].Clear();
        for (int poly = 0; poly < 2; poly++)
        {
            var acc = poly == 0 ? acc0 : acc1;
            var output = poly == 0 ? out0 : out1;
            var accP = poly == 0 ? accP0 : accP1;
            for (int j = 0; j < k; j++)
            {
                var mod = ctx.Moduli[j];
                RnsKernels.DivideRound(zeros, accP, correction, accumulate: false, mod, ctx.Special.Value, ctx.SpecialInverse[j], path);
                Ntt.Forward(correction, ctx.Tables[j]);
                var accJ = acc.Slice(j * n, n);
                PolyKernels.MulScalar(accJ, ctx.SpecialInverse[j], mod);
                PolyKernels.Add(accJ, correction, accJ, mod);
                var oj = output.Slice(j * n, n);
                PolyKernels.Add(oj, accJ, oj, mod);
            }
        }
    }

    /// <summary>
    /// Modulus switching to q_0, in place on c0 ‖ c1 in coefficient form (each <paramref name="primes"/>
    /// residues of N values): drops primes primes−1 … 1 one at a time, c ↦ (c − [c]_(q_last)) / q_last
    /// with the residue taken centered so each division rounds to nearest. Residue 0 of each
    /// polynomial then holds the ciphertext modulo q_0. The one modulus switch of the engine: the
    /// lattice server's replies and <see cref="ModSwitchToFirst"/> both run it.
    /// </summary>
    public static void ModSwitchToFirstInPlace(BfvContext ctx, Span<ulong> ciphertext, int primes, KernelPath path)
    {
        Debug.Assert(ciphertext.Length == 2 * primes * ctx.N && primes <= ctx.K);
        int n = ctx.N;
        for (int poly = 0; poly < 2; poly++)
        {
            var x = ciphertext.Slice(poly * primes * n, primes * n);
            for (int level = primes; level >= 2; level--)
            {
                var last = x.Slice((level - 1) * n, n);
                for (int j = 0; j < level - 1; j++)
                {
                    var xj = x.Slice(j * n, n);
                    RnsKernels.DivideRound(xj, last, xj, accumulate: false, ctx.Moduli[j], ctx.Moduli[level - 1].Value, ctx.LastInverse[level][j], path);
                }
            }
        }
    }

    /// <summary>A copy of <paramref name="ct"/> (coefficient form) modulus-switched down to the single prime q_0.</summary>
    public static BfvCiphertext ModSwitchToFirst(BfvContext ctx, BfvCiphertext ct, KernelPath path)
    {
        Debug.Assert(!ct.IsNtt);
        int n = ctx.N;
        var work = (ulong[])ct.Data.Clone();
        ModSwitchToFirstInPlace(ctx, work, ct.Primes, path);
        var result = new BfvCiphertext(n, 1, isNtt: false);
        work.AsSpan(0, n).CopyTo(result.C0);
        work.AsSpan(ct.Primes * n, n).CopyTo(result.C1);
        return result;
    }
}

/// <summary>Per-thread scratch buffers, one per use, so hot paths allocate nothing on the large-object heap.</summary>
internal static class Scratch
{
    public const int KeySwitch = 0;
    public const int Galois = 1;
    public const int Expansion = 2;
    public const int Correction = 3;

    [ThreadStatic]
    private static ulong[]?[]? _buffers;

    public static ulong[] Get(int slot, int length)
    {
        var all = _buffers ??= new ulong[4][];
        var b = all[slot];
        if (b is null || b.Length < length)
        {
            b = new ulong[length];
            all[slot] = b;
        }

        return b;
    }
}
