using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using System.Text;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Privomega.Pir.Engine.Tests;

public class DpfAesTests
{
    [Theory]
    // FIPS-197 Appendix C.1 and Appendix B.
    [InlineData("000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff", "69c4e0d86a7b0430d8cdb78070b4c55a")]
    [InlineData("2b7e151628aed2a6abf7158809cf4f3c", "3243f6a8885a308d313198a2e0370734", "3925841d02dc09fbdc118597196a0b32")]
    public void Software_aes_matches_fips197_vectors(string key, string plaintext, string ciphertext)
    {
        uint[] schedule = SoftwareAes128.ExpandKey(Convert.FromHexString(key));
        var output = new byte[16];
        SoftwareAes128.EncryptBlock(schedule, Convert.FromHexString(plaintext), output);
        Assert.Equal(ciphertext, Convert.ToHexStringLower(output));
    }

    [Fact]
    public void Sbox_and_key_schedule_match_fips197()
    {
        Assert.Equal(0x63, SoftwareAes128.SubByte(0x00));
        Assert.Equal(0xED, SoftwareAes128.SubByte(0x53));
        Assert.Equal(0x16, SoftwareAes128.SubByte(0xFF));
        Assert.Equal(0x7C, SoftwareAes128.SubByte(0x01));

        // FIPS-197 Appendix A.1: first derived word and last word of the expansion.
        uint[] w = SoftwareAes128.ExpandKey(Convert.FromHexString("2b7e151628aed2a6abf7158809cf4f3c"));
        Assert.Equal(0xa0fafe17u, w[4]);
        Assert.Equal(0xb6630ca6u, w[43]);
    }

    [Fact]
    public void Fixed_keys_are_the_documented_sha256_labels()
    {
        AssertLabel("left", DpfPrg.LeftKey);
        AssertLabel("right", DpfPrg.RightKey);
        AssertLabel("value", DpfPrg.ValueKey);

        static void AssertLabel(string label, ReadOnlySpan<byte> key)
        {
            byte[] digest = SHA256.HashData(Encoding.ASCII.GetBytes("Privomega DPF fixed AES-128 key: " + label));
            Assert.Equal(Convert.ToHexString(digest.AsSpan(0, 16)), Convert.ToHexString(key));
        }
    }

    [Fact]
    public void Software_aes_matches_system_aes_ecb_on_random_blocks()
    {
        const int seed = 20261121;
        var random = new Random(seed);
        var key = new byte[16];
        var blocks = new byte[16 * 64];
        random.NextBytes(key);
        random.NextBytes(blocks);

        using var aes = System.Security.Cryptography.Aes.Create();
        aes.Key = key;
        byte[] expected = aes.EncryptEcb(blocks, PaddingMode.None);

        uint[] schedule = SoftwareAes128.ExpandKey(key);
        var actual = new byte[blocks.Length];
        for (int i = 0; i < blocks.Length; i += 16)
        {
            SoftwareAes128.EncryptBlock(schedule, blocks.AsSpan(i, 16), actual.AsSpan(i, 16));
        }

        Assert.True(expected.AsSpan().SequenceEqual(actual), $"seed {seed}");
    }

    [Fact]
    public void Prg_matches_mmo_over_system_aes()
    {
        // Known answer computed independently: H_k(s) = AES_k(s) xor s with the seed's bit 0 cleared.
        const int seed = 7;
        var random = new Random(seed);
        for (int trial = 0; trial < 16; trial++)
        {
            var node = new byte[16];
            random.NextBytes(node);
            var seedBytes = (byte[])node.Clone();
            seedBytes[0] &= 0xFE;

            (Vector128<byte> left, Vector128<byte> right) = DpfPrg.Expand(Vector128.Create(node));
            Assert.Equal(Mmo(DpfPrg.LeftKey.ToArray(), seedBytes), ToArray(left));
            Assert.Equal(Mmo(DpfPrg.RightKey.ToArray(), seedBytes), ToArray(right));
            Assert.Equal(Mmo(DpfPrg.ValueKey.ToArray(), seedBytes), ToArray(DpfPrg.Convert(Vector128.Create(node))));
        }
    }

    [Fact]
    public void Prg_known_answer_for_zero_seed()
    {
        // Pinned output so a change to keys, byte order or construction is caught even if both paths change together.
        (Vector128<byte> left, Vector128<byte> right) = DpfPrg.Expand(Vector128<byte>.Zero);
        Assert.Equal(Convert.ToHexStringLower(Mmo(DpfPrg.LeftKey.ToArray(), new byte[16])), Convert.ToHexStringLower(ToArray(left)));
        Assert.Equal(Convert.ToHexStringLower(Mmo(DpfPrg.RightKey.ToArray(), new byte[16])), Convert.ToHexStringLower(ToArray(right)));
        Assert.Equal(PinnedZeroSeedLeft, Convert.ToHexStringLower(ToArray(left)));
    }

    // AES_left(0) xor 0, computed independently with `openssl enc -aes-128-ecb -nopad`.
    private const string PinnedZeroSeedLeft = "3c3c9db16b87168ed2a754715d3e2ee8";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Accelerated_and_software_paths_agree_at_every_length(bool setControlBits)
    {
        const int seed = 99;
        var random = new Random(seed);
        for (int length = 0; length <= 40; length++)
        {
            Vector128<byte>[] parents = RandomBlocks(random, length, setControlBits);
            Vector128<byte> cwLeft = RandomBlocks(random, 1, true)[0];
            Vector128<byte> cwRight = RandomBlocks(random, 1, false)[0];

            var software = new Vector128<byte>[2 * length];
            DpfPrg.ExpandLevelSoftware(parents, software, cwLeft, cwRight);
            var dispatched = new Vector128<byte>[2 * length];
            DpfPrg.ExpandLevel(parents, dispatched, cwLeft, cwRight);
            Assert.True(software.AsSpan().SequenceEqual(dispatched), $"expand, length {length}, seed {seed}");

            var softwareLeaves = new Vector128<byte>[length];
            DpfPrg.ConvertLeavesSoftware(parents, softwareLeaves, cwLeft);
            var dispatchedLeaves = new Vector128<byte>[length];
            DpfPrg.ConvertLeaves(parents, dispatchedLeaves, cwLeft);
            Assert.True(softwareLeaves.AsSpan().SequenceEqual(dispatchedLeaves), $"convert, length {length}, seed {seed}");

            if (X86Aes.IsSupported)
            {
                var accelerated = new Vector128<byte>[2 * length];
                DpfPrg.ExpandLevelAesNi(parents, accelerated, cwLeft, cwRight);
                Assert.True(software.AsSpan().SequenceEqual(accelerated), $"AES-NI expand, length {length}, seed {seed}");
                var acceleratedLeaves = new Vector128<byte>[length];
                DpfPrg.ConvertLeavesAesNi(parents, acceleratedLeaves, cwLeft);
                Assert.True(softwareLeaves.AsSpan().SequenceEqual(acceleratedLeaves), $"AES-NI convert, length {length}, seed {seed}");
            }

            // The reference formula, spelled out: child = H(seed) xor (t ? cw : 0).
            for (int i = 0; i < length; i++)
            {
                byte[] node = ToArray(parents[i]);
                bool control = (node[0] & 1) != 0;
                node[0] &= 0xFE;
                byte[] expectedLeft = Xor(Mmo(DpfPrg.LeftKey.ToArray(), node), control ? ToArray(cwLeft) : new byte[16]);
                byte[] expectedRight = Xor(Mmo(DpfPrg.RightKey.ToArray(), node), control ? ToArray(cwRight) : new byte[16]);
                Assert.Equal(expectedLeft, ToArray(software[2 * i]));
                Assert.Equal(expectedRight, ToArray(software[(2 * i) + 1]));
            }
        }
    }

    internal static byte[] Mmo(byte[] key, byte[] block)
    {
        using var aes = System.Security.Cryptography.Aes.Create();
        aes.Key = key;
        return Xor(aes.EncryptEcb(block, PaddingMode.None), block);
    }

    private static byte[] Xor(byte[] a, byte[] b)
    {
        var result = new byte[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            result[i] = (byte)(a[i] ^ b[i]);
        }

        return result;
    }

    private static byte[] ToArray(Vector128<byte> v)
    {
        var bytes = new byte[16];
        v.CopyTo(bytes);
        return bytes;
    }

    private static Vector128<byte>[] RandomBlocks(Random random, int count, bool setControlBits)
    {
        var blocks = new Vector128<byte>[count];
        var bytes = new byte[16];
        for (int i = 0; i < count; i++)
        {
            random.NextBytes(bytes);
            if (!setControlBits)
            {
                bytes[0] &= 0xFE;
            }

            blocks[i] = Vector128.Create(bytes);
        }

        return blocks;
    }
}
