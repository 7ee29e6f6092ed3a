using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Security.Cryptography;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// Expands a 32-byte seed into polynomials that are uniform modulo each prime: AES-256 in counter
/// mode (key = seed, counter block = 8-byte domain ‖ 8-byte block index, little-endian) produces a
/// stream of 32-bit words; each word is masked to bits(p) and kept when below p (rejection, so the
/// output is exactly uniform). The domain separates every polynomial and prime expanded from one
/// seed. Both sides call this, so the seed stands in for the uniform half of a ciphertext on the wire.
/// </summary>
internal static class SeededUniform
{
    public const int SeedBytes = 32;

    private const int BlocksPerBatch = 256;

    public static void Fill(ReadOnlySpan<byte> seed, ulong domain, Span<ulong> destination, Modulus modulus)
    {
        Debug.Assert(seed.Length == SeedBytes);
        using var aes = Aes.Create();
        aes.Key = seed.ToArray();
        Span<byte> counters = new byte[BlocksPerBatch * 16];
        Span<byte> stream = new byte[BlocksPerBatch * 16];
        uint mask = (uint)((1UL << modulus.Bits) - 1);
        ulong block = 0;
        int filled = 0;
        while (filled < destination.Length)
        {
            for (int b = 0; b < BlocksPerBatch; b++)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(counters[(b * 16)..], domain);
                BinaryPrimitives.WriteUInt64LittleEndian(counters[((b * 16) + 8)..], block++);
            }

            aes.EncryptEcb(counters, stream, PaddingMode.None);
            for (int o = 0; o + 4 <= stream.Length && filled < destination.Length; o += 4)
            {
                uint w = BinaryPrimitives.ReadUInt32LittleEndian(stream[o..]) & mask;
                if (w < modulus.Value)
                {
                    destination[filled++] = w;
                }
            }
        }

        CryptographicOperations.ZeroMemory(stream);
    }

    /// <summary>A fresh random seed from the system CSPRNG.</summary>
    public static byte[] NewSeed() => RandomNumberGenerator.GetBytes(SeedBytes);
}

/// <summary>Secret and error distributions, drawn from the system CSPRNG.</summary>
internal static class SecretSampling
{
    /// <summary>Centered binomial parameter: error = popcount(21 bits) − popcount(21 bits), σ = √(21/2) ≈ 3.24.</summary>
    public const int BinomialEta = 21;

    /// <summary>Fills <paramref name="destination"/> with a uniform ternary polynomial in {−1, 0, 1}.</summary>
    public static void Ternary(Span<sbyte> destination)
    {
        Span<byte> buffer = stackalloc byte[256];
        int filled = 0;
        while (filled < destination.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            foreach (byte b in buffer)
            {
                // 255 is rejected so that b mod 3 is uniform.
                if (b < 255 && filled < destination.Length)
                {
                    destination[filled++] = (sbyte)((b % 3) - 1);
                }
            }
        }

        CryptographicOperations.ZeroMemory(buffer);
    }

    /// <summary>Fills <paramref name="destination"/> with centered-binomial errors in [−21, 21].</summary>
    public static void CenteredBinomial(Span<sbyte> destination)
    {
        var buffer = new byte[destination.Length * 6];
        RandomNumberGenerator.Fill(buffer);
        const ulong mask = (1UL << BinomialEta) - 1;
        for (int i = 0; i < destination.Length; i++)
        {
            ulong bits = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i * 6)) | ((ulong)BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan((i * 6) + 4)) << 32);
            destination[i] = (sbyte)(BitOperations.PopCount(bits & mask) - BitOperations.PopCount((bits >> BinomialEta) & mask));
        }

        CryptographicOperations.ZeroMemory(buffer);
    }
}
