using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Privomega.Pir.Engine;

/// <summary>
/// One shard's share of the answer to one query (see <see cref="PirSharding"/>). Encoded as the version byte,
/// the scheme byte, a 0x80 marker that keeps it from ever decoding as a whole answer, then the payload: the
/// shard's XOR of selected rows (record bytes) for the XOR schemes, or little-endian 64-bit residues for the
/// lattice scheme.
/// </summary>
public sealed class PirPartialAnswer
{
    /// <summary>Marker byte after the header.</summary>
    internal const byte Marker = 0x80;

    private const int HeaderLength = PirWireHeader.Length + 1;

    private readonly byte[] _payload;

    internal PirPartialAnswer(PirSchemeKind scheme, byte[] payload)
    {
        Scheme = scheme;
        _payload = payload;
    }

    /// <summary>The scheme of the query this share answers.</summary>
    public PirSchemeKind Scheme { get; }

    /// <summary>The share's payload.</summary>
    public ReadOnlySpan<byte> Payload => _payload;

    /// <summary>Exact number of bytes <see cref="Encode(Span{byte})"/> writes.</summary>
    public int EncodedLength => HeaderLength + _payload.Length;

    /// <summary>Writes the versioned encoding; <paramref name="destination"/> must be at least <see cref="EncodedLength"/> bytes.</summary>
    public void Encode(Span<byte> destination)
    {
        PirWireHeader.CheckDestination(destination, EncodedLength);
        PirWireHeader.Write(destination, Scheme);
        destination[PirWireHeader.Length] = Marker;
        _payload.CopyTo(destination[HeaderLength..]);
    }

    /// <summary>Allocating convenience overload of <see cref="Encode(Span{byte})"/>.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength];
        Encode(bytes);
        return bytes;
    }

    /// <summary>Decodes a share of <paramref name="scheme"/> whose payload must be <paramref name="expectedPayloadBytes"/> long.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, PirSchemeKind scheme, int expectedPayloadBytes, [NotNullWhen(true)] out PirPartialAnswer? share, out PirDecodeError error)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expectedPayloadBytes);
        share = null;
        if (!PirWireHeader.TryRead(source, scheme, "partial answer", out error))
        {
            return false;
        }

        if (source.Length < HeaderLength)
        {
            error = new PirDecodeError(PirDecodeStatus.Truncated, "partial answer header", source.Length, HeaderLength);
            return false;
        }

        if (source[PirWireHeader.Length] != Marker)
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, "partial answer marker", source[PirWireHeader.Length], Marker);
            return false;
        }

        if (!PirWireHeader.TryCheckLength(source, (long)HeaderLength + expectedPayloadBytes, "partial answer", out error))
        {
            return false;
        }

        share = new PirPartialAnswer(scheme, source[HeaderLength..].ToArray());
        return true;
    }

    /// <summary>Decodes a share or throws <see cref="PirFormatException"/>.</summary>
    public static PirPartialAnswer Decode(ReadOnlySpan<byte> source, PirSchemeKind scheme, int expectedPayloadBytes)
    {
        if (!TryDecode(source, scheme, expectedPayloadBytes, out var share, out var error))
        {
            ThrowHelper.Format(error);
        }

        return share!;
    }

    internal static PirPartialAnswer FromResidues(ulong[][] residues)
    {
        long count = 0;
        foreach (var r in residues)
        {
            count += r.Length;
        }

        var payload = new byte[checked(count * sizeof(ulong))];
        int offset = 0;
        foreach (var r in residues)
        {
            foreach (ulong v in r)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(offset), v);
                offset += sizeof(ulong);
            }
        }

        return new PirPartialAnswer(PirSchemeKind.Lattice, payload);
    }

    internal ulong[][] ToResidues(int parts, int perPart)
    {
        var result = new ulong[parts][];
        for (int p = 0; p < parts; p++)
        {
            var values = new ulong[perPart];
            for (int i = 0; i < perPart; i++)
            {
                values[i] = BinaryPrimitives.ReadUInt64LittleEndian(_payload.AsSpan(((p * perPart) + i) * sizeof(ulong)));
            }

            result[p] = values;
        }

        return result;
    }
}
