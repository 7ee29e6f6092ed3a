using Privomega.Protocol.Primitives;
using static Privomega.Protocol.Tests.VectorFile;

namespace Privomega.Protocol.Tests.Primitives;

public sealed class X25519Tests
{
    // RFC 7748 section 5.2: scalar, input u-coordinate, output u-coordinate.
    [Theory]
    [InlineData(
        "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
        "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")]
    [InlineData(
        "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
        "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
        "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")]
    public void Rfc7748_FunctionVectors(string scalar, string u, string expected)
    {
        byte[] output = new byte[32];
        Assert.True(X25519.TryScalarMultiply(Hex(scalar), Hex(u), output));
        Assert.Equal(Hex(expected), output);
    }

    [Fact]
    public void Rfc7748_IteratedFunction_1000Rounds()
    {
        byte[] k = Hex("0900000000000000000000000000000000000000000000000000000000000000");
        byte[] u = (byte[])k.Clone();
        byte[] next = new byte[32];
        for (int i = 1; i <= 1000; i++)
        {
            Assert.True(X25519.TryScalarMultiply(k, u, next));
            k.CopyTo(u);
            next.CopyTo(k);
            if (i == 1)
            {
                Assert.Equal(Hex("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"), k);
            }
        }

        Assert.Equal(Hex("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"), k);
    }

    [Fact]
    public void Rfc7748_DiffieHellman()
    {
        using X25519KeyPair alice = X25519KeyPair.Import(Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        using X25519KeyPair bob = X25519KeyPair.Import(Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
        Assert.Equal(Hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), alice.PublicKey.Export());
        Assert.Equal(Hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"), bob.PublicKey.Export());
        byte[] ab = new byte[32];
        byte[] ba = new byte[32];
        Assert.True(alice.TryAgree(bob.PublicKey, ab));
        Assert.True(bob.TryAgree(alice.PublicKey, ba));
        Assert.Equal(Hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"), ab);
        Assert.Equal(ab, ba);
    }

    public static TheoryData<string> SmallOrderPoints => new()
    {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    };

    [Theory]
    [MemberData(nameof(SmallOrderPoints))]
    public void Agree_RejectsAllZeroSharedSecret(string point)
    {
        using X25519KeyPair keyPair = X25519KeyPair.Generate();
        byte[] shared = Enumerable.Repeat((byte)0x55, 32).ToArray();
        Assert.False(keyPair.TryAgree(X25519PublicKey.Import(Hex(point)), shared));
        Assert.All(shared, x => Assert.Equal(0, x));
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => keyPair.Agree(X25519PublicKey.Import(Hex(point)), shared));
    }

    [Fact]
    public void KeyTypes_ValidateLengths_AndRoundTrip()
    {
        using X25519KeyPair keyPair = X25519KeyPair.Generate();
        byte[] secret = new byte[32];
        keyPair.Export(secret);
        using X25519KeyPair again = X25519KeyPair.Import(secret);
        Assert.Equal(keyPair.PublicKey, again.PublicKey);
        Assert.False(X25519PublicKey.TryImport(new byte[31], out _));
        Assert.False(X25519KeyPair.TryImport(new byte[33], out _));
        Assert.Throws<ArgumentException>(() => keyPair.TryAgree(again.PublicKey, new byte[31]));
        keyPair.Dispose();
        Assert.Throws<ObjectDisposedException>(() => keyPair.TryAgree(again.PublicKey, new byte[32]));
    }
}
