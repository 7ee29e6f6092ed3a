using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Privomega.Protocol.Tokens;

/// <summary>
/// An RSA public key for RFC 9474 blind signatures. Wire form:
/// <c>version (1) ‖ modulus length (u16 BE) ‖ modulus ‖ exponent length (u8) ‖ exponent</c>.
/// </summary>
public sealed class RsaBssaPublicKey
{
    public const byte WireVersion = 1;
    public const int MinModulusBits = 2048;
    public const int MaxModulusBits = 4096;

    internal RsaBssaPublicKey(BcBigInteger modulus, BcBigInteger exponent)
    {
        Parameters = new RsaKeyParameters(false, modulus, exponent);
        ModulusBits = modulus.BitLength;
        ModulusBytes = (ModulusBits + 7) / 8;
        byte[] encoded = Export();
        KeyId = SHA256.HashData(encoded);
    }

    internal RsaKeyParameters Parameters { get; }

    internal BcBigInteger Modulus => Parameters.Modulus;

    internal BcBigInteger Exponent => Parameters.Exponent;

    /// <summary>Bit length of the modulus n.</summary>
    public int ModulusBits { get; }

    /// <summary>Byte length of n, which is the length of blinded messages and signatures.</summary>
    public int ModulusBytes { get; }

    /// <summary>SHA-256 of the wire form; names the key (RFC 9578 uses the same idea).</summary>
    public ReadOnlyMemory<byte> KeyId { get; }

    /// <summary>Builds a key from big-endian n and e; throws if they do not form a usable key.</summary>
    public static RsaBssaPublicKey ImportComponents(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent)
    {
        if (!TryImportComponents(modulus, exponent, out RsaBssaPublicKey? key))
        {
            ProtocolThrow.Argument(nameof(modulus), $"RSA modulus must be odd with {MinModulusBits}..{MaxModulusBits} bits and the exponent odd, > 1 and < n; found {modulus.Length} modulus bytes.");
        }

        return key;
    }

    public static bool TryImportComponents(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RsaBssaPublicKey? key)
    {
        key = null;
        if (modulus.Length == 0 || modulus.Length > (MaxModulusBits / 8) + 1 || exponent.Length == 0 || exponent.Length > 255)
        {
            return false;
        }

        var n = new BcBigInteger(1, modulus.ToArray());
        var e = new BcBigInteger(1, exponent.ToArray());
        if (n.BitLength < MinModulusBits || n.BitLength > MaxModulusBits || !n.TestBit(0)
            || !e.TestBit(0) || e.BitLength < 2 || e.CompareTo(n) >= 0)
        {
            return false;
        }

        key = new RsaBssaPublicKey(n, e);
        return true;
    }

    /// <summary>Decodes the wire form; throws <see cref="ArgumentException"/> on malformed input.</summary>
    public static RsaBssaPublicKey Import(ReadOnlySpan<byte> encoded)
    {
        if (!TryImport(encoded, out RsaBssaPublicKey? key))
        {
            ProtocolThrow.Argument(nameof(encoded), $"Not an RSA blind-signature public key (version {WireVersion}); found {encoded.Length} bytes.");
        }

        return key;
    }

    public static bool TryImport(ReadOnlySpan<byte> encoded, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RsaBssaPublicKey? key)
    {
        key = null;
        if (encoded.Length < 4 || encoded[0] != WireVersion)
        {
            return false;
        }

        int modulusLength = BinaryPrimitives.ReadUInt16BigEndian(encoded[1..]);
        if (encoded.Length < 3 + modulusLength + 1)
        {
            return false;
        }

        int exponentLength = encoded[3 + modulusLength];
        if (encoded.Length != 3 + modulusLength + 1 + exponentLength)
        {
            return false;
        }

        ReadOnlySpan<byte> modulus = encoded.Slice(3, modulusLength);
        // Canonical form only: no leading zero bytes, so one key has exactly one encoding and one KeyId.
        if (modulus.Length == 0 || modulus[0] == 0 || exponentLength == 0 || encoded[4 + modulusLength] == 0)
        {
            return false;
        }

        return TryImportComponents(modulus, encoded.Slice(4 + modulusLength, exponentLength), out key);
    }

    public byte[] Export()
    {
        byte[] n = Modulus.ToByteArrayUnsigned();
        byte[] e = Exponent.ToByteArrayUnsigned();
        byte[] result = new byte[3 + n.Length + 1 + e.Length];
        result[0] = WireVersion;
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(1), (ushort)n.Length);
        n.CopyTo(result, 3);
        result[3 + n.Length] = (byte)e.Length;
        e.CopyTo(result, 4 + n.Length);
        return result;
    }
}

/// <summary>
/// An RSA private key for RFC 9474 blind signing, in CRT form. BouncyCastle's big integers are
/// immutable, so disposal drops the only references rather than overwriting the limbs; the
/// byte arrays this class creates while importing are zeroed.
/// </summary>
public sealed class RsaBssaPrivateKey : IDisposable
{
    private RsaPrivateCrtKeyParameters? _parameters;

    internal RsaBssaPrivateKey(RsaPrivateCrtKeyParameters parameters)
    {
        _parameters = parameters;
        PublicKey = new RsaBssaPublicKey(parameters.Modulus, parameters.PublicExponent);
    }

    public RsaBssaPublicKey PublicKey { get; }

    internal RsaPrivateCrtKeyParameters Parameters
    {
        get
        {
            ObjectDisposedException.ThrowIf(_parameters is null, this);
            return _parameters;
        }
    }

    /// <summary>Generates a fresh key with e = 65537 (OpenSSL's generator through .NET, then held by BouncyCastle).</summary>
    public static RsaBssaPrivateKey Generate(int modulusBits = 2048)
    {
        if (modulusBits < RsaBssaPublicKey.MinModulusBits || modulusBits > RsaBssaPublicKey.MaxModulusBits || modulusBits % 8 != 0)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(modulusBits), modulusBits, $"a multiple of 8 in {RsaBssaPublicKey.MinModulusBits}..{RsaBssaPublicKey.MaxModulusBits}");
        }

        using var rsa = RSA.Create(modulusBits);
        RSAParameters p = rsa.ExportParameters(includePrivateParameters: true);
        try
        {
            return new RsaBssaPrivateKey(new RsaPrivateCrtKeyParameters(
                Big(p.Modulus!), Big(p.Exponent!), Big(p.D!), Big(p.P!), Big(p.Q!), Big(p.DP!), Big(p.DQ!), Big(p.InverseQ!)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(p.D);
            CryptographicOperations.ZeroMemory(p.P);
            CryptographicOperations.ZeroMemory(p.Q);
            CryptographicOperations.ZeroMemory(p.DP);
            CryptographicOperations.ZeroMemory(p.DQ);
            CryptographicOperations.ZeroMemory(p.InverseQ);
        }
    }

    /// <summary>Builds a key from the primes p, q and public exponent e (big-endian).</summary>
    public static RsaBssaPrivateKey ImportPrimes(ReadOnlySpan<byte> p, ReadOnlySpan<byte> q, ReadOnlySpan<byte> e)
    {
        byte[] pBytes = p.ToArray();
        byte[] qBytes = q.ToArray();
        try
        {
            BcBigInteger bp = new(1, pBytes);
            BcBigInteger bq = new(1, qBytes);
            BcBigInteger be = new(1, e.ToArray());
            BcBigInteger n = bp.Multiply(bq);
            if (bp.Equals(bq) || !bp.IsProbablePrime(16) || !bq.IsProbablePrime(16)
                || n.BitLength < RsaBssaPublicKey.MinModulusBits || n.BitLength > RsaBssaPublicKey.MaxModulusBits
                || !be.TestBit(0) || be.BitLength < 2)
            {
                ProtocolThrow.Argument(nameof(p), $"p and q must be distinct primes whose product has {RsaBssaPublicKey.MinModulusBits}..{RsaBssaPublicKey.MaxModulusBits} bits and e odd and > 1; found a {n.BitLength}-bit product.");
            }

            BcBigInteger pMinus1 = bp.Subtract(BcBigInteger.One);
            BcBigInteger qMinus1 = bq.Subtract(BcBigInteger.One);
            BcBigInteger phi = pMinus1.Multiply(qMinus1);
            if (!be.Gcd(phi).Equals(BcBigInteger.One))
            {
                ProtocolThrow.Argument(nameof(e), "e is not invertible modulo (p-1)(q-1).");
            }

            BcBigInteger d = be.ModInverse(phi);
            return new RsaBssaPrivateKey(new RsaPrivateCrtKeyParameters(
                n, be, d, bp, bq, d.Mod(pMinus1), d.Mod(qMinus1), bq.ModInverse(bp)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pBytes);
            CryptographicOperations.ZeroMemory(qBytes);
        }
    }

    public void Dispose() => _parameters = null;

    private static BcBigInteger Big(byte[] bytes) => new(1, bytes);
}
