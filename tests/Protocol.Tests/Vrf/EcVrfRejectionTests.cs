using Privomega.Protocol.Primitives;
using Privomega.Protocol.Vrf;
using static Privomega.Protocol.Tests.VectorFile;

namespace Privomega.Protocol.Tests.Vrf;

/// <summary>Tampered proofs, keys and inputs, and non-canonical encodings: all must be rejected.</summary>
public sealed class EcVrfRejectionTests
{
    // RFC 9381 examples 17 (TAI) and 20 (ELL2): same key, alpha = 0x72.
    private static readonly byte[] PublicKey = Hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    private static readonly byte[] Alpha = [0x72];
    private static readonly byte[] OtherPublicKey = Hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

    private static readonly byte[] L = Hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");

    public static TheoryData<EcVrfSuite> Suites => new() { EcVrfSuite.Edwards25519Sha512Tai, EcVrfSuite.Edwards25519Sha512Ell2 };

    private static byte[] ValidProof(EcVrfSuite suite)
    {
        using Ed25519KeyPair keyPair = Ed25519KeyPair.Import(Hex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
        return EcVrf.Prove(suite, keyPair, Alpha);
    }

    private static bool Verifies(EcVrfSuite suite, byte[] publicKey, byte[] alpha, byte[] proof)
    {
        byte[] beta = new byte[EcVrf.OutputSize];
        bool ok = EcVrf.Verify(suite, publicKey, alpha, proof, beta);
        if (!ok)
        {
            Assert.All(beta, x => Assert.Equal(0, x));
        }

        return ok;
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void EveryTamperedProofByte_IsRejected(EcVrfSuite suite)
    {
        byte[] proof = ValidProof(suite);
        Assert.True(Verifies(suite, PublicKey, Alpha, proof));
        foreach (byte mask in new byte[] { 0x01, 0x80 })
        {
            for (int i = 0; i < proof.Length; i++)
            {
                proof[i] ^= mask;
                string region = i < 32 ? "Gamma" : i < 48 ? "c" : "s";
                Assert.False(Verifies(suite, PublicKey, Alpha, proof), $"{region} byte {i} ^ 0x{mask:x2} still verifies");
                proof[i] ^= mask;
            }
        }

        Assert.False(Verifies(suite, PublicKey, Alpha, proof[..79]));
        Assert.False(Verifies(suite, PublicKey, Alpha, [.. proof, 0]));
        Assert.False(Verifies(suite, PublicKey, Alpha, []));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void WrongKeyOrWrongAlpha_IsRejected(EcVrfSuite suite)
    {
        byte[] proof = ValidProof(suite);
        Assert.False(Verifies(suite, OtherPublicKey, Alpha, proof));
        Assert.False(Verifies(suite, PublicKey, [0x73], proof));
        Assert.False(Verifies(suite, PublicKey, [], proof));
        Assert.False(Verifies(suite, PublicKey, [0x72, 0x00], proof));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void NonCanonicalS_IsRejected(EcVrfSuite suite)
    {
        // s + L is the same scalar mod L; accepting it would make proofs malleable.
        byte[] proof = ValidProof(suite);
        int carry = 0;
        for (int i = 0; i < 32; i++)
        {
            int sum = proof[48 + i] + L[i] + carry;
            proof[48 + i] = (byte)sum;
            carry = sum >> 8;
        }

        Assert.Equal(0, carry);
        Assert.False(Verifies(suite, PublicKey, Alpha, proof));
        Assert.False(EcVrf.TryProofToHash(suite, proof, new byte[EcVrf.OutputSize]));
    }

    public static TheoryData<string> BadPoints => new()
    {
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p (non-canonical)
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p + 1 (non-canonical identity)
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // y = 2^255 − 1 with the sign bit
        "0100000000000000000000000000000000000000000000000000000000000080", // x = 0 with the sign bit set
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // y = −1, x = 0, sign bit set
        "0100000000000000000000000000000000000000000000000000000000000000", // identity
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
        "0000000000000000000000000000000000000000000000000000000000000000", // order 4
        "0000000000000000000000000000000000000000000000000000000000000080", // order 4
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", // order 8
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", // order 8
        "0200000000000000000000000000000000000000000000000000000000000000", // not on the curve
    };

    [Theory]
    [MemberData(nameof(BadPoints))]
    public void BadPublicKeys_AreRejected(string point)
    {
        foreach (EcVrfSuite suite in new[] { EcVrfSuite.Edwards25519Sha512Tai, EcVrfSuite.Edwards25519Sha512Ell2 })
        {
            Assert.False(Verifies(suite, Hex(point), Alpha, ValidProof(suite)));
        }
    }

    [Theory]
    [MemberData(nameof(BadPoints))]
    public void BadGamma_IsRejected(string point)
    {
        foreach (EcVrfSuite suite in new[] { EcVrfSuite.Edwards25519Sha512Tai, EcVrfSuite.Edwards25519Sha512Ell2 })
        {
            byte[] proof = ValidProof(suite);
            Hex(point).CopyTo(proof, 0);
            Assert.False(Verifies(suite, PublicKey, Alpha, proof));
        }
    }

    [Fact]
    public void ProofToHash_RejectsNonCanonicalGamma_ButAcceptsAnyCurvePointEncodedStrictly()
    {
        byte[] proof = ValidProof(EcVrfSuite.Edwards25519Sha512Tai);
        byte[] beta = new byte[EcVrf.OutputSize];
        Hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f").CopyTo(proof, 0);
        Assert.False(EcVrf.TryProofToHash(EcVrfSuite.Edwards25519Sha512Tai, proof, beta));
        Hex("0100000000000000000000000000000000000000000000000000000000000080").CopyTo(proof, 0);
        Assert.False(EcVrf.TryProofToHash(EcVrfSuite.Edwards25519Sha512Tai, proof, beta));
        Hex("0200000000000000000000000000000000000000000000000000000000000000").CopyTo(proof, 0);
        Assert.False(EcVrf.TryProofToHash(EcVrfSuite.Edwards25519Sha512Tai, proof, beta));
        Assert.False(EcVrf.TryProofToHash(EcVrfSuite.Edwards25519Sha512Tai, proof.AsSpan(0, 79), beta));
    }

    [Fact]
    public void Arguments_AreValidated()
    {
        using Ed25519KeyPair keyPair = Ed25519KeyPair.Generate();
        Assert.Throws<ArgumentOutOfRangeException>(() => EcVrf.Prove((EcVrfSuite)5, keyPair, Alpha));
        Assert.Throws<ArgumentException>(() => EcVrf.Prove(EcVrfSuite.Edwards25519Sha512Tai, keyPair, Alpha, new byte[79]));
        Assert.Throws<ArgumentException>(() => EcVrf.Verify(EcVrfSuite.Edwards25519Sha512Tai, keyPair.PublicKey, Alpha, new byte[80], new byte[63]));
        Assert.Throws<ArgumentException>(() => EcVrf.TryProofToHash(EcVrfSuite.Edwards25519Sha512Tai, new byte[80], new byte[65]));
        Assert.Throws<ArgumentOutOfRangeException>(() => EcVrf.Verify((EcVrfSuite)0, keyPair.PublicKey, Alpha, new byte[80], new byte[64]));
        keyPair.Dispose();
        Assert.Throws<ObjectDisposedException>(() => EcVrf.Prove(EcVrfSuite.Edwards25519Sha512Tai, keyPair, Alpha));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void SeededRoundTrips_ProveVerifyAndHashAgree(EcVrfSuite suite)
    {
        const int Seed = 9381;
        var random = new Random(Seed + (int)suite);
        foreach (int alphaLength in new[] { 0, 1, 31, 200, 600, 5000 })
        {
            byte[] seed = new byte[32];
            random.NextBytes(seed);
            byte[] alpha = new byte[alphaLength];
            random.NextBytes(alpha);
            using Ed25519KeyPair keyPair = Ed25519KeyPair.Import(seed);
            byte[] proof = EcVrf.Prove(suite, keyPair, alpha);
            Assert.Equal(proof, EcVrf.Prove(suite, keyPair, alpha));
            Assert.True(EcVrf.Verify(suite, keyPair.PublicKey, alpha, proof, out byte[]? beta), $"seed {Seed}, length {alphaLength}");
            byte[] hashed = new byte[EcVrf.OutputSize];
            Assert.True(EcVrf.TryProofToHash(suite, proof, hashed));
            Assert.Equal(hashed, beta);
            if (alphaLength > 0)
            {
                alpha[^1] ^= 1;
                Assert.False(EcVrf.Verify(suite, keyPair.PublicKey, alpha, proof, out _), $"seed {Seed}, length {alphaLength}");
            }
        }
    }
}
