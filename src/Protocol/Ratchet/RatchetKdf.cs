using System.Security.Cryptography;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Ratchet;

/// <summary>
/// The Double Ratchet's key derivations (Signal specification §5.2), with Privomega's labels.
/// KDF_RK is HKDF-SHA256 (salt = root key, IKM = DH output); KDF_CK is HMAC-SHA256 with the
/// constants 0x01 (message key) and 0x02 (next chain key). The AEAD is ChaCha20-Poly1305 whose
/// key and nonce come from HKDF-SHA256 of the message key (salt = 32 zero bytes) — safe with a
/// fixed derivation because every message key encrypts exactly one message.
/// </summary>
internal static class RatchetKdf
{
    public const int KeySize = 32;

    private static readonly byte[] RootInfo = "Privomega ratchet root v1"u8.ToArray();
    private static readonly byte[] MessageInfo = "Privomega ratchet message v1"u8.ToArray();
    private static readonly byte[] ZeroSalt = new byte[32];
    private static readonly byte[] MessageKeyConstant = [0x01];
    private static readonly byte[] ChainKeyConstant = [0x02];

    /// <summary>KDF_RK(rk, dh_out) → (rk', ck) via HKDF-SHA256 with 64 bytes of output.</summary>
    public static void Root(ReadOnlySpan<byte> rootKey, ReadOnlySpan<byte> dhOutput, Span<byte> newRootKey, Span<byte> chainKey)
    {
        Span<byte> output = stackalloc byte[2 * KeySize];
        Hkdf.DeriveKey(HkdfHash.Sha256, dhOutput, rootKey, RootInfo, output);
        output[..KeySize].CopyTo(newRootKey);
        output[KeySize..].CopyTo(chainKey);
        CryptographicOperations.ZeroMemory(output);
    }

    /// <summary>KDF_CK(ck) → (ck', mk); <paramref name="chainKey"/> is advanced in place.</summary>
    public static void Chain(Span<byte> chainKey, Span<byte> messageKey)
    {
        Span<byte> next = stackalloc byte[KeySize];
        HmacSha256.Compute(chainKey, MessageKeyConstant, messageKey);
        HmacSha256.Compute(chainKey, ChainKeyConstant, next);
        next.CopyTo(chainKey);
        CryptographicOperations.ZeroMemory(next);
    }

    /// <summary>ChaCha20-Poly1305 key ‖ nonce (44 bytes) for one message key.</summary>
    public static void MessageAead(ReadOnlySpan<byte> messageKey, Span<byte> keyAndNonce)
    {
        Hkdf.DeriveKey(HkdfHash.Sha256, messageKey, ZeroSalt, MessageInfo, keyAndNonce);
    }
}
