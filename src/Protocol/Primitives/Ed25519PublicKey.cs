using System.Diagnostics.CodeAnalysis;
using Privomega.Protocol.Interop;

namespace Privomega.Protocol.Primitives;

/// <summary>
/// An Ed25519 public key (RFC 8032), accepted only in its strict form: a canonical encoding
/// (y &lt; p), a point on the curve in the prime-order subgroup, and not of small order. Keys that
/// honest software generates always pass; the checks shut out keys built to make one signature
/// verify under several messages or to leak the VRF output's uniqueness.
/// </summary>
public sealed class Ed25519PublicKey : IEquatable<Ed25519PublicKey>
{
    /// <summary>The encoded size in bytes.</summary>
    public const int Size = 32;

    private readonly byte[] _bytes;

    private Ed25519PublicKey(byte[] bytes) => _bytes = bytes;

    /// <summary>The encoded key; never written to.</summary>
    internal ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Imports a 32-byte encoded key; throws if it is not a strictly valid key.</summary>
    public static Ed25519PublicKey Import(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != Size)
        {
            ProtocolThrow.ArgumentLength(nameof(encoded), encoded.Length, Size);
        }

        if (!TryImport(encoded, out Ed25519PublicKey? key))
        {
            ProtocolThrow.InvalidKey(nameof(encoded), "Ed25519 public key");
        }

        return key;
    }

    /// <summary>Imports a 32-byte encoded key from untrusted input; false if it is not a strictly valid key.</summary>
    public static bool TryImport(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out Ed25519PublicKey? key)
    {
        key = null;
        if (encoded.Length != Size || !IsStrictlyValid(encoded))
        {
            return false;
        }

        key = new Ed25519PublicKey(encoded.ToArray());
        return true;
    }

    /// <summary>Wraps a key libsodium just derived from a seed (already valid by construction).</summary>
    internal static Ed25519PublicKey FromTrusted(ReadOnlySpan<byte> encoded) => new(encoded.ToArray());

    /// <summary>
    /// libsodium's <c>is_valid_point</c>: canonical y, on the curve, not of small order (which also
    /// rejects the "x = 0 with the sign bit set" encodings, both of small order), in the prime-order subgroup.
    /// </summary>
    internal static unsafe bool IsStrictlyValid(ReadOnlySpan<byte> encoded)
    {
        Sodium.EnsureInitialized();
        fixed (byte* p = encoded)
        {
            return Libsodium.crypto_core_ed25519_is_valid_point(p) == 1;
        }
    }

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

    /// <summary>
    /// Verifies an Ed25519 signature strictly: S must be canonical (S &lt; L) and R must not be of
    /// small order, on top of libsodium's own checks. False for any signature that does not verify.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        Ed25519.VerifyCore(_bytes, message, signature);

    /// <inheritdoc />
    public bool Equals(Ed25519PublicKey? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Ed25519PublicKey);

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
