using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// Twiddle tables of the negacyclic NTT of length N modulo one prime p ≡ 1 (mod 2N): powers of a
/// primitive 2N-th root ψ in bit-reversed order (Longa–Naehrig layout, as in SEAL), with Shoup
/// companions. Tables are padded by eight entries so vector loads near the end stay in bounds.
/// </summary>
internal sealed class NttTables
{
    public NttTables(Modulus modulus, int n)
    {
        Debug.Assert(n >= 16 && (n & (n - 1)) == 0);
        Debug.Assert((modulus.Value - 1) % (2UL * (ulong)n) == 0);
        Modulus = modulus;
        N = n;
        LogN = System.Numerics.BitOperations.Log2((uint)n);
        Psi = NttPrimes.MinimalPrimitiveRoot(modulus, n);
        ulong psiInv = modulus.Inverse(Psi);
        Roots = new ulong[n + 8];
        RootsShoup = new ulong[n + 8];
        InvRoots = new ulong[n + 8];
        InvRootsShoup = new ulong[n + 8];
        for (int i = 0; i < n; i++)
        {
            ulong e = ReverseBits((uint)i, LogN);
            Roots[i] = modulus.Pow(Psi, e);
            RootsShoup[i] = modulus.ShoupOf(Roots[i]);
            InvRoots[i] = modulus.Pow(psiInv, e);
            InvRootsShoup[i] = modulus.ShoupOf(InvRoots[i]);
        }

        NInv = modulus.Inverse((ulong)n);
        NInvShoup = modulus.ShoupOf(NInv);
    }

    public Modulus Modulus { get; }

    public int N { get; }

    public int LogN { get; }

    /// <summary>The primitive 2N-th root of unity ψ the tables are built from.</summary>
    public ulong Psi { get; }

    public ulong[] Roots { get; }

    public ulong[] RootsShoup { get; }

    public ulong[] InvRoots { get; }

    public ulong[] InvRootsShoup { get; }

    public ulong NInv { get; }

    public ulong NInvShoup { get; }

    public static uint ReverseBits(uint value, int bits) =>
        bits == 0 ? 0 : ReverseAll(value) >> (32 - bits);

    private static uint ReverseAll(uint v)
    {
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
        return (v >> 16) | (v << 16);
    }
}

/// <summary>
/// The negacyclic number-theoretic transform over Z_p[x]/(x^N + 1) with Harvey's lazy butterflies:
/// forward (Cooley–Tukey) values stay in [0, 4p), inverse (Gentleman–Sande) in [0, 2p); one
/// correction pass at the end returns [0, p). The output of <see cref="Forward(Span{ulong}, NttTables)"/>
/// is in bit-reversed order, which pointwise products do not care about.
/// </summary>
internal static class Ntt
{
    /// <summary>In-place forward transform of one residue polynomial with coefficients in [0, p).</summary>
    public static void Forward(Span<ulong> a, NttTables tables) => Forward(a, tables, KernelPaths.Best);

    /// <summary>In-place inverse transform (including the 1/N scaling), coefficients in [0, p).</summary>
    public static void Inverse(Span<ulong> a, NttTables tables) => Inverse(a, tables, KernelPaths.Best);

    public static unsafe void Forward(Span<ulong> a, NttTables tables, KernelPath path)
    {
        Debug.Assert(a.Length == tables.N);
        fixed (ulong* pa = a)
        fixed (ulong* roots = tables.Roots)
        fixed (ulong* shoup = tables.RootsShoup)
        {
            switch (path)
            {
                case KernelPath.Vector512:
                    Forward512(pa, roots, shoup, tables);
                    break;
                case KernelPath.Vector256:
                    Forward256(pa, roots, shoup, tables);
                    break;
                default:
                    ForwardStagesScalar(pa, roots, shoup, tables);
                    break;
            }
        }

        PolyKernels.CorrectFrom4p(a, tables.Modulus, path);
    }

    public static unsafe void Inverse(Span<ulong> a, NttTables tables, KernelPath path)
    {
        Debug.Assert(a.Length == tables.N);
        fixed (ulong* pa = a)
        fixed (ulong* roots = tables.InvRoots)
        fixed (ulong* shoup = tables.InvRootsShoup)
        {
            switch (path)
            {
                case KernelPath.Vector512:
                    Inverse512(pa, roots, shoup, tables);
                    break;
                case KernelPath.Vector256:
                    Inverse256(pa, roots, shoup, tables);
                    break;
                default:
                    InverseStagesScalar(pa, roots, shoup, tables, 1);
                    break;
            }
        }

        PolyKernels.MulScalarShoup(a, tables.NInv, tables.NInvShoup, tables.Modulus, path);
    }

    // All forward stages, scalar: the specification the vector paths must match. Stage m has m groups of 2t elements.
    private static unsafe void ForwardStagesScalar(ulong* a, ulong* roots, ulong* shoup, NttTables tables)
    {
        unchecked
        {
            ulong p = tables.Modulus.Value;
            ulong twoP = 2 * p;
            int n = tables.N;
            int t = n;
            for (int m = 1; m < n; m <<= 1)
            {
                t >>= 1;
                for (int i = 0; i < m; i++)
                {
                    ulong w = roots[m + i];
                    ulong ws = shoup[m + i];
                    ulong* x = a + (2 * i * t);
                    ulong* y = x + t;
                    for (int j = 0; j < t; j++)
                    {
                        ulong u = x[j];
                        u = Math.Min(u, u - twoP);
                        ulong v = y[j];
                        ulong q = (w * v) - (((ws * v) >> 32) * p);
                        x[j] = u + q;
                        y[j] = u - q + twoP;
                    }
                }
            }
        }
    }

    // Inverse stages from half-distance tStart up to N/2, scalar.
    private static unsafe void InverseStagesScalar(ulong* a, ulong* roots, ulong* shoup, NttTables tables, int tStart)
    {
        unchecked
        {
            ulong p = tables.Modulus.Value;
            ulong twoP = 2 * p;
            int n = tables.N;
            for (int t = tStart; t < n; t <<= 1)
            {
                int h = n / (2 * t);
                for (int i = 0; i < h; i++)
                {
                    ulong w = roots[h + i];
                    ulong ws = shoup[h + i];
                    ulong* x = a + (2 * i * t);
                    ulong* y = x + t;
                    for (int j = 0; j < t; j++)
                    {
                        ulong u = x[j];
                        ulong v = y[j];
                        ulong s = u + v;
                        x[j] = Math.Min(s, s - twoP);
                        ulong d = u - v + twoP;
                        y[j] = (w * d) - (((ws * d) >> 32) * p);
                    }
                }
            }
        }
    }

    // One scalar inverse stage of half-distance t (used by the vector paths for the small stages).
    private static unsafe void InverseStageScalar(ulong* a, ulong* roots, ulong* shoup, NttTables tables, int t)
    {
        unchecked
        {
            ulong p = tables.Modulus.Value;
            ulong twoP = 2 * p;
            int h = tables.N / (2 * t);
            for (int i = 0; i < h; i++)
            {
                ulong w = roots[h + i];
                ulong ws = shoup[h + i];
                ulong* x = a + (2 * i * t);
                ulong* y = x + t;
                for (int j = 0; j < t; j++)
                {
                    ulong u = x[j];
                    ulong v = y[j];
                    ulong s = u + v;
                    x[j] = Math.Min(s, s - twoP);
                    ulong d = u - v + twoP;
                    y[j] = (w * d) - (((ws * d) >> 32) * p);
                }
            }
        }
    }

    // One scalar forward stage of half-distance t.
    private static unsafe void ForwardStageScalar(ulong* a, ulong* roots, ulong* shoup, NttTables tables, int t)
    {
        unchecked
        {
            ulong p = tables.Modulus.Value;
            ulong twoP = 2 * p;
            int m = tables.N / (2 * t);
            for (int i = 0; i < m; i++)
            {
                ulong w = roots[m + i];
                ulong ws = shoup[m + i];
                ulong* x = a + (2 * i * t);
                ulong* y = x + t;
                for (int j = 0; j < t; j++)
                {
                    ulong u = x[j];
                    u = Math.Min(u, u - twoP);
                    ulong v = y[j];
                    ulong q = (w * v) - (((ws * v) >> 32) * p);
                    x[j] = u + q;
                    y[j] = u - q + twoP;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Shoup512(Vector512<ulong> y, Vector512<ulong> w, Vector512<ulong> ws, Vector512<ulong> p)
    {
        var hi = Lanes.Mul32(ws, y) >>> 32;
        return Lanes.Mul32(w, y) - Lanes.Mul32(hi, p);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Shoup256(Vector256<ulong> y, Vector256<ulong> w, Vector256<ulong> ws, Vector256<ulong> p)
    {
        var hi = Lanes.Mul32(ws, y) >>> 32;
        return Lanes.Mul32(w, y) - Lanes.Mul32(hi, p);
    }

    private static readonly Vector512<ulong> PartnerT1 = Vector512.Create(1UL, 0, 3, 2, 5, 4, 7, 6);
    private static readonly Vector512<ulong> PartnerT2 = Vector512.Create(2UL, 3, 0, 1, 6, 7, 4, 5);
    private static readonly Vector512<ulong> PartnerT4 = Vector512.Create(4UL, 5, 6, 7, 0, 1, 2, 3);
    private static readonly Vector512<ulong> TwiddleT1 = Vector512.Create(0UL, 0, 1, 1, 2, 2, 3, 3);
    private static readonly Vector512<ulong> TwiddleT2 = Vector512.Create(0UL, 0, 0, 0, 1, 1, 1, 1);
    private static readonly Vector512<ulong> TopT1 = Vector512.Create(ulong.MaxValue, 0, ulong.MaxValue, 0, ulong.MaxValue, 0, ulong.MaxValue, 0);
    private static readonly Vector512<ulong> TopT2 = Vector512.Create(ulong.MaxValue, ulong.MaxValue, 0, 0, ulong.MaxValue, ulong.MaxValue, 0, 0);
    private static readonly Vector512<ulong> TopT4 = Vector512.Create(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, 0, 0, 0, 0);

    private static unsafe void Forward512(ulong* a, ulong* roots, ulong* shoup, NttTables tables)
    {
        unchecked
        {
            var p = Vector512.Create(tables.Modulus.Value);
            var twoP = p + p;
            int n = tables.N;
            int t = n;
            for (int m = 1; t > 8; m <<= 1)
            {
                t >>= 1;
                for (int i = 0; i < m; i++)
                {
                    var w = Vector512.Create(roots[m + i]);
                    var ws = Vector512.Create(shoup[m + i]);
                    ulong* x = a + (2 * i * t);
                    ulong* y = x + t;
                    for (int j = 0; j < t; j += 8)
                    {
                        var u = Vector512.Load(x + j);
                        u = Vector512.Min(u, u - twoP);
                        var q = Shoup512(Vector512.Load(y + j), w, ws, p);
                        (u + q).Store(x + j);
                        (u - q + twoP).Store(y + j);
                    }
                }
            }

            // Stages t = 4, 2, 1 work inside one vector: each lane fetches its partner with a permute
            // and computes the whole butterfly, then keeps the half that belongs to it.
            SmallForward512(a, roots, shoup, n, 4, PartnerT4, Vector512<ulong>.Zero, TopT4, p, twoP);
            SmallForward512(a, roots, shoup, n, 2, PartnerT2, TwiddleT2, TopT2, p, twoP);
            SmallForward512(a, roots, shoup, n, 1, PartnerT1, TwiddleT1, TopT1, p, twoP);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void SmallForward512(
        ulong* a, ulong* roots, ulong* shoup, int n, int t,
        Vector512<ulong> partnerIndex, Vector512<ulong> twiddleIndex, Vector512<ulong> top,
        Vector512<ulong> p, Vector512<ulong> twoP)
    {
        unchecked
        {
            int m = n / (2 * t);
            for (int b = 0; b < n; b += 8)
            {
                int g = m + (b / (2 * t));
                var w = Vector512.Shuffle(Vector512.Load(roots + g), twiddleIndex);
                var ws = Vector512.Shuffle(Vector512.Load(shoup + g), twiddleIndex);
                var v = Vector512.Load(a + b);
                var partner = Vector512.Shuffle(v, partnerIndex);
                var x = Vector512.ConditionalSelect(top, v, partner);
                var y = Vector512.ConditionalSelect(top, partner, v);
                x = Vector512.Min(x, x - twoP);
                var q = Shoup512(y, w, ws, p);
                Vector512.ConditionalSelect(top, x + q, x - q + twoP).Store(a + b);
            }
        }
    }

    private static unsafe void Inverse512(ulong* a, ulong* roots, ulong* shoup, NttTables tables)
    {
        unchecked
        {
            var p = Vector512.Create(tables.Modulus.Value);
            var twoP = p + p;
            int n = tables.N;
            SmallInverse512(a, roots, shoup, n, 1, PartnerT1, TwiddleT1, TopT1, p, twoP);
            SmallInverse512(a, roots, shoup, n, 2, PartnerT2, TwiddleT2, TopT2, p, twoP);
            SmallInverse512(a, roots, shoup, n, 4, PartnerT4, Vector512<ulong>.Zero, TopT4, p, twoP);
            for (int t = 8; t < n; t <<= 1)
            {
                int h = n / (2 * t);
                for (int i = 0; i < h; i++)
                {
                    var w = Vector512.Create(roots[h + i]);
                    var ws = Vector512.Create(shoup[h + i]);
                    ulong* x = a + (2 * i * t);
                    ulong* y = x + t;
                    for (int j = 0; j < t; j += 8)
                    {
                        var u = Vector512.Load(x + j);
                        var v = Vector512.Load(y + j);
                        var s = u + v;
                        Vector512.Min(s, s - twoP).Store(x + j);
                        Shoup512(u - v + twoP, w, ws, p).Store(y + j);
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void SmallInverse512(
        ulong* a, ulong* roots, ulong* shoup, int n, int t,
        Vector512<ulong> partnerIndex, Vector512<ulong> twiddleIndex, Vector512<ulong> top,
        Vector512<ulong> p, Vector512<ulong> twoP)
    {
        unchecked
        {
            int h = n / (2 * t);
            for (int b = 0; b < n; b += 8)
            {
                int g = h + (b / (2 * t));
                var w = Vector512.Shuffle(Vector512.Load(roots + g), twiddleIndex);
                var ws = Vector512.Shuffle(Vector512.Load(shoup + g), twiddleIndex);
                var v = Vector512.Load(a + b);
                var partner = Vector512.Shuffle(v, partnerIndex);
                var x = Vector512.ConditionalSelect(top, v, partner);
                var y = Vector512.ConditionalSelect(top, partner, v);
                var s = x + y;
                s = Vector512.Min(s, s - twoP);
                var d = Shoup512(x - y + twoP, w, ws, p);
                Vector512.ConditionalSelect(top, s, d).Store(a + b);
            }
        }
    }

    private static unsafe void Forward256(ulong* a, ulong* roots, ulong* shoup, NttTables tables)
    {
        unchecked
        {
            var p = Vector256.Create(tables.Modulus.Value);
            var twoP = p + p;
            int n = tables.N;
            int t = n;
            for (int m = 1; t > 4; m <<= 1)
            {
                t >>= 1;
                for (int i = 0; i < m; i++)
                {
                    var w = Vector256.Create(roots[m + i]);
                    var ws = Vector256.Create(shoup[m + i]);
                    ulong* x = a + (2 * i * t);
                    ulong* y = x + t;
                    for (int j = 0; j < t; j += 4)
                    {
                        var u = Vector256.Load(x + j);
                        u = Lanes.CondSub(u, twoP);
                        var q = Shoup256(Vector256.Load(y + j), w, ws, p);
                        (u + q).Store(x + j);
                        (u - q + twoP).Store(y + j);
                    }
                }
            }

            if (Avx2.IsSupported)
            {
                ForwardTail256(a, roots, shoup, n, p, twoP);
            }
            else
            {
                ForwardStageScalar(a, roots, shoup, tables, 2);
                ForwardStageScalar(a, roots, shoup, tables, 1);
            }
        }
    }

    private static unsafe void Inverse256(ulong* a, ulong* roots, ulong* shoup, NttTables tables)
    {
        unchecked
        {
            var p = Vector256.Create(tables.Modulus.Value);
            var twoP = p + p;
            int n = tables.N;
            if (Avx2.IsSupported)
            {
                InverseHead256(a, roots, shoup, n, p, twoP);
            }
            else
            {
                InverseStageScalar(a, roots, shoup, tables, 1);
                InverseStageScalar(a, roots, shoup, tables, 2);
            }
            for (int t = 4; t < n; t <<= 1)
            {
                int h = n / (2 * t);
                for (int i = 0; i < h; i++)
                {
                    var w = Vector256.Create(roots[h + i]);
                    var ws = Vector256.Create(shoup[h + i]);
                    ulong* x = a + (2 * i * t);
                    ulong* y = x + t;
                    for (int j = 0; j < t; j += 4)
                    {
                        var u = Vector256.Load(x + j);
                        var v = Vector256.Load(y + j);
                        var s = u + v;
                        Lanes.CondSub(s, twoP).Store(x + j);
                        Shoup256(u - v + twoP, w, ws, p).Store(y + j);
                    }
                }
            }
        }
    }

    // Stages t = 2 and t = 1 on AVX2, two vectors (eight values) at a time: the butterfly inputs are
    // regrouped so each lane computes one butterfly (t = 2: 128-bit halves; t = 1: unpack lo/hi),
    // with the twiddles permuted to match, then regrouped back.
    private static unsafe void ForwardTail256(ulong* a, ulong* roots, ulong* shoup, int n, Vector256<ulong> p, Vector256<ulong> twoP)
    {
        unchecked
        {
            int m = n / 4;
            for (int b = 0; b < n; b += 8)
            {
                int g = m + (b / 4);
                var w = Avx2.Permute4x64(Vector256.Load(roots + g), 0b01_01_00_00);
                var ws = Avx2.Permute4x64(Vector256.Load(shoup + g), 0b01_01_00_00);
                var v0 = Vector256.Load(a + b);
                var v1 = Vector256.Load(a + b + 4);
                var x = Avx2.Permute2x128(v0, v1, 0x20);
                var y = Avx2.Permute2x128(v0, v1, 0x31);
                x = Lanes.CondSub(x, twoP);
                var q = Shoup256(y, w, ws, p);
                var xo = x + q;
                var yo = x - q + twoP;
                Avx2.Permute2x128(xo, yo, 0x20).Store(a + b);
                Avx2.Permute2x128(xo, yo, 0x31).Store(a + b + 4);
            }

            m = n / 2;
            for (int b = 0; b < n; b += 8)
            {
                int g = m + (b / 2);
                var w = Avx2.Permute4x64(Vector256.Load(roots + g), 0b11_01_10_00);
                var ws = Avx2.Permute4x64(Vector256.Load(shoup + g), 0b11_01_10_00);
                var v0 = Vector256.Load(a + b);
                var v1 = Vector256.Load(a + b + 4);
                var x = Avx2.UnpackLow(v0, v1);
                var y = Avx2.UnpackHigh(v0, v1);
                x = Lanes.CondSub(x, twoP);
                var q = Shoup256(y, w, ws, p);
                var xo = x + q;
                var yo = x - q + twoP;
                Avx2.UnpackLow(xo, yo).Store(a + b);
                Avx2.UnpackHigh(xo, yo).Store(a + b + 4);
            }
        }
    }

    private static unsafe void InverseHead256(ulong* a, ulong* roots, ulong* shoup, int n, Vector256<ulong> p, Vector256<ulong> twoP)
    {
        unchecked
        {
            int h = n / 2;
            for (int b = 0; b < n; b += 8)
            {
                int g = h + (b / 2);
                var w = Avx2.Permute4x64(Vector256.Load(roots + g), 0b11_01_10_00);
                var ws = Avx2.Permute4x64(Vector256.Load(shoup + g), 0b11_01_10_00);
                var v0 = Vector256.Load(a + b);
                var v1 = Vector256.Load(a + b + 4);
                var x = Avx2.UnpackLow(v0, v1);
                var y = Avx2.UnpackHigh(v0, v1);
                var s = x + y;
                s = Lanes.CondSub(s, twoP);
                var d = Shoup256(x - y + twoP, w, ws, p);
                Avx2.UnpackLow(s, d).Store(a + b);
                Avx2.UnpackHigh(s, d).Store(a + b + 4);
            }

            h = n / 4;
            for (int b = 0; b < n; b += 8)
            {
                int g = h + (b / 4);
                var w = Avx2.Permute4x64(Vector256.Load(roots + g), 0b01_01_00_00);
                var ws = Avx2.Permute4x64(Vector256.Load(shoup + g), 0b01_01_00_00);
                var v0 = Vector256.Load(a + b);
                var v1 = Vector256.Load(a + b + 4);
                var x = Avx2.Permute2x128(v0, v1, 0x20);
                var y = Avx2.Permute2x128(v0, v1, 0x31);
                var s = x + y;
                s = Lanes.CondSub(s, twoP);
                var d = Shoup256(x - y + twoP, w, ws, p);
                Avx2.Permute2x128(s, d, 0x20).Store(a + b);
                Avx2.Permute2x128(s, d, 0x31).Store(a + b + 4);
            }
        }
    }
}
