using System.Diagnostics;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Privomega.Protocol.Tokens;

/// <summary>The four RFC 9474 suites over SHA-384; Privomega issues <see cref="Sha384PssRandomized"/>.</summary>
public enum RsaBssaVariant
{
    /// <summary>RSABSSA-SHA384-PSS-Randomized: 48-byte salt and a 32-byte random message prefix (RFC 9474's recommendation).</summary>
    Sha384PssRandomized = 0,

    /// <summary>RSABSSA-SHA384-PSSZERO-Randomized: empty salt, random prefix.</summary>
    Sha384PssZeroRandomized = 1,

    /// <summary>RSABSSA-SHA384-PSS-Deterministic: 48-byte salt, no prefix.</summary>
    Sha384PssDeterministic = 2,

    /// <summary>RSABSSA-SHA384-PSSZERO-Deterministic: empty salt, no prefix.</summary>
    Sha384PssZeroDeterministic = 3,
}

/// <summary>
/// The client's secret from <see cref="RsaBssa.Blind(RsaBssaPublicKey, RsaBssaVariant, ReadOnlySpan{byte})"/>:
/// the blinded message to send and the blinding factor r kept for <c>Finalize</c>.
/// </summary>
public sealed class RsaBssaBlinding : IDisposable
{
    private readonly byte[] _factor;

    internal RsaBssaBlinding(byte[] blindedMessage, byte[] factor)
    {
        BlindedMessage = blindedMessage;
        _factor = factor;
    }

    /// <summary>The value sent to the signer; statistically independent of the message.</summary>
    public ReadOnlyMemory<byte> BlindedMessage { get; }

    internal BcBigInteger Factor => new(1, _factor);

    public void Dispose() => CryptographicOperations.ZeroMemory(_factor);
}

/// <summary>
/// RSA blind signatures per RFC 9474 (Prepare, Blind, BlindSign, Finalize, Verify). EMSA-PSS is
/// encoded here (<see cref="EmsaPss"/>); the modular arithmetic is BouncyCastle's: the
/// <see cref="RsaBlindingEngine"/> multiplies in r^e and takes r back out, and the signer runs the
/// side-channel-blinded CRT engine and checks its own result, as RFC 9474 §4.3 requires.
/// </summary>
public static class RsaBssa
{
    /// <summary>Length of the random message prefix of the randomized variants.</summary>
    public const int PrefixLength = 32;

    private static readonly SecureRandom SignerRandom = new();

    public static int SaltLength(RsaBssaVariant variant) => variant switch
    {
        RsaBssaVariant.Sha384PssRandomized or RsaBssaVariant.Sha384PssDeterministic => EmsaPss.HashLength,
        RsaBssaVariant.Sha384PssZeroRandomized or RsaBssaVariant.Sha384PssZeroDeterministic => 0,
        _ => ThrowVariant(variant),
    };

    public static bool IsRandomized(RsaBssaVariant variant) => variant switch
    {
        RsaBssaVariant.Sha384PssRandomized or RsaBssaVariant.Sha384PssZeroRandomized => true,
        RsaBssaVariant.Sha384PssDeterministic or RsaBssaVariant.Sha384PssZeroDeterministic => false,
        _ => ThrowVariant(variant) != 0,
    };

    /// <summary>Prepare: a fresh 32-byte random prefix ‖ message for the randomized variants, the message itself otherwise.</summary>
    public static byte[] Prepare(RsaBssaVariant variant, ReadOnlySpan<byte> message)
    {
        if (!IsRandomized(variant))
        {
            return message.ToArray();
        }

        byte[] prepared = new byte[PrefixLength + message.Length];
        RandomNumberGenerator.Fill(prepared.AsSpan(0, PrefixLength));
        message.CopyTo(prepared.AsSpan(PrefixLength));
        return prepared;
    }

    /// <summary>Blind: encodes the prepared message with a fresh salt and multiplies in r^e for a uniform r in [1, n).</summary>
    public static RsaBssaBlinding Blind(RsaBssaPublicKey key, RsaBssaVariant variant, ReadOnlySpan<byte> preparedMessage)
    {
        ArgumentNullException.ThrowIfNull(key);
        byte[] salt = new byte[SaltLength(variant)];
        RandomNumberGenerator.Fill(salt);
        BcBigInteger r = RandomUnit(key.Modulus);
        byte[] blinded = BlindCore(key, preparedMessage, salt, r, out _);
        return new RsaBssaBlinding(blinded, r.ToByteArrayUnsigned());
    }

    /// <summary>Blind with a given salt and blinding factor (test vectors); also returns the encoded message.</summary>
    internal static byte[] BlindCore(RsaBssaPublicKey key, ReadOnlySpan<byte> preparedMessage, ReadOnlySpan<byte> salt, BcBigInteger r, out byte[] encodedMessage)
    {
        encodedMessage = new byte[(key.ModulusBits - 1 + 7) / 8];
        EmsaPss.EncodeCore(preparedMessage, salt, key.ModulusBits - 1, encodedMessage);

        // RFC 9474 §4.2 step 4: a message representative sharing a factor with n would reveal it.
        BcBigInteger m = new(1, encodedMessage);
        if (!m.Gcd(key.Modulus).Equals(BcBigInteger.One))
        {
            ProtocolThrow.Cryptographic("RSA blinding (encoded message not invertible modulo n)");
        }

        var engine = new RsaBlindingEngine();
        engine.Init(true, new RsaBlindingParameters(key.Parameters, r));
        return LeftPad(engine.ProcessBlock(encodedMessage, 0, encodedMessage.Length), key.ModulusBytes);
    }

    /// <summary>BlindSign; throws if <paramref name="blindedMessage"/> is not a representative modulo n.</summary>
    public static byte[] BlindSign(RsaBssaPrivateKey key, ReadOnlySpan<byte> blindedMessage)
    {
        ArgumentNullException.ThrowIfNull(key);
        byte[] signature = new byte[key.PublicKey.ModulusBytes];
        if (!TryBlindSign(key, blindedMessage, signature))
        {
            ProtocolThrow.Argument(nameof(blindedMessage), $"Blinded message must be {key.PublicKey.ModulusBytes} bytes encoding an integer below n; found {blindedMessage.Length} bytes.");
        }

        return signature;
    }

    /// <summary>BlindSign: s = m^d mod n, checked by s^e = m. False for malformed input from the network.</summary>
    public static bool TryBlindSign(RsaBssaPrivateKey key, ReadOnlySpan<byte> blindedMessage, Span<byte> blindSignature)
    {
        ArgumentNullException.ThrowIfNull(key);
        RsaBssaPublicKey pk = key.PublicKey;
        if (blindSignature.Length != pk.ModulusBytes)
        {
            ProtocolThrow.ArgumentLength(nameof(blindSignature), blindSignature.Length, pk.ModulusBytes);
        }

        if (blindedMessage.Length != pk.ModulusBytes)
        {
            return false;
        }

        byte[] input = blindedMessage.ToArray();
        BcBigInteger m = new(1, input);
        if (m.SignValue == 0 || m.CompareTo(pk.Modulus) >= 0)
        {
            return false;
        }

        var engine = new RsaBlindedEngine();
        engine.Init(true, new ParametersWithRandom(key.Parameters, SignerRandom));
        byte[] s = engine.ProcessBlock(input, 0, input.Length);

        // A faulty CRT step would leak a factor of n; never release a signature that does not verify.
        if (!new BcBigInteger(1, s).ModPow(pk.Exponent, pk.Modulus).Equals(m))
        {
            ProtocolThrow.Cryptographic("RSA blind signing (fault check)");
        }

        WriteLeftPadded(s, blindSignature);
        CryptographicOperations.ZeroMemory(s);
        return true;
    }

    /// <summary>
    /// Finalize: takes r back out of the blind signature and verifies the result; false if the
    /// signer's answer is malformed or does not verify.
    /// </summary>
    public static bool TryFinalize(RsaBssaPublicKey key, RsaBssaVariant variant, ReadOnlySpan<byte> preparedMessage, ReadOnlySpan<byte> blindSignature, RsaBssaBlinding blinding, Span<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(blinding);
        return TryFinalizeCore(key, variant, preparedMessage, blindSignature, blinding.Factor, signature);
    }

    /// <summary>Allocating <see cref="TryFinalize"/>; null if the blind signature does not finalize to a valid signature.</summary>
    public static byte[]? Finalize(RsaBssaPublicKey key, RsaBssaVariant variant, ReadOnlySpan<byte> preparedMessage, ReadOnlySpan<byte> blindSignature, RsaBssaBlinding blinding)
    {
        ArgumentNullException.ThrowIfNull(key);
        byte[] signature = new byte[key.ModulusBytes];
        return TryFinalize(key, variant, preparedMessage, blindSignature, blinding, signature) ? signature : null;
    }

    internal static bool TryFinalizeCore(RsaBssaPublicKey key, RsaBssaVariant variant, ReadOnlySpan<byte> preparedMessage, ReadOnlySpan<byte> blindSignature, BcBigInteger r, Span<byte> signature)
    {
        if (signature.Length != key.ModulusBytes)
        {
            ProtocolThrow.ArgumentLength(nameof(signature), signature.Length, key.ModulusBytes);
        }

        if (blindSignature.Length != key.ModulusBytes)
        {
            return false;
        }

        byte[] z = blindSignature.ToArray();
        if (new BcBigInteger(1, z).CompareTo(key.Modulus) >= 0)
        {
            return false;
        }

        var engine = new RsaBlindingEngine();
        engine.Init(false, new RsaBlindingParameters(key.Parameters, r));
        WriteLeftPadded(engine.ProcessBlock(z, 0, z.Length), signature);
        if (!Verify(key, variant, preparedMessage, signature))
        {
            signature.Clear();
            return false;
        }

        return true;
    }

    /// <summary>Verify: RSASSA-PSS-VERIFY over the prepared message with the variant's salt length.</summary>
    public static bool Verify(RsaBssaPublicKey key, RsaBssaVariant variant, ReadOnlySpan<byte> preparedMessage, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(key);
        int saltLength = SaltLength(variant);
        if (signature.Length != key.ModulusBytes)
        {
            return false;
        }

        BcBigInteger s = new(1, signature.ToArray());
        if (s.CompareTo(key.Modulus) >= 0)
        {
            return false;
        }

        byte[] m = s.ModPow(key.Exponent, key.Modulus).ToByteArrayUnsigned();
        int emBits = key.ModulusBits - 1;
        int emLength = (emBits + 7) / 8;
        if (m.Length > emLength)
        {
            return false;
        }

        byte[] encoded = LeftPad(m, emLength);
        return EmsaPss.VerifyCore(preparedMessage, encoded, emBits, saltLength);
    }

    /// <summary>Uniform in [1, n) and coprime to n, by rejection (BouncyCastle's factor generator draws below 2^(|n|-1), which is not uniform).</summary>
    private static BcBigInteger RandomUnit(BcBigInteger n)
    {
        int bits = n.BitLength;
        byte[] buffer = new byte[(bits + 7) / 8];
        byte topMask = (byte)(0xFF >> ((8 * buffer.Length) - bits));
        try
        {
            while (true)
            {
                RandomNumberGenerator.Fill(buffer);
                buffer[0] &= topMask;
                BcBigInteger r = new(1, buffer);
                if (r.SignValue > 0 && r.CompareTo(n) < 0 && r.Gcd(n).Equals(BcBigInteger.One))
                {
                    return r;
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    private static byte[] LeftPad(byte[] value, int length)
    {
        Debug.Assert(value.Length <= length);
        if (value.Length == length)
        {
            return value;
        }

        byte[] result = new byte[length];
        value.CopyTo(result, length - value.Length);
        return result;
    }

    private static void WriteLeftPadded(byte[] value, Span<byte> destination)
    {
        // BouncyCastle may return a leading sign byte or drop leading zeros; normalise to |n| bytes.
        ReadOnlySpan<byte> trimmed = value;
        while (trimmed.Length > destination.Length && trimmed[0] == 0)
        {
            trimmed = trimmed[1..];
        }

        Debug.Assert(trimmed.Length <= destination.Length);
        destination[..^trimmed.Length].Clear();
        trimmed.CopyTo(destination[^trimmed.Length..]);
    }

    private static int ThrowVariant(RsaBssaVariant variant)
    {
        ProtocolThrow.ArgumentOutOfRange(nameof(variant), (long)variant, "a defined RsaBssaVariant");
        return 0;
    }
}
