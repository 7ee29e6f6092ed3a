using System.Numerics;

namespace Privomega.Protocol.Merkle;

/// <summary>
/// <c>keydir_t</c>: the RFC 9162 Merkle tree over the certificates valid in one epoch, built once
/// and immutable afterwards (safe to read from many threads). A user's id in the epoch is its leaf
/// index; the epoch head signs <see cref="Size"/> and <see cref="Root"/>.
/// </summary>
public sealed class DirectoryTree : IDisposable
{
    private readonly MerkleLevels _levels;
    private readonly byte[] _root = new byte[MerkleHash.Size];

    private DirectoryTree(MerkleLevels levels)
    {
        _levels = levels;
        _levels.SubtreeHash(0, levels.Size, _root);
    }

    /// <summary>Number of leaves, <c>n_t</c>.</summary>
    public long Size => _levels.Size;

    /// <summary>The tree's root hash.</summary>
    public ReadOnlySpan<byte> Root => _root;

    /// <summary>Length in nodes of the longest inclusion path, <c>ceil(log2 n)</c> (0 for n ≤ 1).</summary>
    public int MaxPathNodes => MaxPathNodesFor(Size);

    /// <summary>Builds the tree over <paramref name="leaves"/> (each hashed as an RFC 9162 leaf).</summary>
    public static DirectoryTree Build(IReadOnlyList<ReadOnlyMemory<byte>> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        var levels = new MerkleLevels(leaves.Count);
        Span<byte> hash = stackalloc byte[MerkleHash.Size];
        foreach (var leaf in leaves)
        {
            MerkleHash.HashLeafCore(leaf.Span, hash);
            levels.AppendLeafHash(hash);
        }

        return new DirectoryTree(levels);
    }

    /// <summary>Builds the tree from leaf hashes already computed, concatenated (32 bytes each).</summary>
    public static DirectoryTree FromLeafHashes(ReadOnlySpan<byte> leafHashes)
    {
        if (leafHashes.Length % MerkleHash.Size != 0)
        {
            ProtocolThrow.Argument(nameof(leafHashes), $"Length {leafHashes.Length} is not a multiple of {MerkleHash.Size}.");
        }

        var count = leafHashes.Length / MerkleHash.Size;
        var levels = new MerkleLevels(count);
        for (var i = 0; i < count; i++)
        {
            levels.AppendLeafHash(leafHashes.Slice(i * MerkleHash.Size, MerkleHash.Size));
        }

        return new DirectoryTree(levels);
    }

    /// <summary><c>ceil(log2 n)</c>: the most nodes an inclusion path in a tree of <paramref name="size"/> leaves has.</summary>
    public static int MaxPathNodesFor(long size)
    {
        if (size < 0)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(size), size, "a size ≥ 0");
        }

        return size <= 1 ? 0 : 64 - BitOperations.LeadingZeroCount((ulong)(size - 1));
    }

    /// <summary>Copies the leaf hash of <paramref name="index"/>.</summary>
    public void GetLeafHash(long index, Span<byte> destination)
    {
        CheckIndex(index);
        if (destination.Length != MerkleHash.Size)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, MerkleHash.Size);
        }

        _levels.LeafHash(index).CopyTo(destination);
    }

    /// <summary>Nodes in the inclusion path of <paramref name="index"/>.</summary>
    public int PathNodes(long index)
    {
        CheckIndex(index);
        return MerkleLevels.InclusionPathLength(index, Size);
    }

    /// <summary>Writes the inclusion proof of <paramref name="index"/>; returns bytes written.</summary>
    public int GetInclusionProof(long index, Span<byte> destination)
    {
        var length = PathNodes(index) * MerkleHash.Size;
        if (destination.Length < length)
        {
            ProtocolThrow.ArgumentLengthAtLeast(nameof(destination), destination.Length, length);
        }

        _levels.InclusionPath(index, Size, destination[..length]);
        return length;
    }

    /// <summary>Allocating convenience overload of <see cref="GetInclusionProof(long, Span{byte})"/>.</summary>
    public byte[] GetInclusionProof(long index)
    {
        var proof = new byte[PathNodes(index) * MerkleHash.Size];
        _levels.InclusionPath(index, Size, proof);
        return proof;
    }

    /// <inheritdoc />
    public void Dispose() => _levels.Dispose();

    private void CheckIndex(long index)
    {
        if (index < 0 || index >= Size)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(index), index, $"an index in [0, {Size})");
        }
    }
}
