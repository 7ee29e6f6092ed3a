namespace Privomega.Pir.Engine.Tests;

public class DpfPirTests
{
    /// <summary>The answer a server must give: XOR of the records its full-domain expansion selects.</summary>
    private static byte[] ReferenceAnswer(PirDatabase db, DpfKey key)
    {
        ulong[] bits = Dpf.EvaluateFullDomain(key);
        var answer = new byte[db.RecordBytes];
        for (long i = 0; i < db.RecordCount; i++)
        {
            if (((bits[i >> 6] >> (int)(i & 63)) & 1) != 0)
            {
                ReadOnlySpan<byte> record = db.GetRecord(i);
                for (int j = 0; j < answer.Length; j++)
                {
                    answer[j] ^= record[j];
                }
            }
        }

        return answer;
    }

    [Theory]
    [InlineData(1, 5, 1, 128)]
    [InlineData(129, 7, 1, 128)]
    [InlineData(1000, 33, 2, 128)]
    [InlineData(5000, 64, 3, 256)]
    [InlineData(5000, 64, 2, 1 << 14)]
    [InlineData((6 * 512) + 7, 40, 2, 512)]
    public void Fused_scan_matches_full_domain_reference_and_recovers(long recordCount, int recordBytes, int threads, int blockLeaves)
    {
        int seed = HashCode.Combine(recordCount, recordBytes, threads, blockLeaves);
        var random = new Random(seed);
        using var db = PirDatabase.Generate(recordCount, recordBytes, (ulong)seed);
        var client = new DpfPirClient(recordCount, recordBytes);
        var servers = new[]
        {
            new DpfPirServer(db, threads, blockLeaves, XorKernels.DefaultWidth, XorBatchMethod.Auto),
            new DpfPirServer(db, threads, blockLeaves, KernelWidth.Scalar, XorBatchMethod.Masked),
        };
        foreach (long index in new[] { 0, recordCount - 1, random.NextInt64(recordCount) })
        {
            PirQuery[] queries = client.Query(index);
            var answers = new PirAnswer[2];
            for (int s = 0; s < 2; s++)
            {
                var answer = (XorAnswer)servers[s].Answer(queries[s]);
                Assert.True(ReferenceAnswer(db, ((DpfQuery)queries[s]).Key).AsSpan().SequenceEqual(answer.Payload), $"server {s}, index {index}, seed {seed}");
                answers[s] = answer;
            }

            Assert.True(db.GetRecord(index).SequenceEqual(client.Recover(index, answers)), $"index {index}, seed {seed}");
        }
    }

    [Fact]
    public void Large_batch_uses_smaller_blocks_and_matches_single_answers()
    {
        const int seed = 8;
        var random = new Random(seed);
        using var db = PirDatabase.Generate(3000, 24, seed);
        var client = new DpfPirClient(3000, 24);
        var server = new DpfPirServer(db, 2, 1 << 12, XorKernels.DefaultWidth, XorBatchMethod.Auto);
        const int Batch = 600; // 600 × 4096 bits > the per-thread budget, so the block shrinks
        Assert.True(server.BlockFor(Batch) < 1 << 12);
        var indices = new long[Batch];
        var shares = new PirQuery[2][];
        shares[0] = new PirQuery[Batch];
        shares[1] = new PirQuery[Batch];
        for (int q = 0; q < Batch; q++)
        {
            indices[q] = random.NextInt64(3000);
            PirQuery[] pair = client.Query(indices[q]);
            shares[0][q] = pair[0];
            shares[1][q] = pair[1];
        }

        PirAnswer[] batch0 = server.AnswerBatch(shares[0]);
        PirAnswer[] batch1 = server.AnswerBatch(shares[1]);
        for (int q = 0; q < Batch; q += 37)
        {
            Assert.Equal(server.Answer(shares[0][q]).Encode(), batch0[q].Encode());
        }

        for (int q = 0; q < Batch; q++)
        {
            Assert.True(db.GetRecord(indices[q]).SequenceEqual(client.Recover(indices[q], [batch0[q], batch1[q]])), $"query {q}, seed {seed}");
        }
    }

    [Fact]
    public void Query_encoding_is_small_and_checked_against_the_database()
    {
        var client = new DpfPirClient(1L << 22, 256);
        Assert.Equal(22, client.DomainBits);
        Assert.Equal(292, client.QueryBytes);
        PirQuery[] queries = client.Query(4_000_000);
        byte[] bytes = queries[1].Encode();
        Assert.Equal(292, bytes.Length);
        Assert.Equal([PirWire.Version, (byte)PirSchemeKind.XorDpf], bytes[..2]);
        using DpfQuery decoded = DpfQuery.Decode(bytes, 1L << 22);
        Assert.Equal(1, decoded.Key.Party);
        Assert.Equal(bytes, decoded.Encode());

        // Same domain bits for any N in (2^21, 2^22]; another domain is a typed error.
        Assert.True(DpfQuery.TryDecode(bytes, (1L << 21) + 1, out _, out _));
        Assert.False(DpfQuery.TryDecode(bytes, 1L << 21, out DpfQuery? wrong, out PirDecodeError error));
        Assert.Null(wrong);
        Assert.Equal(new PirDecodeError(PirDecodeStatus.BadValue, "dpf query domain bits", 22, 21), error);

        Assert.Equal(0, DpfQuery.DomainBitsFor(1));
        Assert.Equal(1, DpfQuery.DomainBitsFor(2));
        Assert.Equal(2, DpfQuery.DomainBitsFor(3));
        Assert.Equal(10, DpfQuery.DomainBitsFor(1024));
        Assert.Equal(11, DpfQuery.DomainBitsFor(1025));
    }

    [Fact]
    public void Server_rejects_foreign_queries_and_bad_configuration()
    {
        using var db = PirDatabase.Generate(100, 8, 1);
        var server = new DpfPirServer(db);
        PirQuery other = new DpfPirClient(300, 8).Query(5)[0];
        Assert.Throws<ArgumentException>(() => server.Answer(other));
        PirQuery bitVector = new XorPirClient(100, 8).Query(5)[0];
        Assert.Throws<ArgumentException>(() => server.Answer(bitVector));
        Assert.Empty(server.AnswerBatch([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DpfPirServer(db, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DpfPirServer(db, 1, 100, KernelWidth.Scalar, XorBatchMethod.Auto));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DpfPirServer(db, 1, 64, KernelWidth.Scalar, XorBatchMethod.Auto));

        var client = new DpfPirClient(100, 8);
        ArgumentOutOfRangeException secret = Assert.Throws<ArgumentOutOfRangeException>(() => client.Query(123456));
        Assert.DoesNotContain("123456", secret.Message, StringComparison.Ordinal);
        PirAnswer[] answers = client.Query(5).Select(q => server.Answer(q)).ToArray();
        Assert.Throws<ArgumentException>(() => client.Recover(5, [answers[0], new XorAnswer(PirSchemeKind.XorBitVector, new byte[8])]));
        Assert.Throws<ArgumentException>(() => client.Recover(5, [answers[0], new XorAnswer(PirSchemeKind.XorDpf, new byte[9])]));
    }
}
