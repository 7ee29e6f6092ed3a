using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Ypir;

/// <summary>
/// The first dimension: y = D·q mod 2^32 for a byte matrix D of <c>rows</c> rows (a multiple of 64) laid out in
/// row strips: strip s holds rows [64s, 64s + 64) of every column, one 64-byte line per column, so
/// entry (i, j) is at <c>((i / 64)·columns + j)·64 + i % 64</c>. A strip is read front to back while its 64
/// accumulators stay in registers and q streams from cache. Arithmetic wraps modulo 2^32, so every path
/// computes exactly the same result and the vector paths are free to reorder the additions.
/// </summary>
internal static unsafe class YpirKernels
{
    /// <summary>Rows per strip (rows = k·d with d ≥ 256 is always a multiple).</summary>
    public const int RowStrip = 64;

    /// <summary>The path production code uses.</summary>
    public static KernelPath Best => KernelPaths.Best;

    /// <summary>Offset of entry (row, column) in a strip-major matrix with <paramref name="columns"/> columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Offset(int row, long column, long columns) => ((((long)row / RowStrip) * columns) + column) * RowStrip + (row % RowStrip);

    /// <summary>y[0..rows) = Σ_j D[·, j]·q[j] mod 2^32 over the q.Length columns.</summary>
    public static void FirstDimension(byte* matrix, int rows, ReadOnlySpan<uint> q, Span<uint> y, KernelPath path)
    {
        fixed (uint* pq = q)
        fixed (uint* py = y)
        {
            for (int strip = 0; strip < rows; strip += RowStrip)
            {
                byte* s = matrix + ((long)(strip / RowStrip) * q.Length * RowStrip);
                switch (path)
                {
                    case KernelPath.Vector512:
                        Strip512(s, pq, q.Length, py + strip);
                        break;
                    case KernelPath.Vector256:
                        Strip256(s, pq, q.Length, py + strip);
                        break;
                    default:
                        StripScalar(s, pq, q.Length, py + strip);
                        break;
                }
            }
        }
    }

    /// <summary>The specification.</summary>
    private static void StripScalar(byte* strip, uint* q, int columns, uint* y)
    {
        unchecked
        {
            for (int i = 0; i < RowStrip; i++)
            {
                y[i] = 0;
            }

            for (int j = 0; j < columns; j++)
            {
                byte* line = strip + ((long)j * RowStrip);
                uint qj = q[j];
                for (int i = 0; i < RowStrip; i++)
                {
                    y[i] += line[i] * qj;
                }
            }
        }
    }

    private static void Strip512(byte* strip, uint* q, int columns, uint* y)
    {
        var a0 = Vector512<uint>.Zero;
        var a1 = Vector512<uint>.Zero;
        var a2 = Vector512<uint>.Zero;
        var a3 = Vector512<uint>.Zero;
        byte* line = strip;
        for (int j = 0; j < columns; j++, line += RowStrip)
        {
            var qj = Vector512.Create(q[j]);
            (var lo16, var hi16) = Vector512.Widen(Vector512.Load(line));
            (var w0, var w1) = Vector512.Widen(lo16);
            (var w2, var w3) = Vector512.Widen(hi16);
            a0 += w0 * qj;
            a1 += w1 * qj;
            a2 += w2 * qj;
            a3 += w3 * qj;
        }

        a0.Store(y);
        a1.Store(y + 16);
        a2.Store(y + 32);
        a3.Store(y + 48);
    }

    private static void Strip256(byte* strip, uint* q, int columns, uint* y)
    {
        // One pass with eight accumulators, so each line is fetched once (two passes would fetch it twice).
        var a0 = Vector256<uint>.Zero;
        var a1 = Vector256<uint>.Zero;
        var a2 = Vector256<uint>.Zero;
        var a3 = Vector256<uint>.Zero;
        var a4 = Vector256<uint>.Zero;
        var a5 = Vector256<uint>.Zero;
        var a6 = Vector256<uint>.Zero;
        var a7 = Vector256<uint>.Zero;
        byte* line = strip;
        for (int j = 0; j < columns; j++, line += RowStrip)
        {
            var qj = Vector256.Create(q[j]);
            (var lo16, var hi16) = Vector256.Widen(Vector256.Load(line));
            (var w0, var w1) = Vector256.Widen(lo16);
            (var w2, var w3) = Vector256.Widen(hi16);
            a0 += w0 * qj;
            a1 += w1 * qj;
            a2 += w2 * qj;
            a3 += w3 * qj;
            (lo16, hi16) = Vector256.Widen(Vector256.Load(line + 32));
            (w0, w1) = Vector256.Widen(lo16);
            (w2, w3) = Vector256.Widen(hi16);
            a4 += w0 * qj;
            a5 += w1 * qj;
            a6 += w2 * qj;
            a7 += w3 * qj;
        }

        a0.Store(y);
        a1.Store(y + 8);
        a2.Store(y + 16);
        a3.Store(y + 24);
        a4.Store(y + 32);
        a5.Store(y + 40);
        a6.Store(y + 48);
        a7.Store(y + 56);
    }
}
