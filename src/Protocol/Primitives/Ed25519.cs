using System.Diagnostics;
using Privomega.Protocol.Interop;

namespace Privomega.Protocol.Primitives;

/// <summary>Ed25519 (RFC 8032) signing and strict verification over libsodium.</summary>
public static class Ed25519
{
    /// <summary>The size of a signature (R ‖ S) in bytes.</summary>
    public const int SignatureSize = Libsodium.crypto_sign_ed25519_BYTES;

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

    internal static unsafe void SignCore(ReadOnlySpan<byte> expandedSecretKey, ReadOnlySpan<byte> message, Span<byte> signature)
    {
        Debug.Assert(expandedSecretKey.Length == Libsodium.crypto_sign_ed25519_SECRETKEYBYTES);
        Debug.Assert(signature.Length == SignatureSize);
        Sodium.EnsureInitialized();
        fixed (byte* sig = signature)
        fixed (byte* m = message)
        fixed (byte* sk = expandedSecretKey)
        {
            if (Libsodium.crypto_sign_ed25519_detached(sig, null, m, (ulong)message.Length, sk) != 0)
            {
                ProtocolThrow.Cryptographic("Ed25519 signing");
            }
        }
    }

    /// <summary>
    /// Strict verification. The public key was validated on import (canonical, not small order,
    /// prime-order subgroup). Here: wrong length is a failed verification, S must be below the
    /// group order L (libsodium 1.0.18 checks this too; the explicit check keeps the rule even if
    /// the library's defaults change), and libsodium rejects small-order R and recomputes R
    /// byte for byte, so a non-canonical R never verifies.
    /// </summary>
    internal static unsafe bool VerifyCore(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        Debug.Assert(publicKey.Length == Ed25519PublicKey.Size);
        if (signature.Length != SignatureSize || !Scalar25519.IsCanonical(signature[32..]))
        {
            return false;
        }

        Sodium.EnsureInitialized();
        fixed (byte* sig = signature)
        fixed (byte* m = message)
        fixed (byte* pk = publicKey)
        {
            return Libsodium.crypto_sign_ed25519_verify_detached(sig, m, (ulong)message.Length, pk) == 0;
        }
    }
}
