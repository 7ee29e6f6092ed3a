using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Privomega.Pir.Engine;

namespace Privomega.Pir.Bench.Throughput;

/// <summary>
/// This machine's sequential read bandwidth over a database's own rows, with the same thread split as the kernels
/// (ranges of whole 64-row blocks): the ceiling a memory-bound scan can reach.
/// </summary>
internal static unsafe class ReadBandwidth
{
    /// <summary>Reads every row once on <paramref name="threads"/> threads; returns a value that depends on every byte so the reads cannot be elided.</summary>
    public static ulong ReadAll(PirDatabase database, int threads)
    {
        byte* rows = database.GetRowPointer(0);
        long bytes = database.RowBytes;
        long blocks = (database.RecordCount + 63) / 64;
        long blockBytes = 64L * database.RecordStride;
        threads = (int)Math.Min(threads, blocks);
        var sums = new ulong[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            long first = blocks * t / threads * blockBytes;
            long end = Math.Min(bytes, blocks * (t + 1) / threads * blockBytes);
            sums[t] = XorRange(rows + first, end - first);
        });
        ulong sum = 0;
        foreach (ulong s in sums)
        {
            sum ^= s;
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong XorRange(byte* p, long length)
    {
        long i = 0;
        ulong tail = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<ulong> a = default, b = default, c = default, d = default;
            for (; i + 256 <= length; i += 256)
            {
                a ^= Vector512.Load((ulong*)(p + i));
                b ^= Vector512.Load((ulong*)(p + i + 64));
                c ^= Vector512.Load((ulong*)(p + i + 128));
                d ^= Vector512.Load((ulong*)(p + i + 192));
            }

            tail = Vector512.Xor(a ^ b, c ^ d).ToScalar();
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            // 256 bytes an iteration in eight independent chains, as much read per loop overhead as the kernels get.
            Vector256<ulong> a = default, b = default, c = default, d = default, e = default, f = default, g = default, h = default;
            for (; i + 256 <= length; i += 256)
            {
                a ^= Vector256.Load((ulong*)(p + i));
                b ^= Vector256.Load((ulong*)(p + i + 32));
                c ^= Vector256.Load((ulong*)(p + i + 64));
                d ^= Vector256.Load((ulong*)(p + i + 96));
                e ^= Vector256.Load((ulong*)(p + i + 128));
                f ^= Vector256.Load((ulong*)(p + i + 160));
                g ^= Vector256.Load((ulong*)(p + i + 192));
                h ^= Vector256.Load((ulong*)(p + i + 224));
            }

            for (; i + 32 <= length; i += 32)
            {
                a ^= Vector256.Load((ulong*)(p + i));
            }

            tail = Vector256.Xor(Vector256.Xor(a ^ b, c ^ d), Vector256.Xor(e ^ f, g ^ h)).ToScalar();
        }

        for (; i < length; i++)
        {
            tail ^= p[i];
        }

        return tail;
    }
}
