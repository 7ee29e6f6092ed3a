using System.Diagnostics;
using System.Security.Cryptography;
using NSec.Cryptography;

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
/// Wraps the AEADs behind the one shape HPKE needs (ciphertext ‖ tag in one buffer).
/// ChaCha20-Poly1305 goes through NSec with the key in NSec's secure memory; NSec reports a bad tag
/// with a return value, which matters because Bob trial-opens every queued matchmaking request and
/// almost all of them are for someone else. AES-128-GCM (not Privomega's suite, kept for the RFC's
/// vectors) is the platform's class, which throws on a bad tag.
/// </summary>
internal sealed class HpkeAeadCipher : IDisposable
{
    private readonly Key? _chachaKey;
    private readonly AesGcm? _aes;

    public HpkeAeadCipher(HpkeAead aead, ReadOnlySpan<byte> key)
    {
        Debug.Assert(key.Length == KeySize(aead));
        if (aead == HpkeAead.ChaCha20Poly1305)
        {
            _chachaKey = Key.Import(AeadAlgorithm.ChaCha20Poly1305, key, KeyBlobFormat.RawSymmetricKey);
        }
        else
        {
            _aes = new AesGcm(key, HpkeContext.TagSize);
        }
    }

    /// <summary>Nk for <paramref name="aead"/>.</summary>
    public static int KeySize(HpkeAead aead) => aead == HpkeAead.ChaCha20Poly1305 ? 32 : 16;

    public static bool IsDefined(HpkeAead aead) => aead is HpkeAead.ChaCha20Poly1305 or HpkeAead.Aes128Gcm;

    /// <summary>Seals into <paramref name="ciphertext"/> = ciphertext ‖ tag.</summary>
    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, ReadOnlySpan<byte> aad)
    {
        Debug.Assert(ciphertext.Length == plaintext.Length + HpkeContext.TagSize);
        if (_chachaKey is not null)
        {
            AeadAlgorithm.ChaCha20Poly1305.Encrypt(_chachaKey, nonce, aad, plaintext, ciphertext);
        }
        else
        {
            _aes!.Encrypt(nonce, plaintext, ciphertext[..plaintext.Length], ciphertext[plaintext.Length..], aad);
        }
    }

    /// <summary>Opens ciphertext ‖ tag; false (plaintext zeroed) when the tag does not verify.</summary>
    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        Debug.Assert(nonce.Length == HpkeContext.NonceSize && plaintext.Length == ciphertext.Length - HpkeContext.TagSize);
        if (_chachaKey is not null)
        {
            if (AeadAlgorithm.ChaCha20Poly1305.Decrypt(_chachaKey, nonce, aad, ciphertext, plaintext))
            {
                return true;
            }

            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }

        try
        {
            _aes!.Decrypt(nonce, ciphertext[..plaintext.Length], ciphertext[plaintext.Length..], plaintext, aad);
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
        _chachaKey?.Dispose();
        _aes?.Dispose();
    }
}
