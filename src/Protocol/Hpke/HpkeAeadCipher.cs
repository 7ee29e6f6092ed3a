using System.Diagnostics;
using System.Security.Cryptography;
using Privomega.Protocol.Interop;

namespace Privomega.Protocol.Hpke;

/// <summary>The AEAD identifiers of RFC 9180 §7.3 this library implements.</summary>
public enum HpkeAead : ushort
{
    /// <summary>AES-128-GCM (Nk 16, Nn 12, Nt 16).</summary>
    Aes128Gcm = 0x0001,

    /// <summary>ChaCha20-Poly1305 (Nk 32, Nn 12, Nt 16), Privomega's choice.</summary>
    ChaCha20Poly1305 = 0x0003,
}

/// <summary>
/// Wraps the AEADs behind the one shape HPKE needs. ChaCha20-Poly1305 opens through libsodium's
/// IETF construction, which reports a bad tag with a return code: Bob trial-opens every queued
/// matchmaking request and almost all of them are for someone else, so .NET's exception per
/// failed tag would dominate the cost. Sealing uses .NET's class, created on first use (a
/// recipient context never seals). The ChaCha20 key is kept in memory zeroed on dispose.
/// </summary>
internal sealed class HpkeAeadCipher : IDisposable
{
    private readonly SecretBuffer? _chachaKey;
    private readonly AesGcm? _aes;
    private ChaCha20Poly1305? _chacha;

    public HpkeAeadCipher(HpkeAead aead, ReadOnlySpan<byte> key)
    {
        Debug.Assert(key.Length == KeySize(aead));
        if (aead == HpkeAead.ChaCha20Poly1305)
        {
            _chachaKey = SecretBuffer.CopyFrom(key);
        }
        else
        {
            _aes = new AesGcm(key, HpkeContext.TagSize);
        }
    }

    /// <summary>Nk for <paramref name="aead"/>.</summary>
    public static int KeySize(HpkeAead aead) => aead == HpkeAead.ChaCha20Poly1305 ? 32 : 16;

    public static bool IsDefined(HpkeAead aead) => aead is HpkeAead.ChaCha20Poly1305 or HpkeAead.Aes128Gcm;

    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> aad)
    {
        if (_chachaKey is not null)
        {
            _chacha ??= new ChaCha20Poly1305(_chachaKey.Span);
            _chacha.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        }
        else
        {
            _aes!.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        }
    }

    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        Debug.Assert(nonce.Length == HpkeContext.NonceSize && tag.Length == HpkeContext.TagSize && plaintext.Length == ciphertext.Length);
        if (_chachaKey is not null)
        {
            return TryOpenChaCha(_chachaKey.Span, nonce, ciphertext, tag, plaintext, aad);
        }

        try
        {
            _aes!.Decrypt(nonce, ciphertext, tag, plaintext, aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // The platform reports a bad tag by throwing; HPKE callers expect a bool.
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }
    }

    public void Dispose()
    {
        _chacha?.Dispose();
        _chachaKey?.Dispose();
        _aes?.Dispose();
    }

    private static unsafe bool TryOpenChaCha(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        Sodium.EnsureInitialized();
        int result;
        fixed (byte* m = plaintext)
        fixed (byte* c = ciphertext)
        fixed (byte* mac = tag)
        fixed (byte* ad = aad)
        fixed (byte* npub = nonce)
        fixed (byte* k = key)
        {
            result = Libsodium.crypto_aead_chacha20poly1305_ietf_decrypt_detached(m, null, c, (ulong)ciphertext.Length, mac, ad, (ulong)aad.Length, npub, k);
        }

        if (result != 0)
        {
            // libsodium clears the output too; this keeps the contract independent of its version.
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }

        return true;
    }
}
