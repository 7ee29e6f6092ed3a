using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Privomega.Pir.Engine;

/// <summary>
/// The method of four Russians for batches. Per block of 64 rows (one selection word per query) and per 128-byte column
/// strip: tabulate, for each of the 16 groups of 4 rows, the XOR of every subset of the group (16 entries, entry 0 empty),
/// then each query XORs one entry per group into its accumulator. A query costs 16 lookups per 64 rows instead of 64
/// masked XORs; the table build (15 entries per group) is shared by the whole batch. Which entry is read depends on the
/// selection, but every lookup hits a 32 KiB table that the build just wrote, the same table whatever the selection.
/// </summary>
public static unsafe partial class XorKernels
{
    private const int TableBytes = GroupsPerBlock * EntriesPerGroup * ColumnChunkBytes;

    // Fully optimised from the first call: a scan of a large database is one long call that tiering would start in unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourRussiansCore(byte* rows, int stride, int count, ulong* sel, int selectionWords, int batch, byte* acc, KernelWidth width)
    {
        int blocks = count / BlockRows;
        if (blocks > 0)
        {
            // Entry (g, m) lives at (g·16 + m)·128 for every strip width, so entry 0 of each group is never written and stays zero.
            byte* table = (byte*)NativeMemory.AlignedAlloc(TableBytes, PirDatabase.Alignment);
            NativeMemory.Clear(table, TableBytes);
            nint* offsets = stackalloc nint[GroupsPerBlock];
            try
            {
                for (int b = 0; b < blocks; b++)
                {
                    byte* blockRows = rows + ((nint)b * BlockRows * stride);
                    if (b + 1 < blocks)
                    {
                        PrefetchRows(blockRows + ((nint)BlockRows * stride), BlockRows * stride);
                    }

                    int c0 = 0;
                    if (width == KernelWidth.Vector512)
                    {
                        for (; c0 + ColumnChunkBytes <= stride; c0 += ColumnChunkBytes)
                        {
                            BuildStrip512(table, blockRows + c0, stride);
                            QueryStrip512(table, sel + b, selectionWords, batch, acc + c0, stride);
                        }
                    }
                    else if (width == KernelWidth.Vector256)
                    {
                        for (; c0 + ColumnChunkBytes <= stride; c0 += ColumnChunkBytes)
                        {
                            BuildStrip256(table, blockRows + c0, stride);
                            QueryStrip256(table, sel + b, selectionWords, batch, acc + c0, stride);
                        }
                    }

                    for (; c0 < stride; c0 += ColumnChunkBytes)
                    {
                        FourRussiansStripPlan(table, offsets, blockRows + c0, stride, Math.Min(ColumnChunkBytes, stride - c0), sel + b, selectionWords, batch, acc + c0, width);
                    }
                }
            }
            finally
            {
                NativeMemory.Clear(table, TableBytes);
                NativeMemory.AlignedFree(table);
            }
        }

        int done = blocks * BlockRows;
        if (done < count)
        {
            byte* tailRows = rows + ((nint)done * stride);
            if (batch == 1)
            {
                MaskedSingleCore(tailRows, stride, count - done, sel + blocks, acc, width);
            }
            else
            {
                MaskedSmallBatchCore(tailRows, stride, count - done, sel + blocks, selectionWords, batch, acc, width);
            }
        }
    }

    /// <summary>
    /// Asks for the next block while this one is tabulated: the build reads each row in 128-byte strips, a pattern the
    /// hardware prefetchers follow poorly, so without this the build waits on memory. No effect off x86.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchRows(byte* start, int bytes)
    {
        if (Sse.IsSupported)
        {
            for (int i = 0; i < bytes; i += 64)
            {
                Sse.Prefetch0(start + i);
            }
        }
    }

    /// <summary>Any width and any strip of up to 128 bytes, through the lane plan: the scalar path and the strip left after whole 128-byte strips.</summary>
    private static void FourRussiansStripPlan(byte* table, nint* offsets, byte* blockRows, int stride, int stripBytes, ulong* sel, int selectionWords, int batch, byte* acc, KernelWidth width)
    {
        var plan = new LanePlan(stripBytes, width);
        for (int g = 0; g < GroupsPerBlock; g++)
        {
            byte* entries = table + ((nint)g * EntriesPerGroup * ColumnChunkBytes);
            byte* groupRows = blockRows + ((nint)g * GroupRows * stride);
            for (int m = 1; m < EntriesPerGroup; m++)
            {
                // T[m] = T[m without its lowest bit] ^ row[lowest bit]: one XOR per entry.
                plan.Xor(entries + ((nint)m * ColumnChunkBytes), entries + ((nint)(m & (m - 1)) * ColumnChunkBytes), groupRows + ((nint)BitOperations.TrailingZeroCount(m) * stride));
            }
        }

        for (int q = 0; q < batch; q++)
        {
            ulong word = sel[(nint)q * selectionWords];
            for (int g = 0; g < GroupsPerBlock; g++)
            {
                offsets[g] = ((g * EntriesPerGroup) + (int)((word >> (g * GroupRows)) & (EntriesPerGroup - 1))) * (nint)ColumnChunkBytes;
            }

            plan.XorGather(acc + ((nint)q * stride), table, offsets, GroupsPerBlock);
        }
    }

    /// <summary>Tabulates one 128-byte strip of a 64-row block with Vector256: per group, 4 row loads and 15 stores per 32-byte lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BuildStrip256(byte* table, byte* blockRows, int stride)
    {
        for (int g = 0; g < GroupsPerBlock; g++)
        {
            byte* e = table + ((nint)g * EntriesPerGroup * ColumnChunkBytes);
            byte* r = blockRows + ((nint)g * GroupRows * stride);
            for (int j = 0; j < ColumnChunkBytes; j += 32)
            {
                Vector256<ulong> v0 = Vector256.Load((ulong*)(r + j));
                Vector256<ulong> v1 = Vector256.Load((ulong*)(r + stride + j));
                Vector256<ulong> v2 = Vector256.Load((ulong*)(r + (2 * stride) + j));
                Vector256<ulong> v3 = Vector256.Load((ulong*)(r + (3 * stride) + j));
                Vector256<ulong> t3 = v0 ^ v1;
                Vector256<ulong> t5 = v2 ^ v0;
                Vector256<ulong> t6 = v2 ^ v1;
                Vector256<ulong> t7 = v2 ^ t3;
                byte* p = e + j;
                Vector256.Store(v0, (ulong*)(p + (1 * ColumnChunkBytes)));
                Vector256.Store(v1, (ulong*)(p + (2 * ColumnChunkBytes)));
                Vector256.Store(t3, (ulong*)(p + (3 * ColumnChunkBytes)));
                Vector256.Store(v2, (ulong*)(p + (4 * ColumnChunkBytes)));
                Vector256.Store(t5, (ulong*)(p + (5 * ColumnChunkBytes)));
                Vector256.Store(t6, (ulong*)(p + (6 * ColumnChunkBytes)));
                Vector256.Store(t7, (ulong*)(p + (7 * ColumnChunkBytes)));
                Vector256.Store(v3, (ulong*)(p + (8 * ColumnChunkBytes)));
                Vector256.Store(v3 ^ v0, (ulong*)(p + (9 * ColumnChunkBytes)));
                Vector256.Store(v3 ^ v1, (ulong*)(p + (10 * ColumnChunkBytes)));
                Vector256.Store(v3 ^ t3, (ulong*)(p + (11 * ColumnChunkBytes)));
                Vector256.Store(v3 ^ v2, (ulong*)(p + (12 * ColumnChunkBytes)));
                Vector256.Store(v3 ^ t5, (ulong*)(p + (13 * ColumnChunkBytes)));
                Vector256.Store(v3 ^ t6, (ulong*)(p + (14 * ColumnChunkBytes)));
                Vector256.Store(v3 ^ t7, (ulong*)(p + (15 * ColumnChunkBytes)));
            }
        }
    }

    /// <summary>Each query XORs one table entry per group into a 128-byte strip of its accumulator, held in 4 Vector256 registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QueryStrip256(byte* table, ulong* sel, int selectionWords, int batch, byte* acc, int stride)
    {
        for (int q = 0; q < batch; q++, acc += stride)
        {
            ulong word = sel[(nint)q * selectionWords];
            Vector256<ulong> a0 = Vector256.Load((ulong*)acc);
            Vector256<ulong> a1 = Vector256.Load((ulong*)(acc + 32));
            Vector256<ulong> a2 = Vector256.Load((ulong*)(acc + 64));
            Vector256<ulong> a3 = Vector256.Load((ulong*)(acc + 96));
            byte* groupTable = table;
            for (int g = 0; g < GroupsPerBlock; g++, word >>= GroupRows, groupTable += EntriesPerGroup * ColumnChunkBytes)
            {
                byte* p = groupTable + ((nint)(word & (EntriesPerGroup - 1)) * ColumnChunkBytes);
                a0 ^= Vector256.Load((ulong*)p);
                a1 ^= Vector256.Load((ulong*)(p + 32));
                a2 ^= Vector256.Load((ulong*)(p + 64));
                a3 ^= Vector256.Load((ulong*)(p + 96));
            }

            Vector256.Store(a0, (ulong*)acc);
            Vector256.Store(a1, (ulong*)(acc + 32));
            Vector256.Store(a2, (ulong*)(acc + 64));
            Vector256.Store(a3, (ulong*)(acc + 96));
        }
    }

    /// <summary><see cref="BuildStrip256"/> with Vector512 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BuildStrip512(byte* table, byte* blockRows, int stride)
    {
        for (int g = 0; g < GroupsPerBlock; g++)
        {
            byte* e = table + ((nint)g * EntriesPerGroup * ColumnChunkBytes);
            byte* r = blockRows + ((nint)g * GroupRows * stride);
            for (int j = 0; j < ColumnChunkBytes; j += 64)
            {
                Vector512<ulong> v0 = Vector512.Load((ulong*)(r + j));
                Vector512<ulong> v1 = Vector512.Load((ulong*)(r + stride + j));
                Vector512<ulong> v2 = Vector512.Load((ulong*)(r + (2 * stride) + j));
                Vector512<ulong> v3 = Vector512.Load((ulong*)(r + (3 * stride) + j));
                Vector512<ulong> t3 = v0 ^ v1;
                Vector512<ulong> t5 = v2 ^ v0;
                Vector512<ulong> t6 = v2 ^ v1;
                Vector512<ulong> t7 = v2 ^ t3;
                byte* p = e + j;
                Vector512.Store(v0, (ulong*)(p + (1 * ColumnChunkBytes)));
                Vector512.Store(v1, (ulong*)(p + (2 * ColumnChunkBytes)));
                Vector512.Store(t3, (ulong*)(p + (3 * ColumnChunkBytes)));
                Vector512.Store(v2, (ulong*)(p + (4 * ColumnChunkBytes)));
                Vector512.Store(t5, (ulong*)(p + (5 * ColumnChunkBytes)));
                Vector512.Store(t6, (ulong*)(p + (6 * ColumnChunkBytes)));
                Vector512.Store(t7, (ulong*)(p + (7 * ColumnChunkBytes)));
                Vector512.Store(v3, (ulong*)(p + (8 * ColumnChunkBytes)));
                Vector512.Store(v3 ^ v0, (ulong*)(p + (9 * ColumnChunkBytes)));
                Vector512.Store(v3 ^ v1, (ulong*)(p + (10 * ColumnChunkBytes)));
                Vector512.Store(v3 ^ t3, (ulong*)(p + (11 * ColumnChunkBytes)));
                Vector512.Store(v3 ^ v2, (ulong*)(p + (12 * ColumnChunkBytes)));
                Vector512.Store(v3 ^ t5, (ulong*)(p + (13 * ColumnChunkBytes)));
                Vector512.Store(v3 ^ t6, (ulong*)(p + (14 * ColumnChunkBytes)));
                Vector512.Store(v3 ^ t7, (ulong*)(p + (15 * ColumnChunkBytes)));
            }
        }
    }

    /// <summary><see cref="QueryStrip256"/> with the strip in 2 Vector512 registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QueryStrip512(byte* table, ulong* sel, int selectionWords, int batch, byte* acc, int stride)
    {
        for (int q = 0; q < batch; q++, acc += stride)
        {
            ulong word = sel[(nint)q * selectionWords];
            Vector512<ulong> a0 = Vector512.Load((ulong*)acc);
            Vector512<ulong> a1 = Vector512.Load((ulong*)(acc + 64));
            byte* groupTable = table;
            for (int g = 0; g < GroupsPerBlock; g++, word >>= GroupRows, groupTable += EntriesPerGroup * ColumnChunkBytes)
            {
                byte* p = groupTable + ((nint)(word & (EntriesPerGroup - 1)) * ColumnChunkBytes);
                a0 ^= Vector512.Load((ulong*)p);
                a1 ^= Vector512.Load((ulong*)(p + 64));
            }

            Vector512.Store(a0, (ulong*)acc);
            Vector512.Store(a1, (ulong*)(acc + 64));
        }
    }
}
