using Privomega.Pir.Engine;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Cluster.Tests;

/// <summary>A three-silo cluster answers every scheme byte for byte as the single-node engine does.</summary>
public sealed class ClusterAnswerTests(ThreeSiloCluster fixture) : IClassFixture<ThreeSiloCluster>
{
    // N = 256: far below 128-bit security, small enough for a test (the engine refuses it without the opt-out).
    private static readonly LatticeParameters Small = LatticeParameters.Create(256, [30, 24, 24], 30, 20, allowInsecure: true);

    [Theory]
    [InlineData(PirSchemeKind.XorBitVector)]
    [InlineData(PirSchemeKind.XorDpf)]
    public async Task Cluster_answers_xor_schemes_byte_identically_to_the_single_node(PirSchemeKind scheme)
    {
        const long records = 5000;
        const int recordBytes = 48;
        using var snapshot = new SnapshotFile(records, recordBytes, (ulong)scheme);
        var spec = PirClusterFrontEnd.Describe($"xor-{scheme}-{Guid.NewGuid():N}", scheme, snapshot.Path, records, recordBytes, shards: 3);
        var frontEnd = new PirClusterFrontEnd(fixture.Cluster.GrainFactory, spec);
        IPirClient client = scheme == PirSchemeKind.XorBitVector ? new XorPirClient(records, recordBytes) : new DpfPirClient(records, recordBytes);
        IPirServer single = scheme == PirSchemeKind.XorBitVector ? new XorPirServer(snapshot.Database) : new DpfPirServer(snapshot.Database);

        // The three shards run on three different silos.
        var silos = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => fixture.Cluster.GrainFactory.GetGrain<IPirShardGrain>(spec.ShardKey(i)).Locate(spec)));
        Assert.Equal(3, silos.Select(s => s.Silo).Distinct().Count());
        // 48-byte rows need no padding: the slices hold the database exactly once.
        Assert.Equal(records * recordBytes, silos.Sum(s => s.SliceBytes));

        var random = new Random(7);
        long[] indices = [0, records - 1, 2500, random.NextInt64(records), random.NextInt64(records)];
        var queries = indices.Select(client.Query).ToArray();
        for (int server = 0; server < 2; server++)
        {
            PirQuery[] batch = [.. queries.Select(q => q[server])];
            var expected = single.AnswerBatch(batch);
            var answers = await frontEnd.AnswerBatchAsync(batch);
            for (int q = 0; q < batch.Length; q++)
            {
                Assert.Equal(expected[q].Encode(), answers[q].Encode());
            }
        }

        for (int q = 0; q < indices.Length; q++)
        {
            PirAnswer[] pair = [await frontEnd.AnswerAsync(queries[q][0]), await frontEnd.AnswerAsync(queries[q][1])];
            Assert.Equal(snapshot.Database.CopyRecord(indices[q]), client.Recover(indices[q], pair));
        }
    }

    [Fact]
    public async Task Cluster_answers_lattice_byte_identically_to_the_single_node()
    {
        const long records = 500;
        const int recordBytes = 64;
        using var snapshot = new SnapshotFile(records, recordBytes, 11);
        var p = LatticePirPlanner.Plan(records, recordBytes, Small, 2);
        var spec = PirClusterFrontEnd.Describe($"lattice-{Guid.NewGuid():N}", PirSchemeKind.Lattice, snapshot.Path, records, recordBytes, shards: 3, lattice: p);
        var frontEnd = new PirClusterFrontEnd(fixture.Cluster.GrainFactory, spec);
        using var client = new LatticePirClient(p, allowInsecure: true);
        using var single = new LatticePirServer(snapshot.Database, p, allowInsecure: true);
        const ulong keyId = 42;
        await frontEnd.StoreKeyAsync(keyId, client.GaloisKeys);

        long[] indices = [0, records - 1, 321];
        PirQuery[] queries = [.. indices.Select(i => (PirQuery)client.Query(i))];
        var expected = single.AnswerBatch(queries, [.. queries.Select(_ => client.EvaluationKey)]);
        var answers = await frontEnd.AnswerBatchAsync(queries, [keyId, keyId, keyId]);
        for (int q = 0; q < queries.Length; q++)
        {
            Assert.Equal(expected[q].Encode(), answers[q].Encode());
            // As a client gets it: bytes, decoded against its own parameters.
            var received = LatticeAnswer.Decode(answers[q].Encode(), p);
            Assert.Equal(snapshot.Database.CopyRecord(indices[q]), client.Recover(indices[q], received));
        }

        // A query naming keys never stored, or none, is refused, not answered.
        await Assert.ThrowsAsync<ArgumentException>(() => frontEnd.AnswerAsync(client.Query(1), keyId + 1));
        await Assert.ThrowsAsync<ArgumentException>(() => frontEnd.AnswerAsync(client.Query(1)));

        // A shard activation that lost its keys (here: a shard asked directly, as a fresh activation would be)
        // reports the id instead of answering; the front end hands the keys over and the answer is unchanged.
        var shard = fixture.Cluster.GrainFactory.GetGrain<IPirShardGrain>(spec.ShardKey(0));
        var reply = await shard.Answer(spec, [queries[0].Encode()], [keyId + 7]);
        Assert.Null(reply.Shares);
        Assert.Equal([keyId + 7], reply.MissingKeys);
    }

    [Fact]
    public async Task Cluster_shards_refuse_malformed_queries_and_a_foreign_spec()
    {
        using var snapshot = new SnapshotFile(1000, 16, 3);
        var spec = PirClusterFrontEnd.Describe($"bad-{Guid.NewGuid():N}", PirSchemeKind.XorBitVector, snapshot.Path, 1000, 16, shards: 3);
        var shard = fixture.Cluster.GrainFactory.GetGrain<IPirShardGrain>(spec.ShardKey(1));
        var query = new XorPirClient(1000, 16).Query(3)[0].Encode();
        await Assert.ThrowsAsync<ArgumentException>(() => shard.Answer(spec, [query[..^1]], []));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => shard.Answer(spec, [], []));
        // The same grain asked with another snapshot's shape.
        var other = spec with { RecordCount = 999 };
        await Assert.ThrowsAsync<ArgumentException>(() => shard.Answer(other, [query], []));
        // The shard still answers well-formed queries afterwards.
        var reply = await shard.Answer(spec, [query], []);
        Assert.NotNull(reply.Shares);
    }

}
