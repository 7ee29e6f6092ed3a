using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// Coefficient-wise kernels on residue polynomials modulo one prime p (see <see cref="Modulus"/>):
/// inputs and outputs are in [0, p) unless a method says otherwise. Each has a scalar loop (the
/// specification) and Vector512/Vector256 loops that do the same integer steps, with scalar tails.
/// </summary>
internal static unsafe class PolyKernels
{
    /// <summary>dst = (a + b) mod p.</summary>
    public static void Add(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> dst, Modulus mod) =>
        Add(a, b, dst, mod, KernelPaths.Best);

    public static void Add(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> dst, Modulus mod, KernelPath path)
    {
        Debug.Assert(a.Length == dst.Length && b.Length == dst.Length);
        unchecked
        {
            ulong pv = mod.Value;
            int n = dst.Length;
            int i = 0;
            fixed (ulong* pa = a)
            fixed (ulong* pb = b)
            fixed (ulong* pd = dst)
            {
                if (path == KernelPath.Vector512)
                {
                    var p = Vector512.Create(pv);
                    for (; i + 8 <= n; i += 8)
                    {
                        var s = Vector512.Load(pa + i) + Vector512.Load(pb + i);
                        Vector512.Min(s, s - p).Store(pd + i);
                    }
                }
                else if (path == KernelPath.Vector256)
                {
                    var p = Vector256.Create(pv);
                    for (; i + 4 <= n; i += 4)
                    {
                        var s = Vector256.Load(pa + i) + Vector256.Load(pb + i);
                        Lanes.CondSub(s, p).Store(pd + i);
                    }
                }

                for (; i < n; i++)
                {
                    ulong s = pa[i] + pb[i];
                    pd[i] = Math.Min(s, s - pv);
                }
            }
        }
    }

    /// <summary>dst = (a − b) mod p.</summary>
    public static void Sub(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> dst, Modulus mod) =>
        Sub(a, b, dst, mod, KernelPaths.Best);

    public static void Sub(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> dst, Modulus mod, KernelPath path)
    {
        Debug.Assert(a.Length == dst.Length && b.Length == dst.Length);
        unchecked
        {
            ulong pv = mod.Value;
            int n = dst.Length;
            int i = 0;
            fixed (ulong* pa = a)
            fixed (ulong* pb = b)
            fixed (ulong* pd = dst)
            {
                if (path == KernelPath.Vector512)
                {
                    var p = Vector512.Create(pv);
                    for (; i + 8 <= n; i += 8)
                    {
                        var s = Vector512.Load(pa + i) - Vector512.Load(pb + i) + p;
                        Vector512.Min(s, s - p).Store(pd + i);
                    }
                }
                else if (path == KernelPath.Vector256)
                {
                    var p = Vector256.Create(pv);
                    for (; i + 4 <= n; i += 4)
                    {
                        var s = Vector256.Load(pa + i) - Vector256.Load(pb + i) + p;
                        Lanes.CondSub(s, p).Store(pd + i);
                    }
                }

                for (; i < n; i++)
                {
                    ulong s = pa[i] - pb[i] + pv;
                    pd[i] = Math.Min(s, s - pv);
                }
            }
        }
    }

    /// <summary>dst = (a · b) mod p with Barrett reduction of the 60-bit products.</summary>
    public static void Mul(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> dst, Modulus mod) =>
        Mul(a, b, dst, mod, KernelPaths.Best);

    public static void Mul(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> dst, Modulus mod, KernelPath path)
    {
        Debug.Assert(a.Length == dst.Length && b.Length == dst.Length);
        unchecked
        {
            int n = dst.Length;
            int i = 0;
            fixed (ulong* pa = a)
            fixed (ulong* pb = b)
            fixed (ulong* pd = dst)
            {
                if (path == KernelPath.Vector512)
                {
                    var c = new Barrett512(mod);
                    for (; i + 8 <= n; i += 8)
                    {
                        var prod = Lanes.Mul32(Vector512.Load(pa + i), Vector512.Load(pb + i));
                        c.Reduce(prod).Store(pd + i);
                    }
                }
                else if (path == KernelPath.Vector256)
                {
                    var c = new Barrett256(mod);
                    for (; i + 4 <= n; i += 4)
                    {
                        var prod = Lanes.Mul32(Vector256.Load(pa + i), Vector256.Load(pb + i));
                        c.Reduce(prod).Store(pd + i);
                    }
                }

                for (; i < n; i++)
                {
                    pd[i] = mod.Reduce(pa[i] * pb[i]);
                }
            }
        }
    }

    /// <summary>
    /// acc += a · b without reduction. Each product is below p² &lt; 2^60, so a caller may add up
    /// to fifteen products onto a reduced accumulator before it must fold or reduce.
    /// </summary>
    public static void MulAccumulate(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> acc) =>
        MulAccumulate(a, b, acc, KernelPaths.Best);

    public static void MulAccumulate(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> acc, KernelPath path)
    {
        Debug.Assert(a.Length == acc.Length && b.Length == acc.Length);
        unchecked
        {
            int n = acc.Length;
            int i = 0;
            fixed (ulong* pa = a)
            fixed (ulong* pb = b)
            fixed (ulong* pd = acc)
            {
                if (path == KernelPath.Vector512)
                {
                    for (; i + 8 <= n; i += 8)
                    {
                        var prod = Lanes.Mul32(Vector512.Load(pa + i), Vector512.Load(pb + i));
                        (Vector512.Load(pd + i) + prod).Store(pd + i);
                    }
                }
                else if (path == KernelPath.Vector256)
                {
                    for (; i + 4 <= n; i += 4)
                    {
                        var prod = Lanes.Mul32(Vector256.Load(pa + i), Vector256.Load(pb + i));
                        (Vector256.Load(pd + i) + prod).Store(pd + i);
                    }
                }

                for (; i < n; i++)
                {
                    pd[i] += pa[i] * pb[i];
                }
            }
        }
    }

    /// <summary>dst = acc mod p for any 64-bit accumulator values (two folds, then Barrett).</summary>
    public static void ReduceWide(ReadOnlySpan<ulong> acc, Span<ulong> dst, Modulus mod) =>
        ReduceWide(acc, dst, mod, KernelPaths.Best);

    public static void ReduceWide(ReadOnlySpan<ulong> acc, Span<ulong> dst, Modulus mod, KernelPath path)
    {
        Debug.Assert(acc.Length == dst.Length);
        unchecked
        {
            int n = dst.Length;
            int i = 0;
            fixed (ulong* pa = acc)
            fixed (ulong* pd = dst)
            {
                if (path == KernelPath.Vector512)
                {
                    var c = new Barrett512(mod);
                    for (; i + 8 <= n; i += 8)
                    {
                        c.ReduceWide(Vector512.Load(pa + i)).Store(pd + i);
                    }
                }
                else if (path == KernelPath.Vector256)
                {
                    var c = new Barrett256(mod);
                    for (; i + 4 <= n; i += 4)
                    {
                        c.ReduceWide(Vector256.Load(pa + i)).Store(pd + i);
                    }
                }

                for (; i < n; i++)
                {
                    pd[i] = mod.ReduceWide(pa[i]);
                }
            }
        }
    }

    /// <summary>a = (a · w) mod p in place for a fixed w (Shoup); input values may be anywhere in [0, 2^32).</summary>
    public static void MulScalarShoup(Span<ulong> a, ulong w, ulong wShoup, Modulus mod, KernelPath path)
    {
        unchecked
        {
            ulong pv = mod.Value;
            int n = a.Length;
            int i = 0;
            fixed (ulong* pa = a)
            {
                if (path == KernelPath.Vector512)
                {
                    var p = Vector512.Create(pv);
                    var vw = Vector512.Create(w);
                    var vws = Vector512.Create(wShoup);
                    for (; i + 8 <= n; i += 8)
                    {
                        var y = Vector512.Load(pa + i);
                        var hi = Lanes.Mul32(vws, y) >>> 32;
                        var r = Lanes.Mul32(vw, y) - Lanes.Mul32(hi, p);
                        Vector512.Min(r, r - p).Store(pa + i);
                    }
                }
                else if (path == KernelPath.Vector256)
                {
                    var p = Vector256.Create(pv);
                    var vw = Vector256.Create(w);
                    var vws = Vector256.Create(wShoup);
                    for (; i + 4 <= n; i += 4)
                    {
                        var y = Vector256.Load(pa + i);
                        var hi = Lanes.Mul32(vws, y) >>> 32;
                        var r = Lanes.Mul32(vw, y) - Lanes.Mul32(hi, p);
                        Lanes.CondSub(r, p).Store(pa + i);
                    }
                }

                for (; i < n; i++)
                {
                    ulong r = mod.MulShoupLazy(pa[i], w, wShoup);
                    pa[i] = Math.Min(r, r - pv);
                }
            }
        }
    }

    /// <summary>a = (a · w) mod p in place, a in [0, p).</summary>
    public static void MulScalar(Span<ulong> a, ulong w, Modulus mod) =>
        MulScalarShoup(a, w, mod.ShoupOf(w), mod, KernelPaths.Best);

    /// <summary>Brings lazy values in [0, 4p) to [0, p).</summary>
    public static void CorrectFrom4p(Span<ulong> a, Modulus mod, KernelPath path)
    {
        unchecked
        {
            ulong pv = mod.Value;
            int n = a.Length;
            int i = 0;
            fixed (ulong* pa = a)
            {
                if (path == KernelPath.Vector512)
                {
                    var p = Vector512.Create(pv);
                    var twoP = p + p;
                    for (; i + 8 <= n; i += 8)
                    {
                        var v = Vector512.Load(pa + i);
                        v = Vector512.Min(v, v - twoP);
                        Vector512.Min(v, v - p).Store(pa + i);
                    }
                }
                else if (path == KernelPath.Vector256)
                {
                    var p = Vector256.Create(pv);
                    var twoP = p + p;
                    for (; i + 4 <= n; i += 4)
                    {
                        var v = Vector256.Load(pa + i);
                        v = Lanes.CondSub(v, twoP);
                        Lanes.CondSub(v, p).Store(pa + i);
                    }
                }

                for (; i < n; i++)
                {
                    ulong v = pa[i];
                    v = Math.Min(v, v - (2 * pv));
                    pa[i] = Math.Min(v, v - pv);
                }
            }
        }
    }

    /// <summary>Barrett constants of one modulus broadcast to Vector512 lanes; mirrors <see cref="Modulus.Reduce"/>.</summary>
    internal readonly struct Barrett512
    {
        private readonly Vector512<ulong> _p;
        private readonly Vector512<ulong> _twoP;
        private readonly Vector512<ulong> _mu;
        private readonly Vector512<ulong> _fold;
        private readonly int _shiftIn;
        private readonly int _shiftOut;

        public Barrett512(Modulus mod)
        {
            _p = Vector512.Create(mod.Value);
            _twoP = _p + _p;
            _mu = Vector512.Create(mod.BarrettMu);
            _fold = Vector512.Create(mod.Fold32);
            _shiftIn = mod.Bits - 1;
            _shiftOut = mod.Bits + 1;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<ulong> Reduce(Vector512<ulong> x)
        {
            var q = Lanes.Mul32((x >>> _shiftIn), _mu) >>> _shiftOut;
            var r = x - Lanes.Mul32(q, _p);
            r = Vector512.Min(r, r - _twoP);
            return Vector512.Min(r, r - _p);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<ulong> Fold(Vector512<ulong> x) =>
            Lanes.Mul32((x >>> 32), _fold) + (x & Vector512.Create(0xFFFF_FFFFUL));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<ulong> ReduceWide(Vector512<ulong> x) => Reduce(Fold(Fold(x)));
    }

    /// <summary>Barrett constants broadcast to Vector256 lanes; mirrors <see cref="Modulus.Reduce"/>.</summary>
    internal readonly struct Barrett256
    {
        private readonly Vector256<ulong> _p;
        private readonly Vector256<ulong> _twoP;
        private readonly Vector256<ulong> _mu;
        private readonly Vector256<ulong> _fold;
        private readonly int _shiftIn;
        private readonly int _shiftOut;

        public Barrett256(Modulus mod)
        {
            _p = Vector256.Create(mod.Value);
            _twoP = _p + _p;
            _mu = Vector256.Create(mod.BarrettMu);
            _fold = Vector256.Create(mod.Fold32);
            _shiftIn = mod.Bits - 1;
            _shiftOut = mod.Bits + 1;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<ulong> Reduce(Vector256<ulong> x)
        {
            var q = Lanes.Mul32((x >>> _shiftIn), _mu) >>> _shiftOut;
            var r = x - Lanes.Mul32(q, _p);
            r = Lanes.CondSub(r, _twoP);
            return Lanes.CondSub(r, _p);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<ulong> Fold(Vector256<ulong> x) =>
            Lanes.Mul32((x >>> 32), _fold) + (x & Vector256.Create(0xFFFF_FFFFUL));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<ulong> ReduceWide(Vector256<ulong> x) => Reduce(Fold(Fold(x)));
    }
}

/// <summary>
/// Kernels of the RNS basis changes: reducing residues modulo another prime, and the rounded
/// division by a dropped prime D that both key switching (D = P) and modulus switching (D = q_last) end with.
/// </summary>
internal static unsafe class RnsKernels
{
    /// <summary>dst = src mod q for src &lt; 2^32 (a residue of another prime, seen as an integer).</summary>
    public static void Reduce(ReadOnlySpan<ulong> src, Span<ulong> dst, Modulus mod, KernelPath path)
    {
        System.Diagnostics.Debug.Assert(src.Length == dst.Length);
        int n = dst.Length;
        int i = 0;
        fixed (ulong* ps = src)
        fixed (ulong* pd = dst)
        {
            if (path == KernelPath.Vector512)
            {
                var c = new PolyKernels.Barrett512(mod);
                for (; i + 8 <= n; i += 8)
                {
                    c.Reduce(Vector512.Load(ps + i)).Store(pd + i);
                }
            }
            else if (path == KernelPath.Vector256)
            {
                var c = new PolyKernels.Barrett256(mod);
                for (; i + 4 <= n; i += 4)
                {
                    c.Reduce(Vector256.Load(ps + i)).Store(pd + i);
                }
            }

            for (; i < n; i++)
            {
                pd[i] = mod.Reduce(ps[i]);
            }
        }
    }

    /// <summary>
    /// dst (+)= (x − [v]_D) · D^-1 mod q, where v is the residue modulo the dropped prime D taken
    /// centered (v − D when v > D/2), which makes the division by D round to nearest.
    /// </summary>
    public static void DivideRound(ReadOnlySpan<ulong> x, ReadOnlySpan<ulong> v, Span<ulong> dst, bool accumulate, Modulus mod, ulong dropped, ulong droppedInverse, KernelPath path)
    {
        System.Diagnostics.Debug.Assert(x.Length == dst.Length && v.Length == dst.Length);
        unchecked
        {
            ulong q = mod.Value;
            ulong half = dropped >> 1;
            ulong dModQ = dropped % q;
            ulong inv = droppedInverse;
            ulong invShoup = mod.ShoupOf(inv);
            int n = dst.Length;
            int i = 0;
            fixed (ulong* px = x)
            fixed (ulong* pv = v)
            fixed (ulong* pd = dst)
            {
                if (path == KernelPath.Vector512)
                {
                    var c = new PolyKernels.Barrett512(mod);
                    var vq = Vector512.Create(q);
                    var vHalf = Vector512.Create(half);
                    var vD = Vector512.Create(dModQ);
                    var vInv = Vector512.Create(inv);
                    var vInvShoup = Vector512.Create(invShoup);
                    for (; i + 8 <= n; i += 8)
                    {
                        var w = Vector512.Load(pv + i);
                        var r = c.Reduce(w);
                        var shifted = r + vq - vD;
                        shifted = Vector512.Min(shifted, shifted - vq);
                        r = Vector512.ConditionalSelect(Vector512.GreaterThan(w, vHalf), shifted, r);
                        var diff = Vector512.Load(px + i) + vq - r;
                        diff = Vector512.Min(diff, diff - vq);
                        var hi = Lanes.Mul32(vInvShoup, diff) >>> 32;
                        var prod = Lanes.Mul32(vInv, diff) - Lanes.Mul32(hi, vq);
                        prod = Vector512.Min(prod, prod - vq);
                        if (accumulate)
                        {
                            prod += Vector512.Load(pd + i);
                            prod = Vector512.Min(prod, prod - vq);
                        }

                        prod.Store(pd + i);
                    }
                }
                else if (path == KernelPath.Vector256)
                {
                    var c = new PolyKernels.Barrett256(mod);
                    var vq = Vector256.Create(q);
                    var vHalf = Vector256.Create(half);
                    var vD = Vector256.Create(dModQ);
                    var vInv = Vector256.Create(inv);
                    var vInvShoup = Vector256.Create(invShoup);
                    for (; i + 4 <= n; i += 4)
                    {
                        var w = Vector256.Load(pv + i);
                        var r = c.Reduce(w);
                        var shifted = r + vq - vD;
                        shifted = Lanes.CondSub(shifted, vq);
                        r = Vector256.ConditionalSelect(Vector256.GreaterThan(w, vHalf), shifted, r);
                        var diff = Vector256.Load(px + i) + vq - r;
                        diff = Lanes.CondSub(diff, vq);
                        var hi = Lanes.Mul32(vInvShoup, diff) >>> 32;
                        var prod = Lanes.Mul32(vInv, diff) - Lanes.Mul32(hi, vq);
                        prod = Lanes.CondSub(prod, vq);
                        if (accumulate)
                        {
                            prod += Vector256.Load(pd + i);
                            prod = Lanes.CondSub(prod, vq);
                        }

                        prod.Store(pd + i);
                    }
                }

                for (; i < n; i++)
                {
                    ulong w = pv[i];
                    ulong r = mod.Reduce(w);
                    ulong shifted = r + q - dModQ;
                    shifted = Math.Min(shifted, shifted - q);
                    r = w > half ? shifted : r;
                    ulong diff = px[i] + q - r;
                    diff = Math.Min(diff, diff - q);
                    ulong prod = mod.MulShoupLazy(diff, inv, invShoup);
                    prod = Math.Min(prod, prod - q);
                    if (accumulate)
                    {
                        prod += pd[i];
                        prod = Math.Min(prod, prod - q);
                    }

                    pd[i] = prod;
                }
            }
        }
    }
}
