using NSec.Cryptography;

namespace Privomega.Protocol.Primitives;

/// <summary>
/// ChaCha20-Poly1305 (RFC 8439, 12-byte nonce) through NSec, with the
/// protocol's conventions: ciphertext ‖ tag in one buffer, and a <c>TryOpen</c> that returns false
/// (plaintext zeroed) instead of throwing when the tag does not verify. HPKE uses this AEAD.
/// </summary>
public static class ChaCha20Poly1305Ietf
{
    /// <summary>The key size in bytes.</summary>
    public const int KeySize = 32;

    /// <summary>The nonce size in bytes.</summary>
    public const int NonceSize = 12;

    /// <summary>The tag size in bytes.</summary>
    public const int TagSize = 16;

    /// <summary>Encrypts into <paramref name="ciphertext"/> = ciphertext ‖ tag (plaintext length + 16 bytes).</summary>
    public static void Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> ciphertext)
    {
        Validate(key, nonce);
        AeadBuffers.CheckSeal(plaintext, ciphertext, TagSize);

        NSecAead.Seal(AeadAlgorithm.ChaCha20Poly1305, key, nonce, plaintext, associatedData, ciphertext);
    }

    /// <summary>Encrypts and returns ciphertext ‖ tag.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        byte[] ciphertext = new byte[plaintext.Length + TagSize];
        Seal(key, nonce, plaintext, associatedData, ciphertext);
        return ciphertext;
    }

    /// <summary>Decrypts ciphertext ‖ tag; false (plaintext zeroed) if it is shorter than a tag or does not verify.</summary>
    public static bool TryOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
    {
        Validate(key, nonce);
        if (ciphertext.Length < TagSize)
        {
            return false;
        }

        AeadBuffers.CheckOpen(ciphertext, plaintext, TagSize);

        return NSecAead.TryOpen(AeadAlgorithm.ChaCha20Poly1305, key, nonce, ciphertext, associatedData, plaintext);
    }

    /// <summary>Decrypts ciphertext ‖ tag; the plaintext, or null if it does not verify.</summary>
    public static byte[]? TryOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData)
    {
        Validate(key, nonce);
        if (ciphertext.Length < TagSize)
        {
            return null;
        }

        byte[] plaintext = new byte[ciphertext.Length - TagSize];
        return TryOpen(key, nonce, ciphertext, associatedData, plaintext) ? plaintext : null;
    }

    private static void Validate(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce)
    {
        if (key.Length != KeySize)
        {
            ProtocolThrow.ArgumentLength(nameof(key), key.Length, KeySize);
        }

        if (nonce.Length != NonceSize)
        {
            ProtocolThrow.ArgumentLength(nameof(nonce), nonce.Length, NonceSize);
        }
    }
}
