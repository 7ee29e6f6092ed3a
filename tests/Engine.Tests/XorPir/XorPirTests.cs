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
        Assert.Empty(server.AnswerBatch([]));
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

    [Fact]
    public void Disposing_a_share_zeroes_its_bits_and_retires_it()
    {
        var client = new XorPirClient(300, 8);
        PirQuery[] shares = client.Query(17);
        var a = (XorQuery)shares[0];
        ulong[] words = a.Words;
        Assert.Contains(words, w => w != 0);
        a.Dispose();
        Assert.All(words, w => Assert.Equal(0UL, w));
        Assert.Throws<ObjectDisposedException>(() => a.Selection.Length);
        Assert.Throws<ObjectDisposedException>(() => a.Encode());
        using var db = PirDatabase.Generate(300, 8, 1);
        Assert.Throws<ObjectDisposedException>(() => new XorPirServer(db).Answer(a));
        Assert.Throws<ObjectDisposedException>(() => new XorPirServer(db).AnswerBatch([shares[1], a]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Each_share_alone_is_unbiased_at_the_index_and_everywhere(int server)
    {
        // Over K queries for one index, each bit of one server's share is Binomial(K, 1/2). Hoeffding:
        // P(|c − K/2| ≥ t) ≤ 2·exp(−2t²/K); the union bound over all positions keeps the false
        // rejection below 1e-10. A client that leaked the index bit (e.g. cleared it in share A) fails at the index.
        const int records = 700;
        const int queries = 1024;
        const long index = 333;
        var client = new XorPirClient(records, 8);
        var ones = new int[records];
        for (int k = 0; k < queries; k++)
        {
            var share = (XorQuery)client.Query(index)[server];
            for (int x = 0; x < records; x++)
            {
                ones[x] += (int)((share.Selection[x >> 6] >> (x & 63)) & 1);
            }
        }

        double bound = Math.Sqrt(queries * Math.Log(2.0 * records / 1e-10) / 2);
        for (int x = 0; x < records; x++)
        {
            Assert.True(Math.Abs(ones[x] - (queries / 2.0)) <= bound, $"server {server}, position {x}: {ones[x]} ones of {queries}, allowed {queries / 2} ± {bound:F1}");
        }
    }

    [Fact]
    public void Size_formulas_and_decoders_reject_parameters_that_would_overflow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => XorQuery.EncodedLengthFor(long.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => XorQuery.EncodedLengthFor(XorQuery.MaxRecordCount + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => XorQuery.EncodedLengthFor(0));
        Assert.True(XorQuery.EncodedLengthFor(XorQuery.MaxRecordCount) > 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => XorAnswer.EncodedLengthFor(int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => XorAnswer.EncodedLengthFor(0));
        Assert.Equal(XorAnswer.MaxRecordBytes + 6, XorAnswer.EncodedLengthFor(XorAnswer.MaxRecordBytes));

        // A non-positive record count must not make the plain decoder accept any index.
        byte[] plain = new PlainQuery(5).Encode();
        Assert.Throws<ArgumentOutOfRangeException>(() => PlainQuery.TryDecode(plain, 0, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => PlainQuery.TryDecode(plain, -1, out _, out _));

        // A record size whose padded stride overflows int is refused up front, not as a failed huge allocation.
        Assert.Throws<ArgumentOutOfRangeException>(() => PirDatabase.Generate(1, int.MaxValue, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PirDatabase.FromConcatenated(new byte[8], int.MaxValue));
    }
}
