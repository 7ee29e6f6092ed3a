using System.Diagnostics;
using System.Security.Cryptography;

namespace Privomega.Protocol.Hpke;

/// <summary>The HPKE modes of RFC 9180 §5.</summary>
public enum HpkeMode : byte
{
    /// <summary>mode_base: the recipient's key only (what Privomega's matchmaking uses).</summary>
    Base = 0x00,

    /// <summary>mode_psk: a pre-shared key as well.</summary>
    Psk = 0x01,

    /// <summary>mode_auth: the sender's static X25519 key authenticates the sender.</summary>
    Auth = 0x02,

    /// <summary>mode_auth_psk: both.</summary>
    AuthPsk = 0x03,
}

/// <summary>RFC 9180 §5.1 KeySchedule for KDF HKDF-SHA256 (0x0001) with DHKEM(X25519, HKDF-SHA256).</summary>
internal static class HpkeKeySchedule
{
    public const ushort KdfId = 0x0001;

    /// <summary>suite_id = "HPKE" ‖ I2OSP(kem_id, 2) ‖ I2OSP(kdf_id, 2) ‖ I2OSP(aead_id, 2).</summary>
    public static byte[] SuiteId(HpkeAead aead) =>
        [(byte)'H', (byte)'P', (byte)'K', (byte)'E', 0x00, 0x20, 0x00, 0x01, (byte)((ushort)aead >> 8), (byte)aead];

    /// <summary>
    /// Derives key, base_nonce and exporter_secret; <paramref name="keyScheduleContext"/> receives
    /// mode ‖ psk_id_hash ‖ info_hash (65 bytes) so tests can compare it with the RFC's vectors.
    /// </summary>
    public static void Derive(
        HpkeMode mode,
        HpkeAead aead,
        ReadOnlySpan<byte> sharedSecret,
        ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> psk,
        ReadOnlySpan<byte> pskId,
        Span<byte> keyScheduleContext,
        Span<byte> key,
        Span<byte> baseNonce,
        Span<byte> exporterSecret)
    {
        Debug.Assert(keyScheduleContext.Length == 1 + (2 * HpkeLabels.HashSize));
        Debug.Assert(key.Length == HpkeAeadCipher.KeySize(aead) && baseNonce.Length == HpkeContext.NonceSize);
        ReadOnlySpan<byte> suiteId = SuiteId(aead);
        keyScheduleContext[0] = (byte)mode;
        HpkeLabels.Extract(suiteId, default, "psk_id_hash"u8, pskId, keyScheduleContext.Slice(1, HpkeLabels.HashSize));
        HpkeLabels.Extract(suiteId, default, "info_hash"u8, info, keyScheduleContext[(1 + HpkeLabels.HashSize)..]);

        Span<byte> secret = stackalloc byte[HpkeLabels.HashSize];
        HpkeLabels.Extract(suiteId, sharedSecret, "secret"u8, psk, secret);
        HpkeLabels.Expand(suiteId, secret, "key"u8, keyScheduleContext, key);
        HpkeLabels.Expand(suiteId, secret, "base_nonce"u8, keyScheduleContext, baseNonce);
        HpkeLabels.Expand(suiteId, secret, "exp"u8, keyScheduleContext, exporterSecret);
        CryptographicOperations.ZeroMemory(secret);
    }
}
