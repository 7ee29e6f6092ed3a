using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using System.Text;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Tests;

/// <summary>
/// Known answers for the wire-level PRGs, recomputed here independently with the BCL's AES:
/// SeededUniform (AES-256-CTR, rejection sampling) and DPF key generation (fixed-key AES-128,
/// H_k(s) = AES_k(s) ⊕ s, keys = SHA-256(label)[0..16]).
/// </summary>
public class DpfKnownAnswerTests
{
    private static byte[] Pattern(int length, int start) => Enumerable.Range(start, length).Select(i => (byte)i).ToArray();

    [Theory]
    [InlineData(65537UL, 0x0102030405060708UL, 1500)] // 17 bits: about half the words are rejected, crosses a 256-block batch.
    [InlineData(1073479681UL, 7UL, 300)] // 30 bits.
    public void Seeded_uniform_is_aes256_ctr_with_rejection(ulong prime, ulong domain, int count)
    {
        var seed = Pattern(32, 0x20);
        var actual = new ulong[count];
        SeededUniform.Fill(seed, domain, actual, new Modulus(prime));

        using var aes = Aes.Create();
        aes.Key = seed;
        int bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(prime);
        uint mask = (uint)((1UL << bits) - 1);
        var expected = new List<ulong>();
        var counter = new byte[16];
        for (ulong block = 0; expected.Count < count; block++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(counter, domain);
            BinaryPrimitives.WriteUInt64LittleEndian(counter.AsSpan(8), block);
            var stream = aes.EncryptEcb(counter, PaddingMode.None);
            for (int o = 0; o < 16 && expected.Count < count; o += 4)
            {
                uint w = BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(o)) & mask;
                if (w < prime)
                {
                    expected.Add(w);
                }
            }
        }

        Assert.Equal(expected, actual);

        // Another domain from the same seed gives another polynomial.
        var other = new ulong[count];
        SeededUniform.Fill(seed, domain + 1, other, new Modulus(prime));
        Assert.NotEqual(actual, other);
    }

    [Theory]
    [InlineData(10, 0x2B5L)]
    [InlineData(7, 0x45L)]
    [InlineData(13, 0x1FFFL)]
    public void Dpf_key_generation_matches_an_independent_bcl_aes_recomputation(int domainBits, long alpha)
    {
        var rootSeeds = Pattern(32, 0x90);
        (DpfKey key0, DpfKey key1) = Dpf.GenerateCore(alpha, domainBits, rootSeeds);
        using var k0 = key0;
        using var k1 = key1;

        using var left = FixedKeyAes("left");
        using var right = FixedKeyAes("right");
        using var value = FixedKeyAes("value");

        byte[] node0 = rootSeeds[..16];
        node0[0] &= 0xFE;
        byte[] node1 = rootSeeds[16..];
        node1[0] |= 0x01;
        Assert.Equal(Convert.ToHexStringLower(node0), Hex(key0.Root));
        Assert.Equal(Convert.ToHexStringLower(node1), Hex(key1.Root));

        int levels = Math.Max(domainBits - 7, 0);
        Assert.Equal(levels, key0.Levels);
        for (int level = 0; level < levels; level++)
        {
            int bit = (int)((alpha >> (domainBits - 1 - level)) & 1);
            byte[] l0 = H(left, node0), r0 = H(right, node0), l1 = H(left, node1), r1 = H(right, node1);
            byte[] lose0 = bit == 0 ? r0 : l0, lose1 = bit == 0 ? r1 : l1;
            byte[] seedCw = Xor(lose0, lose1);
            seedCw[0] &= 0xFE;
            byte[] cwLeft = (byte[])seedCw.Clone();
            cwLeft[0] |= (byte)((l0[0] ^ l1[0] ^ bit ^ 1) & 1);
            byte[] cwRight = (byte[])seedCw.Clone();
            cwRight[0] |= (byte)((r0[0] ^ r1[0] ^ bit) & 1);

            Assert.Equal(Convert.ToHexStringLower(cwLeft), Hex(key0.LeftCorrection(level)));
            Assert.Equal(Convert.ToHexStringLower(cwRight), Hex(key0.RightCorrection(level)));
            Assert.Equal(Hex(key0.LeftCorrection(level)), Hex(key1.LeftCorrection(level)));
            Assert.Equal(Hex(key0.RightCorrection(level)), Hex(key1.RightCorrection(level)));

            byte[] keep = bit == 0 ? cwLeft : cwRight;
            node0 = Xor(bit == 0 ? l0 : r0, (node0[0] & 1) == 1 ? keep : new byte[16]);
            node1 = Xor(bit == 0 ? l1 : r1, (node1[0] & 1) == 1 ? keep : new byte[16]);
        }

        var target = new byte[16];
        int leaf = (int)(alpha & 127);
        target[leaf >> 3] = (byte)(1 << (leaf & 7));
        byte[] outputCw = Xor(Xor(H(value, node0), H(value, node1)), target);
        Assert.Equal(Convert.ToHexStringLower(outputCw), Hex(key0.OutputCorrection));
        Assert.Equal(Hex(key0.OutputCorrection), Hex(key1.OutputCorrection));

        // And the keys still reconstruct the point function.
        ulong[] a = Dpf.EvaluateFullDomain(key0), b = Dpf.EvaluateFullDomain(key1);
        for (long x = 0; x < k0.PaddedDomainSize; x++)
        {
            ulong bitValue = ((a[x >> 6] ^ b[x >> 6]) >> (int)(x & 63)) & 1;
            Assert.Equal(x == alpha ? 1UL : 0UL, bitValue);
        }
    }

    private static Aes FixedKeyAes(string label)
    {
        var aes = Aes.Create();
        aes.Key = SHA256.HashData(Encoding.ASCII.GetBytes("Privomega DPF fixed AES-128 key: " + label))[..16];
        return aes;
    }

    // H_k(s) = AES_k(s) ⊕ s with the control bit (bit 0 of byte 0) cleared from the seed.
    private static byte[] H(Aes aes, byte[] node)
    {
        byte[] seed = (byte[])node.Clone();
        seed[0] &= 0xFE;
        return Xor(aes.EncryptEcb(seed, PaddingMode.None), seed);
    }

    private static byte[] Xor(byte[] x, byte[] y) => x.Zip(y, (p, q) => (byte)(p ^ q)).ToArray();

    private static string Hex(Vector128<byte> v)
    {
        var bytes = new byte[16];
        v.CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
