using System.Diagnostics.CodeAnalysis;

namespace Privomega.Protocol.Primitives;

/// <summary>
/// An X25519 public key (RFC 7748): a 32-byte u-coordinate. Every 32-byte string is accepted, as
/// RFC 7748 requires; keys of small order are caught where they matter, when a Diffie–Hellman
/// exchange with them yields the all-zero secret (<see cref="X25519KeyPair.TryAgree"/>).
/// </summary>
public sealed class X25519PublicKey : IEquatable<X25519PublicKey>
{
    /// <summary>The encoded size in bytes.</summary>
    public const int Size = 32;

    private readonly byte[] _bytes;

    private X25519PublicKey(byte[] bytes) => _bytes = bytes;

    internal ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Imports a 32-byte key.</summary>
    public static X25519PublicKey Import(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != Size)
        {
            ProtocolThrow.ArgumentLength(nameof(encoded), encoded.Length, Size);
        }

        return new X25519PublicKey(encoded.ToArray());
    }

    /// <summary>Imports a key from untrusted input; false if it is not 32 bytes long.</summary>
    public static bool TryImport(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out X25519PublicKey? key)
    {
        key = encoded.Length == Size ? new X25519PublicKey(encoded.ToArray()) : null;
        return key is not null;
    }

    internal static X25519PublicKey FromTrusted(ReadOnlySpan<byte> encoded) => new(encoded.ToArray());

    /// <summary>Writes the 32-byte encoding to <paramref name="destination"/>.</summary>
    public void Export(Span<byte> destination)
    {
        if (destination.Length != Size)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, Size);
        }

        _bytes.CopyTo(destination);
    }

    /// <summary>Returns the 32-byte encoding.</summary>
    public byte[] Export() => (byte[])_bytes.Clone();

    /// <inheritdoc />
    public bool Equals(X25519PublicKey? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as X25519PublicKey);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => Convert.ToHexStringLower(_bytes);
}
