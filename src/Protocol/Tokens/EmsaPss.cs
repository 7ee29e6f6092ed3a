using System.Diagnostics;
using System.Security.Cryptography;

namespace Privomega.Protocol.Tokens;

/// <summary>
/// EMSA-PSS encoding and verification with SHA-384 and MGF1-SHA-384 (RFC 8017 §9.1), written out
/// here rather than taken from a signer so that RFC 9474's encoded message can be checked byte for
/// byte and the salt can be supplied by test vectors.
/// </summary>
internal static class EmsaPss
{
    public const int HashLength = 48;

    /// <summary>Writes EM (ceil(emBits/8) bytes) for <paramref name="message"/> and <paramref name="salt"/>.</summary>
    public static void EncodeCore(ReadOnlySpan<byte> message, ReadOnlySpan<byte> salt, int emBits, Span<byte> encoded)
    {
        int emLength = (emBits + 7) / 8;
        Debug.Assert(encoded.Length == emLength);
        Debug.Assert(emLength >= HashLength + salt.Length + 2);

        Span<byte> messageHash = stackalloc byte[HashLength];
        SHA384.HashData(message, messageHash);

        int dbLength = emLength - HashLength - 1;
        Span<byte> db = encoded[..dbLength];
        Span<byte> h = encoded.Slice(dbLength, HashLength);
        HashPrime(messageHash, salt, h);

        // DB = PS || 0x01 || salt, then masked in place with MGF1(H).
        db.Clear();
        db[dbLength - salt.Length - 1] = 0x01;
        salt.CopyTo(db[(dbLength - salt.Length)..]);
        Mgf1XorCore(h, db);
        db[0] &= (byte)(0xFF >> ((8 * emLength) - emBits));
        encoded[^1] = 0xBC;
    }

    /// <summary>EMSA-PSS-VERIFY: true if <paramref name="encoded"/> is a valid encoding of <paramref name="message"/>.</summary>
    public static bool VerifyCore(ReadOnlySpan<byte> message, ReadOnlySpan<byte> encoded, int emBits, int saltLength)
    {
        int emLength = (emBits + 7) / 8;
        if (encoded.Length != emLength || emLength < HashLength + saltLength + 2 || encoded[^1] != 0xBC)
        {
            return false;
        }

        int dbLength = emLength - HashLength - 1;
        byte topMask = (byte)(0xFF >> ((8 * emLength) - emBits));
        if ((encoded[0] & ~topMask) != 0)
        {
            return false;
        }

        byte[] db = encoded[..dbLength].ToArray();
        ReadOnlySpan<byte> h = encoded.Slice(dbLength, HashLength);
        Mgf1XorCore(h, db);
        db[0] &= topMask;

        // Everything before the 0x01 separator must be zero; the separator sits right before the salt.
        int separator = dbLength - saltLength - 1;
        int bad = db[separator] ^ 0x01;
        for (int i = 0; i < separator; i++)
        {
            bad |= db[i];
        }

        Span<byte> messageHash = stackalloc byte[HashLength];
        SHA384.HashData(message, messageHash);
        Span<byte> expected = stackalloc byte[HashLength];
        HashPrime(messageHash, db.AsSpan(dbLength - saltLength), expected);
        bool hashOk = CryptographicOperations.FixedTimeEquals(expected, h);
        return bad == 0 & hashOk;
    }

    /// <summary>H = Hash(0x00 * 8 || mHash || salt).</summary>
    private static void HashPrime(ReadOnlySpan<byte> messageHash, ReadOnlySpan<byte> salt, Span<byte> destination)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA384);
        Span<byte> zeros = stackalloc byte[8];
        zeros.Clear();
        hash.AppendData(zeros);
        hash.AppendData(messageHash);
        hash.AppendData(salt);
        hash.GetHashAndReset(destination);
    }

    /// <summary>XORs MGF1-SHA-384(<paramref name="seed"/>) into <paramref name="target"/>.</summary>
    private static void Mgf1XorCore(ReadOnlySpan<byte> seed, Span<byte> target)
    {
        Span<byte> input = stackalloc byte[HashLength + 4];
        seed.CopyTo(input);
        Span<byte> block = stackalloc byte[HashLength];
        uint counter = 0;
        for (int offset = 0; offset < target.Length; offset += HashLength, counter++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(input[HashLength..], counter);
            SHA384.HashData(input, block);
            Span<byte> chunk = target[offset..Math.Min(target.Length, offset + HashLength)];
            for (int i = 0; i < chunk.Length; i++)
            {
                chunk[i] ^= block[i];
            }
        }
    }
}
