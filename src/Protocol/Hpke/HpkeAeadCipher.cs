using System.Diagnostics;
using System.Security.Cryptography;

namespace Privomega.Protocol.Hpke;

/// <summary>The AEAD identifiers of RFC 9180 §7.3 this library implements.</summary>
public enum HpkeAead : ushort
{
    /// <summary>AES-128-GCM (Nk 16, Nn 12, Nt 16).</summary>
    Aes128Gcm = 0x0001,

    /// <summary>ChaCha20-Poly1305 (Nk 32, Nn 12, Nt 16), Privomega's choice.</summary>
    ChaCha20Poly1305 = 0x0003,
}

/// <summary>Wraps .NET's AEAD classes behind the one shape HPKE needs; holds the key inside the platform cipher.</summary>
internal sealed class HpkeAeadCipher : IDisposable
{
    private readonly ChaCha20Poly1305? _chacha;
    private readonly AesGcm? _aes;

    public HpkeAeadCipher(HpkeAead aead, ReadOnlySpan<byte> key)
    {
        Debug.Assert(key.Length == KeySize(aead));
        if (aead == HpkeAead.ChaCha20Poly1305)
        {
            _chacha = new ChaCha20Poly1305(key);
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
        if (_chacha is not null)
        {
            _chacha.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        }
        else
        {
            _aes!.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        }
    }

    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        try
        {
            if (_chacha is not null)
            {
                _chacha.Decrypt(nonce, ciphertext, tag, plaintext, aad);
            }
            else
            {
                _aes!.Decrypt(nonce, ciphertext, tag, plaintext, aad);
            }

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
        _aes?.Dispose();
    }
}
