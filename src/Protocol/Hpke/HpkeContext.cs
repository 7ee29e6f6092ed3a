using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using Privomega.Protocol.Interop;

namespace Privomega.Protocol.Hpke;

/// <summary>
/// An RFC 9180 §5.2 encryption context: an AEAD key, a base nonce XORed with the big-endian
/// sequence number, and the exporter secret. The sequence number advances with every message;
/// it is a 64-bit counter, so a context refuses to go past 2^64 − 1 messages (stricter than the
/// RFC's 2^96 − 1, which no real conversation approaches). Secrets are zeroed on dispose. A
/// context is not thread-safe: messages must be sealed and opened in order.
/// </summary>
public abstract class HpkeContext : IDisposable
{
    /// <summary>The AEAD tag size, Nt, for both supported AEADs.</summary>
    public const int TagSize = 16;

    /// <summary>The AEAD nonce size, Nn, for both supported AEADs.</summary>
    public const int NonceSize = 12;

    /// <summary>The largest <c>L</c> <see cref="Export(ReadOnlySpan{byte}, Span{byte})"/> accepts, 255·Nh.</summary>
    public const int MaxExportLength = 255 * HpkeLabels.HashSize;

    private readonly HpkeAeadCipher _cipher;

    // base_nonce ‖ exporter_secret
    private readonly SecretBuffer _secrets;
    private readonly byte[] _suiteId;
    private bool _disposed;

    private protected HpkeContext(HpkeAead aead, ReadOnlySpan<byte> key, ReadOnlySpan<byte> baseNonce, ReadOnlySpan<byte> exporterSecret)
    {
        Debug.Assert(baseNonce.Length == NonceSize && exporterSecret.Length == HpkeLabels.HashSize);
        Aead = aead;
        _cipher = new HpkeAeadCipher(aead, key);
        Span<byte> secrets = stackalloc byte[NonceSize + HpkeLabels.HashSize];
        baseNonce.CopyTo(secrets);
        exporterSecret.CopyTo(secrets[NonceSize..]);
        _secrets = SecretBuffer.CopyFrom(secrets);
        CryptographicOperations.ZeroMemory(secrets);
        _suiteId = HpkeKeySchedule.SuiteId(aead);
    }

    /// <summary>The AEAD this context encrypts with.</summary>
    public HpkeAead Aead { get; }

    /// <summary>The sequence number the next message will use.</summary>
    public ulong SequenceNumber { get; private set; }

    /// <summary>
    /// Export(exporter_context, L) = LabeledExpand(exporter_secret, "sec", exporter_context, L):
    /// a secret both sides derive identically, for keys outside HPKE's own AEAD.
    /// </summary>
    public void Export(ReadOnlySpan<byte> exporterContext, Span<byte> destination)
    {
        ThrowIfDisposed();
        if (exporterContext.Length > HpkeX25519.MaxInputLength)
        {
            ProtocolThrow.ArgumentLengthAtMost(nameof(exporterContext), exporterContext.Length, HpkeX25519.MaxInputLength);
        }

        if (destination.Length > MaxExportLength)
        {
            ProtocolThrow.ArgumentLengthAtMost(nameof(destination), destination.Length, MaxExportLength);
        }

        HpkeLabels.Expand(_suiteId, _secrets.Span[NonceSize..], "sec"u8, exporterContext, destination);
    }

    /// <summary>Allocating convenience overload of <see cref="Export(ReadOnlySpan{byte}, Span{byte})"/>.</summary>
    public byte[] Export(ReadOnlySpan<byte> exporterContext, int length)
    {
        if (length < 0 || length > MaxExportLength)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(length), length, $"a length in [0, {MaxExportLength}]");
        }

        var secret = new byte[length];
        Export(exporterContext, secret);
        return secret;
    }

    /// <summary>Zeroes the secrets.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Jumps the counter; the tests use it to reach the vectors' sequence numbers and the limit.</summary>
    internal void SetSequenceNumber(ulong sequenceNumber) => SequenceNumber = sequenceNumber;

    /// <summary>Seals with the current nonce and advances the counter.</summary>
    private protected void SealCore(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        Debug.Assert(ciphertext.Length == plaintext.Length + TagSize);
        Span<byte> nonce = stackalloc byte[NonceSize];
        NextNonce(nonce);
        _cipher.Seal(nonce, plaintext, ciphertext, aad);
        CryptographicOperations.ZeroMemory(nonce);
        SequenceNumber++;
    }

    /// <summary>Opens with the current nonce; the counter advances only when the tag verifies.</summary>
    private protected bool TryOpenCore(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        Debug.Assert(ciphertext.Length == plaintext.Length + TagSize);
        Span<byte> nonce = stackalloc byte[NonceSize];
        NextNonce(nonce);
        var opened = _cipher.TryOpen(nonce, ciphertext, plaintext, aad);

        // The nonce is base_nonce XOR seq: as secret as base_nonce, which lives in zero-on-dispose memory.
        CryptographicOperations.ZeroMemory(nonce);
        if (!opened)
        {
            return false;
        }

        SequenceNumber++;
        return true;
    }

    private protected void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ProtocolThrow.Disposed(this);
        }
    }

    /// <summary>Releases the AEAD state and zeroes the nonce and exporter secret.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (disposing)
        {
            _cipher.Dispose();
            _secrets.Dispose();
        }
    }

    // ComputeNonce(seq) = base_nonce XOR I2OSP(seq, Nn).
    private void NextNonce(Span<byte> nonce)
    {
        ThrowIfDisposed();
        if (SequenceNumber == ulong.MaxValue)
        {
            ProtocolThrow.InvalidOperation("The HPKE context reached its message limit (2^64 - 1 messages); set up a new context.");
        }

        nonce.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(nonce[(NonceSize - sizeof(ulong))..], SequenceNumber);
        var baseNonce = _secrets.Span[..NonceSize];
        for (var i = 0; i < NonceSize; i++)
        {
            nonce[i] ^= baseNonce[i];
        }
    }
}

/// <summary>The sender's context: <see cref="Seal(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/> and Export.</summary>
public sealed class HpkeSenderContext : HpkeContext
{
    internal HpkeSenderContext(HpkeAead aead, ReadOnlySpan<byte> key, ReadOnlySpan<byte> baseNonce, ReadOnlySpan<byte> exporterSecret)
        : base(aead, key, baseNonce, exporterSecret)
    {
    }

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (plaintext length + 16 bytes) and advances the sequence number.</summary>
    public void Seal(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        if (ciphertext.Length != plaintext.Length + TagSize)
        {
            ProtocolThrow.ArgumentLength(nameof(ciphertext), ciphertext.Length, plaintext.Length + TagSize);
        }

        if (ciphertext.Overlaps(plaintext) || ciphertext.Overlaps(aad))
        {
            ProtocolThrow.Overlap(nameof(ciphertext));
        }

        SealCore(aad, plaintext, ciphertext);
    }

    /// <summary>Allocating convenience overload of <see cref="Seal(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>.</summary>
    public byte[] Seal(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        var ciphertext = new byte[plaintext.Length + TagSize];
        SealCore(aad, plaintext, ciphertext);
        return ciphertext;
    }
}

/// <summary>The recipient's context: <see cref="TryOpen(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/> and Export.</summary>
public sealed class HpkeRecipientContext : HpkeContext
{
    internal HpkeRecipientContext(HpkeAead aead, ReadOnlySpan<byte> key, ReadOnlySpan<byte> baseNonce, ReadOnlySpan<byte> exporterSecret)
        : base(aead, key, baseNonce, exporterSecret)
    {
    }

    /// <summary>
    /// Decrypts <paramref name="ciphertext"/> into <paramref name="plaintext"/> (ciphertext length − 16
    /// bytes). False, with the plaintext zeroed and the sequence number unchanged, when the tag does
    /// not verify (tampered bytes, wrong aad, or a message out of order).
    /// </summary>
    public bool TryOpen(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        if (ciphertext.Length < TagSize)
        {
            plaintext.Clear();
            return false;
        }

        if (plaintext.Length != ciphertext.Length - TagSize)
        {
            ProtocolThrow.ArgumentLength(nameof(plaintext), plaintext.Length, ciphertext.Length - TagSize);
        }

        if (plaintext.Overlaps(ciphertext) || plaintext.Overlaps(aad))
        {
            ProtocolThrow.Overlap(nameof(plaintext));
        }

        return TryOpenCore(aad, ciphertext, plaintext);
    }

    /// <summary>Allocating convenience overload: the plaintext, or <see langword="null"/> when the tag does not verify.</summary>
    public byte[]? TryOpen(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length < TagSize)
        {
            return null;
        }

        var plaintext = new byte[ciphertext.Length - TagSize];
        return TryOpenCore(aad, ciphertext, plaintext) ? plaintext : null;
    }
}
