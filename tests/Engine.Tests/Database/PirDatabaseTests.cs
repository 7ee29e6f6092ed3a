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

    [Fact]
    public void From_concatenated_and_from_file_agree_with_generate()
    {
        using var generated = PirDatabase.Generate(77, 13, 42);
        var bytes = new byte[77 * 13];
        for (int i = 0; i < 77; i++)
        {
            generated.CopyRecord(i, bytes.AsSpan(i * 13, 13));
        }

        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, bytes);
            using var fromFile = PirDatabase.FromFile(path, 13);
            using var fromSpan = PirDatabase.FromConcatenated(bytes, 13);
            for (int i = 0; i < 77; i++)
            {
                Assert.True(generated.GetRecord(i).SequenceEqual(fromFile.GetRecord(i)), $"record {i}");
                Assert.True(generated.GetRecord(i).SequenceEqual(fromSpan.GetRecord(i)), $"record {i}");
            }

            File.WriteAllBytes(path, bytes.AsSpan(0, 100).ToArray());
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
    public void Disposed_database_throws()
    {
        var db = PirDatabase.Generate(10, 8, 1);
        db.Dispose();
        db.Dispose();
        Assert.Throws<ObjectDisposedException>(() => db.GetRecord(0));
        Assert.Throws<ObjectDisposedException>(() => XorKernels.AccumulateMasked(db, 0, 1, new ulong[1], new byte[8]));
    }
}
