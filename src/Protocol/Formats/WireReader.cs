using System.Buffers.Binary;

namespace Privomega.Protocol.Formats;

/// <summary>
/// Reads a fixed-layout format field by field. Every read is bounds-checked; the first failure
/// records a typed error naming the field and the reader then refuses everything, so decoders are
/// straight-line code ending in one <see cref="Finish"/> check.
/// </summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _format;
    private int _position;

    public WireReader(ReadOnlySpan<byte> data, string format)
    {
        _data = data;
        _format = format;
        _position = 0;
        Error = ProtocolDecodeError.None;
    }

    public ProtocolDecodeError Error { get; private set; }

    public readonly bool Failed => Error.IsError;

    public readonly int Position => _position;

    /// <summary>Reads the version byte and checks it against <paramref name="expected"/>.</summary>
    public bool ReadVersion(byte expected)
    {
        if (!TryTake(1, "version", out var b))
        {
            return false;
        }

        if (b[0] != expected)
        {
            return Fail(ProtocolDecodeStatus.WrongVersion, "version", b[0], expected);
        }

        return true;
    }

    public ReadOnlySpan<byte> ReadBytes(int length, string field) => TryTake(length, field, out var bytes) ? bytes : default;

    public byte ReadByte(string field) => TryTake(1, field, out var bytes) ? bytes[0] : (byte)0;

    public ulong ReadUInt64(string field) => TryTake(sizeof(ulong), field, out var bytes) ? BinaryPrimitives.ReadUInt64BigEndian(bytes) : 0;

    public uint ReadUInt32(string field) => TryTake(sizeof(uint), field, out var bytes) ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : 0;

    /// <summary>Bytes not yet read.</summary>
    public readonly int Remaining => _data.Length - _position;

    public ushort ReadUInt16(string field) => TryTake(sizeof(ushort), field, out var bytes) ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : (ushort)0;

    /// <summary>Records a value error unless an earlier error is already recorded; always returns false.</summary>
    public bool Fail(ProtocolDecodeStatus status, string field, long found, long expected)
    {
        if (!Failed)
        {
            Error = new ProtocolDecodeError(status, field, found, expected);
        }

        return false;
    }

    /// <summary>Checks that every byte was consumed; returns the first error, if any.</summary>
    public bool Finish(out ProtocolDecodeError error)
    {
        if (!Failed && _position != _data.Length)
        {
            Fail(ProtocolDecodeStatus.Oversized, _format, _data.Length, _position);
        }

        error = Error;
        return !Failed;
    }

    private bool TryTake(int length, string field, out ReadOnlySpan<byte> bytes)
    {
        if (Failed)
        {
            bytes = default;
            return false;
        }

        if (_data.Length - _position < length)
        {
            bytes = default;
            return Fail(ProtocolDecodeStatus.Truncated, field, _data.Length - _position, length);
        }

        bytes = _data.Slice(_position, length);
        _position += length;
        return true;
    }
}

/// <summary>Writes a fixed-layout format; the caller sized the destination exactly.</summary>
internal ref struct WireWriter
{
    private readonly Span<byte> _data;
    private int _position;

    public WireWriter(Span<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Position => _position;

    public void WriteByte(byte value) => _data[_position++] = value;

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_data[_position..]);
        _position += value.Length;
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_data[_position..], value);
        _position += sizeof(ulong);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_data[_position..], value);
        _position += sizeof(uint);
    }

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_data[_position..], value);
        _position += sizeof(ushort);
    }

    public void WriteZeros(int count)
    {
        _data.Slice(_position, count).Clear();
        _position += count;
    }
}
