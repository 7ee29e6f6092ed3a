using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Tests.Shards;

public class PirShardTests
{
    private static readonly LatticeParameters Small = LatticeParameters.N256_Logq108_Logt20_Insecure;

    private static PirShardServer[] RowShards(PirSchemeKind scheme, PirDatabase db, int shards) =>
        [.. PirSharding.Split(scheme, db.RecordCount, shards).Select(r => PirShardServer.ForRows(scheme, db.Slice(r.First, r.Length), r, db.RecordCount))];

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1000, 1)]
    [InlineData(1000, 3)]
    [InlineData(129, 2)]
    [InlineData(20_000, 3)] // shard edges inside DPF blocks of 2^14 leaves
    [InlineData(5000, 7)]
    public void Row_shards_combine_to_the_single_server_answer_byte_for_byte(long records, int shards)
    {
        int seed = HashCode.Combine(records, shards);
        using var db = PirDatabase.Generate(records, 37, (ulong)seed);
        var random = new Random(seed);
        long[] indices = [0, records - 1, random.NextInt64(records), random.NextInt64(records), random.NextInt64(records)];
        foreach (var scheme in new[] { PirSchemeKind.XorBitVector, PirSchemeKind.XorDpf })
        {
            IPirClient client = scheme == PirSchemeKind.XorBitVector ? new XorPirClient(records, 37) : new DpfPirClient(records, 37);
            IPirServer single = scheme == PirSchemeKind.XorBitVector ? new XorPirServer(db) : new DpfPirServer(db);
            var shardServers = RowShards(scheme, db, shards);
            try
            {
                var combiner = new PirShardCombiner(scheme, 37, shards);
                var queries = indices.Select(client.Query).ToArray();
                for (int server = 0; server < 2; server++)
                {
                    PirQuery[] batch = [.. queries.Select(q => q[server])];
                    var expected = single.AnswerBatch(batch);
                    var partial = shardServers.Select(s => s.AnswerBatch(batch)).ToArray();
                    for (int q = 0; q < batch.Length; q++)
                    {
                        // Shares go through their encoding, in reverse shard order: XOR does not care.
                        var shares = partial.Reverse().Select(p => PirPartialAnswer.Decode(p[q].Encode(), scheme, combiner.PayloadBytes)).ToArray();
                        Assert.Equal(expected[q].Encode(), combiner.Combine(shares).Encode());
                    }
                }

                for (int q = 0; q < indices.Length; q++)
                {
                    var answers = Enumerable.Range(0, 2).Select(server =>
                        combiner.Combine([.. shardServers.Select(s => s.Answer(queries[q][server]))])).ToArray();
                    Assert.Equal(db.CopyRecord(indices[q]), client.Recover(indices[q], answers));
                }
            }
            finally
            {
                foreach (var s in shardServers)
                {
                    s.Dispose();
                }
            }
        }
    }

    [Theory]
    [InlineData(500L, 64, 1)]
    [InlineData(500L, 64, 3)]
    [InlineData(30L, 1500, 2)] // records span three plaintexts
    public void Lattice_column_shards_combine_to_the_single_server_answer_byte_for_byte(long records, int recordBytes, int shards)
    {
        int seed = HashCode.Combine(records, recordBytes, shards);
        using var db = PirDatabase.Generate(records, recordBytes, (ulong)seed);
        var p = LatticePirPlanner.Plan(records, recordBytes, Small, 2);
        Assert.True(p.N2 >= shards, p.ToString());
        using var client = new LatticePirClient(p, allowInsecure: true);
        using var single = new LatticePirServer(db, p, allowInsecure: true);
        var shardServers = PirSharding.Split(PirSchemeKind.Lattice, records, shards, p).Select(r => PirShardServer.ForLattice(db, p, r, allowInsecure: true)).ToArray();
        try
        {
            Assert.All(shardServers, s => Assert.True(s.NeedsEvaluationKey));
            var combiner = new PirShardCombiner(PirSchemeKind.Lattice, recordBytes, shards, p);
            var random = new Random(seed);
            long[] indices = [0, records - 1, random.NextInt64(records)];
            PirQuery[] queries = [.. indices.Select(i => (PirQuery)client.Query(i))];
            PirEvaluationKey[] keys = [.. queries.Select(_ => client.EvaluationKey)];
            var expected = single.AnswerBatch(queries, keys);
            var partial = shardServers.Select(s => s.AnswerBatch(queries, keys)).ToArray();
            // Without the client's keys a lattice shard refuses, as the single server does.
            Assert.Throws<ArgumentException>(() => shardServers[0].AnswerBatch(queries));
            for (int q = 0; q < queries.Length; q++)
            {
                var shares = partial.Select(x => PirPartialAnswer.Decode(x[q].Encode(), PirSchemeKind.Lattice, combiner.PayloadBytes)).ToArray();
                var combined = combiner.Combine(shares);
                Assert.Equal(expected[q].Encode(), combined.Encode());
                Assert.Equal(db.CopyRecord(indices[q]), client.Recover(indices[q], [combined]));
            }
        }
        finally
        {
            foreach (var s in shardServers)
            {
                s.Dispose();
            }
        }
    }

    [Fact]
    public void Split_covers_every_row_once_on_aligned_edges_and_columns_evenly()
    {
        foreach (long records in new long[] { 1, 128, 129, 1000, 100_003 })
        {
            for (int shards = 1; shards <= Math.Min(9, (records + 127) / 128); shards++)
            {
                var ranges = PirSharding.Split(PirSchemeKind.XorDpf, records, shards);
                Assert.Equal(shards, ranges.Length);
                Assert.Equal(0, ranges[0].First);
                Assert.Equal(records, ranges[^1].End);
                for (int i = 0; i < shards; i++)
                {
                    Assert.True(ranges[i].Length > 0);
                    Assert.Equal(0, ranges[i].First % PirSharding.RowAlignment);
                    Assert.Equal(i, ranges[i].Index);
                    if (i > 0)
                    {
                        Assert.Equal(ranges[i - 1].End, ranges[i].First);
                    }
                }
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => PirSharding.Split(PirSchemeKind.XorBitVector, 200, 3));
        var p = LatticePirPlanner.Plan(500, 64, Small, 2);
        var columns = PirSharding.Split(PirSchemeKind.Lattice, 500, p.N2, p);
        Assert.All(columns, c => Assert.Equal(1, c.Length));
        Assert.Throws<ArgumentOutOfRangeException>(() => PirSharding.Split(PirSchemeKind.Lattice, 500, p.N2 + 1, p));
        var oneDimension = LatticePirPlanner.Plan(40, 300, Small, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => PirSharding.Split(PirSchemeKind.Lattice, 40, 2, oneDimension));
    }

    [Fact]
    public void Combiner_and_shards_refuse_what_does_not_fit()
    {
        using var db = PirDatabase.Generate(1000, 16, 3);
        var ranges = PirSharding.Split(PirSchemeKind.XorBitVector, 1000, 2);
        // A slice that is not the range it claims, and a range that is not one Split returns.
        Assert.Throws<ArgumentException>(() => PirShardServer.ForRows(PirSchemeKind.XorBitVector, db.Slice(0, 10), ranges[0], 1000));
        Assert.Throws<ArgumentException>(() => PirShardServer.ForRows(PirSchemeKind.XorBitVector, db.Slice(0, 500), new PirShardRange(0, 2, 0, 500), 1000));

        var combiner = new PirShardCombiner(PirSchemeKind.XorBitVector, 16, 2);
        using var shard = PirShardServer.ForRows(PirSchemeKind.XorBitVector, db.Slice(ranges[0].First, ranges[0].Length), ranges[0], 1000);
        var share = shard.Answer(new XorPirClient(1000, 16).Query(5)[0]);
        Assert.Throws<ArgumentException>(() => combiner.Combine([share]));
        Assert.Throws<ArgumentException>(() => combiner.Combine([share, new PirPartialAnswer(PirSchemeKind.XorDpf, new byte[16])]));

        // A partial answer never decodes as a whole answer, and a truncated share is a typed error.
        Assert.False(XorAnswer.TryDecode(share.Encode(), 16, out _, out _));
        var encoded = share.Encode();
        Assert.False(PirPartialAnswer.TryDecode(encoded.AsSpan(0, encoded.Length - 1), PirSchemeKind.XorBitVector, 16, out _, out var error));
        Assert.NotEqual(PirDecodeStatus.Ok, error.Status);

        // Lattice residues at or above their prime are refused.
        var p = LatticePirPlanner.Plan(500, 64, Small, 2);
        var latticeCombiner = new PirShardCombiner(PirSchemeKind.Lattice, 64, 1, p);
        var bytes = new byte[latticeCombiner.PayloadBytes];
        BitConverter.TryWriteBytes(bytes, p.Encryption.CiphertextModuli[0]);
        Assert.Throws<ArgumentException>(() => latticeCombiner.Combine([new PirPartialAnswer(PirSchemeKind.Lattice, bytes)]));
    }
}
