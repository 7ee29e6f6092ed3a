using System.Diagnostics;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace Privomega.Protocol.Primitives;

/// <summary>
/// The X25519 function through NSec's <see cref="KeyAgreementAlgorithm.X25519"/>: the private scalar
/// is an NSec <see cref="Key"/> (secure memory), the peer an NSec <see cref="NSec.Cryptography.PublicKey"/>, and the raw
/// output leaves NSec only where the protocol must put it into its own key schedule (HPKE's labeled
/// extract, the ratchet's KDF, the session HKDF): NSec allows that export per shared secret.
/// </summary>
internal static class NSecX25519
{
    private static KeyCreationParameters ExportableKey => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
    private static SharedSecretCreationParameters ExportableSecret => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    internal static KeyAgreementAlgorithm Algorithm => KeyAgreementAlgorithm.X25519;

    /// <summary>A fresh private key from NSec's CSPRNG, exportable (the protocol stores ratchet state).</summary>
    internal static Key Create() => Key.Create(Algorithm, ExportableKey);

    /// <summary>Imports 32 raw private-key bytes (any 32 bytes; X25519 clamps) as an exportable key.</summary>
    internal static Key Import(ReadOnlySpan<byte> privateKey) => Key.Import(Algorithm, privateKey, KeyBlobFormat.RawPrivateKey, ExportableKey);

    /// <summary>X25519(scalar, 9): the public key's 32 bytes.</summary>
    internal static void PublicKeyOf(Key key, Span<byte> destination)
    {
        Debug.Assert(destination.Length == 32);
        if (!key.PublicKey.TryExport(KeyBlobFormat.RawPublicKey, destination, out int written) || written != 32)
        {
            ProtocolThrow.Cryptographic("X25519 public key export");
        }
    }

    /// <summary>
    /// X25519(key, uCoordinate) into <paramref name="output"/>; false (output zeroed) when the peer
    /// is a point of small order (all-zero result, RFC 7748 section 6.1) or not a valid encoding.
    /// </summary>
    internal static bool TryAgree(Key key, ReadOnlySpan<byte> uCoordinate, Span<byte> output)
    {
        Debug.Assert(uCoordinate.Length == 32 && output.Length == 32);
        if (!PublicKey.TryImport(Algorithm, uCoordinate, KeyBlobFormat.RawPublicKey, out PublicKey? peer))
        {
            CryptographicOperations.ZeroMemory(output);
            return false;
        }

        // NSec returns null for the all-zero result (a small-order peer point).
        SharedSecret? secret = Algorithm.Agree(key, peer!, ExportableSecret);
        if (secret is null)
        {
            CryptographicOperations.ZeroMemory(output);
            return false;
        }

        using (secret)
        {
            if (!secret.TryExport(SharedSecretBlobFormat.RawSharedSecret, output, out int written) || written != 32)
            {
                ProtocolThrow.Cryptographic("X25519 shared secret export");
            }
        }

        return true;
    }
}
