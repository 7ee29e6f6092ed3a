using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Privomega.Pir.Engine;

/// <summary>
/// The method of four Russians for batches. Per block of 64 rows (one selection word per query): tabulate, for each of the
/// 16 groups of 4 rows, the XOR of every subset of the group (16 entries, entry 0 zero), then each query XORs one entry per
/// group into its accumulator. A query costs 16 lookups per 64 rows instead of 64 masked XORs; the table build (15 entries
/// per group) is shared by the whole batch. At Vector256, whole 128-byte column strips run queries-outer with the query's
/// strip of accumulator in registers (<see cref="QueryRegisterStrip256"/>); narrower remainders and the other widths use 64-byte
/// strips. Selection words are gathered block-major first, so a block's words for the whole batch are contiguous. Which
/// entry is read depends on the selection, but every lookup hits a table the build just wrote, the same table whatever the
/// selection, and the index is the share the server running the kernel holds anyway.
/// </summary>
public static unsafe partial class XorKernels
{
    /// <summary>One strip's table: 16 groups × 16 entries × 64 B = 16 KiB, L1-resident while the batch reads it.</summary>
    private const int StripTableBytes = GroupsPerBlock * EntriesPerGroup * ColumnChunkBytes;

    /// <summary>Strips tabulated together: the build then reads each group's 4 rows 256 contiguous bytes at a time.</summary>
    private const int StripsPerBuild = 4;

    private const int TableBytes = StripsPerBuild * StripTableBytes;

    /// <summary>
    /// This thread's table, kept between calls because schemes that expand their queries in chunks (DPF) call the kernel
    /// once per chunk of rows. Pinned, so its address is stable; over-allocated by one cache line to be 64-byte aligned.
    /// It only ever holds XORs of public database rows.
    /// </summary>
    [ThreadStatic]
    private static byte[]? t_table;

    private static byte* AlignedTable()
    {
        byte[] table = t_table ??= GC.AllocateArray<byte>(TableBytes + PirDatabase.Alignment, pinned: true);
        byte* start = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(table));
        return (byte*)(((nuint)start + PirDatabase.Alignment - 1) & ~(nuint)(PirDatabase.Alignment - 1));
    }

    /// <summary>
    /// Column strip of the register-resident Vector256 kernel: 128 bytes, 4 registers of accumulator per query plus 4 for a
    /// second running sum, and a 16 groups × 16 entries × 128 B = 32 KiB table. Measured against 256-byte strips (8 registers,
    /// a 64 KiB table, or 32 KiB over half a block with the accumulator reloaded twice per block): as fast or a few % faster.
    /// </summary>
    private const int RegisterStripBytes = 128;

    /// <summary>That kernel's table: entry (g, m) lives at (g·16 + m)·128; entry 0 of each group is never written, so it stays zero.</summary>
    private const int WideTableBytes = GroupsPerBlock * EntriesPerGroup * RegisterStripBytes;

    /// <summary>How many blocks ahead the register-resident kernel prefetches rows (1 and 4 measured about the same).</summary>
    private const int PrefetchBlocks = 2;

    /// <summary>Blocks whose selection words are gathered query-contiguous at a time (bounded so the buffer stays small for large batches).</summary>
    private const int WordsBufferWords = 4096;

    /// <summary>This thread's table for the register-resident kernel; pinned and aligned like <see cref="t_table"/>.</summary>
    [ThreadStatic]
    private static byte[]? t_wideTable;

    private static byte* AlignedWideTable()
    {
        byte[] table = t_wideTable ??= GC.AllocateArray<byte>(WideTableBytes + PirDatabase.Alignment, pinned: true);
        byte* start = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(table));
        return (byte*)(((nuint)start + PirDatabase.Alignment - 1) & ~(nuint)(PirDatabase.Alignment - 1));
    }

    // Fully optimised from the first call: a scan of a large database is one long call that tiering would start in unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourRussiansCore(byte* rows, int stride, int count, ulong** sel, int batch, byte* acc, KernelWidth width)
    {
        int blocks = count / BlockRows;
        if (blocks > 0)
        {
            // Entry (g, m) of strip s lives at s·16 KiB + (g·16 + m)·64 for every width, so entry 0 of each group is never
            // written: it is zero from allocation and stays zero across calls.
            byte* table = AlignedTable();
            byte* wideTable = width != KernelWidth.Scalar ? AlignedWideTable() : null;
            nint* offsets = stackalloc nint[GroupsPerBlock];

            // Selection words are gathered block-major (the batch's words for one block side by side), so a block reads one
            // or a few cache lines of words instead of one line per query, B selection lengths apart.
            int chunkBlocks = Math.Max(1, Math.Min(blocks, WordsBufferWords / batch));
            ulong* words = (ulong*)NativeMemory.AlignedAlloc((nuint)chunkBlocks * (nuint)batch * sizeof(ulong), PirDatabase.Alignment);
            try
            {
                for (int b0 = 0; b0 < blocks; b0 += chunkBlocks)
                {
                    int chunk = Math.Min(chunkBlocks, blocks - b0);
                    for (int q = 0; q < batch; q++)
                    {
                        ulong* source = sel[q] + b0;
                        for (int b = 0; b < chunk; b++)
                        {
                            words[((nint)b * batch) + q] = source[b];
                        }
                    }

                    for (int b = 0; b < chunk; b++)
                    {
                        byte* blockRows = rows + ((nint)(b0 + b) * BlockRows * stride);
                        ulong* blockWords = words + ((nint)b * batch);
                        byte* prefetch = b0 + b + PrefetchBlocks < blocks ? blockRows + ((nint)PrefetchBlocks * BlockRows * stride) : null;
                        FourRussiansBlock(table, wideTable, offsets, blockRows, stride, blockWords, batch, acc, width, prefetch);
                    }
                }
            }
            finally
            {
                NativeMemory.AlignedFree(words);
            }
        }

        int done = blocks * BlockRows;
        if (done < count)
        {
            byte* tailRows = rows + ((nint)done * stride);
            if (batch == 1)
            {
                MaskedSingleCore(tailRows, stride, count - done, sel[0] + blocks, acc, width);
            }
            else
            {
                MaskedSmallBatchCore(tailRows, stride, count - done, sel, blocks, batch, acc, width);
            }
        }
    }

    /// <summary>One 64-row block; <paramref name="words"/> holds the batch's selection words for it, one per query.</summary>
    private static void FourRussiansBlock(byte* table, byte* wideTable, nint* offsets, byte* blockRows, int stride, ulong* words, int batch, byte* acc, KernelWidth width, byte* prefetch)
    {
        int c0 = 0;
        if (width == KernelWidth.Vector512)
        {
            // Whole 128-byte strips in 2 × Vector512 registers per query over the same 32 KiB table as Vector256; the
            // first strips prefetch a later block's rows.
            int registerStrips = stride / RegisterStripBytes;
            nint blockBytes = (nint)BlockRows * stride;
            for (int s = 0; s < registerStrips; s++, c0 += RegisterStripBytes)
            {
                nint from = blockBytes * s / registerStrips & ~(nint)63;
                nint to = s == registerStrips - 1 ? blockBytes : blockBytes * (s + 1) / registerStrips & ~(nint)63;
                BuildRegisterStrip512(wideTable, blockRows + c0, stride);
                QueryRegisterStrip512(wideTable, words, batch, acc + c0, stride, prefetch == null ? null : prefetch + from, to - from);
            }

            while (stride - c0 >= ColumnChunkBytes)
            {
                int strips = Math.Min(StripsPerBuild, (stride - c0) / ColumnChunkBytes);
                BuildStrips512(table, blockRows + c0, stride, strips);
                for (int s = 0; s < strips; s++, c0 += ColumnChunkBytes)
                {
                    QueryStrip512(table + (s * StripTableBytes), words, 1, batch, acc + c0, stride);
                }
            }
        }
        else if (width == KernelWidth.Vector256)
        {
            // Whole 128-byte strips (a 32 KiB table): each query's strip of accumulator stays in registers across all 16
            // lookups. The first strip also prefetches a later block's rows.
            int registerStrips = stride / RegisterStripBytes;
            nint blockBytes = (nint)BlockRows * stride;
            for (int s = 0; s < registerStrips; s++, c0 += RegisterStripBytes)
            {
                // Strip s prefetches its share of the later block, in whole lines.
                nint from = blockBytes * s / registerStrips & ~(nint)63;
                nint to = s == registerStrips - 1 ? blockBytes : blockBytes * (s + 1) / registerStrips & ~(nint)63;
                BuildRegisterStrip256(wideTable, blockRows + c0, stride);
                QueryRegisterStrip256(wideTable, words, batch, acc + c0, stride, prefetch == null ? null : prefetch + from, to - from);
            }

            while (stride - c0 >= ColumnChunkBytes)
            {
                int strips = Math.Min(StripsPerBuild, (stride - c0) / ColumnChunkBytes);
                BuildStrips256(table, blockRows + c0, stride, strips);
                for (int s = 0; s < strips; s++, c0 += ColumnChunkBytes)
                {
                    QueryStrip256(table + (s * StripTableBytes), words, 1, batch, acc + c0, stride);
                }
            }
        }

        for (; c0 < stride; c0 += ColumnChunkBytes)
        {
            FourRussiansStripPlan(table, offsets, blockRows + c0, stride, Math.Min(ColumnChunkBytes, stride - c0), words, 1, batch, acc + c0, width);
        }
    }

    /// <summary>
    /// Tabulates a 128-byte column strip of a 64-row block: per group of 4 rows and per 32-byte lane, 4 row loads, 11 XORs and
    /// 15 stores (every subset XOR from registers, at most one XOR each).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BuildRegisterStrip256(byte* table, byte* blockRows, int stride)
    {
        const int E = RegisterStripBytes;
        for (int g = 0; g < GroupsPerBlock; g++)
        {
            byte* e = table + ((nint)g * EntriesPerGroup * E);
            byte* r = blockRows + ((nint)g * GroupRows * stride);
            for (int j = 0; j < RegisterStripBytes; j += 32)
            {
                byte* p = e + j;
                byte* rj = r + j;
                Vector256<ulong> v0 = Vector256.Load((ulong*)rj);
                Vector256<ulong> v1 = Vector256.Load((ulong*)(rj + stride));
                Vector256<ulong> v2 = Vector256.Load((ulong*)(rj + (2 * stride)));
                Vector256<ulong> v3 = Vector256.Load((ulong*)(rj + (3 * stride)));
                Vector256<ulong> t3 = v0 ^ v1;
                Vector256<ulong> t5 = v2 ^ v0;
                Vector256<ulong> t6 = v2 ^ v1;
                Vector256<ulong> t7 = v2 ^ t3;
                Vector256.Store(v0, (ulong*)(p + (1 * E)));
                Vector256.Store(v1, (ulong*)(p + (2 * E)));
                Vector256.Store(t3, (ulong*)(p + (3 * E)));
                Vector256.Store(v2, (ulong*)(p + (4 * E)));
                Vector256.Store(t5, (ulong*)(p + (5 * E)));
                Vector256.Store(t6, (ulong*)(p + (6 * E)));
                Vector256.Store(t7, (ulong*)(p + (7 * E)));
                Vector256.Store(v3, (ulong*)(p + (8 * E)));
                Vector256.Store(v3 ^ v0, (ulong*)(p + (9 * E)));
                Vector256.Store(v3 ^ v1, (ulong*)(p + (10 * E)));
                Vector256.Store(v3 ^ t3, (ulong*)(p + (11 * E)));
                Vector256.Store(v3 ^ v2, (ulong*)(p + (12 * E)));
                Vector256.Store(v3 ^ t5, (ulong*)(p + (13 * E)));
                Vector256.Store(v3 ^ t6, (ulong*)(p + (14 * E)));
                Vector256.Store(v3 ^ t7, (ulong*)(p + (15 * E)));
            }
        }
    }

    /// <summary>
    /// Queries outer: each query's 128-byte strip of accumulator is loaded into registers once per block, gets one table entry
    /// per group XORed in (two running sums, 16 × 4 loads, no stores) and is stored back.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QueryRegisterStrip256(byte* table, ulong* words, int batch, byte* acc, int stride, byte* prefetch, nint prefetchLength)
    {
        const int E = RegisterStripBytes;
        const int G = EntriesPerGroup * RegisterStripBytes;

        // A later block's rows, spread over the queries a few lines at a time: the hardware prefetchers stop at every 4 KiB
        // page and the build's stores leave little room to run ahead, so without this every page of rows costs a memory
        // round trip (1 GiB, B = 64: ~175 -> ~280 queries/s); a burst of prefetches all at once instead stalls, so each
        // strip takes its share of the block and each query a few lines of it.
        nint prefetchBytes = prefetch == null || !Sse.IsSupported ? 0 : prefetchLength;
        nint perQuery = ((prefetchBytes / 64) + batch - 1) / batch * 64;
        nint prefetched = 0;
        for (int q = 0; q < batch; q++, acc += stride)
        {
            for (nint end = Math.Min(prefetched + perQuery, prefetchBytes); prefetched < end; prefetched += 64)
            {
                Sse.Prefetch0(prefetch + prefetched);
            }

            ulong word = words[q];
            Vector256<ulong> a0 = Vector256.Load((ulong*)acc);
            Vector256<ulong> a1 = Vector256.Load((ulong*)(acc + 32));
            Vector256<ulong> a2 = Vector256.Load((ulong*)(acc + 64));
            Vector256<ulong> a3 = Vector256.Load((ulong*)(acc + 96));
            Vector256<ulong> b0 = Vector256<ulong>.Zero;
            Vector256<ulong> b1 = Vector256<ulong>.Zero;
            Vector256<ulong> b2 = Vector256<ulong>.Zero;
            Vector256<ulong> b3 = Vector256<ulong>.Zero;
            byte* groupTable = table;
            for (int g = 0; g < GroupsPerBlock; g += 2, word >>= 2 * GroupRows, groupTable += 2 * G)
            {
                byte* p = groupTable + ((nint)(word & (EntriesPerGroup - 1)) * E);
                byte* r = groupTable + G + ((nint)((word >> GroupRows) & (EntriesPerGroup - 1)) * E);
                a0 ^= Vector256.Load((ulong*)p);
                a1 ^= Vector256.Load((ulong*)(p + 32));
                a2 ^= Vector256.Load((ulong*)(p + 64));
                a3 ^= Vector256.Load((ulong*)(p + 96));
                b0 ^= Vector256.Load((ulong*)r);
                b1 ^= Vector256.Load((ulong*)(r + 32));
                b2 ^= Vector256.Load((ulong*)(r + 64));
                b3 ^= Vector256.Load((ulong*)(r + 96));
            }

            Vector256.Store(a0 ^ b0, (ulong*)acc);
            Vector256.Store(a1 ^ b1, (ulong*)(acc + 32));
            Vector256.Store(a2 ^ b2, (ulong*)(acc + 64));
            Vector256.Store(a3 ^ b3, (ulong*)(acc + 96));
        }
    }

    /// <summary><see cref="BuildRegisterStrip256"/> with Vector512 lanes: per group, 4 row loads, 11 XORs and 15 stores per 64-byte lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BuildRegisterStrip512(byte* table, byte* blockRows, int stride)
    {
        const int E = RegisterStripBytes;
        for (int g = 0; g < GroupsPerBlock; g++)
        {
            byte* e = table + ((nint)g * EntriesPerGroup * E);
            byte* r = blockRows + ((nint)g * GroupRows * stride);
            for (int j = 0; j < RegisterStripBytes; j += 64)
            {
                byte* p = e + j;
                byte* rj = r + j;
                Vector512<ulong> v0 = Vector512.Load((ulong*)rj);
                Vector512<ulong> v1 = Vector512.Load((ulong*)(rj + stride));
                Vector512<ulong> v2 = Vector512.Load((ulong*)(rj + (2 * stride)));
                Vector512<ulong> v3 = Vector512.Load((ulong*)(rj + (3 * stride)));
                Vector512<ulong> t3 = v0 ^ v1;
                Vector512<ulong> t5 = v2 ^ v0;
                Vector512<ulong> t6 = v2 ^ v1;
                Vector512<ulong> t7 = v2 ^ t3;
                Vector512.Store(v0, (ulong*)(p + (1 * E)));
                Vector512.Store(v1, (ulong*)(p + (2 * E)));
                Vector512.Store(t3, (ulong*)(p + (3 * E)));
                Vector512.Store(v2, (ulong*)(p + (4 * E)));
                Vector512.Store(t5, (ulong*)(p + (5 * E)));
                Vector512.Store(t6, (ulong*)(p + (6 * E)));
                Vector512.Store(t7, (ulong*)(p + (7 * E)));
                Vector512.Store(v3, (ulong*)(p + (8 * E)));
                Vector512.Store(v3 ^ v0, (ulong*)(p + (9 * E)));
                Vector512.Store(v3 ^ v1, (ulong*)(p + (10 * E)));
                Vector512.Store(v3 ^ t3, (ulong*)(p + (11 * E)));
                Vector512.Store(v3 ^ v2, (ulong*)(p + (12 * E)));
                Vector512.Store(v3 ^ t5, (ulong*)(p + (13 * E)));
                Vector512.Store(v3 ^ t6, (ulong*)(p + (14 * E)));
                Vector512.Store(v3 ^ t7, (ulong*)(p + (15 * E)));
            }
        }
    }

    /// <summary><see cref="QueryRegisterStrip256"/> with the query's 128-byte strip in 2 × Vector512 registers (plus 2 for the second running sum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QueryRegisterStrip512(byte* table, ulong* words, int batch, byte* acc, int stride, byte* prefetch, nint prefetchLength)
    {
        const int E = RegisterStripBytes;
        const int G = EntriesPerGroup * RegisterStripBytes;
        nint prefetchBytes = prefetch == null || !Sse.IsSupported ? 0 : prefetchLength;
        nint perQuery = ((prefetchBytes / 64) + batch - 1) / batch * 64;
        nint prefetched = 0;
        for (int q = 0; q < batch; q++, acc += stride)
        {
            for (nint end = Math.Min(prefetched + perQuery, prefetchBytes); prefetched < end; prefetched += 64)
            {
                Sse.Prefetch0(prefetch + prefetched);
            }

            ulong word = words[q];
            Vector512<ulong> a0 = Vector512.Load((ulong*)acc);
            Vector512<ulong> a1 = Vector512.Load((ulong*)(acc + 64));
            Vector512<ulong> b0 = Vector512<ulong>.Zero;
            Vector512<ulong> b1 = Vector512<ulong>.Zero;
            byte* groupTable = table;
            for (int g = 0; g < GroupsPerBlock; g += 2, word >>= 2 * GroupRows, groupTable += 2 * G)
            {
                byte* p = groupTable + ((nint)(word & (EntriesPerGroup - 1)) * E);
                byte* r = groupTable + G + ((nint)((word >> GroupRows) & (EntriesPerGroup - 1)) * E);
                a0 ^= Vector512.Load((ulong*)p);
                a1 ^= Vector512.Load((ulong*)(p + 64));
                b0 ^= Vector512.Load((ulong*)r);
                b1 ^= Vector512.Load((ulong*)(r + 64));
            }

            Vector512.Store(a0 ^ b0, (ulong*)acc);
            Vector512.Store(a1 ^ b1, (ulong*)(acc + 64));
        }
    }

    /// <summary>Any width and any strip of up to 64 bytes, through the lane plan: the scalar path and the strip left after whole 64-byte strips.</summary>
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

    /// <summary>Tabulates <paramref name="strips"/> 64-byte strips of a 64-row block with Vector256: per group, 4 row loads and 15 stores per 32-byte lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BuildStrips256(byte* table, byte* blockRows, int stride, int strips)
    {
        for (int g = 0; g < GroupsPerBlock; g++)
        {
            byte* e = table + ((nint)g * EntriesPerGroup * ColumnChunkBytes);
            byte* r = blockRows + ((nint)g * GroupRows * stride);
            for (int j = 0, end = strips * ColumnChunkBytes; j < end; j += 32)
            {
                Vector256<ulong> v0 = Vector256.Load((ulong*)(r + j));
                Vector256<ulong> v1 = Vector256.Load((ulong*)(r + stride + j));
                Vector256<ulong> v2 = Vector256.Load((ulong*)(r + (2 * stride) + j));
                Vector256<ulong> v3 = Vector256.Load((ulong*)(r + (3 * stride) + j));
                Vector256<ulong> t3 = v0 ^ v1;
                Vector256<ulong> t5 = v2 ^ v0;
                Vector256<ulong> t6 = v2 ^ v1;
                Vector256<ulong> t7 = v2 ^ t3;
                byte* p = e + ((j / ColumnChunkBytes) * StripTableBytes) + (j % ColumnChunkBytes);
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

    /// <summary>Each query XORs one table entry per group into a 64-byte strip of its accumulator, held in 2 Vector256 registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QueryStrip256(byte* table, ulong* sel, int selectionWords, int batch, byte* acc, int stride)
    {
        for (int q = 0; q < batch; q++, acc += stride)
        {
            ulong word = sel[(nint)q * selectionWords];
            Vector256<ulong> a0 = Vector256.Load((ulong*)acc);
            Vector256<ulong> a1 = Vector256.Load((ulong*)(acc + 32));
            Vector256<ulong> b0 = Vector256<ulong>.Zero;
            Vector256<ulong> b1 = Vector256<ulong>.Zero;
            byte* groupTable = table;
            for (int g = 0; g < GroupsPerBlock; g += 2, word >>= 2 * GroupRows, groupTable += 2 * EntriesPerGroup * ColumnChunkBytes)
            {
                byte* p = groupTable + ((nint)(word & (EntriesPerGroup - 1)) * ColumnChunkBytes);
                byte* r = groupTable + (EntriesPerGroup * ColumnChunkBytes) + ((nint)((word >> GroupRows) & (EntriesPerGroup - 1)) * ColumnChunkBytes);
                a0 ^= Vector256.Load((ulong*)p);
                a1 ^= Vector256.Load((ulong*)(p + 32));
                b0 ^= Vector256.Load((ulong*)r);
                b1 ^= Vector256.Load((ulong*)(r + 32));
            }

            Vector256.Store(a0 ^ b0, (ulong*)acc);
            Vector256.Store(a1 ^ b1, (ulong*)(acc + 32));
        }
    }

    /// <summary><see cref="BuildStrips256"/> with Vector512 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BuildStrips512(byte* table, byte* blockRows, int stride, int strips)
    {
        for (int g = 0; g < GroupsPerBlock; g++)
        {
            byte* e = table + ((nint)g * EntriesPerGroup * ColumnChunkBytes);
            byte* r = blockRows + ((nint)g * GroupRows * stride);
            for (int j = 0, end = strips * ColumnChunkBytes; j < end; j += 64)
            {
                Vector512<ulong> v0 = Vector512.Load((ulong*)(r + j));
                Vector512<ulong> v1 = Vector512.Load((ulong*)(r + stride + j));
                Vector512<ulong> v2 = Vector512.Load((ulong*)(r + (2 * stride) + j));
                Vector512<ulong> v3 = Vector512.Load((ulong*)(r + (3 * stride) + j));
                Vector512<ulong> t3 = v0 ^ v1;
                Vector512<ulong> t5 = v2 ^ v0;
                Vector512<ulong> t6 = v2 ^ v1;
                Vector512<ulong> t7 = v2 ^ t3;
                byte* p = e + ((j / ColumnChunkBytes) * StripTableBytes) + (j % ColumnChunkBytes);
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

    /// <summary><see cref="QueryStrip256"/> with the strip in one Vector512 register (two running sums).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QueryStrip512(byte* table, ulong* sel, int selectionWords, int batch, byte* acc, int stride)
    {
        for (int q = 0; q < batch; q++, acc += stride)
        {
            ulong word = sel[(nint)q * selectionWords];
            Vector512<ulong> a = Vector512.Load((ulong*)acc);
            Vector512<ulong> b = Vector512<ulong>.Zero;
            byte* groupTable = table;
            for (int g = 0; g < GroupsPerBlock; g += 2, word >>= 2 * GroupRows, groupTable += 2 * EntriesPerGroup * ColumnChunkBytes)
            {
                a ^= Vector512.Load((ulong*)(groupTable + ((nint)(word & (EntriesPerGroup - 1)) * ColumnChunkBytes)));
                b ^= Vector512.Load((ulong*)(groupTable + (EntriesPerGroup * ColumnChunkBytes) + ((nint)((word >> GroupRows) & (EntriesPerGroup - 1)) * ColumnChunkBytes)));
            }

            Vector512.Store(a ^ b, (ulong*)acc);
        }
    }
}
