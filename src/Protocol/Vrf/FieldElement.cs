using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Privomega.Protocol.Vrf;

/// <summary>
/// An element of GF(p), p = 2^255 − 19, in five unsigned 51-bit limbs (radix 2^51). Limbs are kept
/// below about 2^52 between operations (every operation ends with a carry pass), which keeps the
/// 128-bit products in <see cref="Multiply"/> far from overflow. Used for strict point decoding,
/// cofactor clearing and the Elligator 2 map — places libsodium's public API does not reach.
/// Not constant time: every input it sees in Privomega is public (points, hash outputs).
/// </summary>
[SkipLocalsInit]
internal readonly struct FieldElement : IEquatable<FieldElement>
{
    private const ulong Mask51 = (1UL << 51) - 1;

    private readonly ulong _l0, _l1, _l2, _l3, _l4;

    private FieldElement(ulong l0, ulong l1, ulong l2, ulong l3, ulong l4)
    {
        _l0 = l0;
        _l1 = l1;
        _l2 = l2;
        _l3 = l3;
        _l4 = l4;
    }

    /// <summary>p = 2^255 − 19.</summary>
    internal static readonly BigInteger P = (BigInteger.One << 255) - 19;

    internal static FieldElement Zero => default;

    internal static FieldElement One => new(1, 0, 0, 0, 0);

    /// <summary>The twisted Edwards constant d = −121665/121666 of edwards25519.</summary>
    internal static readonly FieldElement D = FromBigInteger(BigMod(-121665 * BigInteger.ModPow(121666, P - 2, P)));

    /// <summary>sqrt(−1) = 2^((p−1)/4).</summary>
    internal static readonly FieldElement SqrtMinusOne = FromBigInteger(BigInteger.ModPow(2, (P - 1) / 4, P));

    /// <summary>Small integer as a field element.</summary>
    internal static FieldElement FromUInt64(ulong value)
    {
        Debug.Assert(value <= Mask51);
        return new FieldElement(value, 0, 0, 0, 0);
    }

    /// <summary>Reads 32 little-endian bytes, ignoring bit 255 (RFC 7748/8032 convention). Accepts values ≥ p.</summary>
    internal static FieldElement FromBytes(ReadOnlySpan<byte> bytes)
    {
        Debug.Assert(bytes.Length >= 32);
        ulong w0 = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        ulong w1 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        ulong w2 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        ulong w3 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]);
        return new FieldElement(
            w0 & Mask51,
            ((w0 >> 51) | (w1 << 13)) & Mask51,
            ((w1 >> 38) | (w2 << 26)) & Mask51,
            ((w2 >> 25) | (w3 << 39)) & Mask51,
            (w3 >> 12) & Mask51);
    }

    /// <summary>From an integer (reduced mod p first); for constants and tests.</summary>
    internal static FieldElement FromBigInteger(BigInteger value)
    {
        Span<byte> bytes = stackalloc byte[32];
        bytes.Clear();
        BigMod(value).TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return FromBytes(bytes);
    }

    internal BigInteger ToBigInteger()
    {
        Span<byte> bytes = stackalloc byte[32];
        ToBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
    }

    private static BigInteger BigMod(BigInteger value)
    {
        BigInteger r = value % P;
        return r.Sign < 0 ? r + P : r;
    }

    /// <summary>Writes the canonical (fully reduced, &lt; p) 32-byte little-endian encoding.</summary>
    internal void ToBytes(Span<byte> destination)
    {
        Debug.Assert(destination.Length >= 32);
        unchecked
        {
            // Carry twice so every limb is below 2^51 (value < 2^255 + small < 2p), then subtract p
            // once if needed: q = 1 exactly when value + 19 overflows 2^255.
            ulong l0 = _l0, l1 = _l1, l2 = _l2, l3 = _l3, l4 = _l4;
            for (int pass = 0; pass < 2; pass++)
            {
                l1 += l0 >> 51; l0 &= Mask51;
                l2 += l1 >> 51; l1 &= Mask51;
                l3 += l2 >> 51; l2 &= Mask51;
                l4 += l3 >> 51; l3 &= Mask51;
                l0 += 19 * (l4 >> 51); l4 &= Mask51;
            }

            ulong q = (l0 + 19) >> 51;
            q = (l1 + q) >> 51;
            q = (l2 + q) >> 51;
            q = (l3 + q) >> 51;
            q = (l4 + q) >> 51;
            l0 += 19 * q;
            l1 += l0 >> 51; l0 &= Mask51;
            l2 += l1 >> 51; l1 &= Mask51;
            l3 += l2 >> 51; l2 &= Mask51;
            l4 += l3 >> 51; l3 &= Mask51;
            l4 &= Mask51;

            BinaryPrimitives.WriteUInt64LittleEndian(destination, l0 | (l1 << 51));
            BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], (l1 >> 13) | (l2 << 38));
            BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], (l2 >> 26) | (l3 << 25));
            BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], (l3 >> 39) | (l4 << 12));
        }
    }

    /// <summary>True if the canonical value is zero.</summary>
    internal bool IsZero
    {
        get
        {
            Span<byte> bytes = stackalloc byte[32];
            ToBytes(bytes);
            return !bytes.ContainsAnyExcept((byte)0);
        }
    }

    /// <summary>sgn0 of RFC 9380 / "negative" of RFC 8032: the low bit of the canonical value.</summary>
    internal bool IsNegative
    {
        get
        {
            Span<byte> bytes = stackalloc byte[32];
            ToBytes(bytes);
            return (bytes[0] & 1) != 0;
        }
    }

    public bool Equals(FieldElement other) => (this - other).IsZero;

    public override bool Equals(object? obj) => obj is FieldElement other && Equals(other);

    public override int GetHashCode()
    {
        Span<byte> bytes = stackalloc byte[32];
        ToBytes(bytes);
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FieldElement Carry(ulong l0, ulong l1, ulong l2, ulong l3, ulong l4)
    {
        unchecked
        {
            l1 += l0 >> 51; l0 &= Mask51;
            l2 += l1 >> 51; l1 &= Mask51;
            l3 += l2 >> 51; l2 &= Mask51;
            l4 += l3 >> 51; l3 &= Mask51;
            l0 += 19 * (l4 >> 51); l4 &= Mask51;
            return new FieldElement(l0, l1, l2, l3, l4);
        }
    }

    public static FieldElement operator +(FieldElement a, FieldElement b) =>
        unchecked(Carry(a._l0 + b._l0, a._l1 + b._l1, a._l2 + b._l2, a._l3 + b._l3, a._l4 + b._l4));

    // Adds 4p (limbwise 2^53 − 76 and 2^53 − 4) before subtracting so no limb underflows.
    public static FieldElement operator -(FieldElement a, FieldElement b) =>
        unchecked(Carry(
            a._l0 + 0x1FFFFFFFFFFFB4 - b._l0,
            a._l1 + 0x1FFFFFFFFFFFFC - b._l1,
            a._l2 + 0x1FFFFFFFFFFFFC - b._l2,
            a._l3 + 0x1FFFFFFFFFFFFC - b._l3,
            a._l4 + 0x1FFFFFFFFFFFFC - b._l4));

    public static FieldElement operator -(FieldElement a) => Zero - a;

    public static FieldElement operator *(FieldElement a, FieldElement b) => Multiply(a, b);

    /// <summary>a·b mod p (schoolbook on limbs; 2^255 ≡ 19 folds the high half back).</summary>
    internal static FieldElement Multiply(in FieldElement a, in FieldElement b)
    {
        unchecked
        {
            ulong f0 = a._l0, f1 = a._l1, f2 = a._l2, f3 = a._l3, f4 = a._l4;
            ulong g0 = b._l0, g1 = b._l1, g2 = b._l2, g3 = b._l3, g4 = b._l4;
            ulong g1x19 = 19 * g1, g2x19 = 19 * g2, g3x19 = 19 * g3, g4x19 = 19 * g4;

            UInt128 r0 = Mul(f0, g0) + Mul(f1, g4x19) + Mul(f2, g3x19) + Mul(f3, g2x19) + Mul(f4, g1x19);
            UInt128 r1 = Mul(f0, g1) + Mul(f1, g0) + Mul(f2, g4x19) + Mul(f3, g3x19) + Mul(f4, g2x19);
            UInt128 r2 = Mul(f0, g2) + Mul(f1, g1) + Mul(f2, g0) + Mul(f3, g4x19) + Mul(f4, g3x19);
            UInt128 r3 = Mul(f0, g3) + Mul(f1, g2) + Mul(f2, g1) + Mul(f3, g0) + Mul(f4, g4x19);
            UInt128 r4 = Mul(f0, g4) + Mul(f1, g3) + Mul(f2, g2) + Mul(f3, g1) + Mul(f4, g0);

            return Reduce(r0, r1, r2, r3, r4);
        }
    }

    /// <summary>a² mod p, sharing the symmetric products.</summary>
    internal static FieldElement Square(in FieldElement a)
    {
        unchecked
        {
            ulong f0 = a._l0, f1 = a._l1, f2 = a._l2, f3 = a._l3, f4 = a._l4;
            ulong f0x2 = 2 * f0, f1x2 = 2 * f1, f3x19 = 19 * f3, f4x19 = 19 * f4;

            UInt128 r0 = Mul(f0, f0) + Mul(f1x2, f4x19) + Mul(2 * f2, f3x19);
            UInt128 r1 = Mul(f0x2, f1) + Mul(2 * f2, f4x19) + Mul(f3, f3x19);
            UInt128 r2 = Mul(f0x2, f2) + Mul(f1, f1) + Mul(2 * f3, f4x19);
            UInt128 r3 = Mul(f0x2, f3) + Mul(f1x2, f2) + Mul(f4, f4x19);
            UInt128 r4 = Mul(f0x2, f4) + Mul(f1x2, f3) + Mul(f2, f2);

            return Reduce(r0, r1, r2, r3, r4);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static UInt128 Mul(ulong a, ulong b)
    {
        ulong high = Math.BigMul(a, b, out ulong low);
        return new UInt128(high, low);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FieldElement Reduce(UInt128 r0, UInt128 r1, UInt128 r2, UInt128 r3, UInt128 r4)
    {
        unchecked
        {
            // Inputs below 2^53 per limb keep every r below 2^113 and the top carry below 2^58,
            // so 19·carry fits a ulong.
            r1 += r0 >> 51;
            ulong l0 = (ulong)r0 & Mask51;
            r2 += r1 >> 51;
            ulong l1 = (ulong)r1 & Mask51;
            r3 += r2 >> 51;
            ulong l2 = (ulong)r2 & Mask51;
            r4 += r3 >> 51;
            ulong l3 = (ulong)r3 & Mask51;
            ulong carry = (ulong)(r4 >> 51);
            ulong l4 = (ulong)r4 & Mask51;
            l0 += 19 * carry;
            l1 += l0 >> 51;
            l0 &= Mask51;
            return new FieldElement(l0, l1, l2, l3, l4);
        }
    }

    private static FieldElement SquareTimes(FieldElement a, int times)
    {
        for (int i = 0; i < times; i++)
        {
            a = Square(a);
        }

        return a;
    }

    /// <summary>Shared prefix of the inversion and square-root chains: returns z^(2^250 − 1) and z^11.</summary>
    private static FieldElement Pow2To250Minus1(in FieldElement z, out FieldElement z11)
    {
        FieldElement z2 = Square(z);
        FieldElement z9 = SquareTimes(z2, 2) * z;
        z11 = z9 * z2;
        FieldElement z2_5_0 = Square(z11) * z9;
        FieldElement z2_10_0 = SquareTimes(z2_5_0, 5) * z2_5_0;
        FieldElement z2_20_0 = SquareTimes(z2_10_0, 10) * z2_10_0;
        FieldElement z2_40_0 = SquareTimes(z2_20_0, 20) * z2_20_0;
        FieldElement z2_50_0 = SquareTimes(z2_40_0, 10) * z2_10_0;
        FieldElement z2_100_0 = SquareTimes(z2_50_0, 50) * z2_50_0;
        FieldElement z2_200_0 = SquareTimes(z2_100_0, 100) * z2_100_0;
        return SquareTimes(z2_200_0, 50) * z2_50_0;
    }

    /// <summary>z^(p−2) = 1/z (and 0 for z = 0, which is RFC 9380's inv0).</summary>
    internal static FieldElement Invert(in FieldElement z)
    {
        FieldElement t = Pow2To250Minus1(z, out FieldElement z11);
        return SquareTimes(t, 5) * z11;
    }

    /// <summary>z^((p−5)/8) = z^(2^252 − 3), the core of square roots for p ≡ 5 (mod 8).</summary>
    internal static FieldElement Pow22523(in FieldElement z)
    {
        FieldElement t = Pow2To250Minus1(z, out _);
        return SquareTimes(t, 2) * z;
    }

    /// <summary>
    /// Square root of <paramref name="a"/> if it is a square: r = a^((p+3)/8), corrected by sqrt(−1)
    /// when r² = −a. Which of the two roots comes back is unspecified; callers fix the sign.
    /// </summary>
    internal static bool TrySqrt(in FieldElement a, out FieldElement root)
    {
        FieldElement r = a * Pow22523(a);
        FieldElement check = Square(r);
        if (check.Equals(a))
        {
            root = r;
            return true;
        }

        if (check.Equals(-a))
        {
            root = r * SqrtMinusOne;
            return true;
        }

        root = default;
        return false;
    }

    /// <summary>
    /// sqrt(u/v) for RFC 8032 point decoding with one exponentiation: x = u·v³·(u·v⁷)^((p−5)/8).
    /// </summary>
    internal static bool TrySqrtRatio(in FieldElement u, in FieldElement v, out FieldElement root)
    {
        FieldElement v3 = Square(v) * v;
        FieldElement v7 = Square(v3) * v;
        FieldElement x = u * v3 * Pow22523(u * v7);
        FieldElement vx2 = v * Square(x);
        if (vx2.Equals(u))
        {
            root = x;
            return true;
        }

        if (vx2.Equals(-u))
        {
            root = x * SqrtMinusOne;
            return true;
        }

        root = default;
        return false;
    }
}
