using System.Diagnostics;
using System.Security.Cryptography;

namespace Privomega.Protocol.Primitives;

/// <summary>
/// HKDF (RFC 5869) with SHA-256 or SHA-512 over .NET's <see cref="HKDF"/>. The wrapper pins the
/// two hashes Privomega uses and validates lengths up front with found/expected messages:
/// PRK at least one hash long, output 1..255·HashLen bytes (the RFC's limit), no partial overlaps.
/// </summary>
public static class Hkdf
{
    /// <summary>Extract: PRK = HMAC-Hash(salt, IKM); an empty salt means HashLen zero bytes.</summary>
    public static void Extract(HkdfHash hash, ReadOnlySpan<byte> inputKeyMaterial, ReadOnlySpan<byte> salt, Span<byte> pseudorandomKey)
    {
        int hashSize = HashSize(hash);
        if (pseudorandomKey.Length != hashSize)
        {
            ProtocolThrow.ArgumentLength(nameof(pseudorandomKey), pseudorandomKey.Length, hashSize);
        }

        int written = HKDF.Extract(Name(hash), inputKeyMaterial, salt, pseudorandomKey);
        Debug.Assert(written == hashSize);
    }

    /// <summary>Expand: OKM of <paramref name="output"/>'s length from PRK and info.</summary>
    public static void Expand(HkdfHash hash, ReadOnlySpan<byte> pseudorandomKey, ReadOnlySpan<byte> info, Span<byte> output)
    {
        int hashSize = HashSize(hash);
        if (pseudorandomKey.Length < hashSize)
        {
            ProtocolThrow.ArgumentLengthAtLeast(nameof(pseudorandomKey), pseudorandomKey.Length, hashSize);
        }

        ValidateOutput(hashSize, output);
        if (output.Overlaps(pseudorandomKey) || output.Overlaps(info))
        {
            ProtocolThrow.Overlap(nameof(output));
        }

        HKDF.Expand(Name(hash), pseudorandomKey, output, info);
    }

    /// <summary>Extract then expand in one call.</summary>
    public static void DeriveKey(HkdfHash hash, ReadOnlySpan<byte> inputKeyMaterial, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, Span<byte> output)
    {
        ValidateOutput(HashSize(hash), output);
        if (output.Overlaps(inputKeyMaterial) || output.Overlaps(salt) || output.Overlaps(info))
        {
            ProtocolThrow.Overlap(nameof(output));
        }

        HKDF.DeriveKey(Name(hash), inputKeyMaterial, output, salt, info);
    }

    /// <summary>Extract then expand; returns <paramref name="outputLength"/> bytes.</summary>
    public static byte[] DeriveKey(HkdfHash hash, ReadOnlySpan<byte> inputKeyMaterial, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, int outputLength)
    {
        int hashSize = HashSize(hash);
        if (outputLength < 1 || outputLength > 255 * hashSize)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(outputLength), outputLength, $"1..{255 * hashSize}");
        }

        byte[] output = new byte[outputLength];
        HKDF.DeriveKey(Name(hash), inputKeyMaterial, output, salt, info);
        return output;
    }

    /// <summary>HashLen in bytes.</summary>
    public static int HashSize(HkdfHash hash) => hash switch
    {
        HkdfHash.Sha256 => 32,
        HkdfHash.Sha512 => 64,
        _ => ThrowUnknown(hash),
    };

    private static HashAlgorithmName Name(HkdfHash hash) => hash == HkdfHash.Sha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512;

    private static void ValidateOutput(int hashSize, Span<byte> output)
    {
        if (output.IsEmpty || output.Length > 255 * hashSize)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(output), output.Length, $"1..{255 * hashSize} bytes");
        }
    }

    private static int ThrowUnknown(HkdfHash hash)
    {
        ProtocolThrow.ArgumentOutOfRange(nameof(hash), (long)hash, "Sha256 or Sha512");
        return 0;
    }
}

/// <summary>The hash functions HKDF is used with in Privomega.</summary>
public enum HkdfHash
{
    /// <summary>HKDF-SHA256 (HPKE, the ratchet, session keys).</summary>
    Sha256 = 1,

    /// <summary>HKDF-SHA512.</summary>
    Sha512 = 2,
}
