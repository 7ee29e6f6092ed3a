using Privomega.Protocol.Primitives;
using static Privomega.Protocol.Tests.VectorFile;

namespace Privomega.Protocol.Tests.Primitives;

public sealed class Ed25519Tests
{
    // RFC 8032 section 7.1, TEST 1–3: secret key (seed), public key, message, signature.
    public static TheoryData<string, string, string, string> Rfc8032 => new()
    {
        {
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        },
        {
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        },
        {
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        },
    };

    [Theory]
    [MemberData(nameof(Rfc8032))]
    public void Rfc8032Vectors_SignAndVerify(string seed, string publicKey, string message, string signature)
    {
        using Ed25519KeyPair keyPair = Ed25519KeyPair.Import(Hex(seed));
        Assert.Equal(Hex(publicKey), keyPair.PublicKey.Export());
        Assert.Equal(Hex(signature), keyPair.Sign(Hex(message)));
        Assert.True(Ed25519PublicKey.Import(Hex(publicKey)).Verify(Hex(message), Hex(signature)));
    }

    [Theory]
    [MemberData(nameof(Rfc8032))]
    public void Rfc8032Vectors_EveryFlippedBitIsRejected(string seed, string publicKey, string message, string signature)
    {
        _ = seed;
        Ed25519PublicKey key = Ed25519PublicKey.Import(Hex(publicKey));
        byte[] m = Hex(message);
        byte[] sig = Hex(signature);
        for (int bit = 0; bit < sig.Length * 8; bit++)
        {
            sig[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(key.Verify(m, sig), $"signature bit {bit} flipped still verifies");
            sig[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        byte[] longer = [.. m, 0];
        Assert.False(key.Verify(longer, sig));
        if (m.Length > 0)
        {
            m[0] ^= 1;
            Assert.False(key.Verify(m, sig));
        }

        Assert.False(key.Verify(Hex(message), sig.AsSpan(0, 63)));
        Assert.False(key.Verify(Hex(message), [.. sig, 0]));
    }

    [Fact]
    public void Verify_RejectsNonCanonicalS()
    {
        // S + L encodes the same scalar mod L; libsodium's sign would never produce it, strict verification must refuse it.
        using Ed25519KeyPair keyPair = Ed25519KeyPair.Import(Hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        byte[] sig = keyPair.Sign([]);
        byte[] l = Hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
        int carry = 0;
        for (int i = 0; i < 32; i++)
        {
            int sum = sig[32 + i] + l[i] + carry;
            sig[32 + i] = (byte)sum;
            carry = sum >> 8;
        }

        Assert.Equal(0, carry);
        Assert.False(keyPair.PublicKey.Verify([], sig));
    }

    public static TheoryData<string> InvalidPublicKeys => new()
    {
        "0100000000000000000000000000000000000000000000000000000000000000", // identity (small order)
        "0100000000000000000000000000000000000000000000000000000000000080", // x = 0 with the sign bit set
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p - 1: order 2
        "0000000000000000000000000000000000000000000000000000000000000080", // order 4, sign bit on x = ...
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p: non-canonical
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p + 1: non-canonical encoding of the identity
        "0200000000000000000000000000000000000000000000000000000000000000", // y = 2 is not on the curve
    };

    [Theory]
    [MemberData(nameof(InvalidPublicKeys))]
    public void PublicKeyImport_RejectsSmallOrderAndNonCanonicalPoints(string encoded)
    {
        Assert.False(Ed25519PublicKey.TryImport(Hex(encoded), out _));
        Assert.Throws<ArgumentException>(() => Ed25519PublicKey.Import(Hex(encoded)));
    }

    [Fact]
    public void PublicKeyImport_RejectsAPointOutsideThePrimeOrderSubgroup()
    {
        // A valid key plus a point of order 8 (mixed order): on the curve and canonical but not in the subgroup.
        byte[] key = Hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        byte[] torsion = Hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
        byte[] mixed = new byte[32];
        unsafe
        {
            Privomega.Protocol.Interop.Sodium.EnsureInitialized();
            fixed (byte* r = mixed)
            fixed (byte* p = key)
            fixed (byte* q = torsion)
            {
                Assert.Equal(0, Privomega.Protocol.Interop.Libsodium.crypto_core_ed25519_add(r, p, q));
            }
        }

        Assert.False(Ed25519PublicKey.TryImport(mixed, out _));
    }

    [Fact]
    public void KeyPair_ImportExportRoundTrip_AndLengthValidation()
    {
        using Ed25519KeyPair generated = Ed25519KeyPair.Generate();
        byte[] seed = new byte[Ed25519KeyPair.SeedSize];
        generated.Export(seed);
        Assert.True(Ed25519KeyPair.TryImport(seed, out Ed25519KeyPair? imported));
        using (imported)
        {
            Assert.Equal(generated.PublicKey, imported.PublicKey);
        }

        Assert.False(Ed25519KeyPair.TryImport(new byte[31], out _));
        ArgumentException e = Assert.Throws<ArgumentException>(() => Ed25519KeyPair.Import(new byte[33]));
        Assert.Contains("33", e.Message, StringComparison.Ordinal);
        Assert.Contains("32", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => generated.Sign([], new byte[63]));
        Assert.False(Ed25519PublicKey.TryImport(new byte[33], out _));
    }

    [Fact]
    public void Sign_RejectsASignatureBufferOverlappingTheMessage()
    {
        using Ed25519KeyPair keyPair = Ed25519KeyPair.Import(Hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        byte[] buffer = new byte[100];
        new Random(8032).NextBytes(buffer);
        byte[] message = buffer[..80];
        byte[] honest = keyPair.Sign(message);

        // Why: libsodium reads the message twice around writing R, so signing in place reuses the
        // nonce r of the honest signature under a different challenge (and the result does not verify).
        byte[] inPlace = (byte[])buffer.Clone();
        using (var raw = NSec.Cryptography.Key.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519, Hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"), NSec.Cryptography.KeyBlobFormat.RawPrivateKey))
        {
            NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(raw, inPlace.AsSpan(0, 80), inPlace.AsSpan(16, 64));
        }

        Assert.Equal(honest[..32], inPlace[16..48]);
        Assert.NotEqual(honest[32..], inPlace[48..80]);

        ArgumentException e = Assert.Throws<ArgumentException>(() => keyPair.Sign(buffer.AsSpan(0, 80), buffer.AsSpan(16, 64)));
        Assert.Equal("signature", e.ParamName);
        Assert.Throws<ArgumentException>(() => keyPair.Sign(buffer.AsSpan(0, 64), buffer.AsSpan(0, 64)));
        keyPair.Sign(buffer.AsSpan(0, 36), buffer.AsSpan(36, 64));
        Assert.True(keyPair.PublicKey.Verify(buffer.AsSpan(0, 36), buffer.AsSpan(36, 64)));
    }

    [Fact]
    public void KeyPair_AfterDispose_Throws()
    {
        Ed25519KeyPair keyPair = Ed25519KeyPair.Generate();
        keyPair.Dispose();
        Assert.Throws<ObjectDisposedException>(() => keyPair.Sign([1, 2, 3]));
        Assert.Throws<ObjectDisposedException>(() => keyPair.Export(new byte[32]));
    }
}

public sealed class Ed25519RawKeyTests
{
    [Fact]
    public void VerifyWithEncodedKey_RejectsInvalidKeysAndAcceptsValidOnes()
    {
        using Ed25519KeyPair keyPair = Ed25519KeyPair.Generate();
        byte[] message = [1, 2, 3];
        byte[] signature = keyPair.Sign(message);
        Assert.True(Ed25519.Verify(keyPair.PublicKey.Export(), message, signature));
        Assert.True(Ed25519.Verify(keyPair.PublicKey, message, signature));
        Assert.False(Ed25519.Verify(keyPair.PublicKey.Export().AsSpan(1), message, signature));
        Assert.False(Ed25519.Verify(Convert.FromHexString("0100000000000000000000000000000000000000000000000000000000000000"), message, signature));
        message[0] ^= 1;
        Assert.False(Ed25519.Verify(keyPair.PublicKey.Export(), message, signature));
    }
}
