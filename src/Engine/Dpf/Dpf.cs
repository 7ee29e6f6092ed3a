using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace Privomega.Pir.Engine;

/// <summary>
/// Distributed point functions for <c>f(x) = 1 if x = α else 0</c> over <c>2^n</c> one-bit leaves:
/// Boyle–Gilboa–Ishai (CCS 2016) tree construction with early termination. The tree stops
/// <c>ν = n − 7</c> levels below the root and each of its <c>2^ν</c> leaf nodes yields 128 output bits,
/// so keys are <c>O(λ·(n − 7))</c> bytes and a full expansion costs about three AES calls per 128 leaves.
/// </summary>
/// <remarks>
/// Output layout: leaf <c>x</c> is bit <c>x &amp; 63</c> of word <c>x &gt;&gt; 6</c> of the output,
/// the selection-vector layout of the XOR PIR kernels. The two parties' expansions XOR to the point
/// function; either one alone is pseudorandom.
/// </remarks>
public static class Dpf
{
    /// <summary>Leaves in one output block of the tree (128).</summary>
    public const int LeavesPerBlock = 1 << DpfKey.LeafBlockBits;

    // Leaf blocks expanded per breadth-first pass: 512 blocks = 2^16 leaves, two 8 KiB seed
    // buffers on the stack, so a pass stays in L1 and nothing proportional to the domain is allocated.
    private const int MaxPassBlocks = 512;

    /// <summary>Generates the two parties' keys for the point function at <paramref name="alpha"/> using the OS CSPRNG.</summary>
    public static (DpfKey Key0, DpfKey Key1) Generate(long alpha, int domainBits)
    {
        if ((uint)domainBits > DpfKey.MaxDomainBits)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(domainBits), domainBits, $"0..{DpfKey.MaxDomainBits}");
        }

        if ((ulong)alpha >= 1UL << domainBits)
        {
            // α is the secret point: the message names the bound, never the value.
            ThrowHelper.SecretOutOfRange(nameof(alpha), $"0..{(1L << domainBits) - 1}");
        }

        Span<byte> rootSeeds = stackalloc byte[32];
        RandomNumberGenerator.Fill(rootSeeds);
        try
        {
            return GenerateCore(alpha, domainBits, rootSeeds);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rootSeeds);
        }
    }

    /// <summary>
    /// Key generation from given root seeds (32 bytes: party 0's then party 1's; their bit 0 is
    /// overwritten by the party's initial control bit). Deterministic, for known-answer tests.
    /// </summary>
    internal static (DpfKey Key0, DpfKey Key1) GenerateCore(long alpha, int domainBits, ReadOnlySpan<byte> rootSeeds)
    {
        Debug.Assert(rootSeeds.Length == 32 && (uint)domainBits <= DpfKey.MaxDomainBits);
        Debug.Assert(alpha >= 0 && alpha < 1L << domainBits);

        int levels = DpfKey.LevelsFor(domainBits);
        Vector128<byte> seedMask = DpfPrg.SeedMask;
        Vector128<byte> one = Vector128.CreateScalar((byte)1);
        var words0 = new Vector128<byte>[2 + (2 * levels)];
        var words1 = new Vector128<byte>[2 + (2 * levels)];

        // Initial control bits t0 = 0, t1 = 1 live in bit 0 of the roots.
        Vector128<byte> node0 = Vector128.Create(rootSeeds[..16]) & seedMask;
        Vector128<byte> node1 = (Vector128.Create(rootSeeds[16..]) & seedMask) | one;
        words0[0] = node0;
        words1[0] = node1;

        for (int level = 0; level < levels; level++)
        {
            // Path bit for this level, most significant first, so leaf blocks come out in index order.
            int bit = (int)((alpha >> (domainBits - 1 - level)) & 1);
            (Vector128<byte> left0, Vector128<byte> right0) = DpfPrg.Expand(node0);
            (Vector128<byte> left1, Vector128<byte> right1) = DpfPrg.Expand(node1);

            Vector128<byte> lose0 = bit == 0 ? right0 : left0;
            Vector128<byte> lose1 = bit == 0 ? right1 : left1;
            Vector128<byte> seedCorrection = (lose0 ^ lose1) & seedMask;

            // Control corrections make the kept child's control bits differ (t0 ⊕ t1 = 1) and the lost child's agree.
            byte leftControl = (byte)((left0.GetElement(0) ^ left1.GetElement(0) ^ bit ^ 1) & 1);
            byte rightControl = (byte)((right0.GetElement(0) ^ right1.GetElement(0) ^ bit) & 1);
            Vector128<byte> cwLeft = seedCorrection | Vector128.CreateScalar(leftControl);
            Vector128<byte> cwRight = seedCorrection | Vector128.CreateScalar(rightControl);
            words0[1 + (2 * level)] = words1[1 + (2 * level)] = cwLeft;
            words0[2 + (2 * level)] = words1[2 + (2 * level)] = cwRight;

            Vector128<byte> keepCorrection = bit == 0 ? cwLeft : cwRight;
            node0 = (bit == 0 ? left0 : right0) ^ (DpfPrg.ControlMask(node0) & keepCorrection);
            node1 = (bit == 0 ? left1 : right1) ^ (DpfPrg.ControlMask(node1) & keepCorrection);
        }

        // On α's leaf node the control bits differ, so exactly one party adds the output correction.
        Vector128<byte> target = UnitBlock((int)(alpha & (LeavesPerBlock - 1)));
        Vector128<byte> outputCorrection = DpfPrg.Convert(node0) ^ DpfPrg.Convert(node1) ^ target;
        words0[^1] = words1[^1] = outputCorrection;

        node0 = node1 = default;
        return (new DpfKey(domainBits, 0, words0), new DpfKey(domainBits, 1, words1));
    }

    /// <summary>
    /// Expands the leaves <c>[firstLeaf, firstLeaf + leafCount)</c> of <paramref name="key"/> into
    /// <paramref name="bits"/> (leaf <c>firstLeaf + k</c> is bit <c>k &amp; 63</c> of word <c>k &gt;&gt; 6</c>).
    /// Both bounds are multiples of 128; the range lies in <see cref="DpfKey.PaddedDomainSize"/>.
    /// Only the subtrees covering the range are expanded.
    /// </summary>
    public static void EvaluateRange(DpfKey key, long firstLeaf, int leafCount, Span<ulong> bits)
    {
        ArgumentNullException.ThrowIfNull(key);
        long padded = key.PaddedDomainSize;
        if (firstLeaf < 0 || firstLeaf % LeavesPerBlock != 0 || firstLeaf >= padded)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(firstLeaf), firstLeaf, $"a multiple of {LeavesPerBlock} below {padded}");
        }

        if (leafCount <= 0 || leafCount % LeavesPerBlock != 0 || leafCount > padded - firstLeaf)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(leafCount), leafCount, $"a positive multiple of {LeavesPerBlock} up to {padded - firstLeaf}");
        }

        if (bits.Length < leafCount / 64)
        {
            ThrowHelper.Argument(nameof(bits), $"bits has {bits.Length} words; expected at least {leafCount / 64}.");
        }

        EvaluateRangeCore(key, firstLeaf / LeavesPerBlock, leafCount / LeavesPerBlock, bits);
    }

    /// <summary>Expands the whole (padded) domain; for tests and small domains.</summary>
    public static ulong[] EvaluateFullDomain(DpfKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.DomainBits > 30)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(key), key.DomainBits, "a key of at most 2^30 leaves for a full-domain array");
        }

        long leaves = key.PaddedDomainSize;
        var bits = new ulong[leaves / 64];
        EvaluateRangeCore(key, 0, leaves / LeavesPerBlock, bits);
        return bits;
    }

    /// <summary>Evaluates one leaf by walking its path (ν PRG calls): the party's share of <c>f(x)</c>.</summary>
    public static bool Evaluate(DpfKey key, long x)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (x < 0 || x >= key.DomainSize)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(x), x, $"0..{key.DomainSize - 1}");
        }

        int levels = key.Levels;
        Vector128<byte> node = key.Root;
        for (int level = 0; level < levels; level++)
        {
            (Vector128<byte> left, Vector128<byte> right) = DpfPrg.Expand(node);
            Vector128<byte> control = DpfPrg.ControlMask(node);
            node = ((x >> (key.DomainBits - 1 - level)) & 1) == 0
                ? left ^ (control & key.LeftCorrection(level))
                : right ^ (control & key.RightCorrection(level));
        }

        Vector128<byte> block = DpfPrg.Convert(node) ^ (DpfPrg.ControlMask(node) & key.OutputCorrection);
        int position = (int)(x & (LeavesPerBlock - 1));
        return ((block.AsUInt64().GetElement(position >> 6) >> (position & 63)) & 1) != 0;
    }

    /// <summary>
    /// Breadth-first expansion of leaf blocks <c>[firstBlock, firstBlock + blockCount)</c>: level by
    /// level only the nodes whose subtrees meet the range, in passes of at most 512 leaf blocks.
    /// </summary>
    internal static void EvaluateRangeCore(DpfKey key, long firstBlock, long blockCount, Span<ulong> bits) =>
        EvaluateSubtreeRangeCore(key, 0, key.Root, 0, firstBlock, blockCount, bits);

    /// <summary>
    /// <see cref="EvaluateRangeCore"/> started from node <paramref name="rootIndex"/> of level
    /// <paramref name="rootLevel"/> (as <see cref="ExpandNodesCore"/> returns it) instead of the root:
    /// the range must lie in that node's subtree. The fused PIR scan uses it so that the path from the
    /// root to each block is expanded once per group of blocks rather than once per block.
    /// </summary>
    [SkipLocalsInit]
    internal static void EvaluateSubtreeRangeCore(
        DpfKey key, int rootLevel, Vector128<byte> rootNode, long rootIndex, long firstBlock, long blockCount, Span<ulong> bits)
    {
        int levels = key.Levels;
        Debug.Assert(firstBlock >= 0 && blockCount > 0 && bits.Length >= blockCount * 2);
        Debug.Assert(firstBlock >> (levels - rootLevel) == rootIndex && (firstBlock + blockCount - 1) >> (levels - rootLevel) == rootIndex);
        Span<Vector128<byte>> output = MemoryMarshal.Cast<ulong, Vector128<byte>>(bits);

        // A level holds at most passBlocks + 3 nodes (the range's nodes plus a straddling parent's
        // sibling); sizing to the pass keeps small blocks cheap. Every slot read is written first.
        int bufferLength = (int)Math.Min(blockCount, MaxPassBlocks) + 4;
        Span<Vector128<byte>> bufferA = stackalloc Vector128<byte>[bufferLength];
        Span<Vector128<byte>> bufferB = stackalloc Vector128<byte>[bufferLength];
        Vector128<byte> outputCorrection = key.OutputCorrection;

        for (long done = 0; done < blockCount; done += MaxPassBlocks)
        {
            long a = firstBlock + done;
            long b = a + Math.Min(MaxPassBlocks, blockCount - done);
            Span<Vector128<byte>> leaves = Descend(key, rootLevel, rootNode, rootIndex, levels, a, b, bufferA, bufferB);
            DpfPrg.ConvertLeaves(leaves, output.Slice((int)done, (int)(b - a)), outputCorrection);
        }

        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(bufferA));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(bufferB));
    }

    /// <summary>
    /// The tree nodes <c>[firstNode, firstNode + nodes.Length)</c> of <paramref name="level"/> (0 = root,
    /// <see cref="DpfKey.Levels"/> = leaf nodes), control bit in bit 0. They are seed material: the caller wipes them.
    /// </summary>
    [SkipLocalsInit]
    internal static void ExpandNodesCore(DpfKey key, int level, long firstNode, Span<Vector128<byte>> nodes)
    {
        Debug.Assert(level >= 0 && level <= key.Levels && firstNode >= 0 && firstNode + nodes.Length <= 1L << level);
        int bufferLength = Math.Min(nodes.Length, MaxPassBlocks) + 4;
        Span<Vector128<byte>> bufferA = stackalloc Vector128<byte>[bufferLength];
        Span<Vector128<byte>> bufferB = stackalloc Vector128<byte>[bufferLength];
        for (int done = 0; done < nodes.Length; done += MaxPassBlocks)
        {
            long a = firstNode + done;
            long b = a + Math.Min(MaxPassBlocks, nodes.Length - done);
            Descend(key, 0, key.Root, 0, level, a, b, bufferA, bufferB).CopyTo(nodes[done..]);
        }

        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(bufferA));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(bufferB));
    }

    /// <summary>
    /// Expands node <paramref name="startIndex"/> of <paramref name="startLevel"/> down to the nodes
    /// <c>[a, b)</c> of <paramref name="targetLevel"/>, which must lie in its subtree, keeping at each level
    /// only the nodes whose subtrees meet the range. Returns a slice of one of the two buffers.
    /// </summary>
    private static Span<Vector128<byte>> Descend(
        DpfKey key, int startLevel, Vector128<byte> startNode, long startIndex, int targetLevel, long a, long b,
        Span<Vector128<byte>> bufferA, Span<Vector128<byte>> bufferB)
    {
        // cur holds the nodes [lo, lo + cur.Length) of the current level.
        Span<Vector128<byte>> cur = bufferA[..1];
        cur[0] = startNode;
        long lo = startIndex;
        bool inA = true;
        for (int level = startLevel; level < targetLevel; level++)
        {
            int shift = targetLevel - level - 1;
            long nextLo = a >> shift;
            long nextHi = ((b - 1) >> shift) + 1;
            Span<Vector128<byte>> next = inA ? bufferB : bufferA;
            DpfPrg.ExpandLevel(cur, next, key.LeftCorrection(level), key.RightCorrection(level));
            cur = next.Slice((int)(nextLo - (2 * lo)), (int)(nextHi - nextLo));
            lo = nextLo;
            inA = !inA;
        }

        Debug.Assert(lo == a && cur.Length == b - a);
        return cur;
    }

    private static Vector128<byte> UnitBlock(int position)
    {
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        bytes[position >> 3] = (byte)(1 << (position & 7));
        return Vector128.Create((ReadOnlySpan<byte>)bytes);
    }
}
