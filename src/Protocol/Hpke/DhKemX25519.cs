using System.Diagnostics;
using System.Security.Cryptography;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Hpke;

/// <summary>
/// RFC 9180 §4.1 DHKEM(X25519, HKDF-SHA256), KEM id 0x0020: Encap/Decap, AuthEncap/AuthDecap and
/// DeriveKeyPair (§7.1.3). A Diffie–Hellman result of all zeros (the peer sent a small-order
/// point) is a failure, as §7.1.4 requires.
/// </summary>
internal static class DhKemX25519
{
    public const ushort KemId = 0x0020;

    /// <summary>Nsecret, Nenc, Npk and Nsk are all 32 for X25519.</summary>
    public const int Size = 32;

    // suite_id = "KEM" ‖ I2OSP(kem_id, 2)
    private static ReadOnlySpan<byte> SuiteId => [(byte)'K', (byte)'E', (byte)'M', 0x00, 0x20];

    /// <summary>DeriveKeyPair(ikm) for X25519: sk = LabeledExpand(LabeledExtract("", "dkp_prk", ikm), "sk", "", 32).</summary>
    public static void DeriveSecretKey(ReadOnlySpan<byte> ikm, Span<byte> secretKey)
    {
        Debug.Assert(secretKey.Length == Size);
        Span<byte> prk = stackalloc byte[HpkeLabels.HashSize];
        HpkeLabels.Extract(SuiteId, default, "dkp_prk"u8, ikm, prk);
        HpkeLabels.Expand(SuiteId, prk, "sk"u8, default, secretKey);
        CryptographicOperations.ZeroMemory(prk);
    }

    /// <summary>
    /// Encap (or AuthEncap when <paramref name="senderSecretKey"/> is not empty) with the
    /// ephemeral secret <paramref name="ephemeralSecretKey"/>; false when a DH result is zero.
    /// </summary>
    public static bool Encap(
        ReadOnlySpan<byte> recipientPublicKey,
        ReadOnlySpan<byte> ephemeralSecretKey,
        ReadOnlySpan<byte> senderSecretKey,
        Span<byte> enc,
        Span<byte> sharedSecret)
    {
        Debug.Assert(recipientPublicKey.Length == Size && ephemeralSecretKey.Length == Size && enc.Length == Size);
        var auth = !senderSecretKey.IsEmpty;
        Span<byte> dh = stackalloc byte[2 * Size];
        Span<byte> kemContext = stackalloc byte[3 * Size];
        try
        {
            X25519.ScalarMultiplyBase(ephemeralSecretKey, enc);
            if (!X25519.TryScalarMultiply(ephemeralSecretKey, recipientPublicKey, dh[..Size]))
            {
                return false;
            }

            enc.CopyTo(kemContext);
            recipientPublicKey.CopyTo(kemContext[Size..]);
            if (auth)
            {
                if (!X25519.TryScalarMultiply(senderSecretKey, recipientPublicKey, dh[Size..]))
                {
                    return false;
                }

                X25519.ScalarMultiplyBase(senderSecretKey, kemContext[(2 * Size)..]);
            }

            ExtractAndExpand(auth ? dh : dh[..Size], auth ? kemContext : kemContext[..(2 * Size)], sharedSecret);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    /// <summary>Decap (or AuthDecap when <paramref name="senderPublicKey"/> is not empty); false when a DH result is zero.</summary>
    public static bool Decap(
        ReadOnlySpan<byte> enc,
        X25519KeyPair recipient,
        ReadOnlySpan<byte> senderPublicKey,
        Span<byte> sharedSecret)
    {
        Debug.Assert(enc.Length == Size);
        var auth = !senderPublicKey.IsEmpty;
        Span<byte> dh = stackalloc byte[2 * Size];
        Span<byte> kemContext = stackalloc byte[3 * Size];
        try
        {
            var ephemeral = X25519PublicKey.Import(enc);
            if (!recipient.TryAgree(ephemeral, dh[..Size]))
            {
                return false;
            }

            enc.CopyTo(kemContext);
            recipient.PublicKey.Export(kemContext.Slice(Size, Size));
            if (auth)
            {
                if (!recipient.TryAgree(X25519PublicKey.Import(senderPublicKey), dh[Size..]))
                {
                    return false;
                }

                senderPublicKey.CopyTo(kemContext[(2 * Size)..]);
            }

            ExtractAndExpand(auth ? dh : dh[..Size], auth ? kemContext : kemContext[..(2 * Size)], sharedSecret);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    private static void ExtractAndExpand(ReadOnlySpan<byte> dh, ReadOnlySpan<byte> kemContext, Span<byte> sharedSecret)
    {
        Debug.Assert(sharedSecret.Length == Size);
        Span<byte> prk = stackalloc byte[HpkeLabels.HashSize];
        HpkeLabels.Extract(SuiteId, default, "eae_prk"u8, dh, prk);
        HpkeLabels.Expand(SuiteId, prk, "shared_secret"u8, kemContext, sharedSecret);
        CryptographicOperations.ZeroMemory(prk);
    }
}
