using System.Numerics;
using System.Security.Cryptography;

namespace Privomega.Protocol.Merkle;

/// <summary>
/// The verification algorithms of RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency),
/// written step for step. Proofs are the concatenated 32-byte node hashes, deepest first, as
/// <see cref="MerkleLog"/> and <see cref="DirectoryTree"/> produce them. Verification allocates
/// nothing; any malformed input (wrong length, wrong count, index out of range) gives
/// <see langword="false"/>.
/// </summary>
public static class MerkleVerifier
{
    /// <summary>
    /// Checks that the leaf whose hash is <paramref name="leafHash"/> sits at
    /// <paramref name="leafIndex"/> in the tree of <paramref name="treeSize"/> leaves whose root
    /// is <paramref name="rootHash"/>.
    /// </summary>
    public static bool VerifyInclusion(
        ReadOnlySpan<byte> leafHash,
        long leafIndex,
        long treeSize,
        ReadOnlySpan<byte> proof,
        ReadOnlySpan<byte> rootHash)
    {
        if (leafHash.Length != MerkleHash.Size || rootHash.Length != MerkleHash.Size || proof.Length % MerkleHash.Size != 0)
        {
            return false;
        }

        // Step 1: the index must lie inside the tree (also rejects negative values).
        if (leafIndex < 0 || treeSize <= 0 || leafIndex >= treeSize)
        {
            return false;
        }

        // Step 2 and 3.
        var fn = (ulong)leafIndex;
        var sn = (ulong)treeSize - 1;
        Span<byte> r = stackalloc byte[MerkleHash.Size];
        leafHash.CopyTo(r);

        // Step 4.
        for (var offset = 0; offset < proof.Length; offset += MerkleHash.Size)
        {
            var p = proof.Slice(offset, MerkleHash.Size);
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.HashChildrenCore(p, r, r);
                if ((fn & 1) == 0)
                {
                    ShiftUntilOddOrZero(ref fn, ref sn);
                }
            }
            else
            {
                MerkleHash.HashChildrenCore(r, p, r);
            }

            fn >>= 1;
            sn >>= 1;
        }

        // Step 5. The root is public, but a fixed-time compare costs nothing here.
        return sn == 0 && CryptographicOperations.FixedTimeEquals(r, rootHash);
    }

    /// <summary>
    /// Checks that the tree of <paramref name="firstSize"/> leaves with root
    /// <paramref name="firstRoot"/> is a prefix of the tree of <paramref name="secondSize"/> leaves
    /// with root <paramref name="secondRoot"/>. Equal sizes need an empty proof and equal roots; a
    /// first size of 0 needs an empty proof and the empty-tree root.
    /// </summary>
    public static bool VerifyConsistency(
        long firstSize,
        long secondSize,
        ReadOnlySpan<byte> proof,
        ReadOnlySpan<byte> firstRoot,
        ReadOnlySpan<byte> secondRoot)
    {
        if (firstRoot.Length != MerkleHash.Size || secondRoot.Length != MerkleHash.Size || proof.Length % MerkleHash.Size != 0)
        {
            return false;
        }

        if (firstSize < 0 || secondSize < firstSize)
        {
            return false;
        }

        if (firstSize == secondSize)
        {
            return proof.IsEmpty && CryptographicOperations.FixedTimeEquals(firstRoot, secondRoot);
        }

        if (firstSize == 0)
        {
            return proof.IsEmpty && CryptographicOperations.FixedTimeEquals(firstRoot, MerkleHash.EmptyRoot);
        }

        // Step 1.
        if (proof.IsEmpty)
        {
            return false;
        }

        // Step 2: when the first tree is complete its root is the first path element; it is read
        // from firstRoot instead of being copied in front of the proof.
        var prependFirst = BitOperations.IsPow2((ulong)firstSize);
        var count = (proof.Length / MerkleHash.Size) + (prependFirst ? 1 : 0);

        // Step 3 and 4.
        var fn = (ulong)firstSize - 1;
        var sn = (ulong)secondSize - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        // Step 5.
        Span<byte> fr = stackalloc byte[MerkleHash.Size];
        Span<byte> sr = stackalloc byte[MerkleHash.Size];
        var first = PathElement(proof, firstRoot, prependFirst, 0);
        first.CopyTo(fr);
        first.CopyTo(sr);

        // Step 6.
        for (var i = 1; i < count; i++)
        {
            var c = PathElement(proof, firstRoot, prependFirst, i);
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.HashChildrenCore(c, fr, fr);
                MerkleHash.HashChildrenCore(c, sr, sr);
                if ((fn & 1) == 0)
                {
                    ShiftUntilOddOrZero(ref fn, ref sn);
                }
            }
            else
            {
                MerkleHash.HashChildrenCore(sr, c, sr);
            }

            fn >>= 1;
            sn >>= 1;
        }

        // Step 7.
        return sn == 0
            & CryptographicOperations.FixedTimeEquals(fr, firstRoot)
            & CryptographicOperations.FixedTimeEquals(sr, secondRoot);
    }

    /// <summary>The most path elements a list proof may carry (a tree of at most 2^63 leaves needs 2·63).</summary>
    public const int MaxListProofElements = 128;

    /// <summary>
    /// <see cref="VerifyInclusion(ReadOnlySpan{byte}, long, long, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    /// with the proof as a list of node hashes, deepest first. Any element that is null or not exactly
    /// 32 bytes, or more than <see cref="MaxListProofElements"/> elements, gives <see langword="false"/>.
    /// </summary>
    public static bool VerifyInclusionHashes(
        ReadOnlySpan<byte> leafHash,
        long leafIndex,
        long treeSize,
        IReadOnlyList<byte[]> proof,
        ReadOnlySpan<byte> rootHash)
    {
        ArgumentNullException.ThrowIfNull(proof);
        Span<byte> flat = stackalloc byte[MaxListProofElements * MerkleHash.Size];
        return TryFlatten(proof, flat, out var length) && VerifyInclusion(leafHash, leafIndex, treeSize, flat[..length], rootHash);
    }

    /// <summary>
    /// <see cref="VerifyConsistency(long, long, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    /// with the proof as a list of node hashes. Any element that is null or not exactly 32 bytes, or more
    /// than <see cref="MaxListProofElements"/> elements, gives <see langword="false"/>.
    /// </summary>
    public static bool VerifyConsistencyHashes(
        long firstSize,
        long secondSize,
        IReadOnlyList<byte[]> proof,
        ReadOnlySpan<byte> firstRoot,
        ReadOnlySpan<byte> secondRoot)
    {
        ArgumentNullException.ThrowIfNull(proof);
        Span<byte> flat = stackalloc byte[MaxListProofElements * MerkleHash.Size];
        return TryFlatten(proof, flat, out var length) && VerifyConsistency(firstSize, secondSize, flat[..length], firstRoot, secondRoot);
    }

    private static bool TryFlatten(IReadOnlyList<byte[]> proof, Span<byte> flat, out int length)
    {
        length = 0;
        var count = proof.Count;
        if (count > MaxListProofElements)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            var element = proof[i];
            if (element is null || element.Length != MerkleHash.Size)
            {
                return false;
            }

            element.CopyTo(flat[length..]);
            length += MerkleHash.Size;
        }

        return true;
    }

    private static ReadOnlySpan<byte> PathElement(ReadOnlySpan<byte> proof, ReadOnlySpan<byte> firstRoot, bool prependFirst, int i)
    {
        if (prependFirst)
        {
            return i == 0 ? firstRoot : proof.Slice((i - 1) * MerkleHash.Size, MerkleHash.Size);
        }

        return proof.Slice(i * MerkleHash.Size, MerkleHash.Size);
    }

    private static void ShiftUntilOddOrZero(ref ulong fn, ref ulong sn)
    {
        while ((fn & 1) == 0 && fn != 0)
        {
            fn >>= 1;
            sn >>= 1;
        }
    }
}
