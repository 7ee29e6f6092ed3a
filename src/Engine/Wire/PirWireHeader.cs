using System.Buffers.Binary;

namespace Privomega.Pir.Engine;

/// <summary>
/// The two header bytes every query and answer starts with (<see cref="PirWire.Version"/>, scheme) and the
/// little-endian field readers the codecs share, so every decoder checks length, version and scheme the same way.
/// </summary>
internal static class PirWireHeader
{
    /// <summary>Bytes of version plus scheme.</summary>
    internal const int Length = 2;

    internal static void Write(Span<byte> destination, PirSchemeKind scheme)
    {
        destination[0] = PirWire.Version;
        destination[1] = (byte)scheme;
    }

    /// <summary>Checks the version and scheme bytes of <paramref name="source"/>.</summary>
    /// <remarks>Callers check the total length afterwards, so a blob of another version or scheme is named as such rather than as a size mismatch.</remarks>
    internal static bool TryRead(ReadOnlySpan<byte> source, PirSchemeKind scheme, string field, out PirDecodeError error)
    {
        if (source.Length < Length)
        {
            error = new PirDecodeError(PirDecodeStatus.Truncated, field, source.Length, Length);
            return false;
        }

        if (source[0] != PirWire.Version)
        {
            error = new PirDecodeError(PirDecodeStatus.WrongVersion, field, source[0], PirWire.Version);
            return false;
        }

        if (source[1] != (byte)scheme)
        {
            error = new PirDecodeError(PirDecodeStatus.WrongScheme, field, source[1], (byte)scheme);
            return false;
        }

        error = PirDecodeError.None;
        return true;
    }

    /// <summary>Checks that <paramref name="source"/> is exactly <paramref name="expectedLength"/> bytes.</summary>
    internal static bool TryCheckLength(ReadOnlySpan<byte> source, long expectedLength, string field, out PirDecodeError error)
    {
        if (source.Length < expectedLength)
        {
            error = new PirDecodeError(PirDecodeStatus.Truncated, field, source.Length, expectedLength);
            return false;
        }

        if (source.Length > expectedLength)
        {
            error = new PirDecodeError(PirDecodeStatus.Oversized, field, source.Length, expectedLength);
            return false;
        }

        error = PirDecodeError.None;
        return true;
    }

    /// <summary>Checks that an encoded field equals the value the decoder was told to expect.</summary>
    internal static bool TryCheckValue(long found, long expected, string field, out PirDecodeError error)
    {
        error = found == expected ? PirDecodeError.None : new PirDecodeError(PirDecodeStatus.BadValue, field, found, expected);
        return found == expected;
    }

    internal static long ReadInt64(ReadOnlySpan<byte> source, int offset) => BinaryPrimitives.ReadInt64LittleEndian(source[offset..]);

    internal static int ReadInt32(ReadOnlySpan<byte> source, int offset) => BinaryPrimitives.ReadInt32LittleEndian(source[offset..]);

    internal static void WriteInt64(Span<byte> destination, int offset, long value) => BinaryPrimitives.WriteInt64LittleEndian(destination[offset..], value);

    internal static void WriteInt32(Span<byte> destination, int offset, int value) => BinaryPrimitives.WriteInt32LittleEndian(destination[offset..], value);

    /// <summary>Validates a destination span for <c>Encode</c>.</summary>
    internal static void CheckDestination(Span<byte> destination, int encodedLength)
    {
        if (destination.Length < encodedLength)
        {
            ThrowHelper.ArgumentLengthAtLeast(nameof(destination), destination.Length, encodedLength);
        }
    }
}
