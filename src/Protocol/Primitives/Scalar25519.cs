using System.Buffers.Binary;
using System.Diagnostics;

namespace Privomega.Protocol.Primitives;

/// <summary>Checks on 32-byte little-endian scalars of edwards25519, whose group order is L = 2^252 + 27742317777372353535851937790883648493.</summary>
internal static class Scalar25519
{
    // L as four little-endian 64-bit words.
    private const ulong L0 = 0x5812631a5cf5d3ed;
    private const ulong L1 = 0x14def9dea2f79cd6;
    private const ulong L2 = 0x0000000000000000;
    private const ulong L3 = 0x1000000000000000;

    /// <summary>True if the scalar is below L (the encoding RFC 8032 requires for S). Not constant time: S is public.</summary>
    internal static bool IsCanonical(ReadOnlySpan<byte> scalar)
    {
        Debug.Assert(scalar.Length == 32);
        ulong s3 = BinaryPrimitives.ReadUInt64LittleEndian(scalar[24..]);
        ulong s2 = BinaryPrimitives.ReadUInt64LittleEndian(scalar[16..]);
        ulong s1 = BinaryPrimitives.ReadUInt64LittleEndian(scalar[8..]);
        ulong s0 = BinaryPrimitives.ReadUInt64LittleEndian(scalar);
        if (s3 != L3)
        {
            return s3 < L3;
        }

        if (s2 != L2)
        {
            return s2 < L2;
        }

        return s1 != L1 ? s1 < L1 : s0 < L0;
    }
}
