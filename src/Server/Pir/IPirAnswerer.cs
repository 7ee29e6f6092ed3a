using Privomega.Pir.Engine;
using Privomega.Protocol.Api;

namespace Privomega.Server.Pir;

/// <summary>How the partial answers of shards combine into one server answer.</summary>
public enum PartialCombine
{
    /// <summary>XOR PIR (bit-vector and DPF): the answer is the XOR of the shards' partial answers.</summary>
    Xor,

    /// <summary>Lattice PIR: the answer ciphertexts are the sum of the shards' partial ciphertexts.</summary>
    CiphertextAddition,
}

/// <summary>
/// Answers PIR queries over one snapshot of one database. The host calls nothing else, so the same
/// endpoints run on one process (<see cref="LocalPirAnswerer"/>) or on a front end that fans every query
/// out to every <see cref="IPirShard"/> of a cluster and combines their partial answers
/// (<see cref="PartialAnswers"/>) — a shard sees every query, so it learns nothing a single server would not.
/// </summary>
public interface IPirAnswerer : IDisposable
{
    /// <summary>Which database.</summary>
    PirDatabaseKind Database { get; }

    /// <summary>The snapshot id (t for the directory, m for the mailbox).</summary>
    ulong SnapshotId { get; }

    /// <summary>Records in the snapshot.</summary>
    long RecordCount { get; }

    /// <summary>Bytes per record.</summary>
    int RecordBytes { get; }

    /// <summary>True when <paramref name="scheme"/> is answered.</summary>
    bool Serves(PirSchemeKind scheme);

    /// <summary>
    /// Answers a batch of decoded queries of one scheme (one pass over the records where the scheme allows).
    /// Lattice queries come with the evaluation key the host loaded for the batch's key id (null for other schemes).
    /// </summary>
    ValueTask<PirAnswer[]> AnswerAsync(PirSchemeKind scheme, PirQuery[] queries, PirEvaluationKey? evaluationKey, CancellationToken cancellationToken);
}

/// <summary>
/// One slice of a snapshot in a sharded deployment (an Orleans grain, later): it answers every query over
/// its own records only, and its partial answers combine by <see cref="Combine"/>.
/// </summary>
public interface IPirShard
{
    /// <summary>First record this shard holds.</summary>
    long FirstRecord { get; }

    /// <summary>Records this shard holds.</summary>
    long RecordCount { get; }

    /// <summary>How this shard's partial answers for <paramref name="scheme"/> combine.</summary>
    PartialCombine Combine(PirSchemeKind scheme);

    /// <summary>Partial answers, one per query, encoded as the engine encodes whole answers.</summary>
    ValueTask<PirAnswer[]> AnswerPartialAsync(PirSchemeKind scheme, PirQuery[] queries, CancellationToken cancellationToken);
}

/// <summary>Combining partial answers of shards.</summary>
public static class PartialAnswers
{
    /// <summary>XORs partial XOR-PIR answers (same scheme and record size) into one answer.</summary>
    public static XorAnswer CombineXor(ReadOnlySpan<XorAnswer> partials)
    {
        if (partials.IsEmpty)
        {
            throw new ArgumentException("Found 0 partial answers, expected at least 1.", nameof(partials));
        }

        var scheme = partials[0].Scheme;
        var sum = partials[0].Payload.ToArray();
        for (var i = 1; i < partials.Length; i++)
        {
            if (partials[i].Scheme != scheme || partials[i].RecordBytes != sum.Length)
            {
                throw new ArgumentException($"Partial answer {i} is {partials[i].Scheme}/{partials[i].RecordBytes} bytes, expected {scheme}/{sum.Length}.", nameof(partials));
            }

            var payload = partials[i].Payload;
            for (var j = 0; j < sum.Length; j++)
            {
                sum[j] ^= payload[j];
            }
        }

        return new XorAnswer(scheme, sum);
    }
}
