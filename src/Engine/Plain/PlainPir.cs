using System.Diagnostics.CodeAnalysis;

namespace Privomega.Pir.Engine;

/// <summary>
/// A query that names its index in the clear: no privacy. The baseline the generic scheme tests run against.
/// Encoding: <c>version ‖ scheme ‖ index (int64 LE)</c>.
/// </summary>
public sealed class PlainQuery : PirQuery
{
    /// <summary>Exact encoded length.</summary>
    public const int Length = PirWireHeader.Length + sizeof(long);

    /// <summary>Creates a query for <paramref name="index"/>.</summary>
    public PlainQuery(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Index = index;
    }

    /// <inheritdoc />
    public override PirSchemeKind Scheme => PirSchemeKind.Plain;

    /// <summary>The record asked for.</summary>
    public long Index { get; }

    /// <inheritdoc />
    public override int EncodedLength => Length;

    /// <inheritdoc />
    public override void Encode(Span<byte> destination)
    {
        PirWireHeader.CheckDestination(destination, Length);
        PirWireHeader.Write(destination, Scheme);
        PirWireHeader.WriteInt64(destination, PirWireHeader.Length, Index);
    }

    /// <summary>Decodes a query for a database of <paramref name="recordCount"/> records; throws <see cref="PirFormatException"/> on bad bytes.</summary>
    public static PlainQuery Decode(ReadOnlySpan<byte> source, long recordCount)
    {
        if (!TryDecode(source, recordCount, out PlainQuery? query, out PirDecodeError error))
        {
            ThrowHelper.Format(error);
        }

        return query;
    }

    /// <summary>Decodes a query for a database of <paramref name="recordCount"/> records; false with a typed error on bad bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, long recordCount, [NotNullWhen(true)] out PlainQuery? query, out PirDecodeError error)
    {
        // A non-positive count would turn the unsigned index check below into "accept any index".
        ArgumentOutOfRangeException.ThrowIfLessThan(recordCount, 1);
        query = null;
        if (!PirWireHeader.TryRead(source, PirSchemeKind.Plain, "plain query", out error)
            || !PirWireHeader.TryCheckLength(source, Length, "plain query", out error))
        {
            return false;
        }

        long index = PirWireHeader.ReadInt64(source, PirWireHeader.Length);
        if ((ulong)index >= (ulong)recordCount)
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, "plain query index", index, recordCount);
            return false;
        }

        query = new PlainQuery(index);
        return true;
    }
}

/// <summary>The record itself. Encoding: <c>version ‖ scheme ‖ R (int32 LE) ‖ R bytes</c>.</summary>
public sealed class PlainAnswer : PirAnswer
{
    private const int HeaderLength = PirWireHeader.Length + sizeof(int);
    private readonly byte[] _record;

    /// <summary>Creates an answer holding <paramref name="record"/>.</summary>
    public PlainAnswer(ReadOnlySpan<byte> record)
    {
        if (record.IsEmpty)
        {
            ThrowHelper.ArgumentLengthAtLeast(nameof(record), 0, 1);
        }

        _record = record.ToArray();
    }

    /// <inheritdoc />
    public override PirSchemeKind Scheme => PirSchemeKind.Plain;

    /// <summary>The record.</summary>
    public ReadOnlySpan<byte> Record => _record;

    /// <inheritdoc />
    public override int EncodedLength => HeaderLength + _record.Length;

    /// <inheritdoc />
    public override void Encode(Span<byte> destination)
    {
        PirWireHeader.CheckDestination(destination, EncodedLength);
        PirWireHeader.Write(destination, Scheme);
        PirWireHeader.WriteInt32(destination, PirWireHeader.Length, _record.Length);
        _record.CopyTo(destination[HeaderLength..]);
    }

    /// <summary>Decodes an answer for <paramref name="recordBytes"/>-byte records; throws <see cref="PirFormatException"/> on bad bytes.</summary>
    public static PlainAnswer Decode(ReadOnlySpan<byte> source, int recordBytes)
    {
        if (!TryDecode(source, recordBytes, out PlainAnswer? answer, out PirDecodeError error))
        {
            ThrowHelper.Format(error);
        }

        return answer;
    }

    /// <summary>Decodes an answer for <paramref name="recordBytes"/>-byte records; false with a typed error on bad bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, int recordBytes, [NotNullWhen(true)] out PlainAnswer? answer, out PirDecodeError error)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recordBytes, 1);
        answer = null;
        if (!PirWireHeader.TryRead(source, PirSchemeKind.Plain, "plain answer", out error))
        {
            return false;
        }

        if (source.Length < HeaderLength)
        {
            error = new PirDecodeError(PirDecodeStatus.Truncated, "plain answer header", source.Length, HeaderLength);
            return false;
        }

        if (!PirWireHeader.TryCheckValue(PirWireHeader.ReadInt32(source, PirWireHeader.Length), recordBytes, "plain answer record bytes", out error)
            || !PirWireHeader.TryCheckLength(source, (long)HeaderLength + recordBytes, "plain answer", out error))
        {
            return false;
        }

        answer = new PlainAnswer(source[HeaderLength..]);
        return true;
    }
}

/// <summary>Client of the no-privacy baseline: one server, the query is the index.</summary>
public sealed class PlainPirClient : IPirClient
{
    /// <summary>Creates a client for <paramref name="recordCount"/> records of <paramref name="recordBytes"/> bytes.</summary>
    public PlainPirClient(long recordCount, int recordBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recordCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(recordBytes, 1);
        RecordCount = recordCount;
        RecordBytes = recordBytes;
    }

    /// <inheritdoc />
    public PirSchemeKind Scheme => PirSchemeKind.Plain;

    /// <inheritdoc />
    public int ServerCount => 1;

    /// <inheritdoc />
    public PirEvaluationKey? EvaluationKey => null;

    /// <summary>Number of records.</summary>
    public long RecordCount { get; }

    /// <inheritdoc />
    public int RecordBytes { get; }

    /// <inheritdoc />
    public PirQuery[] Query(long index)
    {
        ValidateIndex(index);
        return [new PlainQuery(index)];
    }

    /// <inheritdoc />
    public byte[] Recover(long index, ReadOnlySpan<PirAnswer> answers)
    {
        ValidateIndex(index);
        if (answers.Length != ServerCount)
        {
            ThrowHelper.ArgumentLength(nameof(answers), answers.Length, ServerCount);
        }

        if (answers[0] is not PlainAnswer answer)
        {
            ThrowHelper.Argument(nameof(answers), $"answers[0] is a {answers[0]?.Scheme.ToString() ?? "null"} answer; expected {PirSchemeKind.Plain}.");
            return [];
        }

        if (answer.Record.Length != RecordBytes)
        {
            ThrowHelper.Argument(nameof(answers), $"answers[0] holds {answer.Record.Length} bytes; expected {RecordBytes}.");
        }

        return answer.Record.ToArray();
    }

    private void ValidateIndex(long index)
    {
        if ((ulong)index >= (ulong)RecordCount)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(index), index, $"0 <= index < {RecordCount}");
        }
    }
}

/// <summary>Server of the no-privacy baseline: returns the named record.</summary>
public sealed class PlainPirServer : IPirServer
{
    private readonly PirDatabase _database;

    /// <summary>Creates a server over <paramref name="database"/>, which it does not own.</summary>
    public PlainPirServer(PirDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public PirSchemeKind Scheme => PirSchemeKind.Plain;

    /// <inheritdoc />
    public bool NeedsEvaluationKey => false;

    /// <inheritdoc />
    public PirAnswer Answer(PirQuery query, PirEvaluationKey? evaluationKey = null)
    {
        if (query is not PlainQuery plain)
        {
            ThrowHelper.Argument(nameof(query), $"query is a {query?.Scheme.ToString() ?? "null"} query; expected {PirSchemeKind.Plain}.");
            return null;
        }

        // CopyRecord holds a scan reference, so a concurrent Dispose cannot free the row mid-copy.
        return new PlainAnswer(_database.CopyRecord(plain.Index));
    }

    /// <inheritdoc />
    public PirAnswer[] AnswerBatch(ReadOnlySpan<PirQuery> queries, ReadOnlySpan<PirEvaluationKey> evaluationKeys = default)
    {
        var answers = new PirAnswer[queries.Length];
        for (int q = 0; q < queries.Length; q++)
        {
            answers[q] = Answer(queries[q]);
        }

        return answers;
    }
}
