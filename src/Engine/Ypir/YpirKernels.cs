using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Ypir;

/// <summary>
/// The first dimension: y = D·q mod 2^32 for a column-major byte matrix D (column j holds
/// <c>rows</c> entries at <c>matrix + j·stride</c>) and a query vector q of 32-bit values. Arithmetic
/// wraps modulo 2^32, so every path computes exactly the same result and the vector paths are free to
/// reorder the additions. The vector paths walk a 64-row strip down four columns at a time, so the
/// strip's accumulators are loaded and stored once per four columns and the four column streams are
/// read sequentially.
/// </summary>
internal static unsafe class YpirKernels
{
    /// <summary>Rows must be a multiple of this (it is: rows = k·d with d ≥ 256).</summary>
    public const int RowStrip = 64;

    private const int ColumnsPerPass = 4;

    /// <summary>The path production code uses.</summary>
    public static KernelPath Best => KernelPaths.Best;

    /// <summary>y[0..rows) = Σ_j D[·, j]·q[j] mod 2^32 over columns [0, q.Length).</summary>
    public static void FirstDimension(byte* matrix, long stride, int rows, ReadOnlySpan<uint> q, Span<uint> y, KernelPath path)
    {
        y[..rows].Clear();
        fixed (uint* pq = q)
        fixed (uint* py = y)
        {
            switch (path)
            {
                case KernelPath.Vector512:
                    FirstDimension512(matrix, stride, rows, pq, q.Length, py);
                    break;
                case KernelPath.Vector256:
                    FirstDimension256(matrix, stride, rows, pq, q.Length, py);
                    break;
                default:
                    FirstDimensionScalar(matrix, stride, rows, pq, q.Length, py);
                    break;
            }
        }
    }

    /// <summary>The specification.</summary>
    private static void FirstDimensionScalar(byte* matrix, long stride, int rows, uint* q, int columns, uint* y)
    {
        unchecked
        {
            for (int j = 0; j < columns; j++)
            {
                byte* column = matrix + (j * stride);
                uint qj = q[j];
                for (int i = 0; i < rows; i++)
                {
                    y[i] += column[i] * qj;
                }
            }
        }
    }

    private static void FirstDimension512(byte* matrix, long stride, int rows, uint* q, int columns, uint* y)
    {
        int full = columns - (columns % ColumnsPerPass);
        for (int strip = 0; strip < rows; strip += RowStrip)
        {
            var a0 = Vector512.Load(y + strip);
            var a1 = Vector512.Load(y + strip + 16);
            var a2 = Vector512.Load(y + strip + 32);
            var a3 = Vector512.Load(y + strip + 48);
            byte* basePtr = matrix + strip;
            int j = 0;
            for (; j < full; j += ColumnsPerPass)
            {
                byte* c = basePtr + (j * stride);
                Accumulate512(c, Vector512.Create(q[j]), ref a0, ref a1, ref a2, ref a3);
                Accumulate512(c + stride, Vector512.Create(q[j + 1]), ref a0, ref a1, ref a2, ref a3);
                Accumulate512(c + (2 * stride), Vector512.Create(q[j + 2]), ref a0, ref a1, ref a2, ref a3);
                Accumulate512(c + (3 * stride), Vector512.Create(q[j + 3]), ref a0, ref a1, ref a2, ref a3);
            }

            for (; j < columns; j++)
            {
                Accumulate512(basePtr + (j * stride), Vector512.Create(q[j]), ref a0, ref a1, ref a2, ref a3);
            }

            a0.Store(y + strip);
            a1.Store(y + strip + 16);
            a2.Store(y + strip + 32);
            a3.Store(y + strip + 48);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate512(byte* column, Vector512<uint> qj, ref Vector512<uint> a0, ref Vector512<uint> a1, ref Vector512<uint> a2, ref Vector512<uint> a3)
    {
        var bytes = Vector512.Load(column);
        (var lo16, var hi16) = Vector512.Widen(bytes);
        (var w0, var w1) = Vector512.Widen(lo16);
        (var w2, var w3) = Vector512.Widen(hi16);
        a0 += w0 * qj;
        a1 += w1 * qj;
        a2 += w2 * qj;
        a3 += w3 * qj;
    }

    private static void FirstDimension256(byte* matrix, long stride, int rows, uint* q, int columns, uint* y)
    {
        int full = columns - (columns % ColumnsPerPass);

        // 32 rows per strip: eight 256-bit accumulators would spill alongside the widening temporaries.
        for (int strip = 0; strip < rows; strip += 32)
        {
            var a0 = Vector256.Load(y + strip);
            var a1 = Vector256.Load(y + strip + 8);
            var a2 = Vector256.Load(y + strip + 16);
            var a3 = Vector256.Load(y + strip + 24);
            byte* basePtr = matrix + strip;
            int j = 0;
            for (; j < full; j += ColumnsPerPass)
            {
                byte* c = basePtr + (j * stride);
                Accumulate256(c, Vector256.Create(q[j]), ref a0, ref a1, ref a2, ref a3);
                Accumulate256(c + stride, Vector256.Create(q[j + 1]), ref a0, ref a1, ref a2, ref a3);
                Accumulate256(c + (2 * stride), Vector256.Create(q[j + 2]), ref a0, ref a1, ref a2, ref a3);
                Accumulate256(c + (3 * stride), Vector256.Create(q[j + 3]), ref a0, ref a1, ref a2, ref a3);
            }

            for (; j < columns; j++)
            {
                Accumulate256(basePtr + (j * stride), Vector256.Create(q[j]), ref a0, ref a1, ref a2, ref a3);
            }

            a0.Store(y + strip);
            a1.Store(y + strip + 8);
            a2.Store(y + strip + 16);
            a3.Store(y + strip + 24);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate256(byte* column, Vector256<uint> qj, ref Vector256<uint> a0, ref Vector256<uint> a1, ref Vector256<uint> a2, ref Vector256<uint> a3)
    {
        var bytes = Vector256.Load(column);
        (var lo16, var hi16) = Vector256.Widen(bytes);
        (var w0, var w1) = Vector256.Widen(lo16);
        (var w2, var w3) = Vector256.Widen(hi16);
        a0 += w0 * qj;
        a1 += w1 * qj;
        a2 += w2 * qj;
        a3 += w3 * qj;
    }
}
