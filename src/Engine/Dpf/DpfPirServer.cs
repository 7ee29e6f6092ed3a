using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace Privomega.Pir.Engine;

/// <summary>
/// One of the two servers of XOR PIR with DPF-compressed queries, bound to a database it does not own.
/// The selection vector is never materialised: rows are scanned in blocks of <see cref="BlockLeaves"/>
/// records, and for each block every query's key is expanded over just that block (a few KiB that
/// stay in L1/L2) and handed straight to the masked-XOR kernel. <c>AnswerBatch</c> answers B queries
/// in one pass; <see cref="Threads"/> threads take contiguous ranges of blocks.
/// </summary>
/// <remarks>
/// The key's domain is the record count rounded up to a power of two; leaves past the last record
/// are expanded only up to the next 128-leaf boundary and then ignored by the kernel.
/// </remarks>
public sealed class DpfPirServer : IPirServer
{
    /// <summary>Default records per fused block: 2^14 selection bits (2 KiB per query).</summary>
    public const int DefaultBlockLeaves = 1 << 14;

    // Per thread, the selections of a whole batch for one block stay under this many bytes (L2-sized).
    private const int MaxSelectionBytesPerThread = 256 * 1024;

    // Per thread, cached subtree roots of a batch (16 bytes each) stay under 64 KiB.
    private const int MaxRootNodesPerThread = 4096;

    private readonly PirDatabase _database;

    // The rows this server holds are rows [_firstRow, _firstRow + _database.RecordCount) of a database of
    // _totalRecords rows (a shard); a whole-database server has _firstRow = 0 and _totalRecords = RecordCount.
    private readonly long _firstRow;
    private readonly long _totalRecords;

    /// <summary>Creates a server over <paramref name="database"/> that scans with <paramref name="threads"/> threads at the default kernel width.</summary>
    public DpfPirServer(PirDatabase database, int threads = 1)
        : this(database, threads, DefaultBlockLeaves, XorKernels.DefaultWidth, XorBatchMethod.Auto)
    {
    }

    /// <summary>Creates a server with a forced block size, kernel width and batch method (benchmarks and tests).</summary>
    public DpfPirServer(PirDatabase database, int threads, int blockLeaves, KernelWidth width, XorBatchMethod method)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (threads < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(threads), threads, "at least 1");
        }

        if (blockLeaves < Dpf.LeavesPerBlock || blockLeaves > 1 << 24 || !BitOperations.IsPow2(blockLeaves))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(blockLeaves), blockLeaves, $"a power of two in {Dpf.LeavesPerBlock}..2^24");
        }

        _database = database;
        Threads = threads;
        BlockLeaves = blockLeaves;
        Width = width;
        Method = method;
        _totalRecords = database.RecordCount;
        DomainBits = DpfQuery.DomainBitsFor(database.RecordCount);
    }

    /// <summary>
    /// A shard's server: <paramref name="slice"/> holds rows <c>[firstRow, firstRow + slice.RecordCount)</c> of a
    /// database of <paramref name="totalRecords"/> rows, and answers are the XOR of the selected rows of the slice
    /// only (the shards' answers XOR to the whole database's answer). <paramref name="firstRow"/> is a multiple of
    /// <see cref="PirSharding.RowAlignment"/>; callers check.
    /// </summary>
    internal DpfPirServer(PirDatabase slice, long firstRow, long totalRecords, int threads)
        : this(slice, threads, DefaultBlockLeaves, XorKernels.DefaultWidth, XorBatchMethod.Auto)
    {
        Debug.Assert(firstRow % PirSharding.RowAlignment == 0 && firstRow + slice.RecordCount <= totalRecords);
        _firstRow = firstRow;
        _totalRecords = totalRecords;
        DomainBits = DpfQuery.DomainBitsFor(totalRecords);
    }

    /// <inheritdoc />
    public PirSchemeKind Scheme => PirSchemeKind.XorDpf;

    /// <summary>Threads a scan uses.</summary>
    public int Threads { get; }

    /// <summary>Records per fused expand-and-scan block (single query; large batches use smaller blocks).</summary>
    public int BlockLeaves { get; }

    /// <summary>Kernel width the scans use.</summary>
    public KernelWidth Width { get; }

    /// <summary>Batch method the scans use.</summary>
    public XorBatchMethod Method { get; }

    /// <summary>log2 of the index domain queries must be over.</summary>
    public int DomainBits { get; }

    /// <inheritdoc />
    public bool NeedsEvaluationKey => false;

    /// <inheritdoc />
    public PirAnswer Answer(PirQuery query, PirEvaluationKey? evaluationKey = null) => AnswerBatch([query])[0];

    /// <inheritdoc />
    public PirAnswer[] AnswerBatch(ReadOnlySpan<PirQuery> queries, ReadOnlySpan<PirEvaluationKey> evaluationKeys = default)
    {
        if (queries.IsEmpty)
        {
            return [];
        }

        var keys = new DpfKey[queries.Length];
        for (int q = 0; q < queries.Length; q++)
        {
            if (queries[q] is not DpfQuery share)
            {
                ThrowHelper.Argument(nameof(queries), $"queries[{q}] is a {queries[q]?.Scheme.ToString() ?? "null"} query; expected {PirSchemeKind.XorDpf}.");
                return [];
            }

            if (share.DomainBits != DomainBits)
            {
                ThrowHelper.Argument(nameof(queries), $"queries[{q}] has a 2^{share.DomainBits}-leaf domain; the database needs 2^{DomainBits}.");
            }

            keys[q] = share.Key;
        }

        // The scan reference keeps the rows alive if the database is disposed while this scan runs.
        _database.AddScanReference();
        try
        {
            return Scan(keys);
        }
        finally
        {
            _database.ReleaseScanReference();
        }
    }

    /// <summary>The fused scan of all blocks for <paramref name="keys"/>; the caller holds a scan reference.</summary>
    private PirAnswer[] Scan(DpfKey[] keys)
    {
        int stride = _database.RecordStride;
        int batch = keys.Length;
        int block = BlockFor(batch);
        long firstBlock = _firstRow / block;
        long blocks = ((_firstRow + _database.RecordCount + block - 1) / block) - firstBlock;
        int threads = (int)Math.Min(Threads, blocks);
        var accumulators = new byte[threads][];
        for (int t = 0; t < threads; t++)
        {
            accumulators[t] = new byte[checked(batch * stride)];
        }

        if (threads == 1)
        {
            ScanBlocks(keys, firstBlock, firstBlock + blocks, block, accumulators[0]);
        }
        else
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                ScanBlocks(keys, firstBlock + (blocks * t / threads), firstBlock + (blocks * (t + 1) / threads), block, accumulators[t]));
            for (int t = 1; t < threads; t++)
            {
                XorKernels.XorInto(accumulators[0], accumulators[t]);
            }
        }

        var answers = new PirAnswer[batch];
        for (int q = 0; q < batch; q++)
        {
            answers[q] = new XorAnswer(PirSchemeKind.XorDpf, accumulators[0].AsSpan(q * stride, _database.RecordBytes));
        }

        return answers;
    }

    /// <summary>Records per block for a batch: <see cref="BlockLeaves"/>, shrunk so the batch's selections fit the per-thread budget, and no larger than the padded domain.</summary>
    internal int BlockFor(int batch)
    {
        long budgetLeaves = Math.Max((long)MaxSelectionBytesPerThread * 8 / batch, Dpf.LeavesPerBlock);
        long block = Math.Min(BlockLeaves, (long)BitOperations.RoundUpToPowerOf2((ulong)budgetLeaves + 1) >> 1);
        long padded = Math.Max(1L << DomainBits, Dpf.LeavesPerBlock);
        return (int)Math.Min(block, padded);
    }

    /// <summary>Fused expand-and-scan over blocks <c>[firstBlock, endBlock)</c> of <paramref name="block"/> records each (block numbers of the whole database).</summary>
    /// <remarks>
    /// Blocks are aligned subtrees of the DPF tree. For each group of blocks the nodes at the blocks' root
    /// level are expanded once per key, so the path from the tree root is not re-walked for every block;
    /// then each block is expanded from its own node and scanned.
    /// </remarks>
    private void ScanBlocks(DpfKey[] keys, long firstBlock, long endBlock, int block, byte[] accumulators)
    {
        Debug.Assert(block % Dpf.LeavesPerBlock == 0 && BitOperations.IsPow2(block));
        int words = block / 64;
        int leafBlocksPerBlock = block / Dpf.LeavesPerBlock;
        int rootLevel = DpfKey.LevelsFor(DomainBits) - BitOperations.Log2((uint)leafBlocksPerBlock);
        Debug.Assert(rootLevel >= 0);
        int groupBlocks = Math.Clamp(MaxRootNodesPerThread / keys.Length, 1, 64);
        var selections = new ulong[keys.Length * words];
        var roots = new Vector128<byte>[keys.Length * groupBlocks];
        long recordCount = _database.RecordCount;
        try
        {
            for (long group = firstBlock; group < endBlock; group += groupBlocks)
            {
                int count = (int)Math.Min(groupBlocks, endBlock - group);
                for (int q = 0; q < keys.Length; q++)
                {
                    Dpf.ExpandNodesCore(keys[q], rootLevel, group, roots.AsSpan(q * groupBlocks, count));
                }

                for (int j = 0; j < count; j++)
                {
                    long b = group + j;
                    long first = b * block;
                    // The rows of this block that this server holds (all of them unless it is a shard's edge block).
                    long start = Math.Max(first, _firstRow);
                    long end = Math.Min(first + block, _firstRow + recordCount);
                    int leafBlocks = (int)((end - first + Dpf.LeavesPerBlock - 1) / Dpf.LeavesPerBlock);
                    for (int q = 0; q < keys.Length; q++)
                    {
                        Dpf.EvaluateSubtreeRangeCore(
                            keys[q], rootLevel, roots[(q * groupBlocks) + j], b, b * leafBlocksPerBlock, leafBlocks, selections.AsSpan(q * words, leafBlocks * 2));
                    }

                    int skip = (int)((start - first) / 64);
                    if (skip == 0)
                    {
                        XorKernels.AccumulateMaskedBatch(_database, start - _firstRow, (int)(end - start), selections, words, accumulators, Width, Method);
                    }
                    else
                    {
                        // A shard starting inside this block: drop the selection words of rows before it, keeping
                        // each query's words side by side (ascending copies never overwrite words still to move).
                        int kept = words - skip;
                        for (int q = 0; q < keys.Length; q++)
                        {
                            selections.AsSpan((q * words) + skip, kept).CopyTo(selections.AsSpan(q * kept, kept));
                        }

                        XorKernels.AccumulateMaskedBatch(_database, start - _firstRow, (int)(end - start), selections.AsSpan(0, keys.Length * kept), kept, accumulators, Width, Method);
                    }
                }
            }
        }
        finally
        {
            // The expanded selection and the subtree roots are this server's key share: do not leave them in memory.
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(selections.AsSpan()));
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(roots.AsSpan()));
        }
    }
}
