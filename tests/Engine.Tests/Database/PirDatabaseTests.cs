namespace Privomega.Pir.Engine.Tests.Database;

public class PirDatabaseTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(5, 8)]
    [InlineData(8, 8)]
    [InlineData(9, 16)]
    [InlineData(33, 40)]
    [InlineData(256, 256)]
    [InlineData(257, 264)]
    public void Stride_pads_little(int recordBytes, int stride)
    {
        using var db = PirDatabase.Generate(3, recordBytes, 1);
        Assert.Equal(stride, db.RecordStride);
        Assert.Equal(recordBytes, db.GetRecord(2).Length);
    }

    [Fact]
    public void From_records_round_trips_and_copies()
    {
        var records = new List<byte[]>();
        for (int i = 0; i < 70; i++)
        {
            records.Add([(byte)i, (byte)(i * 3), (byte)(i * 7)]);
        }

        using var db = PirDatabase.FromRecords(records, 3);
        Assert.Equal(70, db.RecordCount);
        Assert.Equal(3, db.RecordBytes);
        for (int i = 0; i < 70; i++)
        {
            Assert.Equal(records[i], db.GetRecord(i).ToArray());
            Assert.Equal(records[i], db.CopyRecord(i));
        }

        var dest = new byte[5];
        db.CopyRecord(69, dest);
        Assert.Equal(records[69], dest[..3]);
        Assert.Equal(0, dest[3]);
    }

    [Theory]
    [InlineData(13)] // padded rows
    [InlineData(1)] // unpadded rows: one bulk copy
    [InlineData(24)]
    public void From_concatenated_and_from_file_agree_with_generate(int recordBytes)
    {
        using var generated = PirDatabase.Generate(77, recordBytes, 42);
        var bytes = new byte[77 * recordBytes];
        for (int i = 0; i < 77; i++)
        {
            generated.CopyRecord(i, bytes.AsSpan(i * recordBytes, recordBytes));
        }

        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, bytes);
            using var fromFile = PirDatabase.FromFile(path, recordBytes);
            using var fromSpan = PirDatabase.FromConcatenated(bytes, recordBytes);
            Assert.Equal(77, fromFile.RecordCount);
            Assert.Equal(77, fromSpan.RecordCount);
            for (int i = 0; i < 77; i++)
            {
                Assert.True(generated.GetRecord(i).SequenceEqual(fromFile.GetRecord(i)), $"record {i}");
                Assert.True(generated.GetRecord(i).SequenceEqual(fromSpan.GetRecord(i)), $"record {i}");
            }

            // The three databases answer alike, so the rows' padding is zero in all of them.
            var selection = new ulong[] { ulong.MaxValue, (1UL << 13) - 1 };
            byte[] expected = Scan(generated, selection);
            Assert.Equal(expected, Scan(fromFile, selection));
            Assert.Equal(expected, Scan(fromSpan, selection));

            // A length that is not a multiple of the record size.
            File.WriteAllBytes(path, new byte[100]);
            var e = Assert.Throws<ArgumentException>(() => PirDatabase.FromFile(path, 13));
            Assert.Contains("100 bytes", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Generate_is_deterministic_and_seed_dependent()
    {
        using var a = PirDatabase.Generate(20000, 7, 9);
        using var b = PirDatabase.Generate(20000, 7, 9);
        using var c = PirDatabase.Generate(20000, 7, 10);
        Assert.True(a.GetRecord(19999).SequenceEqual(b.GetRecord(19999)));
        Assert.False(a.GetRecord(19999).SequenceEqual(c.GetRecord(19999)));
        Assert.False(a.GetRecord(0).SequenceEqual(a.GetRecord(1)));
    }

    [Fact]
    public void Bad_arguments_throw_with_found_and_expected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PirDatabase.Generate(0, 8, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PirDatabase.Generate(1, 0, 1));
        var e = Assert.Throws<ArgumentException>(() => PirDatabase.FromRecords([new byte[4], new byte[5]], 4));
        Assert.Contains("records[1] has length 5; expected 4", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PirDatabase.FromConcatenated(new byte[10], 3));

        using var db = PirDatabase.Generate(10, 8, 1);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => db.GetRecord(10));
        Assert.Contains("index < 10", range.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => db.GetRecord(-1));
        Assert.Throws<ArgumentException>(() => db.CopyRecord(0, new byte[7]));
    }

    [Fact]
    public void Databases_of_2_MiB_and_more_live_in_a_huge_page_mapping_with_zero_padding()
    {
        // 21 000 records of 100 bytes in 104-byte rows: 2.08 MiB, so the rows come from the huge-page mapping.
        const int Count = 21_000;
        var records = new byte[Count * 100];
        new Random(3).NextBytes(records);
        using var db = PirDatabase.FromConcatenated(records, 100);
        using var small = PirDatabase.FromConcatenated(records.AsSpan(0, 100 * 1000), 100);
        if (OperatingSystem.IsLinux())
        {
            // Found in /proc/self/smaps at the rows' address (how much of it is huge depends on the machine's THP setting).
            Assert.InRange(db.HugePageBytes, 0, 4L << 20); // the mapping is 2.08 MiB rounded up to whole 2 MiB pages
        }

        Assert.Equal(0, small.HugePageBytes);
        Assert.True(records.AsSpan(100 * 20_999, 100).SequenceEqual(db.GetRecord(20_999)));

        // Every row selected: the XOR of all records, padding zero, equals the byte-by-byte XOR.
        ulong[] selection = Enumerable.Repeat(ulong.MaxValue, (Count + 63) / 64).ToArray();
        var acc = new byte[db.RecordStride];
        XorKernels.AccumulateMasked(db, 0, Count, selection, acc);
        var expected = new byte[100];
        for (int i = 0; i < records.Length; i++)
        {
            expected[i % 100] ^= records[i];
        }

        Assert.Equal(expected, acc.AsSpan(0, 100).ToArray());
        Assert.True(acc.AsSpan(100).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void Disposed_database_throws()
    {
        var db = PirDatabase.Generate(10, 8, 1);
        db.Dispose();
        db.Dispose();
        Assert.Throws<ObjectDisposedException>(() => db.GetRecord(0));
        Assert.Throws<ObjectDisposedException>(() => XorKernels.AccumulateMasked(db, 0, 1, new ulong[1], new byte[8]));
    }

    [Fact]
    public void Dispose_during_a_scan_defers_freeing_until_the_scan_ends()
    {
        var db = PirDatabase.Generate(130, 16, 3);
        byte[] expected = db.CopyRecord(129);
        var server = new XorPirServer(db);
        PirQuery query = new XorPirClient(130, 16).Query(129)[0];

        // A scan in flight (what the servers hold while they scan) when another thread disposes.
        db.AddScanReference();
        db.Dispose();

        // New work is refused at once ...
        Assert.Throws<ObjectDisposedException>(() => db.GetRecord(0));
        Assert.Throws<ObjectDisposedException>(() => db.CopyRecord(0));
        Assert.Throws<ObjectDisposedException>(() => server.Answer(query));
        Assert.Throws<ObjectDisposedException>(() => new DpfPirServer(db).Answer(new DpfPirClient(130, 16).Query(1)[0]));
        Assert.Throws<ObjectDisposedException>(() => new PlainPirServer(db).Answer(new PlainQuery(1)));

        // ... but the running scan still reads the rows, not freed memory.
        var selection = new ulong[3];
        selection[2] = 1UL << (129 - 128);
        var accumulator = new byte[16];
        XorKernels.AccumulateMasked(db, 0, 130, selection, accumulator);
        Assert.Equal(expected, accumulator);

        // The last scan to end frees the rows.
        db.ReleaseScanReference();
        Assert.Throws<ObjectDisposedException>(() => XorKernels.AccumulateMasked(db, 0, 130, selection, accumulator));
    }

    [Fact]
    public async Task Dispose_racing_with_answers_never_frees_rows_under_a_scan()
    {
        // Before scan references, a Dispose on another thread freed the rows under a running scan (use after free).
        // Every answer here must be either right or an ObjectDisposedException.
        const int seed = 77;
        for (int round = 0; round < 20; round++)
        {
            var db = PirDatabase.Generate(4096, 64, (ulong)(seed + round));
            byte[] expected = db.CopyRecord(4000);
            var client = new XorPirClient(4096, 64);
            var server = new XorPirServer(db, threads: 2);
            using var start = new ManualResetEventSlim();
            var answers = Task.Run(() =>
            {
                start.Wait();
                while (true)
                {
                    PirQuery[] shares = client.Query(4000);
                    try
                    {
                        PirAnswer[] replies = [server.Answer(shares[0]), server.Answer(shares[1])];
                        Assert.True(expected.AsSpan().SequenceEqual(client.Recover(4000, replies)), $"round {round}, seed {seed}");
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }
                }
            });
            start.Set();
            Thread.Yield();
            db.Dispose();
            // Rethrows a wrong recovery from the task; a hang means a scan never saw the Dispose.
            await answers.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private static byte[] Scan(PirDatabase db, ulong[] selection)
    {
        var accumulator = new byte[db.RecordStride];
        XorKernels.AccumulateMasked(db, 0, (int)db.RecordCount, selection, accumulator);
        return accumulator;
    }
}
