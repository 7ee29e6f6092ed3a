using System.Text.Json;
using Privomega.Protocol.Tokens;

namespace Privomega.Protocol.Tests.Tokens;

public class OprfTests
{
    private sealed record Case(OprfMode Mode, byte[] Seed, byte[] KeyInfo, byte[] Sk, byte[] Pk, byte[][] Inputs, byte[][] Blinds,
        byte[] Blinded, byte[] Evaluated, byte[][] Outputs, byte[] Proof, byte[] ProofR, byte[] Info);

    private static byte[][] Split(JsonElement v, string property) =>
        v.GetProperty(property).GetString()!.Split(',').Select(Convert.FromHexString).ToArray();

    private static List<Case> Cases()
    {
        using JsonDocument doc = JsonVectors.Load("rfc9497_oprf_ristretto255_sha512.json");
        var cases = new List<Case>();
        foreach (JsonElement suite in doc.RootElement.EnumerateArray())
        {
            string mode = suite.GetProperty("mode").ValueKind == JsonValueKind.Number ? suite.GetProperty("mode").GetInt32().ToString() : suite.Str("mode");
            Assert.Equal("ristretto255-SHA512", suite.Str("identifier"));
            foreach (JsonElement v in suite.GetProperty("vectors").EnumerateArray())
            {
                bool hasProof = v.TryGetProperty("Proof", out JsonElement proof);
                cases.Add(new Case((OprfMode)int.Parse(mode), suite.Hex("seed"), suite.Hex("keyInfo"), suite.Hex("skSm"), suite.Hex("pkSm"),
                    Split(v, "Input"), Split(v, "Blind"), Split(v, "BlindedElement").SelectMany(x => x).ToArray(),
                    Split(v, "EvaluationElement").SelectMany(x => x).ToArray(), Split(v, "Output"),
                    hasProof ? proof.Hex("proof") : [], hasProof ? proof.Hex("r") : [], v.Hex("Info")));
            }
        }

        return cases;
    }

    public static TheoryData<int> CaseIndices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Cases().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Fact]
    public void Vector_file_has_every_mode_case()
    {
        List<Case> cases = Cases();
        Assert.Equal(2, cases.Count(c => c.Mode == OprfMode.Oprf));
        Assert.Equal(3, cases.Count(c => c.Mode == OprfMode.Voprf));
        Assert.Equal(3, cases.Count(c => c.Mode == OprfMode.Poprf && c.Info.Length > 0));
        Assert.Contains(cases, c => c.Mode == OprfMode.Voprf && c.Inputs.Length == 2);
        Assert.Contains(cases, c => c.Mode == OprfMode.Poprf && c.Inputs.Length == 2);
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void Rfc9497_vector(int index)
    {
        Case c = Cases()[index];
        using OprfPrivateKey key = OprfPrivateKey.DeriveKeyPair(c.Mode, c.Seed, c.KeyInfo);
        byte[] sk = new byte[Oprf.ScalarSize];
        key.Export(sk);
        Assert.Equal(c.Sk, sk);
        if (c.Mode != OprfMode.Oprf)
        {
            Assert.Equal(c.Pk, key.PublicKey.ToArray());
        }

        List<OprfBlind> blinds = c.Inputs.Select((input, i) => Oprf.BlindWith(c.Mode, input, c.Blinds[i])).ToList();
        byte[] blinded = blinds.SelectMany(b => b.BlindedElement.ToArray()).ToArray();
        Assert.Equal(c.Blinded, blinded);

        byte[] evaluated = new byte[blinded.Length];
        byte[] proof = new byte[Oprf.ProofSizeFor(c.Mode)];
        Assert.True(Oprf.BlindEvaluateCore(key, c.Info, blinded, evaluated, proof, c.ProofR));
        Assert.Equal(c.Evaluated, evaluated);
        Assert.Equal(c.Proof, proof);

        byte[] outputs = new byte[c.Inputs.Length * Oprf.OutputSize];
        Assert.True(Oprf.TryFinalizeBatch(c.Mode, key.PublicKey, c.Info, c.Inputs.Select(x => (ReadOnlyMemory<byte>)x).ToList(), blinds, evaluated, proof, outputs));
        Assert.Equal(c.Outputs.SelectMany(x => x).ToArray(), outputs);

        byte[] direct = new byte[Oprf.OutputSize];
        for (int i = 0; i < c.Inputs.Length; i++)
        {
            Assert.True(Oprf.TryEvaluate(key, c.Inputs[i], c.Info, direct));
            Assert.Equal(c.Outputs[i], direct);
        }

        // A randomized proof differs from the vector's but still verifies.
        Assert.True(Oprf.TryBlindEvaluate(key, c.Info, blinded, evaluated, proof));
        Assert.Equal(c.Evaluated, evaluated);
        Assert.True(Oprf.TryFinalizeBatch(c.Mode, key.PublicKey, c.Info, c.Inputs.Select(x => (ReadOnlyMemory<byte>)x).ToList(), blinds, evaluated, proof, outputs));
        Assert.Equal(c.Outputs.SelectMany(x => x).ToArray(), outputs);

        if (c.Mode == OprfMode.Poprf)
        {
            // The info is bound into both the proof and the output.
            byte[] otherInfo = [.. c.Info, 0x21];
            Assert.False(Oprf.TryFinalizeBatch(c.Mode, key.PublicKey, otherInfo, c.Inputs.Select(x => (ReadOnlyMemory<byte>)x).ToList(), blinds, evaluated, proof, outputs));
            Assert.True(Oprf.TryEvaluate(key, c.Inputs[0], otherInfo, direct));
            Assert.NotEqual(c.Outputs[0], direct);
            byte[] badProof = (byte[])proof.Clone();
            badProof[5] ^= 1;
            Assert.False(Oprf.TryFinalizeBatch(c.Mode, key.PublicKey, c.Info, c.Inputs.Select(x => (ReadOnlyMemory<byte>)x).ToList(), blinds, evaluated, badProof, outputs));
        }
        else
        {
            Assert.Throws<ArgumentException>(() => Oprf.TryEvaluate(key, c.Inputs[0], "info"u8, direct));
        }
        blinds.ForEach(b => b.Dispose());
    }

    [Fact]
    public void Voprf_tampered_proofs_and_elements_rejected()
    {
        Case c = Cases().Single(x => x.Mode == OprfMode.Voprf && x.Inputs.Length == 2);
        using OprfPrivateKey key = OprfPrivateKey.DeriveKeyPair(c.Mode, c.Seed, c.KeyInfo);
        List<OprfBlind> blinds = c.Inputs.Select((input, i) => Oprf.BlindWith(c.Mode, input, c.Blinds[i])).ToList();
        List<ReadOnlyMemory<byte>> inputs = c.Inputs.Select(x => (ReadOnlyMemory<byte>)x).ToList();
        byte[] outputs = new byte[2 * Oprf.OutputSize];
        bool Finalize(byte[] pk, byte[] evaluated, byte[] proof) => Oprf.TryFinalizeBatch(OprfMode.Voprf, pk, inputs, blinds, evaluated, proof, outputs);

        Assert.True(Finalize(c.Pk, c.Evaluated, c.Proof));
        for (int bit = 0; bit < 8 * Oprf.ProofSize; bit += 7)
        {
            byte[] proof = (byte[])c.Proof.Clone();
            proof[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Finalize(c.Pk, c.Evaluated, proof), $"proof bit {bit}");
        }

        for (int bit = 0; bit < 8 * c.Evaluated.Length; bit += 13)
        {
            byte[] evaluated = (byte[])c.Evaluated.Clone();
            evaluated[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Finalize(c.Pk, evaluated, c.Proof), $"evaluated bit {bit}");
        }

        // Swapped evaluations are valid elements, but the proof binds their order.
        byte[] swapped = [.. c.Evaluated.AsSpan(32).ToArray(), .. c.Evaluated.AsSpan(0, 32).ToArray()];
        Assert.False(Finalize(c.Pk, swapped, c.Proof));

        // Another key's honest evaluation with its own valid proof fails against the published key.
        using OprfPrivateKey other = OprfPrivateKey.Generate(OprfMode.Voprf);
        byte[] otherEvaluated = new byte[c.Blinded.Length];
        byte[] otherProof = new byte[Oprf.ProofSize];
        Assert.True(Oprf.TryBlindEvaluate(other, c.Blinded, otherEvaluated, otherProof));
        Assert.False(Finalize(c.Pk, otherEvaluated, otherProof));
        Assert.True(Finalize(other.PublicKey.ToArray(), otherEvaluated, otherProof));

        // A non-canonical challenge (c + L) is refused even though it reduces to the right value.
        byte[] nonCanonical = (byte[])c.Proof.Clone();
        AddL(nonCanonical.AsSpan(0, 32));
        Assert.False(Finalize(c.Pk, c.Evaluated, nonCanonical));

        Assert.False(Finalize(c.Pk, c.Evaluated, c.Proof.AsSpan(1).ToArray()));
        Assert.False(Finalize(c.Pk, c.Evaluated.AsSpan(32).ToArray(), c.Proof));
        Assert.False(Finalize(new byte[32], c.Evaluated, c.Proof));
        blinds.ForEach(b => b.Dispose());
    }

    [Fact]
    public void Invalid_elements_rejected_by_server_and_client()
    {
        using OprfPrivateKey key = OprfPrivateKey.Generate(OprfMode.Voprf);
        byte[] evaluated = new byte[64];
        byte[] proof = new byte[Oprf.ProofSize];
        using OprfBlind good = Oprf.Blind(OprfMode.Voprf, "x"u8);
        byte[] identity = new byte[32];
        byte[] nonCanonical = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        byte[] notOnCurve = (byte[])good.BlindedElement.ToArray();
        notOnCurve[0] ^= 1;  // flips the sign bit of s: ristretto255 encodings must be non-negative
        foreach (byte[] bad in new[] { identity, nonCanonical, notOnCurve })
        {
            Assert.False(Oprf.TryBlindEvaluate(key, [.. good.BlindedElement, .. bad], evaluated, proof));
            Assert.All(evaluated, b => Assert.Equal(0, b));
        }

        Assert.False(Oprf.TryBlindEvaluate(key, good.BlindedElement[1..], evaluated.AsSpan(0, 31), proof));
        Assert.False(Oprf.TryBlindEvaluate(key, [], [], proof));
        byte[] inPlace = good.BlindedElement.ToArray();
        Assert.Throws<ArgumentException>(() => Oprf.TryBlindEvaluate(key, inPlace, inPlace, proof));
        Assert.Throws<ArgumentException>(() => Oprf.TryBlindEvaluate(key, good.BlindedElement, evaluated, proof));
        Assert.Throws<ArgumentException>(() => Oprf.TryBlindEvaluate(key, good.BlindedElement, evaluated.AsSpan(0, 32), proof.AsSpan(1)));

        using OprfPrivateKey oprfKey = OprfPrivateKey.Generate(OprfMode.Oprf);
        using OprfBlind blind = Oprf.Blind(OprfMode.Oprf, "input"u8);
        byte[] one = new byte[32];
        Assert.True(Oprf.TryBlindEvaluate(oprfKey, blind.BlindedElement, one, []));
        byte[] output = new byte[64];
        Assert.True(Oprf.TryFinalize(OprfMode.Oprf, [], "input"u8, blind, one, [], output));
        byte[] expected = new byte[64];
        Assert.True(Oprf.TryEvaluate(oprfKey, "input"u8, expected));
        Assert.Equal(expected, output);
        Assert.False(Oprf.TryFinalize(OprfMode.Oprf, [], "input"u8, blind, identity, [], output));
        Assert.False(Oprf.TryFinalize(OprfMode.Oprf, [], "input"u8, blind, nonCanonical, [], output));
    }

    [Fact]
    public void Keys_import_export_and_reject_bad_scalars()
    {
        using OprfPrivateKey key = OprfPrivateKey.Generate(OprfMode.Voprf);
        byte[] sk = new byte[32];
        key.Export(sk);
        using OprfPrivateKey back = OprfPrivateKey.Import(OprfMode.Voprf, sk);
        Assert.Equal(key.PublicKey.ToArray(), back.PublicKey.ToArray());
        Assert.False(OprfPrivateKey.TryImport(OprfMode.Voprf, new byte[32], out _));
        byte[] big = (byte[])sk.Clone();
        AddL(big);
        Assert.False(OprfPrivateKey.TryImport(OprfMode.Voprf, big, out _));
        Assert.False(OprfPrivateKey.TryImport(OprfMode.Voprf, sk.AsSpan(1), out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => OprfPrivateKey.Generate((OprfMode)3));
        Assert.Throws<ArgumentException>(() => OprfPrivateKey.DeriveKeyPair(OprfMode.Oprf, new byte[31], []));
    }

    /// <summary>Adds the group order L to a 32-byte little-endian value (used to build non-canonical scalars).</summary>
    private static void AddL(Span<byte> scalar)
    {
        var l = System.Numerics.BigInteger.Parse("7237005577332262213973186563042994240857116359379907606001950938285454250989");
        var value = new System.Numerics.BigInteger(scalar, isUnsigned: true) + l;
        Assert.True(value.TryWriteBytes(scalar, out int written, isUnsigned: true));
        scalar[written..].Clear();
    }
}
