using System.Security.Cryptography;

namespace Privomega.Pir.Engine.Keyword;

/// <summary>
/// The 16-byte key of a keyword table's hash functions. It is public (readers need it to find
/// their candidate buckets) and is published with every snapshot; it is drawn at random when a
/// table is created and again only when an insertion fails, so writers cannot choose ids that
/// collide under a key before it exists.
/// </summary>
public sealed class CuckooKey : IEquatable<CuckooKey>
{
    /// <summary>Length of the key in bytes.</summary>
    public const int Length = 16;

    private readonly byte[] _bytes;

    private CuckooKey(byte[] bytes) => _bytes = bytes;

    /// <summary>The key's bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>A fresh key from the operating system's random number generator.</summary>
    public static CuckooKey Random() => new(RandomNumberGenerator.GetBytes(Length));

    /// <summary>The key with these <see cref="Length"/> bytes (from a snapshot header, or fixed by a test).</summary>
    public static CuckooKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            ThrowHelper.ArgumentLength(nameof(bytes), bytes.Length, Length);
        }

        return new CuckooKey(bytes.ToArray());
    }

    /// <inheritdoc />
    public bool Equals(CuckooKey? other) => other is not null && other._bytes.AsSpan().SequenceEqual(_bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CuckooKey);

    /// <inheritdoc />
    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);

    /// <inheritdoc />
    public override string ToString() => Convert.ToHexStringLower(_bytes);
}
