using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// The first-dimension kernel, where a PIR server spends most of its time: for one prime and one
/// chunk of <see cref="Chunk"/> NTT slots, for every column j, accumulate Σ_i q_i · pt[i, j] for
/// both query polynomials. Plaintext slots are 32-bit (what is streamed from memory), query slots
/// are held in 64-bit lanes so each product is one vpmuludq; sums stay in 64-bit lanes and are
/// folded (x ↦ hi·(2^32 mod p) + lo) every <see cref="FoldEvery"/> rows, reduced once per column.
/// A chunk's query slice (N1 rows × 2 × 8 slots × 8 bytes, 22 KB at N1 = 174) stays in L1 while
/// every column streams past it, and the vector paths take several columns per pass so each
/// query load feeds several products.
/// </summary>
internal static unsafe class LatticePirKernels
{
    /// <summary>NTT slots per chunk: one Vector512 (two Vector256) of each query polynomial.</summary>
    public const int Chunk = 8;

    /// <summary>
    /// Rows between folds: a folded value is below 2^62 + 2^32, and eight products below 2^60 keep
    /// the sum under 2^64.
    /// </summary>
    public const int FoldEvery = 8;

    /// <param name="db">For this prime and chunk: N2 columns × N1 rows × <see cref="Chunk"/> slots.</param>
    /// <param name="query">For this prime and chunk: N1 rows × 2 polynomials × <see cref="Chunk"/> slots (values &lt; p).</param>
    /// <param name="output">Column j's result for polynomial 0 starts at output + j·columnStride, polynomial 1 at + polyStride.</param>
    public static void FirstDimension(uint* db, ulong* query, int n1, int n2, Modulus mod, ulong* output, int columnStride, int polyStride, KernelPath path)
    {
        switch (path)
        {
            case KernelPath.Vector512:
                FirstDimension512(db, query, n1, n2, mod, output, columnStride, polyStride);
                break;
            case KernelPath.Vector256:
                FirstDimension256(db, query, n1, n2, mod, output, columnStride, polyStride);
                break;
            default:
                FirstDimensionScalar(db, query, n1, n2, mod, output, columnStride, polyStride);
                break;
        }
    }

    private static void FirstDimensionScalar(uint* db, ulong* query, int n1, int n2, Modulus mod, ulong* output, int columnStride, int polyStride)
    {
        unchecked
        {
            for (int j = 0; j < n2; j++)
            {
                uint* column = db + ((long)j * n1 * Chunk);
                ulong* out0 = output + ((long)j * columnStride);
                ulong* out1 = out0 + polyStride;
                for (int x = 0; x < Chunk; x++)
                {
                    ulong acc0 = 0;
                    ulong acc1 = 0;
                    for (int i = 0; i < n1; i++)
                    {
                        ulong p = column[(i * Chunk) + x];
                        acc0 += p * query[(i * 2 * Chunk) + x];
                        acc1 += p * query[(i * 2 * Chunk) + Chunk + x];
                        if ((i % FoldEvery) == FoldEvery - 1)
                        {
                            acc0 = mod.Fold(acc0);
                            acc1 = mod.Fold(acc1);
                        }
                    }

                    out0[x] = mod.ReduceWide(acc0);
                    out1[x] = mod.ReduceWide(acc1);
                }
            }
        }
    }

    // Four columns per pass: eight accumulators, two query loads per row shared by the four columns.
    private static void FirstDimension512(uint* db, ulong* query, int n1, int n2, Modulus mod, ulong* output, int columnStride, int polyStride)
    {
        var barrett = new PolyKernels.Barrett512(mod);
        long columnLength = (long)n1 * Chunk;
        int j = 0;
        for (; j + 4 <= n2; j += 4)
        {
            uint* d0 = db + (j * columnLength);
            uint* d1 = d0 + columnLength;
            uint* d2 = d1 + columnLength;
            uint* d3 = d2 + columnLength;
            ulong* q = query;
            var a0 = Vector512<ulong>.Zero;
            var a1 = Vector512<ulong>.Zero;
            var a2 = Vector512<ulong>.Zero;
            var a3 = Vector512<ulong>.Zero;
            var b0 = Vector512<ulong>.Zero;
            var b1 = Vector512<ulong>.Zero;
            var b2 = Vector512<ulong>.Zero;
            var b3 = Vector512<ulong>.Zero;
            for (int i = 0; i < n1; i++)
            {
                var q0 = Vector512.Load(q);
                var q1 = Vector512.Load(q + Chunk);
                var p0 = Lanes.Widen512(d0);
                var p1 = Lanes.Widen512(d1);
                var p2 = Lanes.Widen512(d2);
                var p3 = Lanes.Widen512(d3);
                a0 += Lanes.Mul32(p0, q0);
                b0 += Lanes.Mul32(p0, q1);
                a1 += Lanes.Mul32(p1, q0);
                b1 += Lanes.Mul32(p1, q1);
                a2 += Lanes.Mul32(p2, q0);
                b2 += Lanes.Mul32(p2, q1);
                a3 += Lanes.Mul32(p3, q0);
                b3 += Lanes.Mul32(p3, q1);
                d0 += Chunk;
                d1 += Chunk;
                d2 += Chunk;
                d3 += Chunk;
                q += 2 * Chunk;
                if ((i % FoldEvery) == FoldEvery - 1)
                {
                    a0 = barrett.Fold(a0);
                    a1 = barrett.Fold(a1);
                    a2 = barrett.Fold(a2);
                    a3 = barrett.Fold(a3);
                    b0 = barrett.Fold(b0);
                    b1 = barrett.Fold(b1);
                    b2 = barrett.Fold(b2);
                    b3 = barrett.Fold(b3);
                }
            }

            ulong* o = output + ((long)j * columnStride);
            barrett.ReduceWide(a0).Store(o);
            barrett.ReduceWide(b0).Store(o + polyStride);
            o += columnStride;
            barrett.ReduceWide(a1).Store(o);
            barrett.ReduceWide(b1).Store(o + polyStride);
            o += columnStride;
            barrett.ReduceWide(a2).Store(o);
            barrett.ReduceWide(b2).Store(o + polyStride);
            o += columnStride;
            barrett.ReduceWide(a3).Store(o);
            barrett.ReduceWide(b3).Store(o + polyStride);
        }

        for (; j < n2; j++)
        {
            uint* d = db + (j * columnLength);
            ulong* q = query;
            var a = Vector512<ulong>.Zero;
            var b = Vector512<ulong>.Zero;
            for (int i = 0; i < n1; i++)
            {
                var p = Lanes.Widen512(d);
                a += Lanes.Mul32(p, Vector512.Load(q));
                b += Lanes.Mul32(p, Vector512.Load(q + Chunk));
                d += Chunk;
                q += 2 * Chunk;
                if ((i % FoldEvery) == FoldEvery - 1)
                {
                    a = barrett.Fold(a);
                    b = barrett.Fold(b);
                }
            }

            ulong* o = output + ((long)j * columnStride);
            barrett.ReduceWide(a).Store(o);
            barrett.ReduceWide(b).Store(o + polyStride);
        }
    }

    // Two columns per pass: eight accumulators, four query loads per row shared by both columns.
    private static void FirstDimension256(uint* db, ulong* query, int n1, int n2, Modulus mod, ulong* output, int columnStride, int polyStride)
    {
        var barrett = new PolyKernels.Barrett256(mod);
        long columnLength = (long)n1 * Chunk;
        int j = 0;
        for (; j + 2 <= n2; j += 2)
        {
            uint* d0 = db + (j * columnLength);
            uint* d1 = d0 + columnLength;
            ulong* q = query;
            var a00 = Vector256<ulong>.Zero;
            var a01 = Vector256<ulong>.Zero;
            var b00 = Vector256<ulong>.Zero;
            var b01 = Vector256<ulong>.Zero;
            var a10 = Vector256<ulong>.Zero;
            var a11 = Vector256<ulong>.Zero;
            var b10 = Vector256<ulong>.Zero;
            var b11 = Vector256<ulong>.Zero;
            for (int i = 0; i < n1; i++)
            {
                var q00 = Vector256.Load(q);
                var q01 = Vector256.Load(q + 4);
                var q10 = Vector256.Load(q + Chunk);
                var q11 = Vector256.Load(q + Chunk + 4);
                var p0 = Lanes.Widen256(d0);
                var p1 = Lanes.Widen256(d0 + 4);
                a00 += Lanes.Mul32(p0, q00);
                a01 += Lanes.Mul32(p1, q01);
                b00 += Lanes.Mul32(p0, q10);
                b01 += Lanes.Mul32(p1, q11);
                p0 = Lanes.Widen256(d1);
                p1 = Lanes.Widen256(d1 + 4);
                a10 += Lanes.Mul32(p0, q00);
                a11 += Lanes.Mul32(p1, q01);
                b10 += Lanes.Mul32(p0, q10);
                b11 += Lanes.Mul32(p1, q11);
                d0 += Chunk;
                d1 += Chunk;
                q += 2 * Chunk;
                if ((i % FoldEvery) == FoldEvery - 1)
                {
                    a00 = barrett.Fold(a00);
                    a01 = barrett.Fold(a01);
                    b00 = barrett.Fold(b00);
                    b01 = barrett.Fold(b01);
                    a10 = barrett.Fold(a10);
                    a11 = barrett.Fold(a11);
                    b10 = barrett.Fold(b10);
                    b11 = barrett.Fold(b11);
                }
            }

            ulong* o = output + ((long)j * columnStride);
            barrett.ReduceWide(a00).Store(o);
            barrett.ReduceWide(a01).Store(o + 4);
            barrett.ReduceWide(b00).Store(o + polyStride);
            barrett.ReduceWide(b01).Store(o + polyStride + 4);
            o += columnStride;
            barrett.ReduceWide(a10).Store(o);
            barrett.ReduceWide(a11).Store(o + 4);
            barrett.ReduceWide(b10).Store(o + polyStride);
            barrett.ReduceWide(b11).Store(o + polyStride + 4);
        }

        for (; j < n2; j++)
        {
            uint* d = db + (j * columnLength);
            ulong* q = query;
            var a0 = Vector256<ulong>.Zero;
            var a1 = Vector256<ulong>.Zero;
            var b0 = Vector256<ulong>.Zero;
            var b1 = Vector256<ulong>.Zero;
            for (int i = 0; i < n1; i++)
            {
                var p0 = Lanes.Widen256(d);
                var p1 = Lanes.Widen256(d + 4);
                a0 += Lanes.Mul32(p0, Vector256.Load(q));
                a1 += Lanes.Mul32(p1, Vector256.Load(q + 4));
                b0 += Lanes.Mul32(p0, Vector256.Load(q + Chunk));
                b1 += Lanes.Mul32(p1, Vector256.Load(q + Chunk + 4));
                d += Chunk;
                q += 2 * Chunk;
                if ((i % FoldEvery) == FoldEvery - 1)
                {
                    a0 = barrett.Fold(a0);
                    a1 = barrett.Fold(a1);
                    b0 = barrett.Fold(b0);
                    b1 = barrett.Fold(b1);
                }
            }

            ulong* o = output + ((long)j * columnStride);
            barrett.ReduceWide(a0).Store(o);
            barrett.ReduceWide(a1).Store(o + 4);
            barrett.ReduceWide(b0).Store(o + polyStride);
            barrett.ReduceWide(b1).Store(o + polyStride + 4);
        }
    }
}
