using System.Diagnostics.CodeAnalysis;

namespace Privomega.Pir.Engine;

/// <summary>
/// One server's answer in two-server XOR PIR: the XOR of the records its share selected, R bytes.
/// Encoding: <c>version ‖ scheme ‖ R (int32 LE) ‖ R bytes</c>. The DPF variant of XOR PIR answers in the same form
/// with its own scheme byte, so the scheme is a parameter.
/// </summary>
public sealed class XorAnswer : PirAnswer
{
    private const int HeaderLength = PirWireHeader.Length + sizeof(int);
    private readonly byte[] _payload;

    /// <summary>Creates a bit-vector XOR PIR answer holding <paramref name="payload"/>.</summary>
    public XorAnswer(ReadOnlySpan<byte> payload)
        : this(PirSchemeKind.XorBitVector, payload)
    {
    }

    /// <summary>Creates an answer of <paramref name="scheme"/> (<see cref="PirSchemeKind.XorBitVector"/> or <see cref="PirSchemeKind.XorDpf"/>).</summary>
    public XorAnswer(PirSchemeKind scheme, ReadOnlySpan<byte> payload)
    {
        CheckScheme(scheme);
        if (payload.IsEmpty || payload.Length > MaxRecordBytes)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(payload), payload.Length, $"1 <= length <= {MaxRecordBytes}");
        }

        Scheme = scheme;
        _payload = payload.ToArray();
    }

    private XorAnswer(PirSchemeKind scheme, byte[] payload)
    {
        Scheme = scheme;
        _payload = payload;
    }

    /// <summary>Largest record an encoding can carry.</summary>
    public const int MaxRecordBytes = int.MaxValue - 64;

    /// <inheritdoc />
    public override PirSchemeKind Scheme { get; }

    /// <summary>The XOR of the selected records.</summary>
    public ReadOnlySpan<byte> Payload => _payload;

    /// <summary>Bytes per record, R.</summary>
    public int RecordBytes => _payload.Length;

    /// <inheritdoc />
    public override int EncodedLength => EncodedLengthFor(_payload.Length);

    /// <summary>Encoded bytes of an answer for <paramref name="recordBytes"/>-byte records.</summary>
    public static int EncodedLengthFor(int recordBytes)
    {
        // Past MaxRecordBytes the header plus payload would overflow int.
        if (recordBytes < 1 || recordBytes > MaxRecordBytes)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordBytes), recordBytes, $"1 <= recordBytes <= {MaxRecordBytes}");
        }

        return HeaderLength + recordBytes;
    }

    /// <inheritdoc />
    public override void Encode(Span<byte> destination)
    {
        PirWireHeader.CheckDestination(destination, EncodedLength);
        PirWireHeader.Write(destination, Scheme);
        PirWireHeader.WriteInt32(destination, PirWireHeader.Length, _payload.Length);
        _payload.CopyTo(destination[HeaderLength..]);
    }

    /// <summary>Decodes an answer for <paramref name="expectedRecordBytes"/>-byte records; throws <see cref="PirFormatException"/> on bad bytes.</summary>
    public static XorAnswer Decode(ReadOnlySpan<byte> source, int expectedRecordBytes, PirSchemeKind scheme = PirSchemeKind.XorBitVector)
    {
        if (!TryDecode(source, expectedRecordBytes, out XorAnswer? answer, out PirDecodeError error, scheme))
        {
            ThrowHelper.Format(error);
        }

        return answer;
    }

    /// <summary>Decodes an answer for <paramref name="expectedRecordBytes"/>-byte records; false with a typed error on bad bytes.</summary>
    public static bool TryDecode(
        ReadOnlySpan<byte> source, int expectedRecordBytes, [NotNullWhen(true)] out XorAnswer? answer, out PirDecodeError error, PirSchemeKind scheme = PirSchemeKind.XorBitVector)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedRecordBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(expectedRecordBytes, MaxRecordBytes);
        CheckScheme(scheme);
        answer = null;
        if (!PirWireHeader.TryRead(source, scheme, "xor answer", out error))
        {
            return false;
        }

        if (source.Length < HeaderLength)
        {
            error = new PirDecodeError(PirDecodeStatus.Truncated, "xor answer header", source.Length, HeaderLength);
            return false;
        }

        if (!PirWireHeader.TryCheckValue(PirWireHeader.ReadInt32(source, PirWireHeader.Length), expectedRecordBytes, "xor answer record bytes", out error)
            || !PirWireHeader.TryCheckLength(source, EncodedLengthFor(expectedRecordBytes), "xor answer", out error))
        {
            return false;
        }

        answer = new XorAnswer(scheme, source[HeaderLength..].ToArray());
        return true;
    }

    /// <summary>
    /// The record as the XOR of one answer per server, shared by both XOR PIR clients' Recover: each answer
    /// must be an <see cref="XorAnswer"/> of <paramref name="scheme"/> holding <paramref name="recordBytes"/> bytes.
    /// </summary>
    internal static byte[] CombineShares(ReadOnlySpan<PirAnswer> answers, int serverCount, PirSchemeKind scheme, int recordBytes)
    {
        if (answers.Length != serverCount)
        {
            ThrowHelper.ArgumentLength(nameof(answers), answers.Length, serverCount);
        }

        var record = new byte[recordBytes];
        for (int s = 0; s < answers.Length; s++)
        {
            if (answers[s] is not XorAnswer answer || answer.Scheme != scheme)
            {
                ThrowHelper.Argument(nameof(answers), $"answers[{s}] is a {answers[s]?.Scheme.ToString() ?? "null"} answer; expected {scheme}.");
                return [];
            }

            if (answer.RecordBytes != recordBytes)
            {
                ThrowHelper.Argument(nameof(answers), $"answers[{s}] holds {answer.RecordBytes} bytes; expected {recordBytes}.");
            }

            XorKernels.XorInto(record, answer.Payload);
        }

        return record;
    }

    private static void CheckScheme(PirSchemeKind scheme)
    {
        if (scheme is not (PirSchemeKind.XorBitVector or PirSchemeKind.XorDpf))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(scheme), (long)scheme, $"{PirSchemeKind.XorBitVector} or {PirSchemeKind.XorDpf}");
        }
    }
}
