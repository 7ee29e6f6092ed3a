using System.Text.Json;
using Privomega.Protocol.Tokens;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Privomega.Protocol.Tests.Tokens;

public class RsaBssaTests
{
    public static TheoryData<string> VariantNames()
    {
        using JsonDocument doc = JsonVectors.Load("rfc9474_rsabssa.json");
        var data = new TheoryData<string>();
        foreach (JsonElement v in doc.RootElement.EnumerateArray())
        {
            data.Add(v.Str("name"));
        }

        return data;
    }

    private static RsaBssaVariant Variant(string name) => name switch
    {
        "RSABSSA-SHA384-PSS-Randomized" => RsaBssaVariant.Sha384PssRandomized,
        "RSABSSA-SHA384-PSSZERO-Randomized" => RsaBssaVariant.Sha384PssZeroRandomized,
        "RSABSSA-SHA384-PSS-Deterministic" => RsaBssaVariant.Sha384PssDeterministic,
        "RSABSSA-SHA384-PSSZERO-Deterministic" => RsaBssaVariant.Sha384PssZeroDeterministic,
        _ => throw new ArgumentException(name),
    };

    private sealed record Vector(RsaBssaVariant Variant, RsaBssaPrivateKey Key, byte[] Msg, byte[] Prefix, byte[] Prepared,
        byte[] Salt, byte[] Encoded, byte[] Inv, byte[] Blinded, byte[] BlindSig, byte[] Sig, byte[] N);

    // Importing checks that p and q are prime, which is slow at 2048 bits: every vector shares one key.
    private static readonly Lazy<RsaBssaPrivateKey> VectorKey = new(() =>
    {
        using JsonDocument doc = JsonVectors.Load("rfc9474_rsabssa.json");
        JsonElement v = doc.RootElement[0];
        return RsaBssaPrivateKey.ImportPrimes(v.Hex("p"), v.Hex("q"), v.Hex("e"));
    });

    private static Vector Load(string name)
    {
        using JsonDocument doc = JsonVectors.Load("rfc9474_rsabssa.json");
        JsonElement v = doc.RootElement.EnumerateArray().Single(e => e.Str("name") == name);
        Assert.Equal(v.Hex("n"), VectorKey.Value.PublicKey.Modulus.ToByteArrayUnsigned());
        return new Vector(Variant(name), VectorKey.Value,
            v.Hex("msg"), v.Hex("msg_prefix"), v.Hex("prepared_msg"), v.Hex("salt"), v.Hex("encoded_msg"),
            v.Hex("inv"), v.Hex("blinded_msg"), v.Hex("blind_sig"), v.Hex("sig"), v.Hex("n"));
    }

    private static BcBigInteger FactorFromInverse(Vector v) =>
        new BcBigInteger(1, v.Inv).ModInverse(new BcBigInteger(1, v.N));

    [Theory]
    [MemberData(nameof(VariantNames))]
    public void Rfc9474_vector_every_step(string name)
    {
        Vector v = Load(name);
        RsaBssaPublicKey pk = v.Key.PublicKey;
        Assert.Equal(v.N, pk.Modulus.ToByteArrayUnsigned());
        Assert.Equal(v.Prefix.Concat(v.Msg).ToArray(), v.Prepared);
        Assert.Equal(v.Salt.Length, RsaBssa.SaltLength(v.Variant));
        Assert.Equal(v.Prefix.Length != 0, RsaBssa.IsRandomized(v.Variant));

        byte[] blinded = RsaBssa.BlindCore(pk, v.Prepared, v.Salt, FactorFromInverse(v), out byte[] encoded);
        Assert.Equal(v.Encoded, encoded);
        Assert.Equal(v.Blinded, blinded);

        Assert.Equal(v.BlindSig, RsaBssa.BlindSign(v.Key, blinded));

        byte[] sig = new byte[pk.ModulusBytes];
        Assert.True(RsaBssa.TryFinalizeCore(pk, v.Variant, v.Prepared, v.BlindSig, FactorFromInverse(v), sig));
        Assert.Equal(v.Sig, sig);
        Assert.True(RsaBssa.Verify(pk, v.Variant, v.Prepared, v.Sig));
    }

    [Theory]
    [MemberData(nameof(VariantNames))]
    public void Rfc9474_vector_tampering_rejected(string name)
    {
        Vector v = Load(name);
        RsaBssaPublicKey pk = v.Key.PublicKey;
        byte[] sig = new byte[pk.ModulusBytes];

        for (int bit = 0; bit < 8 * v.Sig.Length; bit += 509)
        {
            byte[] bad = (byte[])v.Sig.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(RsaBssa.Verify(pk, v.Variant, v.Prepared, bad), $"signature bit {bit}");

            byte[] badBlind = (byte[])v.BlindSig.Clone();
            badBlind[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(RsaBssa.TryFinalizeCore(pk, v.Variant, v.Prepared, badBlind, FactorFromInverse(v), sig), $"blind signature bit {bit}");
        }

        byte[] otherMessage = (byte[])v.Prepared.Clone();
        otherMessage[^1] ^= 1;
        Assert.False(RsaBssa.Verify(pk, v.Variant, otherMessage, v.Sig));
        Assert.False(RsaBssa.Verify(pk, v.Variant, v.Msg.Length == v.Prepared.Length ? [.. v.Prepared, 0] : v.Msg, v.Sig));

        // The salt length is part of the suite: a PSS signature is not a PSSZERO one and vice versa.
        RsaBssaVariant otherSalt = RsaBssa.SaltLength(v.Variant) == 0 ? RsaBssaVariant.Sha384PssDeterministic : RsaBssaVariant.Sha384PssZeroDeterministic;
        Assert.False(RsaBssa.Verify(pk, otherSalt, v.Prepared, v.Sig));

        Assert.False(RsaBssa.Verify(pk, v.Variant, v.Prepared, v.Sig.AsSpan(1)));
        Assert.False(RsaBssa.Verify(pk, v.Variant, v.Prepared, [0, .. v.Sig]));
        Assert.False(RsaBssa.Verify(pk, v.Variant, v.Prepared, v.N));

        byte[] blindSig = new byte[pk.ModulusBytes];
        Assert.False(RsaBssa.TryBlindSign(v.Key, v.N, blindSig));
        Assert.False(RsaBssa.TryBlindSign(v.Key, new byte[pk.ModulusBytes], blindSig));
        Assert.False(RsaBssa.TryBlindSign(v.Key, v.Blinded.AsSpan(1), blindSig));
        Assert.Throws<ArgumentException>(() => RsaBssa.BlindSign(v.Key, v.Blinded.AsSpan(1)));
    }

    [Fact]
    public void Random_round_trip_with_vector_key_and_each_variant()
    {
        Vector v = Load("RSABSSA-SHA384-PSS-Randomized");
        RsaBssaPublicKey pk = v.Key.PublicKey;
        foreach (RsaBssaVariant variant in Enum.GetValues<RsaBssaVariant>())
        {
            byte[] prepared = RsaBssa.Prepare(variant, "token input"u8);
            Assert.Equal(RsaBssa.IsRandomized(variant) ? RsaBssa.PrefixLength + 11 : 11, prepared.Length);
            using RsaBssaBlinding blinding = RsaBssa.Blind(pk, variant, prepared);
            byte[] blindSig = RsaBssa.BlindSign(v.Key, blinding.BlindedMessage.Span);
            byte[]? sig = RsaBssa.Finalize(pk, variant, prepared, blindSig, blinding);
            Assert.NotNull(sig);
            Assert.True(RsaBssa.Verify(pk, variant, prepared, sig), variant.ToString());

            // A blind signature for another blinding of the same message does not finalize with this factor.
            using RsaBssaBlinding other = RsaBssa.Blind(pk, variant, prepared);
            byte[] otherSig = RsaBssa.BlindSign(v.Key, other.BlindedMessage.Span);
            Assert.Null(RsaBssa.Finalize(pk, variant, prepared, otherSig, blinding));
        }
    }

    [Fact]
    public void Public_key_wire_form_round_trips_and_rejects_malformed()
    {
        Vector v = Load("RSABSSA-SHA384-PSS-Deterministic");
        byte[] wire = v.Key.PublicKey.Export();
        Assert.Equal(RsaBssaPublicKey.WireVersion, wire[0]);
        RsaBssaPublicKey back = RsaBssaPublicKey.Import(wire);
        Assert.True(back.KeyId.Span.SequenceEqual(v.Key.PublicKey.KeyId.Span));
        Assert.True(RsaBssa.Verify(back, v.Variant, v.Prepared, v.Sig));

        Assert.False(RsaBssaPublicKey.TryImport(wire.AsSpan(0, wire.Length - 1), out _));
        Assert.False(RsaBssaPublicKey.TryImport([.. wire, 0], out _));
        byte[] wrongVersion = (byte[])wire.Clone();
        wrongVersion[0] = 2;
        Assert.False(RsaBssaPublicKey.TryImport(wrongVersion, out _));
        byte[] evenModulus = (byte[])wire.Clone();
        evenModulus[2 + v.N.Length] ^= 1;
        Assert.False(RsaBssaPublicKey.TryImport(evenModulus, out _));
        Assert.False(RsaBssaPublicKey.TryImport([], out _));
        Assert.Throws<ArgumentException>(() => RsaBssaPublicKey.Import(wire.AsSpan(0, 10)));
        Assert.Throws<ArgumentException>(() => RsaBssaPublicKey.ImportComponents(new byte[128], [1, 0, 1]));
    }

    [Fact]
    public void Wycheproof_rsa_pss_2048_sha384_verify()
    {
        using JsonDocument doc = JsonVectors.Load("wycheproof_rsa_pss_2048_sha384_mgf1_48_test.json");
        int valid = 0, invalid = 0;
        foreach (JsonElement group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            Assert.Equal(48, group.GetProperty("sLen").GetInt32());
            JsonElement publicKey = group.GetProperty("publicKey");
            RsaBssaPublicKey pk = RsaBssaPublicKey.ImportComponents(publicKey.Hex("modulus"), publicKey.Hex("publicExponent"));
            foreach (JsonElement t in group.GetProperty("tests").EnumerateArray())
            {
                string result = t.Str("result");
                bool ok = RsaBssa.Verify(pk, RsaBssaVariant.Sha384PssDeterministic, t.Hex("msg"), t.Hex("sig"));
                int id = t.GetProperty("tcId").GetInt32();
                if (result == "valid")
                {
                    Assert.True(ok, $"tcId {id}: {t.Str("comment")}");
                    valid++;
                }
                else
                {
                    Assert.Equal("invalid", result);
                    Assert.False(ok, $"tcId {id}: {t.Str("comment")}");
                    invalid++;
                }
            }
        }

        Assert.Equal((95, 46), (valid, invalid));
    }
}
