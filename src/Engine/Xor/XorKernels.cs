using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Privomega.Pir.Engine;

/// <summary>The vector width a kernel runs at; the value is the width in bits (0 = scalar).</summary>
public enum KernelWidth
{
    /// <summary>64-bit words (and narrower for rows under 8 bytes): the reference every vector width must match.</summary>
    Scalar = 0,

    /// <summary><see cref="Vector256{T}"/> bodies with scalar word tails.</summary>
    Vector256 = 256,

    /// <summary><see cref="Vector512{T}"/> bodies, then one <see cref="Vector256{T}"/> and scalar word tails.</summary>
    Vector512 = 512,
}

/// <summary>How a batch of selections is accumulated.</summary>
public enum XorBatchMethod
{
    /// <summary>Picks <see cref="FourRussians"/> from <see cref="XorKernels.FourRussiansMinBatch"/> queries up, <see cref="Masked"/> below.</summary>
    Auto = 0,

    /// <summary>Each row is loaded once and masked into every query's accumulator: B AND+XOR per row lane.</summary>
    Masked,

    /// <summary>
    /// Method of four Russians: per block of 64 rows, the XORs of every subset of each group of 4 rows
    /// are tabulated (16 entries per group), then each query does one table lookup per group — 16
    /// lookups per 64 rows instead of 64 masked XORs, so large batches stop being compute-bound.
    /// </summary>
    FourRussians,
}

/// <summary>
/// Branch-free masked XOR accumulation over database rows, the server side of two-server XOR PIR.
/// Selection bit <c>k</c> (word <c>k &gt;&gt; 6</c>, bit <c>k &amp; 63</c>) turns into an all-ones or
/// all-zeros mask, <c>0 - bit</c>; the row is ANDed with it and XORed into an accumulator of
/// <see cref="PirDatabase.RecordStride"/> bytes, so the masked kernels' time and memory accesses never depend on the
/// selection. The four-Russians batch kernel does index a table by selection bits; that reveals at most the share,
/// which the server running the kernel holds anyway.
/// Dispatch: the widest accelerated width at start-up, overridable per call (tests and benchmarks force each width).
/// </summary>
/// <remarks>
/// Entry points for other schemes (DPF expands its key to selection words and calls these):
/// <list type="bullet">
/// <item><see cref="AccumulateMasked(PirDatabase, long, int, ReadOnlySpan{ulong}, Span{byte})"/>: one selection, rows
/// <c>[firstRecord, firstRecord + recordCount)</c>, bit <c>k</c> of <c>selection</c> selects row <c>firstRecord + k</c>.</item>
/// <item><see cref="AccumulateMaskedBatch(PirDatabase, long, int, ReadOnlySpan{ulong}, int, Span{byte})"/>: B selections
/// laid <c>selectionWords</c> words apart, B accumulators laid <c>RecordStride</c> bytes apart, one pass over the rows.</item>
/// <item><see cref="AccumulateMaskedParallel"/>: the whole database on T threads over 64-row-aligned ranges, each thread with
/// its own accumulators, XOR-reduced at the end.</item>
/// </list>
/// All of them XOR into the accumulators (they do not clear them first).
/// </remarks>
public static unsafe partial class XorKernels
{
    /// <summary>Rows per four-Russians block: one selection word.</summary>
    internal const int BlockRows = 64;

    /// <summary>Rows per four-Russians group; a group's table has 2^4 = 16 entries.</summary>
    internal const int GroupRows = 4;

    /// <summary>Column strip a four-Russians table entry holds; 16 groups × 16 entries × 64 B = 16 KiB of table, which stays in L1 next to the block's rows and the accumulators.</summary>
    internal const int ColumnChunkBytes = 64;

    /// <summary>
    /// Smallest batch for which <see cref="XorBatchMethod.Auto"/> uses four Russians. Measured at 1 GiB of 256-byte rows,
    /// Vector256, one thread: at B = 8 the masked kernel is ~15 % faster (its per-query passes read the block from L1), at 12
    /// they are even, at 16 four Russians is ~20 % faster and at 64 ~3.5×.
    /// </summary>
    public const int FourRussiansMinBatch = 12;

    private const int GroupsPerBlock = BlockRows / GroupRows;
    private const int EntriesPerGroup = 1 << GroupRows;

    /// <summary>The width this process dispatches to: the widest one the hardware accelerates.</summary>
    public static KernelWidth DefaultWidth { get; } =
        Vector512.IsHardwareAccelerated ? KernelWidth.Vector512
        : Vector256.IsHardwareAccelerated ? KernelWidth.Vector256
        : KernelWidth.Scalar;

    /// <summary>Bits of the vector width in use: 512, 256 or 0 (scalar).</summary>
    public static int VectorWidth => (int)DefaultWidth;

    /// <summary>A short name of the kernel for <paramref name="batch"/> queries, for benchmark output.</summary>
    public static string KernelName(int batch, KernelWidth width, XorBatchMethod method = XorBatchMethod.Auto)
    {
        XorBatchMethod resolved = ResolveMethod(batch, method);
        string widthName = width == KernelWidth.Scalar ? "scalar" : $"v{(int)width}";
        return resolved == XorBatchMethod.FourRussians ? $"4russians-{widthName}" : $"masked-{widthName}";
    }

    /// <summary>XORs row <c>firstRecord + k</c> into <paramref name="accumulator"/> for every set bit <c>k</c> of <paramref name="selection"/>.</summary>
    internal static void AccumulateMasked(PirDatabase db, long firstRecord, int recordCount, ReadOnlySpan<ulong> selection, Span<byte> accumulator) =>
        AccumulateMaskedBatch(db, firstRecord, recordCount, selection, WordsFor(recordCount), accumulator, DefaultWidth, XorBatchMethod.Masked);

    /// <summary><see cref="AccumulateMasked(PirDatabase, long, int, ReadOnlySpan{ulong}, Span{byte})"/> at a forced width.</summary>
    internal static void AccumulateMasked(PirDatabase db, long firstRecord, int recordCount, ReadOnlySpan<ulong> selection, Span<byte> accumulator, KernelWidth width) =>
        AccumulateMaskedBatch(db, firstRecord, recordCount, selection, WordsFor(recordCount), accumulator, width, XorBatchMethod.Masked);

    /// <summary>
    /// For each query <c>q</c> (<c>accumulators.Length / RecordStride</c> of them): XORs row <c>firstRecord + k</c> into
    /// accumulator <c>q</c> (bytes <c>[q·RecordStride, (q+1)·RecordStride)</c>) when bit <c>k</c> of selection <c>q</c>
    /// (words <c>[q·selectionWords, q·selectionWords + ⌈recordCount/64⌉)</c>) is set. Each row is loaded once.
    /// </summary>
    internal static void AccumulateMaskedBatch(PirDatabase db, long firstRecord, int recordCount, ReadOnlySpan<ulong> selections, int selectionWords, Span<byte> accumulators) =>
        AccumulateMaskedBatch(db, firstRecord, recordCount, selections, selectionWords, accumulators, DefaultWidth, XorBatchMethod.Auto);

    /// <summary><see cref="AccumulateMaskedBatch(PirDatabase, long, int, ReadOnlySpan{ulong}, int, Span{byte})"/> with a forced width and method.</summary>
    internal static void AccumulateMaskedBatch(
        PirDatabase db, long firstRecord, int recordCount, ReadOnlySpan<ulong> selections, int selectionWords, Span<byte> accumulators, KernelWidth width, XorBatchMethod method)
    {
        int batch = ValidateScan(db, firstRecord, recordCount, selections, selectionWords, accumulators);
        ValidateWidth(width);
        fixed (ulong* sel = selections)
        fixed (byte* acc = accumulators)
        {
            ulong** stackPointers = stackalloc ulong*[MaxStackQueries];
            ulong** pointers = batch <= MaxStackQueries ? stackPointers : (ulong**)NativeMemory.Alloc((nuint)batch, (nuint)sizeof(ulong*));
            try
            {
                for (int q = 0; q < batch; q++)
                {
                    pointers[q] = sel + ((nint)q * selectionWords);
                }

                AccumulateCore(db.GetRowPointer(firstRecord), db.RecordStride, recordCount, pointers, batch, acc, width, ResolveMethod(batch, method));
            }
            finally
            {
                if (batch > MaxStackQueries)
                {
                    NativeMemory.Free(pointers);
                }
            }
        }
    }

    /// <summary>Batches up to this size keep their per-query selection pointers on the stack.</summary>
    private const int MaxStackQueries = 256;

    /// <summary>
    /// Scans the whole database on <paramref name="threads"/> threads. Selections and accumulators are laid out as in
    /// <see cref="AccumulateMaskedBatch(PirDatabase, long, int, ReadOnlySpan{ulong}, int, Span{byte})"/>, with
    /// <paramref name="selectionWords"/> at least ⌈RecordCount/64⌉. Rows are split into ranges of whole 64-row blocks;
    /// every thread but the caller's accumulates into its own buffer, XORed into <paramref name="accumulators"/> at the end.
    /// </summary>
    internal static void AccumulateMaskedParallel(
        PirDatabase db, ReadOnlySpan<ulong> selections, int selectionWords, Span<byte> accumulators, int threads, KernelWidth width, XorBatchMethod method = XorBatchMethod.Auto)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.ThrowIfDisposed();
        long words = (db.RecordCount + 63) / 64;
        if (selectionWords < words)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(selectionWords), selectionWords, $"at least {words} (one bit per record)");
        }

        int batch = ValidateBatchShape(db, selections, selectionWords, accumulators);
        ValidateWidth(width);
        if (threads < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(threads), threads, "at least 1");
        }

        fixed (ulong* sel = selections)
        fixed (byte* acc = accumulators)
        {
            var pointers = new nint[batch];
            for (int q = 0; q < batch; q++)
            {
                pointers[q] = (nint)(sel + ((nint)q * selectionWords));
            }

            ScanParallel(db, pointers, acc, accumulators.Length, threads, width, ResolveMethod(batch, method));
        }
    }

    /// <summary>
    /// <see cref="AccumulateMaskedParallel(PirDatabase, ReadOnlySpan{ulong}, int, Span{byte}, int, KernelWidth, XorBatchMethod)"/>
    /// with one array per query, each at least ⌈RecordCount/64⌉ words, read in place (a server holding the queries' own
    /// arrays need not copy a batch's selections side by side: at 1 GiB that is 512 KiB per query of fresh memory a pass).
    /// </summary>
    internal static void AccumulateMaskedParallel(
        PirDatabase db, ReadOnlySpan<ulong[]> selections, Span<byte> accumulators, int threads, KernelWidth width, XorBatchMethod method = XorBatchMethod.Auto)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.ThrowIfDisposed();
        long words = (db.RecordCount + 63) / 64;
        int stride = db.RecordStride;
        if (accumulators.Length == 0 || accumulators.Length % stride != 0)
        {
            ThrowHelper.Argument(nameof(accumulators), $"accumulators has length {accumulators.Length}; expected a positive multiple of the row stride {stride}.");
        }

        int batch = accumulators.Length / stride;
        if (selections.Length != batch)
        {
            ThrowHelper.ArgumentLength(nameof(selections), selections.Length, batch);
        }

        for (int q = 0; q < batch; q++)
        {
            ArgumentNullException.ThrowIfNull(selections[q], nameof(selections));
            if (selections[q].Length < words)
            {
                ThrowHelper.ArgumentOutOfRange(nameof(selections), selections[q].Length, $"selection {q}: at least {words} words (one bit per record)");
            }
        }

        ValidateWidth(width);
        if (threads < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(threads), threads, "at least 1");
        }

        var handles = new GCHandle[batch];
        try
        {
            var pointers = new nint[batch];
            for (int q = 0; q < batch; q++)
            {
                handles[q] = GCHandle.Alloc(selections[q], GCHandleType.Pinned);
                pointers[q] = handles[q].AddrOfPinnedObject();
            }

            fixed (byte* acc = accumulators)
            {
                ScanParallel(db, pointers, acc, accumulators.Length, threads, width, ResolveMethod(batch, method));
            }
        }
        finally
        {
            foreach (GCHandle handle in handles)
            {
                if (handle.IsAllocated)
                {
                    handle.Free();
                }
            }
        }
    }

    /// <summary>The validated parallel scan: <paramref name="selections"/> holds each query's pinned selection (word 0 = rows 0..63).</summary>
    private static void ScanParallel(PirDatabase db, nint[] selections, byte* acc, int accBytes, int threads, KernelWidth width, XorBatchMethod resolved)
    {
        long blocks = (db.RecordCount + 63) / 64;
        threads = (int)Math.Min(threads, blocks);
        int stride = db.RecordStride;
        byte* rows = db.GetRowPointer(0);
        long recordCount = db.RecordCount;
        if (threads == 1)
        {
            ScanRange(rows, stride, 0, recordCount, selections, acc, width, resolved);
            return;
        }

        var privateAccumulators = new nint[threads];
        try
        {
            for (int t = 1; t < threads; t++)
            {
                privateAccumulators[t] = (nint)NativeMemory.AlignedAlloc((nuint)accBytes, PirDatabase.Alignment);
                NativeMemory.Clear((void*)privateAccumulators[t], (nuint)accBytes);
            }

            privateAccumulators[0] = (nint)acc;
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                long first = blocks * t / threads * BlockRows;
                long end = Math.Min(recordCount, blocks * (t + 1) / threads * BlockRows);
                ScanRange(rows, stride, first, end, selections, (byte*)privateAccumulators[t], width, resolved);
            });

            for (int t = 1; t < threads; t++)
            {
                XorInto(new Span<byte>(acc, accBytes), new ReadOnlySpan<byte>((void*)privateAccumulators[t], accBytes));
            }
        }
        finally
        {
            for (int t = 1; t < threads; t++)
            {
                if (privateAccumulators[t] != 0)
                {
                    NativeMemory.Clear((void*)privateAccumulators[t], (nuint)accBytes);
                    NativeMemory.AlignedFree((void*)privateAccumulators[t]);
                }
            }
        }
    }

    /// <summary><c>destination ^= source</c> over the whole of <paramref name="destination"/>; lengths must match.</summary>
    internal static void XorInto(Span<byte> destination, ReadOnlySpan<byte> source)
    {
        if (source.Length != destination.Length)
        {
            ThrowHelper.ArgumentLength(nameof(source), source.Length, destination.Length);
        }

        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 64 <= destination.Length; i += 64)
            {
                (Vector512.Create<byte>(destination[i..]) ^ Vector512.Create(source[i..])).CopyTo(destination[i..]);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 32 <= destination.Length; i += 32)
            {
                (Vector256.Create<byte>(destination[i..]) ^ Vector256.Create(source[i..])).CopyTo(destination[i..]);
            }
        }

        for (; i < destination.Length; i++)
        {
            destination[i] ^= source[i];
        }
    }

    internal static XorBatchMethod ResolveMethod(int batch, XorBatchMethod method) =>
        method != XorBatchMethod.Auto ? method
        : batch >= FourRussiansMinBatch ? XorBatchMethod.FourRussians
        : XorBatchMethod.Masked;

    /// <summary>Words of selection needed for <paramref name="recordCount"/> rows.</summary>
    internal static int WordsFor(int recordCount) => (recordCount + 63) >>> 6;

    /// <summary>Scans rows <c>[first, end)</c>, <paramref name="first"/> a multiple of 64, in int-sized pieces.</summary>
    private static void ScanRange(byte* rows, int stride, long first, long end, nint[] selections, byte* acc, KernelWidth width, XorBatchMethod method)
    {
        Debug.Assert(first % BlockRows == 0);
        const long PieceRows = 1L << 24;
        int batch = selections.Length;
        ulong** pointers = (ulong**)NativeMemory.Alloc((nuint)batch, (nuint)sizeof(ulong*));
        try
        {
            for (long start = first; start < end; start += PieceRows)
            {
                for (int q = 0; q < batch; q++)
                {
                    pointers[q] = (ulong*)selections[q] + (start / 64);
                }

                int count = (int)Math.Min(PieceRows, end - start);
                AccumulateCore(rows + (start * stride), stride, count, pointers, batch, acc, width, method);
            }
        }
        finally
        {
            NativeMemory.Free(pointers);
        }
    }

    /// <summary>The unvalidated core: <c>sel[q]</c> points at the word of the first row's bit in selection <c>q</c>.</summary>
    internal static void AccumulateCore(byte* rows, int stride, int count, ulong** sel, int batch, byte* acc, KernelWidth width, XorBatchMethod method)
    {
        Debug.Assert(count >= 0 && batch >= 1 && method != XorBatchMethod.Auto);
        if (method == XorBatchMethod.FourRussians)
        {
            FourRussiansCore(rows, stride, count, sel, batch, acc, width);
        }
        else if (batch == 1)
        {
            MaskedSingleCore(rows, stride, count, sel[0], acc, width);
        }
        else
        {
            MaskedSmallBatchCore(rows, stride, count, sel, 0, batch, acc, width);
        }
    }

    /// <summary>
    /// Several selections, masked. At a vector width, block by block (64 rows, 16 KiB at 256-byte rows, L1-resident): each
    /// query runs the register-resident single-selection kernel over the block, so the block comes from memory once and
    /// each further query reads it from L1 at no more cost per row than a lone query. The scalar width XORs into
    /// accumulators in memory, one row load for all queries.
    /// </summary>
    private static void MaskedSmallBatchCore(byte* rows, int stride, int count, ulong** sel, nint wordOffset, int batch, byte* acc, KernelWidth width)
    {
        if (width == KernelWidth.Scalar)
        {
            MaskedBatchCore(rows, stride, count, sel, wordOffset, batch, acc, new LanePlan(stride, width));
            return;
        }

        for (int k0 = 0; k0 < count; k0 += BlockRows)
        {
            byte* block = rows + ((nint)k0 * stride);
            int n = Math.Min(BlockRows, count - k0);
            for (int q = 0; q < batch; q++)
            {
                MaskedSinglePasses(block, stride, n, sel[q] + wordOffset + (k0 >> 6), acc + ((nint)q * stride), width);
            }
        }
    }

    /// <summary>
    /// One selection. The vector widths keep the accumulator in registers: the row is cut into column strips of up to
    /// 256 bytes (8 × Vector256 or 4 × Vector512 registers), each strip a pass over the rows, so the loop is loads, ANDs and
    /// XORs with no store per row. Bytes past the last whole vector lane go through the in-memory lane plan.
    /// </summary>
    private static void MaskedSingleCore(byte* rows, int stride, int count, ulong* sel, byte* acc, KernelWidth width)
    {
        if (SinglePasses(stride, width) <= 1)
        {
            MaskedSinglePasses(rows, stride, count, sel, acc, width);
            return;
        }

        // Several column passes: run them block by block so each pass after the first reads rows from L1, while the
        // hardware prefetchers stream the next block in (a burst of software prefetches per block measured 6x slower in L2 and
        // no faster from DRAM). Over whole-database strips, each pass would read DRAM with a stride the prefetchers
        // follow poorly, and the passes together pull more lines than one sequential scan.
        for (int k0 = 0; k0 < count; k0 += BlockRows)
        {
            byte* block = rows + ((nint)k0 * stride);
            MaskedSinglePasses(block, stride, Math.Min(BlockRows, count - k0), sel + (k0 >> 6), acc, width);
        }
    }

    /// <summary>Column passes <see cref="MaskedSinglePasses"/> makes over the rows: one per 256-byte register strip (the last one takes the tail too).</summary>
    private static int SinglePasses(int stride, KernelWidth width) =>
        width == KernelWidth.Scalar || stride < 8 ? 1 : (stride + StripBytes - 1) / StripBytes;

    /// <summary>Widest column strip whose accumulator stays in registers: 8 × Vector256 or 4 × Vector512.</summary>
    private const int StripBytes = 256;

    private static void MaskedSinglePasses(byte* rows, int stride, int count, ulong* sel, byte* acc, KernelWidth width)
    {
        if (width == KernelWidth.Scalar || stride < 8)
        {
            MaskedSingleMemory(rows, stride, count, sel, acc, new LanePlan(stride, width));
            return;
        }

        // Rows of 8 bytes or more are whole words: full 256-byte strips, then one last strip of vector lanes plus up to
        // three word lanes, so a row of any size is one pass per 256 bytes with nothing accumulated through memory.
        for (int offset = 0; offset < stride; offset += StripBytes)
        {
            int bytes = Math.Min(StripBytes, stride - offset);
            if (width == KernelWidth.Vector512)
            {
                MaskedStrip512(rows + offset, stride, count, sel, acc + offset, bytes);
            }
            else
            {
                MaskedStrip256(rows + offset, stride, count, sel, acc + offset, bytes);
            }
        }
    }

    // Fully optimised from the first call: a scan of a large database is one long call that tiering would start in unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaskedSingleMemory(byte* rows, int stride, int count, ulong* sel, byte* acc, LanePlan plan)
    {
        for (int k = 0; k < count; k++, rows += stride)
        {
            ulong mask = 0UL - ((sel[k >> 6] >> (k & 63)) & 1UL);
            plan.AccumulateMasked(acc, rows, mask);
        }
    }

    /// <summary>
    /// Accumulates a strip of <paramref name="bytes"/> (8..256, a multiple of 8) of every row in registers: up to four
    /// Vector512 lanes, one Vector256 lane, three 64-bit words. The lane tests are loop-invariant and predicted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaskedStrip512(byte* rows, int stride, int count, ulong* sel, byte* acc, int bytes)
    {
        Debug.Assert(bytes is >= 8 and <= StripBytes && bytes % 8 == 0);
        int lanes = bytes / 64;
        bool half = (bytes & 32) != 0;
        int words = (bytes & 31) / 8;
        byte* h = acc + (lanes * 64);
        ulong* w = (ulong*)(h + (half ? 32 : 0));
        Vector512<ulong> a0 = lanes > 0 ? Vector512.Load((ulong*)acc) : default;
        Vector512<ulong> a1 = lanes > 1 ? Vector512.Load((ulong*)(acc + 64)) : default;
        Vector512<ulong> a2 = lanes > 2 ? Vector512.Load((ulong*)(acc + 128)) : default;
        Vector512<ulong> a3 = lanes > 3 ? Vector512.Load((ulong*)(acc + 192)) : default;
        Vector256<ulong> ah = half ? Vector256.Load((ulong*)h) : default;
        ulong w0 = words > 0 ? w[0] : 0, w1 = words > 1 ? w[1] : 0, w2 = words > 2 ? w[2] : 0;
        nint hOffset = lanes * 64;
        nint wOffset = hOffset + (half ? 32 : 0);
        for (int k = 0; k < count; k++, rows += stride)
        {
            ulong mask = 0UL - ((sel[k >> 6] >> (k & 63)) & 1UL);
            Vector512<ulong> m = Vector512.Create(mask);
            if (lanes > 0)
            {
                a0 ^= Vector512.Load((ulong*)rows) & m;
                if (lanes > 1)
                {
                    a1 ^= Vector512.Load((ulong*)(rows + 64)) & m;
                    if (lanes > 2)
                    {
                        a2 ^= Vector512.Load((ulong*)(rows + 128)) & m;
                        if (lanes > 3)
                        {
                            a3 ^= Vector512.Load((ulong*)(rows + 192)) & m;
                        }
                    }
                }
            }

            if (half)
            {
                ah ^= Vector256.Load((ulong*)(rows + hOffset)) & Vector256.Create(mask);
            }

            if (words > 0)
            {
                ulong* rw = (ulong*)(rows + wOffset);
                w0 ^= rw[0] & mask;
                if (words > 1)
                {
                    w1 ^= rw[1] & mask;
                    if (words > 2)
                    {
                        w2 ^= rw[2] & mask;
                    }
                }
            }
        }

        if (lanes > 0)
        {
            Vector512.Store(a0, (ulong*)acc);
        }

        if (lanes > 1)
        {
            Vector512.Store(a1, (ulong*)(acc + 64));
        }

        if (lanes > 2)
        {
            Vector512.Store(a2, (ulong*)(acc + 128));
        }

        if (lanes > 3)
        {
            Vector512.Store(a3, (ulong*)(acc + 192));
        }

        if (half)
        {
            Vector256.Store(ah, (ulong*)h);
        }

        StoreWords(w, words, w0, w1, w2);
    }

    /// <summary>
    /// A whole 256-byte strip in 8 registers with no lane tests. The mask comes from vector ops on the selection word
    /// broadcast once per 64 rows: <c>(word &amp; bit) == bit</c> with <c>bit</c> doubling each row, 3 vector µops a row instead
    /// of a scalar extract, negate and broadcast, so more of the out-of-order window holds row loads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaskedStrip256Full(byte* rows, int stride, int count, ulong* sel, byte* acc)
    {
        Vector256<ulong> a0 = Vector256.Load((ulong*)acc);
        Vector256<ulong> a1 = Vector256.Load((ulong*)(acc + 32));
        Vector256<ulong> a2 = Vector256.Load((ulong*)(acc + 64));
        Vector256<ulong> a3 = Vector256.Load((ulong*)(acc + 96));
        Vector256<ulong> a4 = Vector256.Load((ulong*)(acc + 128));
        Vector256<ulong> a5 = Vector256.Load((ulong*)(acc + 160));
        Vector256<ulong> a6 = Vector256.Load((ulong*)(acc + 192));
        Vector256<ulong> a7 = Vector256.Load((ulong*)(acc + 224));
        for (int k0 = 0; k0 < count; k0 += 64)
        {
            Vector256<ulong> word = Vector256.Create(sel[k0 >> 6]);
            Vector256<ulong> bit = Vector256.Create(1UL);
            for (int j = Math.Min(64, count - k0); j > 0; j--, rows += stride)
            {
                Vector256<ulong> m = Vector256.Equals(word & bit, bit);
                bit += bit;
                a0 ^= Vector256.Load((ulong*)rows) & m;
                a1 ^= Vector256.Load((ulong*)(rows + 32)) & m;
                a2 ^= Vector256.Load((ulong*)(rows + 64)) & m;
                a3 ^= Vector256.Load((ulong*)(rows + 96)) & m;
                a4 ^= Vector256.Load((ulong*)(rows + 128)) & m;
                a5 ^= Vector256.Load((ulong*)(rows + 160)) & m;
                a6 ^= Vector256.Load((ulong*)(rows + 192)) & m;
                a7 ^= Vector256.Load((ulong*)(rows + 224)) & m;
            }
        }

        Vector256.Store(a0, (ulong*)acc);
        Vector256.Store(a1, (ulong*)(acc + 32));
        Vector256.Store(a2, (ulong*)(acc + 64));
        Vector256.Store(a3, (ulong*)(acc + 96));
        Vector256.Store(a4, (ulong*)(acc + 128));
        Vector256.Store(a5, (ulong*)(acc + 160));
        Vector256.Store(a6, (ulong*)(acc + 192));
        Vector256.Store(a7, (ulong*)(acc + 224));
    }

    /// <summary>
    /// Accumulates a strip of <paramref name="bytes"/> (8..256, a multiple of 8) of every row in registers: up to eight
    /// Vector256 lanes and three 64-bit words. The lane tests are loop-invariant and predicted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaskedStrip256(byte* rows, int stride, int count, ulong* sel, byte* acc, int bytes)
    {
        Debug.Assert(bytes is >= 8 and <= StripBytes && bytes % 8 == 0);
        if (bytes == StripBytes)
        {
            MaskedStrip256Full(rows, stride, count, sel, acc);
            return;
        }

        int lanes = bytes / 32;
        int words = (bytes & 31) / 8;
        ulong* w = (ulong*)(acc + (lanes * 32));
        Vector256<ulong> a0 = lanes > 0 ? Vector256.Load((ulong*)acc) : default;
        Vector256<ulong> a1 = lanes > 1 ? Vector256.Load((ulong*)(acc + 32)) : default;
        Vector256<ulong> a2 = lanes > 2 ? Vector256.Load((ulong*)(acc + 64)) : default;
        Vector256<ulong> a3 = lanes > 3 ? Vector256.Load((ulong*)(acc + 96)) : default;
        Vector256<ulong> a4 = lanes > 4 ? Vector256.Load((ulong*)(acc + 128)) : default;
        Vector256<ulong> a5 = lanes > 5 ? Vector256.Load((ulong*)(acc + 160)) : default;
        Vector256<ulong> a6 = lanes > 6 ? Vector256.Load((ulong*)(acc + 192)) : default;
        Vector256<ulong> a7 = lanes > 7 ? Vector256.Load((ulong*)(acc + 224)) : default;
        ulong w0 = words > 0 ? w[0] : 0, w1 = words > 1 ? w[1] : 0, w2 = words > 2 ? w[2] : 0;
        nint wOffset = lanes * 32;
        for (int k = 0; k < count; k++, rows += stride)
        {
            ulong mask = 0UL - ((sel[k >> 6] >> (k & 63)) & 1UL);
            Vector256<ulong> m = Vector256.Create(mask);
            if (lanes > 0)
            {
                a0 ^= Vector256.Load((ulong*)rows) & m;
                if (lanes > 1)
                {
                    a1 ^= Vector256.Load((ulong*)(rows + 32)) & m;
                    if (lanes > 2)
                    {
                        a2 ^= Vector256.Load((ulong*)(rows + 64)) & m;
                        if (lanes > 3)
                        {
                            a3 ^= Vector256.Load((ulong*)(rows + 96)) & m;
                            if (lanes > 4)
                            {
                                a4 ^= Vector256.Load((ulong*)(rows + 128)) & m;
                                if (lanes > 5)
                                {
                                    a5 ^= Vector256.Load((ulong*)(rows + 160)) & m;
                                    if (lanes > 6)
                                    {
                                        a6 ^= Vector256.Load((ulong*)(rows + 192)) & m;
                                        if (lanes > 7)
                                        {
                                            a7 ^= Vector256.Load((ulong*)(rows + 224)) & m;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }

            if (words > 0)
            {
                ulong* rw = (ulong*)(rows + wOffset);
                w0 ^= rw[0] & mask;
                if (words > 1)
                {
                    w1 ^= rw[1] & mask;
                    if (words > 2)
                    {
                        w2 ^= rw[2] & mask;
                    }
                }
            }
        }

        if (lanes > 0)
        {
            Vector256.Store(a0, (ulong*)(acc + 0));
        }

        if (lanes > 1)
        {
            Vector256.Store(a1, (ulong*)(acc + 32));
        }

        if (lanes > 2)
        {
            Vector256.Store(a2, (ulong*)(acc + 64));
        }

        if (lanes > 3)
        {
            Vector256.Store(a3, (ulong*)(acc + 96));
        }

        if (lanes > 4)
        {
            Vector256.Store(a4, (ulong*)(acc + 128));
        }

        if (lanes > 5)
        {
            Vector256.Store(a5, (ulong*)(acc + 160));
        }

        if (lanes > 6)
        {
            Vector256.Store(a6, (ulong*)(acc + 192));
        }

        if (lanes > 7)
        {
            Vector256.Store(a7, (ulong*)(acc + 224));
        }

        StoreWords(w, words, w0, w1, w2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreWords(ulong* destination, int words, ulong w0, ulong w1, ulong w2)
    {
        if (words > 0)
        {
            destination[0] = w0;
        }

        if (words > 1)
        {
            destination[1] = w1;
        }

        if (words > 2)
        {
            destination[2] = w2;
        }
    }

    // Fully optimised from the first call: a scan of a large database is one long call that tiering would start in unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaskedBatchCore(byte* rows, int stride, int count, ulong** sel, nint wordOffset, int batch, byte* acc, LanePlan plan)
    {
        ulong* stackMasks = stackalloc ulong[256];
        ulong* masks = batch <= 256 ? stackMasks : (ulong*)NativeMemory.Alloc((nuint)batch, sizeof(ulong));
        try
        {
            for (int k = 0; k < count; k++, rows += stride)
            {
                nint word = wordOffset + (k >> 6);
                int bit = k & 63;
                for (int q = 0; q < batch; q++)
                {
                    masks[q] = 0UL - ((sel[q][word] >> bit) & 1UL);
                }

                plan.AccumulateMaskedBatch(acc, stride, rows, masks, batch);
            }
        }
        finally
        {
            if (batch > 256)
            {
                NativeMemory.Free(masks);
            }
        }
    }

    private static int ValidateScan(PirDatabase db, long firstRecord, int recordCount, ReadOnlySpan<ulong> selections, int selectionWords, Span<byte> accumulators)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.ThrowIfDisposed();
        if (recordCount < 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordCount), recordCount, "at least 0");
        }

        if (firstRecord < 0 || firstRecord > db.RecordCount - recordCount)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(firstRecord), firstRecord, $"0 <= firstRecord <= {db.RecordCount} - recordCount ({recordCount})");
        }

        int words = WordsFor(recordCount);
        if (selectionWords < words)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(selectionWords), selectionWords, $"at least {words} (one bit per record)");
        }

        return ValidateBatchShape(db, selections, selectionWords, accumulators);
    }

    private static int ValidateBatchShape(PirDatabase db, ReadOnlySpan<ulong> selections, int selectionWords, Span<byte> accumulators)
    {
        int stride = db.RecordStride;
        if (accumulators.Length == 0 || accumulators.Length % stride != 0)
        {
            ThrowHelper.Argument(nameof(accumulators), $"accumulators has length {accumulators.Length}; expected a positive multiple of the row stride {stride}.");
        }

        int batch = accumulators.Length / stride;
        long needed = (long)batch * selectionWords;
        if (selections.Length != needed)
        {
            ThrowHelper.ArgumentLength(nameof(selections), selections.Length, needed);
        }

        return batch;
    }

    private static void ValidateWidth(KernelWidth width)
    {
        if (width is not (KernelWidth.Scalar or KernelWidth.Vector256 or KernelWidth.Vector512))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(width), (long)width, "0, 256 or 512");
        }
    }

    /// <summary>
    /// How a span of row bytes splits into lanes at one width: 64-byte lanes, then 32-byte lanes, then 8-byte words; a span
    /// under 8 bytes (rows of 1, 2 or 4 bytes) is one narrow lane. Spans are multiples of 8 bytes or one of 1, 2, 4.
    /// </summary>
    internal readonly struct LanePlan
    {
        private readonly int _n512;
        private readonly int _n256;
        private readonly int _n64;
        private readonly int _narrow;

        public LanePlan(int bytes, KernelWidth width)
        {
            Debug.Assert(bytes >= 8 ? bytes % 8 == 0 : bytes is 1 or 2 or 4);
            if (bytes < 8)
            {
                _narrow = bytes;
                return;
            }

            int rest = bytes;
            if (width == KernelWidth.Vector512)
            {
                _n512 = rest / 64;
                rest %= 64;
            }

            if (width != KernelWidth.Scalar)
            {
                _n256 = rest / 32;
                rest %= 32;
            }

            _n64 = rest / 8;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void AccumulateMasked(byte* acc, byte* row, ulong mask)
        {
            nint off = 0;
            for (int i = 0; i < _n512; i++, off += 64)
            {
                Lane512.AccumulateMasked(acc + off, row + off, mask);
            }

            for (int i = 0; i < _n256; i++, off += 32)
            {
                Lane256.AccumulateMasked(acc + off, row + off, mask);
            }

            for (int i = 0; i < _n64; i++, off += 8)
            {
                Lane64.AccumulateMasked(acc + off, row + off, mask);
            }

            switch (_narrow)
            {
                case 4: Lane32.AccumulateMasked(acc, row, mask); break;
                case 2: Lane16.AccumulateMasked(acc, row, mask); break;
                case 1: Lane8.AccumulateMasked(acc, row, mask); break;
            }
        }

        public void AccumulateMaskedBatch(byte* acc, nint accStride, byte* row, ulong* masks, int batch)
        {
            nint off = 0;
            for (int i = 0; i < _n512; i++, off += 64)
            {
                Lane512.AccumulateMaskedBatch(acc + off, accStride, row + off, masks, batch);
            }

            for (int i = 0; i < _n256; i++, off += 32)
            {
                Lane256.AccumulateMaskedBatch(acc + off, accStride, row + off, masks, batch);
            }

            for (int i = 0; i < _n64; i++, off += 8)
            {
                Lane64.AccumulateMaskedBatch(acc + off, accStride, row + off, masks, batch);
            }

            switch (_narrow)
            {
                case 4: Lane32.AccumulateMaskedBatch(acc, accStride, row, masks, batch); break;
                case 2: Lane16.AccumulateMaskedBatch(acc, accStride, row, masks, batch); break;
                case 1: Lane8.AccumulateMaskedBatch(acc, accStride, row, masks, batch); break;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Xor(byte* destination, byte* a, byte* b)
        {
            nint off = 0;
            for (int i = 0; i < _n512; i++, off += 64)
            {
                Lane512.Xor(destination + off, a + off, b + off);
            }

            for (int i = 0; i < _n256; i++, off += 32)
            {
                Lane256.Xor(destination + off, a + off, b + off);
            }

            for (int i = 0; i < _n64; i++, off += 8)
            {
                Lane64.Xor(destination + off, a + off, b + off);
            }

            switch (_narrow)
            {
                case 4: Lane32.Xor(destination, a, b); break;
                case 2: Lane16.Xor(destination, a, b); break;
                case 1: Lane8.Xor(destination, a, b); break;
            }
        }

        public void XorGather(byte* acc, byte* table, nint* offsets, int count)
        {
            nint off = 0;
            for (int i = 0; i < _n512; i++, off += 64)
            {
                Lane512.XorGather(acc + off, table + off, offsets, count);
            }

            for (int i = 0; i < _n256; i++, off += 32)
            {
                Lane256.XorGather(acc + off, table + off, offsets, count);
            }

            for (int i = 0; i < _n64; i++, off += 8)
            {
                Lane64.XorGather(acc + off, table + off, offsets, count);
            }

            switch (_narrow)
            {
                case 4: Lane32.XorGather(acc, table, offsets, count); break;
                case 2: Lane16.XorGather(acc, table, offsets, count); break;
                case 1: Lane8.XorGather(acc, table, offsets, count); break;
            }
        }
    }
}
