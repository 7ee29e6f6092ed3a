using System.Security.Cryptography;

namespace Privomega.Protocol.Primitives;

/// <summary>
/// HMAC-SHA256 over .NET, adding what the BCL leaves to the caller: a verification that compares
/// tags in constant time and refuses truncated tags below 16 bytes.
/// </summary>
public static class HmacSha256
{
    /// <summary>The full tag size in bytes.</summary>
    public const int TagSize = 32;

    /// <summary>The shortest truncated tag <see cref="Verify"/> accepts (128 bits).</summary>
    public const int MinimumTagSize = 16;

    /// <summary>Writes HMAC-SHA256(key, data) into the 32-byte <paramref name="tag"/>.</summary>
    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> tag)
    {
        if (tag.Length != TagSize)
        {
            ProtocolThrow.ArgumentLength(nameof(tag), tag.Length, TagSize);
        }

        HMACSHA256.HashData(key, data, tag);
    }

    /// <summary>
    /// True if <paramref name="tag"/> is HMAC-SHA256(key, data), or its first tag.Length bytes for
    /// a truncated tag of 16..32 bytes; compared in constant time. False for any other tag length.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> tag)
    {
        if (tag.Length < MinimumTagSize || tag.Length > TagSize)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[TagSize];
        HMACSHA256.HashData(key, data, expected);
        bool equal = CryptographicOperations.FixedTimeEquals(expected[..tag.Length], tag);
        CryptographicOperations.ZeroMemory(expected);
        return equal;
    }
}
