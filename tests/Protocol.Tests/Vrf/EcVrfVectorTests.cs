using System.Numerics;
using System.Text.Json;
using Privomega.Protocol.Primitives;
using Privomega.Protocol.Vrf;
using static Privomega.Protocol.Tests.VectorFile;

namespace Privomega.Protocol.Tests.Vrf;

/// <summary>Every example of RFC 9381 appendix B.3 (TAI) and B.4 (ELL2), intermediate values included.</summary>
public sealed class EcVrfVectorTests
{
    private const string File = "rfc9381_ecvrf_edwards25519.json";

    public static TheoryData<string, int> Examples()
    {
        var data = new TheoryData<string, int>();
        using JsonDocument document = ReadJson(File);
        foreach (string suite in new[] { "TAI", "ELL2" })
        {
            int count = document.RootElement.GetProperty(suite).GetArrayLength();
            for (int i = 0; i < count; i++)
            {
                data.Add(suite, i);
            }
        }

        return data;
    }

    private static JsonElement Example(JsonDocument document, string suite, int index) =>
        document.RootElement.GetProperty(suite)[index];

    private static EcVrfSuite SuiteOf(string suite) =>
        suite == "TAI" ? EcVrfSuite.Edwards25519Sha512Tai : EcVrfSuite.Edwards25519Sha512Ell2;

    [Theory]
    [MemberData(nameof(Examples))]
    public void Prove_MatchesEveryIntermediateValue(string suiteName, int index)
    {
        using JsonDocument document = ReadJson(File);
        JsonElement v = Example(document, suiteName, index);
        EcVrfSuite suite = SuiteOf(suiteName);
        using Ed25519KeyPair keyPair = Ed25519KeyPair.Import(Hex(v, "SK"));
        Assert.Equal(Hex(v, "PK"), keyPair.PublicKey.Export());

        var trace = new EcVrfTrace();
        byte[] proof = new byte[EcVrf.ProofSize];
        EcVrf.ProveCore(suite, keyPair, Hex(v, "alpha"), proof, trace);

        Assert.Equal(Hex(v, "H"), trace.H);
        Assert.Equal(Hex(v, "k_string"), trace.KString);
        Assert.Equal(Hex(v, "k"), trace.K);
        Assert.Equal(Hex(v, "U"), trace.U);
        Assert.Equal(Hex(v, "V"), trace.V);
        Assert.Equal(Hex(v, "pi"), proof);
        if (suite == EcVrfSuite.Edwards25519Sha512Tai)
        {
            Assert.Equal(int.Parse(v.GetProperty("ctr").GetString()!, System.Globalization.CultureInfo.InvariantCulture), trace.Counter);
        }

        Assert.Equal(Hex(v, "pi"), EcVrf.Prove(suite, keyPair, Hex(v, "alpha")));
        byte[] proverBeta = new byte[EcVrf.OutputSize];
        byte[] proof2 = new byte[EcVrf.ProofSize];
        EcVrf.Prove(suite, keyPair, Hex(v, "alpha"), proof2, proverBeta);
        Assert.Equal(Hex(v, "pi"), proof2);
        Assert.Equal(Hex(v, "beta"), proverBeta);
        byte[] beta = new byte[EcVrf.OutputSize];
        Assert.True(EcVrf.TryProofToHash(suite, proof, beta));
        Assert.Equal(Hex(v, "beta"), beta);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Verify_AcceptsThePublishedProof_AndRecomputesUAndV(string suiteName, int index)
    {
        using JsonDocument document = ReadJson(File);
        JsonElement v = Example(document, suiteName, index);
        EcVrfSuite suite = SuiteOf(suiteName);
        Ed25519PublicKey publicKey = Ed25519PublicKey.Import(Hex(v, "PK"));

        Assert.True(EcVrf.Verify(suite, publicKey, Hex(v, "alpha"), Hex(v, "pi"), out byte[]? beta));
        Assert.Equal(Hex(v, "beta"), beta);

        var trace = new EcVrfTrace();
        Assert.True(EcVrf.VerifyCore(suite, publicKey.Export(), Hex(v, "alpha"), Hex(v, "pi"), trace));
        Assert.Equal(Hex(v, "H"), trace.H);
        Assert.Equal(Hex(v, "U"), trace.U);
        Assert.Equal(Hex(v, "V"), trace.V);

        // The other suite must not accept it: the suite byte is bound into H and c.
        EcVrfSuite other = suite == EcVrfSuite.Edwards25519Sha512Tai ? EcVrfSuite.Edwards25519Sha512Ell2 : EcVrfSuite.Edwards25519Sha512Tai;
        Assert.False(EcVrf.Verify(other, publicKey, Hex(v, "alpha"), Hex(v, "pi"), out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Ell2_HashToCurveSteps_MatchTheVectors(int index)
    {
        using JsonDocument document = ReadJson(File);
        JsonElement v = Example(document, "ELL2", index);
        byte[] message = [.. Hex(v, "PK"), .. Hex(v, "alpha")];
        byte[] dst = "ECVRF_edwards25519_XMD:SHA-512_ELL2_NU_\u0004"u8.ToArray();

        byte[] uniform = new byte[HashToCurve.FieldHashSize];
        HashToCurve.ExpandMessageXmdSha512(message, dst, uniform);
        Assert.Equal(Hex(v, "uniform_bytes"), uniform);

        FieldElement u = HashToCurve.HashToField(message, dst);
        byte[] encoded = new byte[32];
        u.ToBytes(encoded);
        Assert.Equal(Hex(v, "u"), encoded);

        // gx1 = x1³ + J·x1² + x1 with x1 = −J / (1 + 2u²), computed here with BigInteger as a reference.
        BigInteger p = FieldElement.P;
        BigInteger uu = new(Hex(v, "u"), isUnsigned: true);
        BigInteger x1 = Mod(-486662 * BigInteger.ModPow(Mod(1 + (2 * uu * uu)), p - 2, p));
        BigInteger gx1 = Mod((x1 * x1 * x1) + (486662 * x1 * x1) + x1);
        Assert.Equal(new BigInteger(Hex(v, "gx1"), isUnsigned: true), gx1);

        byte[] h = new byte[32];
        HashToCurve.EncodeToCurveEll2(message, dst).Encode(h);
        Assert.Equal(Hex(v, "H"), h);

        static BigInteger Mod(BigInteger a) => ((a % FieldElement.P) + FieldElement.P) % FieldElement.P;
    }
}
