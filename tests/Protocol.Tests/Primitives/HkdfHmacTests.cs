using System.Text.Json;
using Privomega.Protocol.Primitives;
using static Privomega.Protocol.Tests.VectorFile;

namespace Privomega.Protocol.Tests.Primitives;

public sealed class HkdfHmacTests
{
    [Theory]
    [InlineData("wycheproof_hkdf_sha256_test.json", HkdfHash.Sha256)]
    [InlineData("wycheproof_hkdf_sha512_test.json", HkdfHash.Sha512)]
    public void Hkdf_WycheproofVectors(string file, HkdfHash hash)
    {
        using JsonDocument document = ReadJson(file);
        int checkedCount = 0;
        foreach (JsonElement group in document.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            foreach (JsonElement test in group.GetProperty("tests").EnumerateArray())
            {
                int id = test.GetProperty("tcId").GetInt32();
                byte[] ikm = Hex(test, "ikm");
                byte[] salt = Hex(test, "salt");
                byte[] info = Hex(test, "info");
                int size = test.GetProperty("size").GetInt32();
                if (test.GetProperty("result").GetString() == "valid")
                {
                    byte[] expected = Hex(test, "okm");
                    Assert.True(expected.AsSpan().SequenceEqual(Hkdf.DeriveKey(hash, ikm, salt, info, size)), $"tcId {id}");

                    // The two-step form agrees with the one-shot form.
                    byte[] prk = new byte[Hkdf.HashSize(hash)];
                    Hkdf.Extract(hash, ikm, salt, prk);
                    byte[] okm = new byte[size];
                    Hkdf.Expand(hash, prk, info, okm);
                    Assert.True(expected.AsSpan().SequenceEqual(okm), $"tcId {id} (extract + expand)");
                }
                else
                {
                    ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => Hkdf.DeriveKey(hash, ikm, salt, info, size));
                    Assert.Contains(size.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
                }

                checkedCount++;
            }
        }

        Assert.Equal(document.RootElement.GetProperty("numberOfTests").GetInt32(), checkedCount);
    }

    [Fact]
    public void Hkdf_ValidatesLengths()
    {
        Assert.Throws<ArgumentException>(() => Hkdf.Extract(HkdfHash.Sha256, new byte[8], [], new byte[31]));
        Assert.Throws<ArgumentException>(() => Hkdf.Expand(HkdfHash.Sha256, new byte[31], [], new byte[16]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Hkdf.Expand(HkdfHash.Sha256, new byte[32], [], new byte[(255 * 32) + 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Hkdf.DeriveKey(HkdfHash.Sha512, new byte[8], [], [], Span<byte>.Empty));
        Assert.Throws<ArgumentOutOfRangeException>(() => Hkdf.HashSize((HkdfHash)7));
        byte[] shared = new byte[64];
        Assert.Throws<ArgumentException>(() => Hkdf.Expand(HkdfHash.Sha256, shared.AsSpan(0, 32), [], shared.AsSpan(16, 32)));
    }

    [Fact]
    public void HmacSha256_Rfc4231Case2_AndConstantTimeVerify()
    {
        byte[] key = "Jefe"u8.ToArray();
        byte[] data = "what do ya want for nothing?"u8.ToArray();
        byte[] expected = Hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        byte[] tag = new byte[HmacSha256.TagSize];
        HmacSha256.Compute(key, data, tag);
        Assert.Equal(expected, tag);
        Assert.True(HmacSha256.Verify(key, data, tag));
        Assert.True(HmacSha256.Verify(key, data, tag.AsSpan(0, 16)));
        Assert.False(HmacSha256.Verify(key, data, tag.AsSpan(0, 15)));
        Assert.False(HmacSha256.Verify(key, data, [.. tag, 0]));
        for (int i = 0; i < tag.Length; i++)
        {
            tag[i] ^= 0x40;
            Assert.False(HmacSha256.Verify(key, data, tag), $"byte {i}");
            tag[i] ^= 0x40;
        }

        Assert.False(HmacSha256.Verify(key, [.. data, 0], tag));
        Assert.Throws<ArgumentException>(() => HmacSha256.Compute(key, data, new byte[16]));
    }
}
