using System.Buffers;
using System.Security.Cryptography;

namespace Privomega.Protocol.Merkle;

/// <summary>
/// RFC 9162 §2.1.1 hashing with SHA-256: a leaf is <c>SHA-256(0x00 ‖ data)</c>, an interior node
/// <c>SHA-256(0x01 ‖ left ‖ right)</c>, the empty tree <c>SHA-256("")</c>. The distinct prefixes
/// keep a leaf from ever being passed off as a node (second-preimage resistance).
/// </summary>
public static class MerkleHash
{
    /// <summary>Bytes in every hash.</summary>
    public const int Size = 32;

    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    // Leaves up to this size are prefixed on the stack; larger ones borrow a pooled buffer.
    private const int StackLeafLimit = 512;

    private static readonly byte[] EmptyRootBytes = SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>The root of the tree with no leaves, <c>SHA-256("")</c>.</summary>
    public static ReadOnlySpan<byte> EmptyRoot => EmptyRootBytes;

    /// <summary>Writes <c>SHA-256(0x00 ‖ leaf)</c> to <paramref name="destination"/> (32 bytes).</summary>
    public static void HashLeaf(ReadOnlySpan<byte> leaf, Span<byte> destination)
    {
        if (destination.Length != Size)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, Size);
        }

        HashLeafCore(leaf, destination);
    }

    /// <summary>Allocating convenience overload of <see cref="HashLeaf(ReadOnlySpan{byte}, Span{byte})"/>.</summary>
    public static byte[] HashLeaf(ReadOnlySpan<byte> leaf)
    {
        var hash = new byte[Size];
        HashLeafCore(leaf, hash);
        return hash;
    }

    /// <summary>Writes <c>SHA-256(0x01 ‖ left ‖ right)</c> to <paramref name="destination"/>; it may alias either input.</summary>
    public static void HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        if (left.Length != Size)
        {
            ProtocolThrow.ArgumentLength(nameof(left), left.Length, Size);
        }

        if (right.Length != Size)
        {
            ProtocolThrow.ArgumentLength(nameof(right), right.Length, Size);
        }

        if (destination.Length != Size)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, Size);
        }

        HashChildrenCore(left, right, destination);
    }

    internal static void HashLeafCore(ReadOnlySpan<byte> leaf, Span<byte> destination)
    {
        if (leaf.Length < StackLeafLimit)
        {
            Span<byte> buffer = stackalloc byte[StackLeafLimit];
            buffer[0] = LeafPrefix;
            leaf.CopyTo(buffer[1..]);
            SHA256.HashData(buffer[..(leaf.Length + 1)], destination);
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent(leaf.Length + 1);
        try
        {
            rented[0] = LeafPrefix;
            leaf.CopyTo(rented.AsSpan(1));
            SHA256.HashData(rented.AsSpan(0, leaf.Length + 1), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    internal static void HashChildrenCore(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        // The input is assembled first, so destination may alias left or right.
        Span<byte> buffer = stackalloc byte[1 + (2 * Size)];
        buffer[0] = NodePrefix;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + Size)..]);
        SHA256.HashData(buffer, destination);
    }
}
