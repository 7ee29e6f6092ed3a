namespace Privomega.Pir.Engine.Keyword;

/// <summary>
/// The queries of one keyword read: for every server, one PIR query per candidate bucket
/// (<see cref="QueriesForServer"/>), to be sent to that server as one batch. Which buckets they
/// select is secret and stays inside this object.
/// </summary>
public sealed class KeywordRead
{
    private readonly long[] _buckets;
    private readonly PirQuery[][] _perServer;

    internal KeywordRead(long[] buckets, PirQuery[][] perServer)
    {
        _buckets = buckets;
        _perServer = perServer;
    }

    /// <summary>Number of servers the read goes to.</summary>
    public int ServerCount => _perServer.Length;

    /// <summary>Queries (one per candidate bucket) per server: the batch to send to each.</summary>
    public int QueriesPerServer => _buckets.Length;

    internal ReadOnlySpan<long> Buckets => _buckets;

    /// <summary>The batch for server <paramref name="server"/> (0-based, the scheme's server order).</summary>
    public IReadOnlyList<PirQuery> QueriesForServer(int server)
    {
        if ((uint)server >= (uint)_perServer.Length)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(server), server, $"0..{_perServer.Length - 1}");
        }

        return _perServer[server];
    }
}

/// <summary>
/// Keyword PIR over any index PIR scheme: a reader computes its key's candidate buckets
/// (<see cref="CuckooHash"/>) and always fetches every one of them, whether its key is present
/// or not, so a miss looks like a hit; each server gets all of a read's queries as one batch
/// (<see cref="IPirServer.AnswerBatch"/>). The scheme is whatever <see cref="IPirClient"/> is
/// passed in, built for a database of <see cref="CuckooLayout.BucketCount"/> records of
/// <see cref="CuckooLayout.BucketBytes"/> bytes — nothing here is specific to a scheme.
/// </summary>
public sealed class KeywordPirClient
{
    private readonly IPirClient _client;

    /// <summary>Creates a keyword client for a table of <paramref name="layout"/> hashed under <paramref name="cuckooKey"/>.</summary>
    public KeywordPirClient(IPirClient client, CuckooLayout layout, CuckooKey cuckooKey)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(cuckooKey);
        if (client.RecordBytes != layout.BucketBytes)
        {
            ThrowHelper.Argument(nameof(client), $"client reads {client.RecordBytes}-byte records; the layout's buckets are {layout.BucketBytes} bytes.");
        }

        _client = client;
        Layout = layout;
        CuckooKey = cuckooKey;
    }

    /// <summary>The table layout.</summary>
    public CuckooLayout Layout { get; }

    /// <summary>The hash key of the snapshot being read.</summary>
    public CuckooKey CuckooKey { get; }

    /// <summary>Servers a read goes to (the scheme's server count).</summary>
    public int ServerCount => _client.ServerCount;

    /// <summary>Makes the queries for every candidate bucket of <paramref name="key"/>.</summary>
    public KeywordRead Query(ReadOnlySpan<byte> key)
    {
        long[] buckets = CuckooHash.GetCandidates(Layout, CuckooKey, key);
        var perServer = new PirQuery[_client.ServerCount][];
        for (int server = 0; server < perServer.Length; server++)
        {
            perServer[server] = new PirQuery[buckets.Length];
        }

        for (int j = 0; j < buckets.Length; j++)
        {
            PirQuery[] queries = _client.Query(buckets[j]);
            if (queries.Length != perServer.Length)
            {
                ThrowHelper.Argument(nameof(key), $"the scheme made {queries.Length} queries; expected one per server ({perServer.Length}).");
            }

            for (int server = 0; server < perServer.Length; server++)
            {
                perServer[server][j] = queries[server];
            }
        }

        return new KeywordRead(buckets, perServer);
    }

    /// <summary>
    /// Recovers the candidate buckets of <paramref name="read"/> from each server's batch of answers
    /// (<paramref name="answersPerServer"/>[server][j] answers query j of that server's batch).
    /// </summary>
    /// <returns>The bucket bytes, in candidate order.</returns>
    public byte[][] Recover(KeywordRead read, IReadOnlyList<IReadOnlyList<PirAnswer>> answersPerServer)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(answersPerServer);
        if (answersPerServer.Count != read.ServerCount)
        {
            ThrowHelper.ArgumentLength(nameof(answersPerServer), answersPerServer.Count, read.ServerCount);
        }

        for (int server = 0; server < answersPerServer.Count; server++)
        {
            if (answersPerServer[server] is null || answersPerServer[server].Count != read.QueriesPerServer)
            {
                ThrowHelper.ArgumentLength($"{nameof(answersPerServer)}[{server}]", answersPerServer[server]?.Count ?? 0, read.QueriesPerServer);
            }
        }

        var buckets = new byte[read.QueriesPerServer][];
        var answers = new PirAnswer[read.ServerCount];
        for (int j = 0; j < buckets.Length; j++)
        {
            for (int server = 0; server < answers.Length; server++)
            {
                answers[server] = answersPerServer[server][j];
            }

            buckets[j] = _client.Recover(read.Buckets[j], answers);
        }

        return buckets;
    }
}
