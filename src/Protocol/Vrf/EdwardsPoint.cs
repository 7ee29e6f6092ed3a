using System.Diagnostics;

namespace Privomega.Protocol.Vrf;

/// <summary>
/// A point of edwards25519 (−x² + y² = 1 + d·x²·y²) in extended coordinates (X : Y : Z : T),
/// x = X/Z, y = Y/Z, x·y = T/Z. Only what libsodium's API cannot do for the VRF lives here:
/// strict RFC 8032 decoding of arbitrary curve points, doubling (for cofactor clearing of points
/// outside the prime-order subgroup, which libsodium's noclamp multiplication refuses), and encoding.
/// Variable time; it only ever handles public points.
/// </summary>
internal readonly struct EdwardsPoint
{
    internal const int EncodedSize = 32;

    private readonly FieldElement _x, _y, _z, _t;

    private EdwardsPoint(FieldElement x, FieldElement y, FieldElement z, FieldElement t)
    {
        _x = x;
        _y = y;
        _z = z;
        _t = t;
    }

    internal static EdwardsPoint Identity => new(FieldElement.Zero, FieldElement.One, FieldElement.One, FieldElement.Zero);

    /// <summary>From affine coordinates the caller knows to be on the curve.</summary>
    internal static EdwardsPoint FromAffine(FieldElement x, FieldElement y)
    {
        Debug.Assert(IsOnCurve(x, y));
        return new EdwardsPoint(x, y, FieldElement.One, x * y);
    }

    internal static bool IsOnCurve(FieldElement x, FieldElement y)
    {
        FieldElement x2 = FieldElement.Square(x);
        FieldElement y2 = FieldElement.Square(y);
        return (y2 - x2).Equals(FieldElement.One + FieldElement.D * x2 * y2);
    }

    /// <summary>
    /// True if the 255-bit y of an encoding is canonical (&lt; p). The only non-canonical values are
    /// p..2^255−1, i.e. bytes 1..30 all 0xff, byte 31 (sign bit masked) 0x7f and byte 0 ≥ 0xed.
    /// </summary>
    internal static bool HasCanonicalY(ReadOnlySpan<byte> encoded)
    {
        Debug.Assert(encoded.Length == EncodedSize);
        return (encoded[31] & 0x7f) != 0x7f || encoded[1..31].ContainsAnyExcept((byte)0xff) || encoded[0] < 0xed;
    }

    /// <summary>
    /// Strict RFC 8032 section 5.1.3 decoding: rejects y ≥ p, y with no x on the curve, and the
    /// encodings of x = 0 with the sign bit set. Accepts points of any order (the caller decides).
    /// </summary>
    internal static bool TryDecode(ReadOnlySpan<byte> encoded, out EdwardsPoint point)
    {
        point = default;
        if (encoded.Length != EncodedSize || !HasCanonicalY(encoded))
        {
            return false;
        }

        bool sign = (encoded[31] & 0x80) != 0;
        FieldElement y = FieldElement.FromBytes(encoded);
        FieldElement y2 = FieldElement.Square(y);
        FieldElement u = y2 - FieldElement.One;
        FieldElement v = FieldElement.D * y2 + FieldElement.One;
        if (!FieldElement.TrySqrtRatio(u, v, out FieldElement x))
        {
            return false;
        }

        bool xIsZero = x.IsZero;
        if (xIsZero && sign)
        {
            return false;
        }

        if (x.IsNegative != sign)
        {
            x = -x;
        }

        point = new EdwardsPoint(x, y, FieldElement.One, x * y);
        return true;
    }

    /// <summary>RFC 8032 encoding: y, with the low bit of x in bit 255.</summary>
    internal void Encode(Span<byte> destination)
    {
        Debug.Assert(destination.Length >= EncodedSize);
        FieldElement zInverse = FieldElement.Invert(_z);
        FieldElement x = _x * zInverse;
        FieldElement y = _y * zInverse;
        y.ToBytes(destination);
        if (x.IsNegative)
        {
            destination[31] |= 0x80;
        }
    }

    /// <summary>True for the neutral element (0, 1).</summary>
    internal bool IsIdentity => _x.IsZero && _y.Equals(_z);

    /// <summary>2·P (dbl-2008-hwcd with a = −1).</summary>
    internal EdwardsPoint Double()
    {
        FieldElement a = FieldElement.Square(_x);
        FieldElement b = FieldElement.Square(_y);
        FieldElement c = FieldElement.Square(_z);
        c += c;
        FieldElement e = FieldElement.Square(_x + _y) - a - b;
        FieldElement g = b - a;
        FieldElement f = g - c;
        FieldElement h = -a - b;
        return new EdwardsPoint(e * f, g * h, f * g, e * h);
    }

    /// <summary>8·P: clears the cofactor of edwards25519 by three doublings.</summary>
    internal EdwardsPoint MultiplyByCofactor() => Double().Double().Double();

    /// <summary>Affine coordinates (for tests).</summary>
    internal (FieldElement X, FieldElement Y) ToAffine()
    {
        FieldElement zInverse = FieldElement.Invert(_z);
        return (_x * zInverse, _y * zInverse);
    }
}
