using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Hpke;

/// <summary>
/// Hybrid Public Key Encryption (RFC 9180) with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and
/// ChaCha20-Poly1305 (default) or AES-128-GCM. Base mode is what Privomega uses (matchmaking
/// requests sealed to Bob's X25519 key); the psk, auth and auth-psk modes are implemented too so
/// that every published vector is checked. Setup functions return contexts for several
/// messages; <see cref="Seal(X25519PublicKey, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, HpkeAead)"/>
/// and <see cref="TryOpen(X25519KeyPair, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, HpkeAead)"/>
/// are the single-shot forms, whose output is <c>enc ‖ ciphertext</c>.
/// </summary>
public static class HpkeX25519
{
    /// <summary>Size of the encapsulated key <c>enc</c>, Nenc.</summary>
    public const int EncapsulatedKeySize = DhKemX25519.Size;

    /// <summary>Longest info, psk, psk_id or exporter context accepted (RFC 9180 leaves the bound to implementations).</summary>
    public const int MaxInputLength = 64 * 1024;

    /// <summary>Shortest pre-shared key accepted: RFC 9180 §5.1.2 asks for at least 32 bytes of entropy.</summary>
    public const int MinPskLength = 32;

    /// <summary>RFC 9180 §7.1.3 DeriveKeyPair(ikm) for X25519.</summary>
    public static X25519KeyPair DeriveKeyPair(ReadOnlySpan<byte> ikm)
    {
        CheckInput(ikm, nameof(ikm));
        Span<byte> secretKey = stackalloc byte[DhKemX25519.Size];
        try
        {
            DhKemX25519.DeriveSecretKey(ikm, secretKey);
            return X25519KeyPair.Import(secretKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secretKey);
        }
    }

    /// <summary>SetupBaseS: encapsulates to <paramref name="recipient"/>, writes <c>enc</c> and returns the sender context.</summary>
    public static HpkeSenderContext SetupBaseSender(X25519PublicKey recipient, ReadOnlySpan<byte> info, Span<byte> encapsulatedKey, HpkeAead aead = HpkeAead.ChaCha20Poly1305) =>
        SetupSender(HpkeMode.Base, recipient, info, default, default, null, encapsulatedKey, aead);

    /// <summary>SetupPSKS.</summary>
    public static HpkeSenderContext SetupPskSender(X25519PublicKey recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, Span<byte> encapsulatedKey, HpkeAead aead = HpkeAead.ChaCha20Poly1305) =>
        SetupSender(HpkeMode.Psk, recipient, info, psk, pskId, null, encapsulatedKey, aead);

    /// <summary>SetupAuthS: the context also proves possession of <paramref name="sender"/>'s private key.</summary>
    public static HpkeSenderContext SetupAuthSender(X25519PublicKey recipient, ReadOnlySpan<byte> info, X25519KeyPair sender, Span<byte> encapsulatedKey, HpkeAead aead = HpkeAead.ChaCha20Poly1305) =>
        SetupSender(HpkeMode.Auth, recipient, info, default, default, sender ?? throw new ArgumentNullException(nameof(sender)), encapsulatedKey, aead);

    /// <summary>SetupAuthPSKS.</summary>
    public static HpkeSenderContext SetupAuthPskSender(X25519PublicKey recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, X25519KeyPair sender, Span<byte> encapsulatedKey, HpkeAead aead = HpkeAead.ChaCha20Poly1305) =>
        SetupSender(HpkeMode.AuthPsk, recipient, info, psk, pskId, sender ?? throw new ArgumentNullException(nameof(sender)), encapsulatedKey, aead);

    /// <summary>SetupBaseR; false when <paramref name="encapsulatedKey"/> is malformed or of small order.</summary>
    public static bool TrySetupBaseRecipient(ReadOnlySpan<byte> encapsulatedKey, X25519KeyPair recipient, ReadOnlySpan<byte> info, [NotNullWhen(true)] out HpkeRecipientContext? context, HpkeAead aead = HpkeAead.ChaCha20Poly1305) =>
        TrySetupRecipient(HpkeMode.Base, encapsulatedKey, recipient, info, default, default, null, aead, out context);

    /// <summary>SetupPSKR.</summary>
    public static bool TrySetupPskRecipient(ReadOnlySpan<byte> encapsulatedKey, X25519KeyPair recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, [NotNullWhen(true)] out HpkeRecipientContext? context, HpkeAead aead = HpkeAead.ChaCha20Poly1305) =>
        TrySetupRecipient(HpkeMode.Psk, encapsulatedKey, recipient, info, psk, pskId, null, aead, out context);

    /// <summary>SetupAuthR: succeeds only if the sender held <paramref name="sender"/>'s private key.</summary>
    public static bool TrySetupAuthRecipient(ReadOnlySpan<byte> encapsulatedKey, X25519KeyPair recipient, ReadOnlySpan<byte> info, X25519PublicKey sender, [NotNullWhen(true)] out HpkeRecipientContext? context, HpkeAead aead = HpkeAead.ChaCha20Poly1305) =>
        TrySetupRecipient(HpkeMode.Auth, encapsulatedKey, recipient, info, default, default, sender ?? throw new ArgumentNullException(nameof(sender)), aead, out context);

    /// <summary>SetupAuthPSKR.</summary>
    public static bool TrySetupAuthPskRecipient(ReadOnlySpan<byte> encapsulatedKey, X25519KeyPair recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, X25519PublicKey sender, [NotNullWhen(true)] out HpkeRecipientContext? context, HpkeAead aead = HpkeAead.ChaCha20Poly1305) =>
        TrySetupRecipient(HpkeMode.AuthPsk, encapsulatedKey, recipient, info, psk, pskId, sender ?? throw new ArgumentNullException(nameof(sender)), aead, out context);

    /// <summary>Bytes <see cref="Seal(X25519PublicKey, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte}, HpkeAead)"/> writes for a plaintext of <paramref name="plaintextLength"/> bytes.</summary>
    public static int SealedLength(int plaintextLength) => EncapsulatedKeySize + plaintextLength + HpkeContext.TagSize;

    /// <summary>Single-shot base-mode seal: writes <c>enc ‖ ciphertext</c> to <paramref name="destination"/>.</summary>
    public static void Seal(X25519PublicKey recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> destination, HpkeAead aead = HpkeAead.ChaCha20Poly1305)
    {
        if (destination.Length != SealedLength(plaintext.Length))
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, SealedLength(plaintext.Length));
        }

        using var context = SetupBaseSender(recipient, info, destination[..EncapsulatedKeySize], aead);
        context.Seal(aad, plaintext, destination[EncapsulatedKeySize..]);
    }

    /// <summary>Allocating convenience overload of the single-shot seal.</summary>
    public static byte[] Seal(X25519PublicKey recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, HpkeAead aead = HpkeAead.ChaCha20Poly1305)
    {
        var sealedBytes = new byte[SealedLength(plaintext.Length)];
        Seal(recipient, info, aad, plaintext, sealedBytes, aead);
        return sealedBytes;
    }

    /// <summary>
    /// Single-shot base-mode open of <c>enc ‖ ciphertext</c> into <paramref name="plaintext"/>
    /// (sealed length − 48 bytes). False for anything that does not decrypt: too short, a bad
    /// <c>enc</c>, a tag that does not verify.
    /// </summary>
    public static bool TryOpen(X25519KeyPair recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> sealedBytes, Span<byte> plaintext, HpkeAead aead = HpkeAead.ChaCha20Poly1305)
    {
        if (sealedBytes.Length < SealedLength(0))
        {
            return false;
        }

        if (plaintext.Length != sealedBytes.Length - SealedLength(0))
        {
            ProtocolThrow.ArgumentLength(nameof(plaintext), plaintext.Length, sealedBytes.Length - SealedLength(0));
        }

        if (!TrySetupBaseRecipient(sealedBytes[..EncapsulatedKeySize], recipient, info, out var context, aead))
        {
            return false;
        }

        using (context)
        {
            return context.TryOpen(aad, sealedBytes[EncapsulatedKeySize..], plaintext);
        }
    }

    /// <summary>Allocating convenience overload: the plaintext, or <see langword="null"/>.</summary>
    public static byte[]? TryOpen(X25519KeyPair recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> sealedBytes, HpkeAead aead = HpkeAead.ChaCha20Poly1305)
    {
        if (sealedBytes.Length < SealedLength(0))
        {
            return null;
        }

        var plaintext = new byte[sealedBytes.Length - SealedLength(0)];
        return TryOpen(recipient, info, aad, sealedBytes, plaintext, aead) ? plaintext : null;
    }

    internal static HpkeSenderContext SetupSender(
        HpkeMode mode,
        X25519PublicKey recipient,
        ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> psk,
        ReadOnlySpan<byte> pskId,
        X25519KeyPair? sender,
        Span<byte> encapsulatedKey,
        HpkeAead aead)
    {
        Span<byte> ephemeral = stackalloc byte[DhKemX25519.Size];
        RandomNumberGenerator.Fill(ephemeral);
        try
        {
            return SetupSenderCore(mode, recipient, info, psk, pskId, sender, ephemeral, encapsulatedKey, aead);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ephemeral);
        }
    }

    /// <summary>The sender setup with a given ephemeral secret; public entry points draw it at random, the vector tests derive it from ikmE.</summary>
    internal static HpkeSenderContext SetupSenderCore(
        HpkeMode mode,
        X25519PublicKey recipient,
        ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> psk,
        ReadOnlySpan<byte> pskId,
        X25519KeyPair? sender,
        ReadOnlySpan<byte> ephemeralSecretKey,
        Span<byte> encapsulatedKey,
        HpkeAead aead)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        CheckSetup(mode, info, psk, pskId, aead);
        if (encapsulatedKey.Length != EncapsulatedKeySize)
        {
            ProtocolThrow.ArgumentLength(nameof(encapsulatedKey), encapsulatedKey.Length, EncapsulatedKeySize);
        }

        Span<byte> recipientKey = stackalloc byte[DhKemX25519.Size];
        recipient.Export(recipientKey);
        Span<byte> senderSecret = stackalloc byte[sender is null ? 0 : DhKemX25519.Size];
        Span<byte> sharedSecret = stackalloc byte[DhKemX25519.Size];
        try
        {
            sender?.Export(senderSecret);
            if (!DhKemX25519.Encap(recipientKey, ephemeralSecretKey, senderSecret, encapsulatedKey, sharedSecret))
            {
                ProtocolThrow.Argument(nameof(recipient), "The recipient's X25519 key has small order; nothing can be encrypted to it.");
            }

            return (HpkeSenderContext)Schedule(mode, aead, sharedSecret, info, psk, pskId, isSender: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(senderSecret);
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    internal static bool TrySetupRecipient(
        HpkeMode mode,
        ReadOnlySpan<byte> encapsulatedKey,
        X25519KeyPair recipient,
        ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> psk,
        ReadOnlySpan<byte> pskId,
        X25519PublicKey? sender,
        HpkeAead aead,
        [NotNullWhen(true)] out HpkeRecipientContext? context)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        CheckSetup(mode, info, psk, pskId, aead);
        context = null;
        if (encapsulatedKey.Length != EncapsulatedKeySize)
        {
            return false;
        }

        Span<byte> senderKey = stackalloc byte[sender is null ? 0 : DhKemX25519.Size];
        sender?.Export(senderKey);
        Span<byte> sharedSecret = stackalloc byte[DhKemX25519.Size];
        try
        {
            if (!DhKemX25519.Decap(encapsulatedKey, recipient, senderKey, sharedSecret))
            {
                return false;
            }

            context = (HpkeRecipientContext)Schedule(mode, aead, sharedSecret, info, psk, pskId, isSender: false);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    private static HpkeContext Schedule(HpkeMode mode, HpkeAead aead, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> info, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, bool isSender)
    {
        Span<byte> keyScheduleContext = stackalloc byte[1 + (2 * HpkeLabels.HashSize)];
        Span<byte> key = stackalloc byte[HpkeAeadCipher.KeySize(aead)];
        Span<byte> baseNonce = stackalloc byte[HpkeContext.NonceSize];
        Span<byte> exporterSecret = stackalloc byte[HpkeLabels.HashSize];
        try
        {
            HpkeKeySchedule.Derive(mode, aead, sharedSecret, info, psk, pskId, keyScheduleContext, key, baseNonce, exporterSecret);
            return isSender
                ? new HpkeSenderContext(aead, key, baseNonce, exporterSecret)
                : new HpkeRecipientContext(aead, key, baseNonce, exporterSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(baseNonce);
            CryptographicOperations.ZeroMemory(exporterSecret);
        }
    }

    // VerifyPSKInputs (RFC 9180 §5.1) plus this library's bounds.
    private static void CheckSetup(HpkeMode mode, ReadOnlySpan<byte> info, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, HpkeAead aead)
    {
        if (!HpkeAeadCipher.IsDefined(aead))
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(aead), (ushort)aead, "0x0001 (AES-128-GCM) or 0x0003 (ChaCha20-Poly1305)");
        }

        CheckInput(info, nameof(info));
        CheckInput(psk, nameof(psk));
        CheckInput(pskId, nameof(pskId));
        var usesPsk = mode is HpkeMode.Psk or HpkeMode.AuthPsk;
        if (usesPsk)
        {
            if (psk.Length < MinPskLength)
            {
                ProtocolThrow.ArgumentLengthAtLeast(nameof(psk), psk.Length, MinPskLength);
            }

            if (pskId.IsEmpty)
            {
                ProtocolThrow.ArgumentLengthAtLeast(nameof(pskId), 0, 1);
            }
        }
        else if (!psk.IsEmpty || !pskId.IsEmpty)
        {
            ProtocolThrow.Argument(nameof(psk), $"Mode {mode} takes no pre-shared key; found {psk.Length} and {pskId.Length} bytes of psk and psk_id.");
        }
    }

    private static void CheckInput(ReadOnlySpan<byte> input, string name)
    {
        if (input.Length > MaxInputLength)
        {
            ProtocolThrow.ArgumentLengthAtMost(name, input.Length, MaxInputLength);
        }
    }
}
