namespace Privomega.Pir.Engine.Tests.XorPir;

public class XorPirTests
{
    [Fact]
    public void Shares_differ_in_exactly_the_index_bit_and_are_fresh()
    {
        var client = new XorPirClient(1000, 8);
        PirQuery[] first = client.Query(321);
        var a = (XorQuery)first[0];
        var b = (XorQuery)first[1];
        for (long k = 0; k < 1000; k++)
        {
            bool differs = (((a.Selection[(int)(k / 64)] ^ b.Selection[(int)(k / 64)]) >> (int)(k % 64)) & 1) == 1;
            Assert.Equal(k == 321, differs);
        }

        // Two queries for one index must not repeat share A (probability 2^-1000 of a false failure).
        var again = (XorQuery)client.Query(321)[0];
        Assert.False(a.Selection.SequenceEqual(again.Selection));
        Assert.Equal(0UL, a.Selection[^1] >> (1000 % 64));
    }

    [Fact]
    public void Encoded_sizes_match_the_formula()
    {
        var client = new XorPirClient(1001, 37);
        Assert.Equal(2 + 8 + 126, client.QueryBytes);
        Assert.Equal(2 + 4 + 37, client.AnswerBytes);
        Assert.Equal(client.QueryBytes, client.Query(5)[0].EncodedLength);
    }

    [Fact]
    public void Thread_counts_and_widths_give_identical_answers()
    {
        using var db = PirDatabase.Generate((6 * 512) + 7, 96, 11);
        var client = new XorPirClient(db.RecordCount, 96);
        PirQuery[] queries = Enumerable.Range(0, 12).Select(i => client.Query(i * 200)[0]).ToArray();
        byte[][] reference = new XorPirServer(db, 1, KernelWidth.Scalar, XorBatchMethod.Masked).AnswerBatch(queries).Select(a => a.Encode()).ToArray();
        foreach (KernelWidth width in new[] { KernelWidth.Scalar, KernelWidth.Vector256, KernelWidth.Vector512 })
        {
            for (int threads = 1; threads <= 3; threads++)
            {
                var server = new XorPirServer(db, threads, width, XorBatchMethod.Auto);
                byte[][] answers = server.AnswerBatch(queries).Select(a => a.Encode()).ToArray();
                Assert.Equal(reference, answers);
            }
        }
    }

    [Fact]
    public void Wrong_share_length_and_stray_bits_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new XorQuery(100, new ulong[3]));
        Assert.Contains("length 3; expected 2", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new XorQuery(100, [0, 1UL << 36]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new XorQuery(0, []));

        byte[] bytes = new XorQuery(100, [ulong.MaxValue, (1UL << 36) - 1]).Encode();
        Assert.Equal(2 + 8 + 13, bytes.Length);
        bytes[^1] |= 0x80;
        var format = Assert.Throws<PirFormatException>(() => XorQuery.Decode(bytes, 100));
        Assert.Equal(PirDecodeStatus.BadValue, format.Error.Status);
    }

    [Fact]
    public void Query_for_another_record_count_is_rejected_on_decode_and_by_the_server()
    {
        byte[] bytes = new XorPirClient(200, 8).Query(3)[0].Encode();
        Assert.False(XorQuery.TryDecode(bytes, 201, out XorQuery? query, out PirDecodeError error));
        Assert.Null(query);
        Assert.Equal(new PirDecodeError(PirDecodeStatus.BadValue, "xor query record count", 200, 201), error);

        using var db = PirDatabase.Generate(201, 8, 1);
        var server = new XorPirServer(db);
        var e = Assert.Throws<ArgumentException>(() => server.Answer(XorQuery.Decode(bytes, 200)));
        Assert.Contains("200 records; the database has 201", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => server.Answer(new PlainQuery(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => server.AnswerBatch([]));
    }

    [Fact]
    public void Answer_for_another_record_size_is_rejected()
    {
        var client = new XorPirClient(10, 8);
        var wrongSize = new XorAnswer(new byte[9]);
        var right = new XorAnswer(new byte[8]);
        var e = Assert.Throws<ArgumentException>(() => client.Recover(1, [right, wrongSize]));
        Assert.Contains("9 bytes; expected 8", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => client.Recover(1, [right, new XorAnswer(PirSchemeKind.XorDpf, new byte[8])]));
        Assert.Throws<ArgumentException>(() => client.Recover(1, [right, new PlainAnswer(new byte[8])]));

        byte[] bytes = right.Encode();
        Assert.False(XorAnswer.TryDecode(bytes, 9, out _, out PirDecodeError error));
        Assert.Equal(PirDecodeStatus.BadValue, error.Status);
        Assert.Equal(PirDecodeStatus.WrongScheme, Assert.Throws<PirFormatException>(() => XorAnswer.Decode(bytes, 8, PirSchemeKind.XorDpf)).Error.Status);
    }

    [Fact]
    public void Index_out_of_range_does_not_echo_the_index()
    {
        var client = new XorPirClient(10, 8);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => client.Query(123456));
        Assert.DoesNotContain("123456", e.Message, StringComparison.Ordinal);
        Assert.Contains("< 10", e.Message, StringComparison.Ordinal);
    }
}
