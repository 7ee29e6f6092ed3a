using System.Text.Json;
using Privomega.Protocol.Primitives;
using static Privomega.Protocol.Tests.VectorFile;

namespace Privomega.Protocol.Tests.Primitives;

public sealed class AeadTests
{
    // draft-irtf-cfrg-xchacha-03 appendix A.3.1.
    private static readonly byte[] XKey = Hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    private static readonly byte[] XNonce = Hex("404142434445464748494a4b4c4d4e4f5051525354555657");
    private static readonly byte[] XAd = Hex("50515253c0c1c2c3c4c5c6c7");
    private static readonly byte[] XPlaintext = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."u8.ToArray();
    private static readonly byte[] XSealed = Hex(
        "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452" +
        "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e" +
        "c0875924c1c7987947deafd8780acf49");

    [Fact]
    public void XChaCha20Poly1305_DraftVectorA31()
    {
        Assert.Equal(XSealed, XChaCha20Poly1305.Seal(XKey, XNonce, XPlaintext, XAd));
        Assert.Equal(XPlaintext, XChaCha20Poly1305.TryOpen(XKey, XNonce, XSealed, XAd));

        // In place at the same address is allowed.
        byte[] buffer = new byte[XPlaintext.Length + XChaCha20Poly1305.TagSize];
        XPlaintext.CopyTo(buffer, 0);
        XChaCha20Poly1305.Seal(XKey, XNonce, buffer.AsSpan(0, XPlaintext.Length), XAd, buffer);
        Assert.Equal(XSealed, buffer);
    }

    [Fact]
    public void XChaCha20Poly1305_EveryTamperedBitIsRejected()
    {
        byte[] sealedCopy = (byte[])XSealed.Clone();
        byte[] plaintext = new byte[XPlaintext.Length];
        for (int bit = 0; bit < sealedCopy.Length * 8; bit += 7)
        {
            sealedCopy[bit / 8] ^= (byte)(1 << (bit % 8));
            plaintext.AsSpan().Fill(0x11);
            Assert.False(XChaCha20Poly1305.TryOpen(XKey, XNonce, sealedCopy, XAd, plaintext), $"bit {bit}");
            Assert.All(plaintext, x => Assert.Equal(0, x));
            sealedCopy[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        byte[] wrongKey = (byte[])XKey.Clone();
        wrongKey[31] ^= 0x80;
        byte[] wrongNonce = (byte[])XNonce.Clone();
        wrongNonce[23] ^= 1;
        Assert.Null(XChaCha20Poly1305.TryOpen(wrongKey, XNonce, XSealed, XAd));
        Assert.Null(XChaCha20Poly1305.TryOpen(XKey, wrongNonce, XSealed, XAd));
        Assert.Null(XChaCha20Poly1305.TryOpen(XKey, XNonce, XSealed, XAd.AsSpan(1)));
        Assert.Null(XChaCha20Poly1305.TryOpen(XKey, XNonce, XSealed.AsSpan(0, XSealed.Length - 1), XAd));
        Assert.Null(XChaCha20Poly1305.TryOpen(XKey, XNonce, XSealed.AsSpan(0, 15), XAd));
        Assert.Equal(XPlaintext, XChaCha20Poly1305.TryOpen(XKey, XNonce, XSealed, XAd));
    }

    [Fact]
    public void XChaCha20Poly1305_ValidatesArguments()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => XChaCha20Poly1305.Seal(XKey.AsSpan(1), XNonce, XPlaintext, XAd));
        Assert.Contains("31", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => XChaCha20Poly1305.Seal(XKey, XNonce.AsSpan(0, 12), XPlaintext, XAd));
        Assert.Throws<ArgumentException>(() => XChaCha20Poly1305.Seal(XKey, XNonce, XPlaintext, XAd, new byte[XPlaintext.Length]));
        byte[] overlapping = new byte[XPlaintext.Length + 20];
        Assert.Throws<ArgumentException>(() => XChaCha20Poly1305.Seal(XKey, XNonce, overlapping.AsSpan(0, XPlaintext.Length), XAd, overlapping.AsSpan(2, XPlaintext.Length + 16)));
        Assert.Throws<ArgumentException>(() => XChaCha20Poly1305.TryOpen(XKey, XNonce, XSealed, XAd, new byte[3]));
    }

    [Fact]
    public void ChaCha20Poly1305_WycheproofVectors()
    {
        using JsonDocument document = ReadJson("wycheproof_chacha20_poly1305_test.json");
        int checkedCount = 0;
        foreach (JsonElement group in document.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            foreach (JsonElement test in group.GetProperty("tests").EnumerateArray())
            {
                int id = test.GetProperty("tcId").GetInt32();
                byte[] key = Hex(test, "key");
                byte[] nonce = Hex(test, "iv");
                byte[] ad = Hex(test, "aad");
                byte[] message = Hex(test, "msg");
                byte[] sealedBytes = [.. Hex(test, "ct"), .. Hex(test, "tag")];
                bool valid = test.GetProperty("result").GetString() == "valid";
                if (nonce.Length != ChaCha20Poly1305Ietf.NonceSize)
                {
                    Assert.False(valid, $"tcId {id}");
                    Assert.Throws<ArgumentException>(() => ChaCha20Poly1305Ietf.TryOpen(key, nonce, sealedBytes, ad));
                    checkedCount++;
                    continue;
                }

                byte[]? opened = ChaCha20Poly1305Ietf.TryOpen(key, nonce, sealedBytes, ad);
                if (valid)
                {
                    Assert.True(opened is not null, $"tcId {id} should open");
                    Assert.Equal(message, opened);
                    Assert.Equal(sealedBytes, ChaCha20Poly1305Ietf.Seal(key, nonce, message, ad));
                }
                else
                {
                    Assert.True(opened is null, $"tcId {id} should be rejected");
                }

                checkedCount++;
            }
        }

        Assert.Equal(document.RootElement.GetProperty("numberOfTests").GetInt32(), checkedCount);
    }
}
