using System.Security.Cryptography;

namespace Privomega.Pir.Engine;

/// <summary>
/// The client of bit-vector XOR PIR (Chor–Goldreich–Kushilevitz–Sudan): share A is N uniformly random bits from the
/// operating system's CSPRNG, share B = A ⊕ e_i; each server alone sees a uniformly random vector. The record is
/// the XOR of the two answers. The pair <see cref="Query"/> returns reveals the index: dispose each share once sent.
/// </summary>
public sealed class XorPirClient : IPirClient
{
    /// <summary>Creates a client for a database of <paramref name="recordCount"/> records of <paramref name="recordBytes"/> bytes.</summary>
    public XorPirClient(long recordCount, int recordBytes)
    {
        if (recordCount < 1 || recordCount > XorQuery.MaxRecordCount)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordCount), recordCount, $"1 <= recordCount <= {XorQuery.MaxRecordCount}");
        }

        if (recordBytes < 1 || recordBytes > XorAnswer.MaxRecordBytes)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordBytes), recordBytes, $"1 <= recordBytes <= {XorAnswer.MaxRecordBytes}");
        }

        RecordCount = recordCount;
        RecordBytes = recordBytes;
    }

    /// <inheritdoc />
    public PirSchemeKind Scheme => PirSchemeKind.XorBitVector;

    /// <inheritdoc />
    public int ServerCount => 2;

    /// <inheritdoc />
    public PirEvaluationKey? EvaluationKey => null;

    /// <summary>Number of records N.</summary>
    public long RecordCount { get; }

    /// <inheritdoc />
    public int RecordBytes { get; }

    /// <summary>Bytes of one encoded share: what the client uploads to each server.</summary>
    public int QueryBytes => XorQuery.EncodedLengthFor(RecordCount);

    /// <summary>Bytes of one encoded answer: what each server returns.</summary>
    public int AnswerBytes => XorAnswer.EncodedLengthFor(RecordBytes);

    /// <inheritdoc />
    public PirQuery[] Query(long index)
    {
        ValidateIndex(index);
        var shareA = new ulong[XorQuery.WordsFor(RecordCount)];
        try
        {
            RandomNumberGenerator.Fill(System.Runtime.InteropServices.MemoryMarshal.AsBytes(shareA.AsSpan()));
            shareA[^1] &= XorQuery.LastWordMask(RecordCount);
            var a = new XorQuery(RecordCount, shareA);
            shareA[index >> 6] ^= 1UL << (int)(index & 63);
            var b = new XorQuery(RecordCount, shareA);
            return [a, b];
        }
        finally
        {
            Array.Clear(shareA);
        }
    }

    /// <inheritdoc />
    public byte[] Recover(long index, ReadOnlySpan<PirAnswer> answers)
    {
        ValidateIndex(index);
        return XorAnswer.CombineShares(answers, ServerCount, PirSchemeKind.XorBitVector, RecordBytes);
    }

    private void ValidateIndex(long index)
    {
        if ((ulong)index >= (ulong)RecordCount)
        {
            ThrowHelper.SecretIndexOutOfRange(nameof(index), RecordCount);
        }
    }
}
