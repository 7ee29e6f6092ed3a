namespace Privomega.Pir.Engine;

/// <summary>
/// The client side of a PIR scheme: <see cref="Query"/> makes one query per server, <see cref="Recover"/>
/// turns the servers' answers (in the same order) into the record. A scheme whose server needs
/// public evaluation material made from the client's secret (lattice PIR's Galois keys) exposes it
/// as <see cref="EvaluationKey"/>; the host uploads it once per key period and passes it back to
/// <see cref="IPirServer.Answer"/> with every query of this client.
/// </summary>
public interface IPirClient
{
    /// <summary>The scheme of the queries this client makes.</summary>
    PirSchemeKind Scheme { get; }

    /// <summary>How many non-colluding servers the scheme needs (2 for XOR PIR, 1 for lattice PIR).</summary>
    int ServerCount { get; }

    /// <summary>Record size in bytes of the database the client queries.</summary>
    int RecordBytes { get; }

    /// <summary>
    /// The evaluation key every query of this client must be answered with, or null when the
    /// scheme needs none (XOR, DPF, plain). Made from this client's secret on first use and the
    /// same object afterwards; public (safe to upload), but it links every query answered with it.
    /// </summary>
    PirEvaluationKey? EvaluationKey { get; }

    /// <summary>Makes one query per server for <paramref name="index"/>.</summary>
    PirQuery[] Query(long index);

    /// <summary>Recovers record <paramref name="index"/> from one answer per server, in server order.</summary>
    byte[] Recover(long index, ReadOnlySpan<PirAnswer> answers);
}

/// <summary>
/// The server side of a PIR scheme, bound to one database snapshot and holding nothing else: no
/// per-client state, no keys. Every call is independent, so one server may answer many clients
/// from many threads at once; where evaluation keys live (and for how long) is the host's choice.
/// <para>
/// Contract every scheme follows:
/// <list type="bullet">
/// <item>A query of another scheme, or one made for other parameters, throws <see cref="ArgumentException"/>.</item>
/// <item>When <see cref="NeedsEvaluationKey"/>, each query is answered with the evaluation key of
/// the client that made it (<see cref="IPirClient.EvaluationKey"/>, usually decoded from an upload);
/// a missing key, one of another scheme or one made for other parameters throws
/// <see cref="ArgumentException"/>. A key made by another client of the same parameters is not
/// detectable: the answer then decrypts to garbage. Schemes that need no key ignore the argument.</item>
/// <item>An empty batch returns an empty array without touching the database.</item>
/// </list>
/// </para>
/// </summary>
public interface IPirServer
{
    /// <summary>The scheme of the queries this server answers.</summary>
    PirSchemeKind Scheme { get; }

    /// <summary>Whether <see cref="Answer"/> and <see cref="AnswerBatch"/> need each query's evaluation key.</summary>
    bool NeedsEvaluationKey { get; }

    /// <summary>Answers one query with its client's evaluation key (null for schemes that need none).</summary>
    PirAnswer Answer(PirQuery query, PirEvaluationKey? evaluationKey = null);

    /// <summary>
    /// Answers several queries, possibly from different clients; implementations scan the database
    /// once for the whole batch where they can. <paramref name="evaluationKeys"/> is empty for schemes
    /// that need no key, otherwise one key per query (<c>evaluationKeys[i]</c> answers <c>queries[i]</c>).
    /// An empty batch returns an empty array.
    /// </summary>
    PirAnswer[] AnswerBatch(ReadOnlySpan<PirQuery> queries, ReadOnlySpan<PirEvaluationKey> evaluationKeys = default);
}
