using System.Runtime.Intrinsics;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Ypir;

/// <summary>
/// One node of the online packing, modulo one prime p (all values in [0, p), NTT form):
/// out = e + x^r·o + τ(e − x^r·o) + Σ_k digit_k ⊙ W_b[k], or just the key-switch sum when the children are
/// leaves (their b sides are zero). The monomial product is Shoup's with a precomputed companion, the sum is
/// accumulated in 64 bits (three products below 2^54 plus a few p) and reduced once. τ is a slot permutation,
/// done as a scalar gather between the two vector passes. Every path returns the same reduced values.
/// </summary>
internal static unsafe class YpirNodeKernel
{
    public static void Combine(
        Modulus m,
        ulong[]? even,
        ulong[]? odd,
        ulong[] mono,
        ulong[] monoShoup,
        int[] perm,
        uint* digits,
        int digitStride,
        ulong[][][] keyLevel,
        int prime,
        ulong[] output,
        ulong[] v,
        ulong[] rotated,
        KernelPath path)
    {
        int d = output.Length;
        int t = keyLevel.Length;
        bool children = even is not null;
        fixed (ulong* pe = even)
        fixed (ulong* po = odd)
        fixed (ulong* pm = mono)
        fixed (ulong* pms = monoShoup)
        fixed (ulong* pout = output)
        fixed (ulong* pv = v)
        fixed (ulong* prot = rotated)
        fixed (ulong* w0 = keyLevel[0][prime])
        fixed (ulong* w1 = keyLevel[Math.Min(1, t - 1)][prime])
        fixed (ulong* w2 = keyLevel[Math.Min(2, t - 1)][prime])
        {
            if (t != 3)
            {
                ThrowHelper.ArgumentOutOfRange(nameof(keyLevel), t, "3 gadget digits");
            }

            if (children)
            {
                // u = e + x^r·o into output (< 2p), v = e − x^r·o + p (< 2p).
                Split(m, pe, po, pm, pms, pout, pv, d, path);
                for (int x = 0; x < d; x++)
                {
                    prot[x] = pv[perm[x]];
                }
            }

            Accumulate(m, children, pout, prot, digits, digitStride, w0, w1, w2, d, path);
        }
    }

    private static void Split(Modulus m, ulong* e, ulong* o, ulong* mono, ulong* monoShoup, ulong* u, ulong* v, int d, KernelPath path)
    {
        unchecked
        {
            ulong p = m.Value;
            int x = 0;
            if (path == KernelPath.Vector512)
            {
                var vp = Vector512.Create(p);
                for (; x + 8 <= d; x += 8)
                {
                    var y = Vector512.Load(o + x);
                    var w = Vector512.Load(mono + x);
                    var ws = Vector512.Load(monoShoup + x);
                    var sh = Lanes.Mul32(w, y) - Lanes.Mul32(Lanes.Mul32(ws, y) >>> 32, vp);
                    sh = Vector512.Min(sh, sh - vp);
                    var ev = Vector512.Load(e + x);
                    (ev + sh).Store(u + x);
                    (ev + vp - sh).Store(v + x);
                }
            }
            else if (path == KernelPath.Vector256)
            {
                var vp = Vector256.Create(p);
                for (; x + 4 <= d; x += 4)
                {
                    var y = Vector256.Load(o + x);
                    var w = Vector256.Load(mono + x);
                    var ws = Vector256.Load(monoShoup + x);
                    var sh = Lanes.Mul32(w, y) - Lanes.Mul32(Lanes.Mul32(ws, y) >>> 32, vp);
                    sh = Lanes.CondSub(sh, vp);
                    var ev = Vector256.Load(e + x);
                    (ev + sh).Store(u + x);
                    (ev + vp - sh).Store(v + x);
                }
            }

            for (; x < d; x++)
            {
                ulong sh = m.MulShoupLazy(o[x], mono[x], monoShoup[x]);
                sh = Math.Min(sh, sh - p);
                u[x] = e[x] + sh;
                v[x] = e[x] + p - sh;
            }
        }
    }

    private static void Accumulate(Modulus m, bool children, ulong* output, ulong* rotated, uint* digits, int digitStride, ulong* w0, ulong* w1, ulong* w2, int d, KernelPath path)
    {
        unchecked
        {
            uint* d0 = digits;
            uint* d1 = digits + digitStride;
            uint* d2 = digits + (2 * digitStride);
            int x = 0;
            if (path == KernelPath.Vector512)
            {
                var c = new PolyKernels.Barrett512(m);
                for (; x + 8 <= d; x += 8)
                {
                    var acc = Lanes.Mul32(Lanes.Widen512(d0 + x), Vector512.Load(w0 + x))
                        + Lanes.Mul32(Lanes.Widen512(d1 + x), Vector512.Load(w1 + x))
                        + Lanes.Mul32(Lanes.Widen512(d2 + x), Vector512.Load(w2 + x));
                    if (children)
                    {
                        acc += Vector512.Load(output + x) + Vector512.Load(rotated + x);
                    }

                    c.ReduceWide(acc).Store(output + x);
                }
            }
            else if (path == KernelPath.Vector256)
            {
                var c = new PolyKernels.Barrett256(m);
                for (; x + 4 <= d; x += 4)
                {
                    var acc = Lanes.Mul32(Lanes.Widen256(d0 + x), Vector256.Load(w0 + x))
                        + Lanes.Mul32(Lanes.Widen256(d1 + x), Vector256.Load(w1 + x))
                        + Lanes.Mul32(Lanes.Widen256(d2 + x), Vector256.Load(w2 + x));
                    if (children)
                    {
                        acc += Vector256.Load(output + x) + Vector256.Load(rotated + x);
                    }

                    c.ReduceWide(acc).Store(output + x);
                }
            }

            for (; x < d; x++)
            {
                ulong acc = ((ulong)d0[x] * w0[x]) + ((ulong)d1[x] * w1[x]) + ((ulong)d2[x] * w2[x]);
                if (children)
                {
                    acc += output[x] + rotated[x];
                }

                output[x] = m.ReduceWide(acc);
            }
        }
    }
}
