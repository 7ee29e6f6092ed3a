using System.Diagnostics;
using NSec.Cryptography;

namespace Privomega.Protocol.Primitives;

/// <summary>
/// XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha) through NSec: a 32-byte key, a 24-byte nonce
/// that is safe to draw at random, and a 16-byte tag appended to the ciphertext.
/// </summary>
public static class XChaCha20Poly1305
{
    /// <summary>The key size in bytes.</summary>
    public const int KeySize = 32;

    /// <summary>The nonce size in bytes.</summary>
    public const int NonceSize = 24;

    /// <summary>The tag size in bytes (ciphertext length = plaintext length + this).</summary>
    public const int TagSize = 16;

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (plaintext length + 16 bytes).</summary>
    public static void Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> ciphertext)
    {
        ValidateKeyAndNonce(key, nonce);
        AeadBuffers.CheckSeal(plaintext, ciphertext, TagSize);

        SealCore(key, nonce, plaintext, associatedData, ciphertext);
    }

    /// <summary>Encrypts <paramref name="plaintext"/> and returns ciphertext ‖ tag.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        ValidateKeyAndNonce(key, nonce);
        byte[] ciphertext = new byte[plaintext.Length + TagSize];
        SealCore(key, nonce, plaintext, associatedData, ciphertext);
        return ciphertext;
    }

    /// <summary>
    /// Decrypts and authenticates <paramref name="ciphertext"/> into <paramref name="plaintext"/>
    /// (ciphertext length − 16 bytes). False, with <paramref name="plaintext"/> zeroed, if the tag
    /// does not verify or the ciphertext is shorter than a tag.
    /// </summary>
    public static bool TryOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
    {
        ValidateKeyAndNonce(key, nonce);
        if (ciphertext.Length < TagSize)
        {
            return false;
        }

        AeadBuffers.CheckOpen(ciphertext, plaintext, TagSize);

        return TryOpenCore(key, nonce, ciphertext, associatedData, plaintext);
    }

    /// <summary>Decrypts and authenticates; returns the plaintext, or null if it does not verify.</summary>
    public static byte[]? TryOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData)
    {
        ValidateKeyAndNonce(key, nonce);
        if (ciphertext.Length < TagSize)
        {
            return null;
        }

        byte[] plaintext = new byte[ciphertext.Length - TagSize];
        return TryOpenCore(key, nonce, ciphertext, associatedData, plaintext) ? plaintext : null;
    }

    private static void ValidateKeyAndNonce(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce)
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

    internal static void SealCore(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> ciphertext)
    {
        Debug.Assert(key.Length == KeySize && nonce.Length == NonceSize && ciphertext.Length == plaintext.Length + TagSize);
        NSecAead.Seal(AeadAlgorithm.XChaCha20Poly1305, key, nonce, plaintext, associatedData, ciphertext);
    }

    internal static bool TryOpenCore(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
    {
        Debug.Assert(key.Length == KeySize && nonce.Length == NonceSize && plaintext.Length == ciphertext.Length - TagSize);
        return NSecAead.TryOpen(AeadAlgorithm.XChaCha20Poly1305, key, nonce, ciphertext, associatedData, plaintext);
    }
}
