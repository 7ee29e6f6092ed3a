using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Privomega.Pir.Engine;

/// <summary>
/// One server's share of a two-server XOR PIR query: an N-bit selection vector (bit <c>k</c> selects record <c>k</c>).
/// Encoding: <c>version ‖ scheme ‖ N (int64 LE) ‖ ⌈N/8⌉ bytes of bits, bit k in byte k/8 at bit k%8</c>; bits past N must be zero,
/// so every query has exactly one encoding.
/// </summary>
public sealed class XorQuery : PirQuery
{
    private const int HeaderLength = PirWireHeader.Length + sizeof(long);
    private readonly ulong[] _words;

    /// <summary>Creates a share from its selection words (⌈N/64⌉ of them, bits past N zero).</summary>
    public XorQuery(long recordCount, ReadOnlySpan<ulong> selection)
    {
        if (recordCount < 1 || recordCount > MaxRecordCount)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordCount), recordCount, $"1 <= recordCount <= {MaxRecordCount}");
        }

        long words = WordsFor(recordCount);
        if (selection.Length != words)
        {
            ThrowHelper.ArgumentLength(nameof(selection), selection.Length, words);
        }

        if ((selection[^1] & ~LastWordMask(recordCount)) != 0)
        {
            ThrowHelper.Argument(nameof(selection), $"selection has bits set past recordCount = {recordCount}.");
        }

        RecordCount = recordCount;
        _words = selection.ToArray();
    }

    private XorQuery(long recordCount, ulong[] words)
    {
        RecordCount = recordCount;
        _words = words;
    }

    /// <summary>Largest N an encoding can carry: its bit bytes must fit one array.</summary>
    public const long MaxRecordCount = (0x7FFFFFC7L - HeaderLength) * 8; // 0x7FFFFFC7 = Array.MaxLength

    /// <inheritdoc />
    public override PirSchemeKind Scheme => PirSchemeKind.XorBitVector;

    /// <summary>Number of records N the share selects from.</summary>
    public long RecordCount { get; }

    /// <summary>The selection words, bit <c>k</c> in word <c>k/64</c> at bit <c>k%64</c>.</summary>
    public ReadOnlySpan<ulong> Selection => _words;

    /// <inheritdoc />
    public override int EncodedLength => EncodedLengthFor(RecordCount);

    /// <summary>Encoded bytes of a share for <paramref name="recordCount"/> records.</summary>
    public static int EncodedLengthFor(long recordCount) => HeaderLength + (int)((recordCount + 7) / 8);

    /// <inheritdoc />
    public override void Encode(Span<byte> destination)
    {
        int length = EncodedLength;
        PirWireHeader.CheckDestination(destination, length);
        PirWireHeader.Write(destination, Scheme);
        PirWireHeader.WriteInt64(destination, PirWireHeader.Length, RecordCount);
        Span<byte> bits = destination[HeaderLength..length];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(_words.AsSpan())[..bits.Length].CopyTo(bits);
        }
        else
        {
            for (int i = 0; i < bits.Length; i++)
            {
                bits[i] = (byte)(_words[i >> 3] >> ((i & 7) * 8));
            }
        }
    }

    /// <summary>Decodes a share for a database of <paramref name="expectedRecordCount"/> records; throws <see cref="PirFormatException"/> on bad bytes.</summary>
    public static XorQuery Decode(ReadOnlySpan<byte> source, long expectedRecordCount)
    {
        if (!TryDecode(source, expectedRecordCount, out XorQuery? query, out PirDecodeError error))
        {
            ThrowHelper.Format(error);
        }

        return query;
    }

    /// <summary>Decodes a share for a database of <paramref name="expectedRecordCount"/> records; false with a typed error on bad bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, long expectedRecordCount, [NotNullWhen(true)] out XorQuery? query, out PirDecodeError error)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedRecordCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(expectedRecordCount, MaxRecordCount);
        query = null;
        if (!PirWireHeader.TryRead(source, PirSchemeKind.XorBitVector, "xor query", out error))
        {
            return false;
        }

        if (source.Length < HeaderLength)
        {
            error = new PirDecodeError(PirDecodeStatus.Truncated, "xor query header", source.Length, HeaderLength);
            return false;
        }

        if (!PirWireHeader.TryCheckValue(PirWireHeader.ReadInt64(source, PirWireHeader.Length), expectedRecordCount, "xor query record count", out error)
            || !PirWireHeader.TryCheckLength(source, EncodedLengthFor(expectedRecordCount), "xor query", out error))
        {
            return false;
        }

        ReadOnlySpan<byte> bits = source[HeaderLength..];
        var words = new ulong[WordsFor(expectedRecordCount)];
        Span<byte> wordBytes = MemoryMarshal.AsBytes(words.AsSpan());
        bits.CopyTo(wordBytes);
        if (!BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(words, words);
        }

        ulong stray = words[^1] & ~LastWordMask(expectedRecordCount);
        if (stray != 0)
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, "xor query bits set past record count", BitOperations.PopCount(stray), 0);
            return false;
        }

        query = new XorQuery(expectedRecordCount, words);
        return true;
    }

    /// <summary>Words of selection for <paramref name="recordCount"/> records.</summary>
    internal static long WordsFor(long recordCount) => (recordCount + 63) / 64;

    /// <summary>Mask of the bits of the last selection word that name records.</summary>
    internal static ulong LastWordMask(long recordCount)
    {
        int used = (int)(recordCount % 64);
        return used == 0 ? ulong.MaxValue : (1UL << used) - 1;
    }

    /// <summary>The words, for servers that hand them to the kernels without a copy.</summary>
    internal ulong[] Words => _words;
}
