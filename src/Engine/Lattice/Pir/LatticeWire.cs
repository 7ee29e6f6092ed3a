using System.Diagnostics;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// Packs residues end to end at the bit length of their prime (little-endian bit order), and
/// unpacks them checking every value is below its prime and the final padding bits are zero, so
/// each polynomial has exactly one encoding.
/// </summary>
internal ref struct BitWriter
{
    private readonly Span<byte> _destination;
    private int _position;
    private ulong _buffer;
    private int _bufferBits;

    public BitWriter(Span<byte> destination)
    {
        _destination = destination;
    }

    public void Write(ulong value, int bits)
    {
        Debug.Assert(bits <= 32 && value < (1UL << bits));
        _buffer |= value << _bufferBits;
        _bufferBits += bits;
        while (_bufferBits >= 8)
        {
            _destination[_position++] = (byte)_buffer;
            _buffer >>= 8;
            _bufferBits -= 8;
        }
    }

    public void WriteAll(ReadOnlySpan<ulong> values, int bits)
    {
        foreach (ulong v in values)
        {
            Write(v, bits);
        }
    }

    /// <summary>Flushes the last partial byte (zero padded); returns bytes written.</summary>
    public int Flush()
    {
        if (_bufferBits > 0)
        {
            _destination[_position++] = (byte)_buffer;
            _buffer = 0;
            _bufferBits = 0;
        }

        return _position;
    }
}

internal ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _source;
    private int _position;
    private ulong _buffer;
    private int _bufferBits;

    public BitReader(ReadOnlySpan<byte> source)
    {
        _source = source;
    }

    public ulong Read(int bits)
    {
        while (_bufferBits < bits)
        {
            _buffer |= (ulong)_source[_position++] << _bufferBits;
            _bufferBits += 8;
        }

        ulong v = _buffer & ((1UL << bits) - 1);
        _buffer >>= bits;
        _bufferBits -= bits;
        return v;
    }

    /// <summary>Reads values of <paramref name="bits"/> bits, each required to be below <paramref name="bound"/>.</summary>
    public bool TryReadAll(Span<ulong> values, int bits, ulong bound, string field, out PirDecodeError error)
    {
        for (int i = 0; i < values.Length; i++)
        {
            ulong v = Read(bits);
            if (v >= bound)
            {
                error = new PirDecodeError(PirDecodeStatus.BadValue, field, (long)v, (long)bound - 1);
                return false;
            }

            values[i] = v;
        }

        error = PirDecodeError.None;
        return true;
    }

    /// <summary>The padding bits of the last byte must be zero.</summary>
    public readonly bool TryFinish(string field, out PirDecodeError error)
    {
        if (_bufferBits > 0 && _buffer != 0)
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, field + " padding", (long)_buffer, 0);
            return false;
        }

        error = PirDecodeError.None;
        return true;
    }
}
