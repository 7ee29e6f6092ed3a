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
/// </summary>
internal static unsafe class LatticePirKernels
{
    /// <summary>NTT slots per chunk: 2 polynomials × 32 slots is 8 Vector512 accumulators.</summary>
    public const int Chunk = 32;

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Mul512(Vector512<ulong> a, Vector512<ulong> b) => Lanes.Mul32(a, b);

    private static void FirstDimension512(uint* db, ulong* query, int n1, int n2, Modulus mod, ulong* output, int columnStride, int polyStride)
    {
        Debug.Assert(Chunk == 32);
        var barrett = new PolyKernels.Barrett512(mod);
        for (int j = 0; j < n2; j++)
        {
            uint* d = db + ((long)j * n1 * Chunk);
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
                var p0 = Lanes.Widen512(d);
                var p1 = Lanes.Widen512(d + 8);
                var p2 = Lanes.Widen512(d + 16);
                var p3 = Lanes.Widen512(d + 24);
                a0 += Mul512(p0, Vector512.Load(q));
                a1 += Mul512(p1, Vector512.Load(q + 8));
                a2 += Mul512(p2, Vector512.Load(q + 16));
                a3 += Mul512(p3, Vector512.Load(q + 24));
                b0 += Mul512(p0, Vector512.Load(q + 32));
                b1 += Mul512(p1, Vector512.Load(q + 40));
                b2 += Mul512(p2, Vector512.Load(q + 48));
                b3 += Mul512(p3, Vector512.Load(q + 56));
                d += Chunk;
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

            ulong* o0 = output + ((long)j * columnStride);
            ulong* o1 = o0 + polyStride;
            barrett.ReduceWide(a0).Store(o0);
            barrett.ReduceWide(a1).Store(o0 + 8);
            barrett.ReduceWide(a2).Store(o0 + 16);
            barrett.ReduceWide(a3).Store(o0 + 24);
            barrett.ReduceWide(b0).Store(o1);
            barrett.ReduceWide(b1).Store(o1 + 8);
            barrett.ReduceWide(b2).Store(o1 + 16);
            barrett.ReduceWide(b3).Store(o1 + 24);
        }
    }

    // Sixteen slots per pass: eight accumulators, four widened plaintext vectors, two passes per chunk.
    private static void FirstDimension256(uint* db, ulong* query, int n1, int n2, Modulus mod, ulong* output, int columnStride, int polyStride)
    {
        var barrett = new PolyKernels.Barrett256(mod);
        for (int j = 0; j < n2; j++)
        {
            ulong* o0 = output + ((long)j * columnStride);
            ulong* o1 = o0 + polyStride;
            for (int x = 0; x < Chunk; x += 16)
            {
                uint* d = db + ((long)j * n1 * Chunk) + x;
                ulong* q = query + x;
                var a0 = Vector256<ulong>.Zero;
                var a1 = Vector256<ulong>.Zero;
                var a2 = Vector256<ulong>.Zero;
                var a3 = Vector256<ulong>.Zero;
                var b0 = Vector256<ulong>.Zero;
                var b1 = Vector256<ulong>.Zero;
                var b2 = Vector256<ulong>.Zero;
                var b3 = Vector256<ulong>.Zero;
                for (int i = 0; i < n1; i++)
                {
                    var p0 = Lanes.Widen256(d);
                    var p1 = Lanes.Widen256(d + 4);
                    var p2 = Lanes.Widen256(d + 8);
                    var p3 = Lanes.Widen256(d + 12);
                    a0 += Lanes.Mul32(p0, Vector256.Load(q));
                    a1 += Lanes.Mul32(p1, Vector256.Load(q + 4));
                    a2 += Lanes.Mul32(p2, Vector256.Load(q + 8));
                    a3 += Lanes.Mul32(p3, Vector256.Load(q + 12));
                    b0 += Lanes.Mul32(p0, Vector256.Load(q + Chunk));
                    b1 += Lanes.Mul32(p1, Vector256.Load(q + Chunk + 4));
                    b2 += Lanes.Mul32(p2, Vector256.Load(q + Chunk + 8));
                    b3 += Lanes.Mul32(p3, Vector256.Load(q + Chunk + 12));
                    d += Chunk;
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

                barrett.ReduceWide(a0).Store(o0 + x);
                barrett.ReduceWide(a1).Store(o0 + x + 4);
                barrett.ReduceWide(a2).Store(o0 + x + 8);
                barrett.ReduceWide(a3).Store(o0 + x + 12);
                barrett.ReduceWide(b0).Store(o1 + x);
                barrett.ReduceWide(b1).Store(o1 + x + 4);
                barrett.ReduceWide(b2).Store(o1 + x + 8);
                barrett.ReduceWide(b3).Store(o1 + x + 12);
            }
        }
    }
}
