using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;

namespace Privomega.Protocol.Vrf;

/// <summary>
/// RFC 9380 hashing to edwards25519 for suite edwards25519_XMD:SHA-512_ELL2_NU_: expand_message_xmd
/// with SHA-512, hash_to_field into GF(2^255 − 19), Elligator 2 onto curve25519, the birational map
/// to edwards25519, and cofactor clearing (h_eff = 8). libsodium's <c>from_uniform</c> uses a
/// different field hashing and sign convention, so it cannot be used to match the RFC.
/// </summary>
internal static class HashToCurve
{
    private const int Sha512Size = 64;
    private const int Sha512BlockSize = 128;

    /// <summary>L = ceil((ceil(log2 p) + k) / 8) = ceil((255 + 128) / 8) bytes per field element.</summary>
    internal const int FieldHashSize = 48;

    /// <summary>J of curve25519 (K·t² = s³ + J·s² + s with K = 1).</summary>
    private static readonly FieldElement s_j = FieldElement.FromUInt64(486662);

    /// <summary>sqrt(−486664) with sgn0 = 0, the scaling constant of the curve25519 → edwards25519 map (RFC 9380 appendix D.1).</summary>
    private static readonly FieldElement s_sqrtMinus486664 = ComputeSqrtMinus486664();

    private static FieldElement ComputeSqrtMinus486664()
    {
        bool found = FieldElement.TrySqrt(-FieldElement.FromUInt64(486664), out FieldElement root);
        Debug.Assert(found);
        return root.IsNegative ? -root : root;
    }

    /// <summary>
    /// expand_message_xmd (RFC 9380 section 5.3.1) with SHA-512, for outputs up to 255·64 bytes and
    /// tags up to 255 bytes (the callers here use fixed, short tags).
    /// </summary>
    internal static void ExpandMessageXmdSha512(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst, Span<byte> output)
    {
        Debug.Assert(dst.Length <= 255 && output.Length <= 255 * Sha512Size && output.Length <= ushort.MaxValue);
        int blocks = (output.Length + Sha512Size - 1) / Sha512Size;

        // msg_prime = Z_pad ‖ msg ‖ I2OSP(len, 2) ‖ I2OSP(0, 1) ‖ DST ‖ I2OSP(len(DST), 1)
        int primeLength = Sha512BlockSize + message.Length + 3 + dst.Length + 1;
        byte[]? rented = null;
        Span<byte> prime = primeLength <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(primeLength));
        prime = prime[..primeLength];
        prime[..Sha512BlockSize].Clear();
        message.CopyTo(prime[Sha512BlockSize..]);
        int at = Sha512BlockSize + message.Length;
        prime[at++] = (byte)(output.Length >> 8);
        prime[at++] = (byte)output.Length;
        prime[at++] = 0;
        dst.CopyTo(prime[at..]);
        prime[^1] = (byte)dst.Length;

        Span<byte> b0 = stackalloc byte[Sha512Size];
        SHA512.HashData(prime, b0);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        // b_i = H(strxor(b_0, b_(i−1)) ‖ I2OSP(i, 1) ‖ DST_prime), with b_1 = H(b_0 ‖ 1 ‖ DST_prime).
        Span<byte> block = stackalloc byte[Sha512Size + 1 + 256];
        block = block[..(Sha512Size + 1 + dst.Length + 1)];
        dst.CopyTo(block[(Sha512Size + 1)..]);
        block[^1] = (byte)dst.Length;
        Span<byte> previous = stackalloc byte[Sha512Size];
        previous.Clear();
        for (int i = 1; i <= blocks; i++)
        {
            for (int j = 0; j < Sha512Size; j++)
            {
                block[j] = (byte)(b0[j] ^ previous[j]);
            }

            block[Sha512Size] = (byte)i;
            SHA512.HashData(block, previous);
            int offset = (i - 1) * Sha512Size;
            previous[..Math.Min(Sha512Size, output.Length - offset)].CopyTo(output[offset..]);
        }
    }

    /// <summary>
    /// hash_to_field with count = 1: OS2IP of 48 bytes (big-endian) reduced mod p. With the value
    /// split as lo + hi·2^255 (lo of 255 bits, hi of 129 bits), 2^255 ≡ 19 gives lo + 19·hi.
    /// </summary>
    internal static FieldElement HashToField(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst)
    {
        Span<byte> uniform = stackalloc byte[FieldHashSize];
        ExpandMessageXmdSha512(message, dst, uniform);
        uniform.Reverse(); // little-endian from here on

        Span<byte> high = stackalloc byte[32];
        high.Clear();
        for (int i = 0; i < 16; i++)
        {
            high[i] = (byte)((uniform[31 + i] >> 7) | (uniform[32 + i] << 1));
        }

        high[16] = (byte)(uniform[47] >> 7);
        return FieldElement.FromBytes(uniform[..32]) + (FieldElement.FromBytes(high) * FieldElement.FromUInt64(19));
    }

    /// <summary>
    /// map_to_curve_elligator2 for curve25519 (RFC 9380 section 6.7.1, Z = 2) followed by the
    /// rational map to edwards25519 (appendix D.1). Returns an edwards25519 point, before cofactor clearing.
    /// </summary>
    internal static EdwardsPoint MapToCurveElligator2(FieldElement u)
    {
        // x1 = −J · inv0(1 + Z·u²); x1 = −J when that denominator is 0.
        FieldElement denominator = FieldElement.One + FieldElement.Square(u) * FieldElement.FromUInt64(2);
        FieldElement x1 = -s_j * FieldElement.Invert(denominator);
        if (x1.IsZero)
        {
            x1 = -s_j;
        }

        FieldElement gx1 = MontgomeryRightHandSide(x1);
        FieldElement s;
        FieldElement t;
        if (FieldElement.TrySqrt(gx1, out FieldElement y1))
        {
            s = x1;
            t = y1.IsNegative ? y1 : -y1; // sgn0(y) = 1
        }
        else
        {
            FieldElement x2 = -x1 - s_j;
            bool square = FieldElement.TrySqrt(MontgomeryRightHandSide(x2), out FieldElement y2);
            Debug.Assert(square, "gx1 · gx2 is a square times a non-square, so exactly one of them is a square");
            s = x2;
            t = y2.IsNegative ? -y2 : y2; // sgn0(y) = 0
        }

        return MontgomeryToEdwards(s, t);
    }

    private static FieldElement MontgomeryRightHandSide(FieldElement x) => x * (x * (x + s_j) + FieldElement.One);

    /// <summary>(s, t) ↦ (sqrt(−486664)·s/t, (s − 1)/(s + 1)), with t = 0 or s = −1 mapped to the identity.</summary>
    private static EdwardsPoint MontgomeryToEdwards(FieldElement s, FieldElement t)
    {
        FieldElement sPlusOne = s + FieldElement.One;
        FieldElement denominator = t * sPlusOne;
        if (denominator.IsZero)
        {
            return EdwardsPoint.Identity;
        }

        // One inversion for both coordinates: 1/(t·(s+1)).
        FieldElement inverse = FieldElement.Invert(denominator);
        FieldElement x = s_sqrtMinus486664 * s * sPlusOne * inverse;
        FieldElement y = (s - FieldElement.One) * t * inverse;
        return EdwardsPoint.FromAffine(x, y);
    }

    /// <summary>encode_to_curve for edwards25519_XMD:SHA-512_ELL2_NU_: clear_cofactor(map_to_curve(hash_to_field(msg))).</summary>
    internal static EdwardsPoint EncodeToCurveEll2(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst) =>
        MapToCurveElligator2(HashToField(message, dst)).MultiplyByCofactor();
}
