namespace Privomega.Pir.Engine;

/// <summary>
/// The client of two-server XOR PIR with DPF-compressed queries: the two keys of a point function at
/// the wanted index expand to selection vectors <c>s</c> and <c>s ⊕ e_i</c>, each pseudorandom on its own,
/// so each server sees O(λ·log N) bytes that reveal nothing about <c>i</c>. The record is the XOR of the answers.
/// </summary>
public sealed class DpfPirClient : IPirClient
{
    /// <summary>Creates a client for a database of <paramref name="recordCount"/> records of <paramref name="recordBytes"/> bytes.</summary>
    public DpfPirClient(long recordCount, int recordBytes)
    {
        if (recordCount < 1 || recordCount > 1L << DpfKey.MaxDomainBits)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordCount), recordCount, $"1..2^{DpfKey.MaxDomainBits}");
        }

        if (recordBytes < 1 || recordBytes > XorAnswer.MaxRecordBytes)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordBytes), recordBytes, $"1..{XorAnswer.MaxRecordBytes}");
        }

        RecordCount = recordCount;
        RecordBytes = recordBytes;
        DomainBits = DpfQuery.DomainBitsFor(recordCount);
    }

    /// <inheritdoc />
    public PirSchemeKind Scheme => PirSchemeKind.XorDpf;

    /// <inheritdoc />
    public int ServerCount => 2;

    /// <inheritdoc />
    public PirEvaluationKey? EvaluationKey => null;

    /// <summary>Number of records N.</summary>
    public long RecordCount { get; }

    /// <inheritdoc />
    public int RecordBytes { get; }

    /// <summary>log2 of the index domain (N rounded up to a power of two).</summary>
    public int DomainBits { get; }

    /// <summary>Bytes of one encoded query: what the client uploads to each server.</summary>
    public int QueryBytes => DpfQuery.EncodedLengthFor(RecordCount);

    /// <summary>Bytes of one encoded answer: what each server returns.</summary>
    public int AnswerBytes => XorAnswer.EncodedLengthFor(RecordBytes);

    /// <inheritdoc />
    public PirQuery[] Query(long index)
    {
        ValidateIndex(index);
        (DpfKey key0, DpfKey key1) = Dpf.Generate(index, DomainBits);
        return [new DpfQuery(key0), new DpfQuery(key1)];
    }

    /// <inheritdoc />
    public byte[] Recover(long index, ReadOnlySpan<PirAnswer> answers)
    {
        ValidateIndex(index);
        return XorAnswer.CombineShares(answers, ServerCount, PirSchemeKind.XorDpf, RecordBytes);
    }

    private void ValidateIndex(long index)
    {
        if ((ulong)index >= (ulong)RecordCount)
        {
            // The index is what PIR hides: name the bound only.
            ThrowHelper.SecretOutOfRange(nameof(index), $"0 <= index < {RecordCount}");
        }
    }
}
