using System.Numerics;
using Privomega.Protocol.Interop;
using Privomega.Protocol.Vrf;
using static Privomega.Protocol.Tests.VectorFile;

namespace Privomega.Protocol.Tests.Vrf;

/// <summary>The limb field and the point helpers against plain references: BigInteger for GF(p), libsodium for points.</summary>
public sealed class CurveArithmeticTests
{
    private const int Seed = 25519;
    private static readonly BigInteger P = FieldElement.P;

    private static BigInteger Mod(BigInteger a) => ((a % P) + P) % P;

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Random 255-bit values plus edge cases: 0, 1, p − 1, p, p + 1, 2^255 − 1 (the last three non-canonical inputs).</summary>
    private static IEnumerable<byte[]> Inputs(Random random)
    {
        yield return new byte[32];
        yield return Hex("0100000000000000000000000000000000000000000000000000000000000000");
        yield return Hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
        yield return Hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
        yield return Hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
        yield return Hex("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
        for (int i = 0; i < 200; i++)
        {
            yield return RandomBytes(random, 32);
        }
    }

    private static BigInteger Reference(byte[] bytes)
    {
        byte[] masked = (byte[])bytes.Clone();
        masked[31] &= 0x7f;
        return new BigInteger(masked, isUnsigned: true);
    }

    [Fact]
    public void FieldOperations_MatchBigIntegerReference()
    {
        var random = new Random(Seed);
        byte[][] inputs = Inputs(random).ToArray();
        for (int i = 0; i < inputs.Length; i++)
        {
            byte[] a = inputs[i];
            byte[] b = inputs[(i * 7 + 3) % inputs.Length];
            FieldElement fa = FieldElement.FromBytes(a);
            FieldElement fb = FieldElement.FromBytes(b);
            BigInteger ra = Reference(a);
            BigInteger rb = Reference(b);
            string where = $"seed {Seed}, input {i}";

            Assert.True(Mod(ra) == fa.ToBigInteger(), where);
            Assert.True(Mod(ra + rb) == (fa + fb).ToBigInteger(), where);
            Assert.True(Mod(ra - rb) == (fa - fb).ToBigInteger(), where);
            Assert.True(Mod(-ra) == (-fa).ToBigInteger(), where);
            Assert.True(Mod(ra * rb) == (fa * fb).ToBigInteger(), where);
            Assert.True(Mod(ra * ra) == FieldElement.Square(fa).ToBigInteger(), where);
            Assert.True(BigInteger.ModPow(Mod(ra), P - 2, P) == FieldElement.Invert(fa).ToBigInteger(), where);

            // Chained operations stay within the limb bounds the multiplier assumes.
            FieldElement chained = (fa - fb - fb - fb) * (fa + fb + fb + fb);
            Assert.True(Mod((ra - (3 * rb)) * (ra + (3 * rb))) == chained.ToBigInteger(), where);

            bool isSquare = BigInteger.ModPow(Mod(ra), (P - 1) / 2, P) <= 1;
            Assert.Equal(isSquare, FieldElement.TrySqrt(fa, out FieldElement root));
            if (isSquare)
            {
                Assert.True(Mod(ra) == Mod(root.ToBigInteger() * root.ToBigInteger()), where);
            }
        }
    }

    [Fact]
    public void HashToField_ReductionMatchesBigInteger()
    {
        var random = new Random(Seed + 2);
        byte[] dst = "QUUX-V01-CS02-with-edwards25519_XMD:SHA-512_ELL2_NU_"u8.ToArray();
        for (int i = 0; i < 200; i++)
        {
            byte[] message = RandomBytes(random, i);
            byte[] uniform = new byte[HashToCurve.FieldHashSize];
            HashToCurve.ExpandMessageXmdSha512(message, dst, uniform);
            BigInteger expected = new BigInteger(uniform, isUnsigned: true, isBigEndian: true) % P;
            Assert.True(expected == HashToCurve.HashToField(message, dst).ToBigInteger(), $"seed {Seed + 2}, message {i}");
        }
    }

    [Fact]
    public void Constants_AreTheCurveConstants()
    {
        Assert.True(Mod(FieldElement.D.ToBigInteger() * 121666 + 121665) == 0);
        Assert.True(Mod(FieldElement.SqrtMinusOne.ToBigInteger() * FieldElement.SqrtMinusOne.ToBigInteger()) == P - 1);
        byte[] d = new byte[32];
        FieldElement.D.ToBytes(d);
        Assert.Equal(Hex("a3785913ca4deb75abd841414d0a700098e879777940c78c73fe6f2bee6c0352"), d);
    }

    [Fact]
    public void Decode_AgreesWithLibsodium_AndCofactorClearingMatchesThreeAdditions()
    {
        Sodium.EnsureInitialized();
        var random = new Random(Seed + 1);
        int decoded = 0;
        for (int i = 0; i < 300; i++)
        {
            byte[] encoding = RandomBytes(random, 32);
            bool ours = EdwardsPoint.TryDecode(encoding, out EdwardsPoint point);
            bool onCurve = LibsodiumAdd(encoding, encoding, out byte[] doubled);
            bool canonical = EdwardsPoint.HasCanonicalY(encoding);
            Assert.True(ours == (onCurve && canonical), $"seed {Seed + 1}, sample {i}");
            if (!ours)
            {
                continue;
            }

            decoded++;
            byte[] again = new byte[32];
            point.Encode(again);
            Assert.Equal(encoding, again);

            byte[] ourDouble = new byte[32];
            point.Double().Encode(ourDouble);
            Assert.Equal(doubled, ourDouble);

            Assert.True(LibsodiumAdd(doubled, doubled, out byte[] four));
            Assert.True(LibsodiumAdd(four, four, out byte[] eight));
            byte[] ourEight = new byte[32];
            point.MultiplyByCofactor().Encode(ourEight);
            Assert.Equal(eight, ourEight);
            Assert.True(Privomega.Protocol.Primitives.Ed25519PublicKey.TryImport(eight, out _) || eight.AsSpan().SequenceEqual(Hex("0100000000000000000000000000000000000000000000000000000000000000")));
        }

        Assert.InRange(decoded, 100, 200); // about half of all y have an x
    }

    [Fact]
    public void Decode_IdentityAndSmallOrderEdgeCases()
    {
        Assert.True(EdwardsPoint.TryDecode(Hex("0100000000000000000000000000000000000000000000000000000000000000"), out EdwardsPoint identity));
        Assert.True(identity.IsIdentity);
        Assert.False(EdwardsPoint.TryDecode(Hex("0100000000000000000000000000000000000000000000000000000000000080"), out _));
        Assert.False(EdwardsPoint.TryDecode(Hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"), out _));
        Assert.False(EdwardsPoint.TryDecode(Hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), out _));
        Assert.True(EdwardsPoint.TryDecode(Hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"), out EdwardsPoint order8));
        Assert.False(order8.Double().Double().IsIdentity);
        Assert.True(order8.MultiplyByCofactor().IsIdentity);
        Assert.False(EdwardsPoint.TryDecode(new byte[31], out _));
    }

    private static unsafe bool LibsodiumAdd(byte[] p, byte[] q, out byte[] sum)
    {
        sum = new byte[32];
        fixed (byte* r = sum)
        fixed (byte* pp = p)
        fixed (byte* pq = q)
        {
            return Libsodium.crypto_core_ed25519_add(r, pp, pq) == 0;
        }
    }
}
