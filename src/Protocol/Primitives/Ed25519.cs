using System.Diagnostics;
using NSec.Cryptography;

namespace Privomega.Protocol.Primitives;

/// <summary>
/// Ed25519 (RFC 8032) signing and strict verification: signatures through NSec's
/// <see cref="SignatureAlgorithm.Ed25519"/>, the strict public-key check through the Interop wall
/// (edwards25519 point validation, which NSec does not expose).
/// </summary>
public static class Ed25519
{
    /// <summary>The size of a signature (R ‖ S) in bytes.</summary>
    public const int SignatureSize = 64;

    /// <summary>Verifies <paramref name="signature"/> on <paramref name="message"/> under <paramref name="publicKey"/>.</summary>
    public static bool Verify(Ed25519PublicKey publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return VerifyCore(publicKey.Bytes, message, signature);
    }

    /// <summary>
    /// Verifies against an encoded public key taken from untrusted input (a certificate, a record):
    /// false if the key is not strictly valid (see <see cref="Ed25519PublicKey"/>) or the signature does not verify.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        publicKey.Length == Ed25519PublicKey.Size
        && Ed25519PublicKey.IsStrictlyValid(publicKey)
        && VerifyCore(publicKey, message, signature);

    /// <summary>
    /// Strict verification. The public key was validated on import (canonical, not small order,
    /// prime-order subgroup). Here: wrong length is a failed verification, S must be below the
    /// group order L (libsodium under NSec checks this too; the explicit check keeps the rule even if
    /// the library's defaults change), and libsodium rejects small-order R and recomputes R
    /// byte for byte, so a non-canonical R never verifies.
    /// </summary>
    internal static bool VerifyCore(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        Debug.Assert(publicKey.Length == Ed25519PublicKey.Size);
        if (signature.Length != SignatureSize || !Scalar25519.IsCanonical(signature[32..]))
        {
            return false;
        }

        return PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out PublicKey? key)
            && SignatureAlgorithm.Ed25519.Verify(key!, message, signature);
    }
}
