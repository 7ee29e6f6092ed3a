namespace Privomega.Pir.Engine.Tests.Schemes;

/// <summary>Round trips and wire errors every registered scheme must pass.</summary>
public class SchemeRoundTripTests
{
    /// <summary>Client queries, every query and answer crosses the wire as bytes, client recovers.</summary>
    private static byte[] RoundTrip(PirSchemeCase scheme, PirDatabase db, IPirServer[] servers, IPirClient client, long index)
    {
        PirQuery[] queries = client.Query(index);
        Assert.Equal(client.ServerCount, queries.Length);
        var answers = new PirAnswer[queries.Length];
        for (int s = 0; s < queries.Length; s++)
        {
            PirQuery received = scheme.DecodeQuery(queries[s].Encode(), db.RecordCount, db.RecordBytes);
            answers[s] = scheme.DecodeAnswer(servers[s].Answer(received).Encode(), db.RecordCount, db.RecordBytes);
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

    [Theory]
    [MemberData(nameof(SchemeRegistry.Names), MemberType = typeof(SchemeRegistry))]
    public void Batch_answers_equal_single_answers(string name)
    {
        PirSchemeCase scheme = SchemeRegistry.Get(name);
        using var db = PirDatabase.Generate(700, 48, 3);
        IPirServer[] servers = scheme.CreateServers(db);
        IPirClient client = scheme.CreateClient(700, 48);
        var rng = new Random(3);
        const int Batch = 9;
        var indices = new long[Batch];
        var perServer = new PirQuery[client.ServerCount][];
        for (int s = 0; s < client.ServerCount; s++)
        {
            perServer[s] = new PirQuery[Batch];
        }

        for (int q = 0; q < Batch; q++)
        {
            indices[q] = rng.NextInt64(700);
            PirQuery[] queries = client.Query(indices[q]);
            for (int s = 0; s < queries.Length; s++)
            {
                perServer[s][q] = queries[s];
            }
        }

        var batchAnswers = new PirAnswer[client.ServerCount][];
        for (int s = 0; s < client.ServerCount; s++)
        {
            batchAnswers[s] = servers[s].AnswerBatch(perServer[s]);
            Assert.Equal(Batch, batchAnswers[s].Length);
            for (int q = 0; q < Batch; q++)
            {
                Assert.Equal(servers[s].Answer(perServer[s][q]).Encode(), batchAnswers[s][q].Encode());
            }
        }

        for (int q = 0; q < Batch; q++)
        {
            PirAnswer[] answers = batchAnswers.Select(a => a[q]).ToArray();
            Assert.True(db.GetRecord(indices[q]).SequenceEqual(client.Recover(indices[q], answers)), $"{name} query {q}");
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
        PirAnswer[] answers = client.Query(3).Select((q, s) => servers[s].Answer(q)).ToArray();
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
        byte[] answerBytes = servers[0].Answer(query).Encode();

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
