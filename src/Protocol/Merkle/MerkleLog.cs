namespace Privomega.Protocol.Merkle;

/// <summary>
/// The append-only key-transparency log (RFC 9162): every certificate ever issued, in order.
/// Each epoch head commits to the log's size and root; the log can produce the root, inclusion
/// proofs and consistency proofs for the current size and for every earlier size, so clients can
/// check that history was only ever appended to. Appending is not thread-safe; the owner
/// serialises writers.
/// </summary>
public sealed class MerkleLog : IDisposable
{
    private readonly MerkleLevels _levels;

    /// <summary>Creates an empty log, reserving room for <paramref name="expectedLeaves"/> leaves.</summary>
    public MerkleLog(long expectedLeaves = 0)
    {
        if (expectedLeaves < 0)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(expectedLeaves), expectedLeaves, "a count ≥ 0");
        }

        _levels = new MerkleLevels(expectedLeaves);
    }

    /// <summary>Number of leaves appended so far.</summary>
    public long Size => _levels.Size;

    /// <summary>Hashes <paramref name="leaf"/> as an RFC 9162 leaf, appends it and returns its index.</summary>
    public long Append(ReadOnlySpan<byte> leaf)
    {
        Span<byte> hash = stackalloc byte[MerkleHash.Size];
        MerkleHash.HashLeafCore(leaf, hash);
        return AppendLeafHash(hash);
    }

    /// <summary>Appends a leaf whose RFC 9162 leaf hash the caller already computed; returns its index.</summary>
    public long AppendLeafHash(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleHash.Size)
        {
            ProtocolThrow.ArgumentLength(nameof(leafHash), leafHash.Length, MerkleHash.Size);
        }

        var index = _levels.Size;
        _levels.AppendLeafHash(leafHash);
        return index;
    }

    /// <summary>Copies the leaf hash at <paramref name="index"/> to <paramref name="destination"/>.</summary>
    public void GetLeafHash(long index, Span<byte> destination)
    {
        CheckIndex(index, Size);
        CheckHashDestination(destination);
        _levels.LeafHash(index).CopyTo(destination);
    }

    /// <summary>The root of the log as it is now.</summary>
    public byte[] Root() => RootAt(Size);

    /// <summary>The root the log had when it held <paramref name="treeSize"/> leaves.</summary>
    public byte[] RootAt(long treeSize)
    {
        var root = new byte[MerkleHash.Size];
        RootAt(treeSize, root);
        return root;
    }

    /// <summary>Writes the root the log had at <paramref name="treeSize"/> leaves to <paramref name="destination"/> (32 bytes).</summary>
    public void RootAt(long treeSize, Span<byte> destination)
    {
        CheckSize(treeSize);
        CheckHashDestination(destination);
        _levels.SubtreeHash(0, treeSize, destination);
    }

    /// <summary>Bytes of the inclusion proof for <paramref name="index"/> in the tree of <paramref name="treeSize"/> leaves.</summary>
    public int InclusionProofLength(long index, long treeSize)
    {
        CheckSize(treeSize);
        CheckIndex(index, treeSize);
        return MerkleLevels.InclusionPathLength(index, treeSize) * MerkleHash.Size;
    }

    /// <summary>Writes the RFC 9162 inclusion proof for <paramref name="index"/> at <paramref name="treeSize"/>; returns bytes written.</summary>
    public int GetInclusionProof(long index, long treeSize, Span<byte> destination)
    {
        var length = InclusionProofLength(index, treeSize);
        if (destination.Length < length)
        {
            ProtocolThrow.ArgumentLengthAtLeast(nameof(destination), destination.Length, length);
        }

        _levels.InclusionPath(index, treeSize, destination[..length]);
        return length;
    }

    /// <summary>Allocating convenience overload of <see cref="GetInclusionProof(long, long, Span{byte})"/>.</summary>
    public byte[] GetInclusionProof(long index, long treeSize)
    {
        var proof = new byte[InclusionProofLength(index, treeSize)];
        _levels.InclusionPath(index, treeSize, proof);
        return proof;
    }

    /// <summary>Bytes of the consistency proof from <paramref name="firstSize"/> to <paramref name="secondSize"/>.</summary>
    public int ConsistencyProofLength(long firstSize, long secondSize)
    {
        CheckSize(secondSize);
        if (firstSize < 0 || firstSize > secondSize)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(firstSize), firstSize, $"a size in [0, {secondSize}]");
        }

        return MerkleLevels.ConsistencyPathLength(firstSize, secondSize) * MerkleHash.Size;
    }

    /// <summary>Writes the RFC 9162 consistency proof between two sizes of this log; returns bytes written.</summary>
    public int GetConsistencyProof(long firstSize, long secondSize, Span<byte> destination)
    {
        var length = ConsistencyProofLength(firstSize, secondSize);
        if (destination.Length < length)
        {
            ProtocolThrow.ArgumentLengthAtLeast(nameof(destination), destination.Length, length);
        }

        _levels.ConsistencyPath(firstSize, secondSize, destination[..length]);
        return length;
    }

    /// <summary>Allocating convenience overload of <see cref="GetConsistencyProof(long, long, Span{byte})"/>.</summary>
    public byte[] GetConsistencyProof(long firstSize, long secondSize)
    {
        var proof = new byte[ConsistencyProofLength(firstSize, secondSize)];
        _levels.ConsistencyPath(firstSize, secondSize, proof);
        return proof;
    }

    /// <inheritdoc />
    public void Dispose() => _levels.Dispose();

    private void CheckSize(long treeSize)
    {
        if (treeSize < 0 || treeSize > Size)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(treeSize), treeSize, $"a size in [0, {Size}]");
        }
    }

    private static void CheckIndex(long index, long treeSize)
    {
        if (index < 0 || index >= treeSize)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(index), index, $"an index in [0, {treeSize})");
        }
    }

    private static void CheckHashDestination(Span<byte> destination)
    {
        if (destination.Length != MerkleHash.Size)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, MerkleHash.Size);
        }
    }
}
