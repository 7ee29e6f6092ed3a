using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Privomega.Pir.Engine;

namespace Privomega.Protocol.Tokens;

/// <summary>
/// One codec for the three token messages, used by issuer and client alike. Each starts with
/// <c>version (1) ‖ kind (1) ‖ key period (u64 BE)</c>; sizes after that come from the period's key,
/// so a decoder is always given the exact sizes it must find.
/// </summary>
public static class TokenWire
{
    public const byte Version = 1;

    /// <summary>version ‖ kind ‖ period.</summary>
    public const int HeaderSize = 10;

    /// <summary>Reads the common header; the caller then looks up the period's key for the sizes.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> data, out TokenKind kind, out long period, out PirDecodeError error)
    {
        kind = default;
        period = 0;
        if (data.Length < HeaderSize)
        {
            error = new PirDecodeError(PirDecodeStatus.Truncated, "token header", data.Length, HeaderSize);
            return false;
        }

        if (data[0] != Version)
        {
            error = new PirDecodeError(PirDecodeStatus.WrongVersion, "token version", data[0], Version);
            return false;
        }

        if (data[1] is not ((byte)TokenKind.Voprf or (byte)TokenKind.RsaBlind))
        {
            error = new PirDecodeError(PirDecodeStatus.WrongScheme, "token kind", data[1], (byte)TokenKind.Voprf);
            return false;
        }

        ulong rawPeriod = BinaryPrimitives.ReadUInt64BigEndian(data[2..]);
        if (rawPeriod > long.MaxValue)
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, "token period", unchecked((long)rawPeriod), long.MaxValue);
            return false;
        }

        kind = (TokenKind)data[1];
        period = (long)rawPeriod;
        error = PirDecodeError.None;
        return true;
    }

    internal static void WriteHeader(Span<byte> destination, TokenKind kind, long period)
    {
        destination[0] = Version;
        destination[1] = (byte)kind;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)period);
    }

    /// <summary>Header, then a u16 count and <c>count × elementSize + trailerSize</c> bytes.</summary>
    internal static bool TryReadBatch(ReadOnlySpan<byte> data, string field, int elementSize, int trailerSize, int maxCount,
        out TokenKind kind, out long period, out int count, out ReadOnlySpan<byte> body, out PirDecodeError error)
    {
        count = 0;
        body = default;
        if (!TryReadHeader(data, out kind, out period, out error))
        {
            return false;
        }

        if (data.Length < HeaderSize + 2)
        {
            error = new PirDecodeError(PirDecodeStatus.Truncated, field, data.Length, HeaderSize + 2);
            return false;
        }

        count = BinaryPrimitives.ReadUInt16BigEndian(data[HeaderSize..]);
        if (count == 0 || count > maxCount)
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, field + " count", count, maxCount);
            return false;
        }

        long expected = HeaderSize + 2 + ((long)count * elementSize) + trailerSize;
        if (data.Length != expected)
        {
            error = new PirDecodeError(data.Length < expected ? PirDecodeStatus.Truncated : PirDecodeStatus.Oversized, field, data.Length, expected);
            return false;
        }

        body = data[(HeaderSize + 2)..];
        return true;
    }

    internal static byte[] EncodeBatch(TokenKind kind, long period, int count, ReadOnlySpan<byte> body)
    {
        byte[] result = new byte[HeaderSize + 2 + body.Length];
        WriteHeader(result, kind, period);
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(HeaderSize), (ushort)count);
        body.CopyTo(result.AsSpan(HeaderSize + 2));
        return result;
    }
}

/// <summary>A token ready to spend: <c>header ‖ input ‖ authenticator</c>, with sizes fixed by the kind and key.</summary>
public sealed class AnonymousToken
{
    internal AnonymousToken(TokenKind kind, long period, byte[] input, byte[] authenticator)
    {
        Kind = kind;
        Period = period;
        Input = input;
        Authenticator = authenticator;
    }

    public TokenKind Kind { get; }

    public long Period { get; }

    public ReadOnlyMemory<byte> Input { get; }

    public ReadOnlyMemory<byte> Authenticator { get; }

    public byte[] Encode()
    {
        byte[] result = new byte[TokenWire.HeaderSize + Input.Length + Authenticator.Length];
        TokenWire.WriteHeader(result, Kind, Period);
        Input.Span.CopyTo(result.AsSpan(TokenWire.HeaderSize));
        Authenticator.Span.CopyTo(result.AsSpan(TokenWire.HeaderSize + Input.Length));
        return result;
    }

    /// <summary>Decodes a token whose key has the given input and authenticator sizes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, int inputSize, int authenticatorSize, [NotNullWhen(true)] out AnonymousToken? token, out PirDecodeError error)
    {
        token = null;
        if (!TokenWire.TryReadHeader(data, out TokenKind kind, out long period, out error))
        {
            return false;
        }

        int expected = TokenWire.HeaderSize + inputSize + authenticatorSize;
        if (data.Length != expected)
        {
            error = new PirDecodeError(data.Length < expected ? PirDecodeStatus.Truncated : PirDecodeStatus.Oversized, "token", data.Length, expected);
            return false;
        }

        token = new AnonymousToken(kind, period, data.Slice(TokenWire.HeaderSize, inputSize).ToArray(), data[(TokenWire.HeaderSize + inputSize)..].ToArray());
        return true;
    }

    public static AnonymousToken Decode(ReadOnlySpan<byte> data, int inputSize, int authenticatorSize) =>
        TryDecode(data, inputSize, authenticatorSize, out AnonymousToken? token, out PirDecodeError error) ? token : throw new PirFormatException(error);
}
