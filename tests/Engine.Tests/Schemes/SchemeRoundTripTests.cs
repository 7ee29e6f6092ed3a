namespace Privomega.Pir.Engine.Tests.Schemes;

/// <summary>Round trips and wire errors every registered scheme must pass.</summary>
public class SchemeRoundTripTests
{
    /// <summary>Client queries, every query and answer crosses the wire as bytes, client recovers.</summary>
    private static byte[] RoundTrip(PirSchemeCase scheme, PirDatabase db, IPirServer[] servers, IPirClient client, long index)
    {
        PirQuery[] queries = client.Query(index);
        Assert.Equal(client.ServerCount, queries.Length);
        PirEvaluationKey? key = scheme.Upload(client, db.RecordCount, db.RecordBytes);
        var answers = new PirAnswer[queries.Length];
        for (int s = 0; s < queries.Length; s++)
        {
            PirQuery received = scheme.DecodeQuery(queries[s].Encode(), db.RecordCount, db.RecordBytes);
            answers[s] = scheme.DecodeAnswer(servers[s].Answer(received, key).Encode(), db.RecordCount, db.RecordBytes);
        }

        return client.Recover(index, answers);
    }

    [Theory]
    [MemberData(nameof(SchemeRegistry.NamesAndShapes), MemberType = typeof(SchemeRegistry))]
    public void Recovers_random_records(string name, long recordCount, int recordBytes)
    {
        PirSchemeCase scheme = SchemeRegistry.Get(name);
        int seed = HashCode.Combine(recordCount, recordBytes);
        using var db = PirDatabase.Generate(recordCount, recordBytes, (ulong)seed);
        IPirServer[] servers = scheme.CreateServers(db);
        IPirClient client = scheme.CreateClient(recordCount, recordBytes);
        Assert.Equal(recordBytes, client.RecordBytes);
        var rng = new Random(seed);
        long[] indices = [0, recordCount - 1, rng.NextInt64(recordCount), rng.NextInt64(recordCount), rng.NextInt64(recordCount)];
        foreach (long index in indices)
        {
            Assert.True(db.GetRecord(index).SequenceEqual(RoundTrip(scheme, db, servers, client, index)), $"{name} seed {seed} index {index}");
        }
    }

    /// <summary>A batch mixing two clients' queries (each with its own key) answers like one query at a time.</summary>
    [Theory]
    [MemberData(nameof(SchemeRegistry.Names), MemberType = typeof(SchemeRegistry))]
    public void Batch_answers_equal_single_answers(string name)
    {
        PirSchemeCase scheme = SchemeRegistry.Get(name);
        using var db = PirDatabase.Generate(700, 48, 3);
        IPirServer[] servers = scheme.CreateServers(db);
        IPirClient[] clients = [scheme.CreateClient(700, 48), scheme.CreateClient(700, 48)];
        PirEvaluationKey?[] uploaded = clients.Select(c => scheme.Upload(c, 700, 48)).ToArray();
        var rng = new Random(3);
        const int Batch = 9;
        int serverCount = clients[0].ServerCount;
        var indices = new long[Batch];
        var perServer = new PirQuery[serverCount][];
        for (int s = 0; s < serverCount; s++)
        {
            perServer[s] = new PirQuery[Batch];
        }

        var keys = new PirEvaluationKey[Batch];
        for (int q = 0; q < Batch; q++)
        {
            indices[q] = rng.NextInt64(700);
            PirQuery[] queries = clients[q % 2].Query(indices[q]);
            keys[q] = uploaded[q % 2]!;
            for (int s = 0; s < queries.Length; s++)
            {
                perServer[s][q] = queries[s];
            }
        }

        ReadOnlySpan<PirEvaluationKey> batchKeys = servers[0].NeedsEvaluationKey ? keys : default;
        var batchAnswers = new PirAnswer[serverCount][];
        for (int s = 0; s < serverCount; s++)
        {
            batchAnswers[s] = servers[s].AnswerBatch(perServer[s], batchKeys);
            Assert.Equal(Batch, batchAnswers[s].Length);
            for (int q = 0; q < Batch; q++)
            {
                Assert.Equal(servers[s].Answer(perServer[s][q], uploaded[q % 2]).Encode(), batchAnswers[s][q].Encode());
            }
        }

        for (int q = 0; q < Batch; q++)
        {
            PirAnswer[] answers = batchAnswers.Select(a => a[q]).ToArray();
            Assert.True(db.GetRecord(indices[q]).SequenceEqual(clients[q % 2].Recover(indices[q], answers)), $"{name} query {q}");
        }
    }

    /// <summary>The contract of <see cref="IPirServer"/> every scheme keeps: empty batches, key presence, foreign queries.</summary>
    [Theory]
    [MemberData(nameof(SchemeRegistry.Names), MemberType = typeof(SchemeRegistry))]
    public void Servers_keep_the_common_contract(string name)
    {
        PirSchemeCase scheme = SchemeRegistry.Get(name);
        using var db = PirDatabase.Generate(50, 8, 4);
        IPirServer[] servers = scheme.CreateServers(db);
        IPirClient client = scheme.CreateClient(50, 8);
        PirQuery[] queries = client.Query(9);
        PirEvaluationKey? key = scheme.Upload(client, 50, 8);
        foreach (IPirServer server in servers)
        {
            Assert.Equal(client.Scheme, server.Scheme);
            Assert.Empty(server.AnswerBatch([]));
            Assert.Empty(server.AnswerBatch([], []));
            Assert.Equal(server.NeedsEvaluationKey, client.EvaluationKey is not null);
            Assert.Equal(server.NeedsEvaluationKey, scheme.DecodeEvaluationKey is not null);
            if (server.NeedsEvaluationKey)
            {
                Assert.Same(client.EvaluationKey, client.EvaluationKey);
                Assert.Equal(client.Scheme, key!.Scheme);
                Assert.Equal(key.EncodedLength, key.Encode().Length);
                Assert.Throws<ArgumentException>(() => server.Answer(queries[0]));
                Assert.Throws<ArgumentException>(() => server.AnswerBatch(queries.AsSpan(0, 1)));
            }

            // A query of another scheme is misuse, whatever the scheme.
            PirQuery foreign = client.Scheme == PirSchemeKind.Plain ? new XorPirClient(50, 8).Query(9)[0] : new PlainPirClient(50, 8).Query(9)[0];
            Assert.Throws<ArgumentException>(() => server.Answer(foreign, key));
            Assert.Throws<ArgumentException>(() => server.AnswerBatch([foreign], key is null ? default : [key]));
        }
    }

    [Theory]
    [MemberData(nameof(SchemeRegistry.Names), MemberType = typeof(SchemeRegistry))]
    public void Bad_indices_and_answer_counts_throw(string name)
    {
        PirSchemeCase scheme = SchemeRegistry.Get(name);
        using var db = PirDatabase.Generate(10, 4, 1);
        IPirClient client = scheme.CreateClient(10, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => client.Query(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.Query(-1));
        IPirServer[] servers = scheme.CreateServers(db);
        PirAnswer[] answers = client.Query(3).Select((q, s) => servers[s].Answer(q, client.EvaluationKey)).ToArray();
        Assert.Throws<ArgumentException>(() => client.Recover(3, answers.AsSpan(1)));
        Assert.Throws<ArgumentException>(() => client.Recover(3, [.. answers, answers[0]]));
    }

    [Theory]
    [MemberData(nameof(SchemeRegistry.Names), MemberType = typeof(SchemeRegistry))]
    public void Malformed_encodings_give_typed_errors(string name)
    {
        PirSchemeCase scheme = SchemeRegistry.Get(name);
        using var db = PirDatabase.Generate(130, 20, 2);
        IPirServer[] servers = scheme.CreateServers(db);
        IPirClient client = scheme.CreateClient(130, 20);
        PirQuery query = client.Query(77)[0];
        byte[] queryBytes = query.Encode();
        byte[] answerBytes = servers[0].Answer(query, client.EvaluationKey).Encode();

        void Expect(PirDecodeStatus status, Action decode)
        {
            var e = Assert.Throws<PirFormatException>(decode);
            Assert.Equal(status, e.Error.Status);
        }

        foreach ((byte[] bytes, bool isQuery) in new[] { (queryBytes, true), (answerBytes, false) })
        {
            void Decode(byte[] b)
            {
                if (isQuery)
                {
                    scheme.DecodeQuery(b, 130, 20);
                }
                else
                {
                    scheme.DecodeAnswer(b, 130, 20);
                }
            }

            Decode(bytes);
            Expect(PirDecodeStatus.Truncated, () => Decode([]));
            Expect(PirDecodeStatus.Truncated, () => Decode(bytes[..1]));
            Expect(PirDecodeStatus.Truncated, () => Decode(bytes[..^1]));
            Expect(PirDecodeStatus.Oversized, () => Decode([.. bytes, 0]));
            byte[] version = (byte[])bytes.Clone();
            version[0] = PirWire.Version + 1;
            Expect(PirDecodeStatus.WrongVersion, () => Decode(version));
            byte[] otherScheme = (byte[])bytes.Clone();
            otherScheme[1] = (byte)(otherScheme[1] == (byte)PirSchemeKind.Plain ? PirSchemeKind.Lattice : PirSchemeKind.Plain);
            Expect(PirDecodeStatus.WrongScheme, () => Decode(otherScheme));
            // Every prefix decodes to an error, never an exception of another type.
            for (int length = 0; length < Math.Min(bytes.Length, 40); length++)
            {
                Assert.ThrowsAny<PirFormatException>(() => Decode(bytes[..length]));
            }
        }
    }
}
