namespace Privomega.Pir.Engine;

/// <summary>
/// The client side of a PIR scheme: <c>Query</c> makes one query per server, <c>Recover</c>
/// turns the servers' answers (in the same order) into the record.
/// </summary>
public interface IPirClient
{
    /// <summary>The scheme of the queries this client makes.</summary>
    PirSchemeKind Scheme { get; }

    /// <summary>How many non-colluding servers the scheme needs (2 for XOR PIR, 1 for lattice PIR).</summary>
    int ServerCount { get; }

    /// <summary>Record size in bytes of the database the client queries.</summary>
    int RecordBytes { get; }

    /// <summary>Makes one query per server for <paramref name="index"/>.</summary>
    PirQuery[] Query(long index);

    /// <summary>Recovers record <paramref name="index"/> from one answer per server, in server order.</summary>
    byte[] Recover(long index, ReadOnlySpan<PirAnswer> answers);
}

/// <summary>The server side of a PIR scheme, bound to one database snapshot.</summary>
public interface IPirServer
{
    /// <summary>The scheme of the queries this server answers.</summary>
    PirSchemeKind Scheme { get; }

    /// <summary>Answers one query.</summary>
    PirAnswer Answer(PirQuery query);

    /// <summary>Answers several queries; implementations scan the database once for the whole batch where they can.</summary>
    PirAnswer[] AnswerBatch(ReadOnlySpan<PirQuery> queries);
}
