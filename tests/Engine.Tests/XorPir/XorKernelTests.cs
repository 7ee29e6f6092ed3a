namespace Privomega.Pir.Engine.Tests.XorPir;

/// <summary>Every kernel width and batch method against a byte-by-byte reference written here.</summary>
public class XorKernelTests
{
    private static readonly KernelWidth[] Widths = [KernelWidth.Scalar, KernelWidth.Vector256, KernelWidth.Vector512];
    private static readonly XorBatchMethod[] Methods = [XorBatchMethod.Masked, XorBatchMethod.FourRussians];

    public static TheoryData<int> RecordSizes()
    {
        var data = new TheoryData<int>();
        for (int r = 1; r <= 256; r++)
        {
            data.Add(r);
        }

        return data;
    }

    /// <summary>The specification: XOR of the records whose selection bit is set, byte by byte.</summary>
    internal static byte[] Reference(PirDatabase db, long firstRecord, int recordCount, ReadOnlySpan<ulong> selection)
    {
        var acc = new byte[db.RecordBytes];
        for (int k = 0; k < recordCount; k++)
        {
            if (((selection[k / 64] >> (k % 64)) & 1) == 1)
            {
                ReadOnlySpan<byte> record = db.GetRecord(firstRecord + k);
                for (int j = 0; j < acc.Length; j++)
                {
                    acc[j] ^= record[j];
                }
            }
        }

        return acc;
    }

    internal static ulong[] RandomSelections(Random rng, int batch, int words)
    {
        var selections = new ulong[batch * words];
        for (int i = 0; i < selections.Length; i++)
        {
            // Bits past the last record are set too: kernels must ignore them.
            selections[i] = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40);
        }

        return selections;
    }

    private static void CheckBatch(PirDatabase db, long first, int count, int batch, KernelWidth width, XorBatchMethod method, int seed, int threads = 0)
    {
        var rng = new Random(seed);
        int words = (count + 63) / 64;
        ulong[] selections = RandomSelections(rng, batch, words);
        int stride = db.RecordStride;
        var acc = new byte[batch * stride];
        if (threads == 0)
        {
            XorKernels.AccumulateMaskedBatch(db, first, count, selections, words, acc, width, method);
        }
        else
        {
            XorKernels.AccumulateMaskedParallel(db, selections, words, acc, threads, width, method);

            // The same scan from one array per query, read in place, gives the same bytes.
            var perQuery = new ulong[batch][];
            for (int q = 0; q < batch; q++)
            {
                perQuery[q] = selections.AsSpan(q * words, words).ToArray();
            }

            var fromArrays = new byte[batch * stride];
            XorKernels.AccumulateMaskedParallel(db, perQuery, fromArrays, threads, width, method);
            Assert.True(acc.AsSpan().SequenceEqual(fromArrays), $"per-query arrays, seed {seed}, batch {batch}, {width}, {method}, threads {threads}");
        }

        for (int q = 0; q < batch; q++)
        {
            byte[] expected = Reference(db, first, count, selections.AsSpan(q * words, words));
            string what = $"seed {seed}, N {db.RecordCount}, R {db.RecordBytes}, first {first}, count {count}, batch {batch}, query {q}, {width}, {method}, threads {threads}";
            Assert.True(expected.AsSpan().SequenceEqual(acc.AsSpan(q * stride, db.RecordBytes)), what);
            Assert.True(acc.AsSpan((q * stride) + db.RecordBytes, stride - db.RecordBytes).IndexOfAnyExcept((byte)0) < 0, "padding stays zero: " + what);
        }
    }

    [Theory]
    [MemberData(nameof(RecordSizes))]
    public void Every_width_and_method_matches_reference_for_record_size(int recordBytes)
    {
        using var db = PirDatabase.Generate(131, recordBytes, (ulong)recordBytes);
        foreach (KernelWidth width in Widths)
        {
            foreach (XorBatchMethod method in Methods)
            {
                CheckBatch(db, 0, 131, 1, width, method, seed: recordBytes);
                CheckBatch(db, 3, 125, 2, width, method, seed: recordBytes + 1000);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(24)]
    [InlineData(100)]
    [InlineData(256)]
    [InlineData(600)]
    public void Odd_record_counts_up_to_6x512_plus_7_match_reference(int recordBytes)
    {
        foreach (int n in new[] { 1, 2, 63, 64, 65, 511, (6 * 512) + 7 })
        {
            using var db = PirDatabase.Generate(n, recordBytes, (ulong)(n * 7919) + (ulong)recordBytes);
            foreach (KernelWidth width in Widths)
            {
                foreach (XorBatchMethod method in Methods)
                {
                    CheckBatch(db, 0, n, 2, width, method, seed: n + recordBytes);
                }
            }
        }
    }

    [Fact]
    public void Batches_of_1_to_33_match_reference()
    {
        // 100-byte records: a 104-byte row is one 64-byte register strip plus a 40-byte tail (one Vector256 lane and a word).
        using var db = PirDatabase.Generate(200, 100, 40);
        for (int batch = 1; batch <= 33; batch++)
        {
            foreach (KernelWidth width in Widths)
            {
                foreach (XorBatchMethod method in Methods)
                {
                    CheckBatch(db, 1, 197, batch, width, method, seed: batch);
                }
            }

            CheckBatch(db, 0, 200, batch, XorKernels.DefaultWidth, XorBatchMethod.Auto, seed: batch + 500);
        }
    }

    [Theory]
    [InlineData(256)]
    [InlineData(249)]
    [InlineData(520)]
    [InlineData(800)]
    [InlineData(200)]
    public void Register_strip_four_russians_matches_reference_for_batches(int recordBytes)
    {
        // Rows of 128 bytes or more take the queries-outer register kernel (Vector256 and Vector512) on whole 128-byte strips; 520 and 800 add a
        // word remainder, 249 and 256 are two whole strips; 200 rows cover three whole blocks and a partial one.
        using var db = PirDatabase.Generate(200, recordBytes, (ulong)recordBytes * 31);
        foreach (int batch in new[] { 1, 2, 3, 8, 17, 33 })
        {
            foreach (KernelWidth width in Widths)
            {
                CheckBatch(db, 0, 200, batch, width, XorBatchMethod.FourRussians, seed: (recordBytes * 100) + batch);
                CheckBatch(db, 5, 192, batch, width, XorBatchMethod.FourRussians, seed: (recordBytes * 100) + batch + 50);
            }
        }
    }

    [Fact]
    public void Large_batch_crosses_selection_word_gather_chunks()
    {
        // Four Russians gathers 4096 selection words at a time: 1366 queries make chunks of 2 blocks, so the third block
        // starts a new chunk.
        using var db = PirDatabase.Generate(200, 256, 77);
        CheckBatch(db, 0, 200, 1366, XorKernels.DefaultWidth, XorBatchMethod.FourRussians, seed: 1366);
        CheckBatch(db, 0, 200, 1366, KernelWidth.Scalar, XorBatchMethod.FourRussians, seed: 1367);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(64, 256)]
    [InlineData(1000, 5)]
    [InlineData((6 * 512) + 7, 264)]
    public void Threads_1_to_3_match_reference(int recordCount, int recordBytes)
    {
        using var db = PirDatabase.Generate(recordCount, recordBytes, 99);
        for (int threads = 1; threads <= 3; threads++)
        {
            foreach (int batch in new[] { 1, 7, 20 })
            {
                CheckBatch(db, 0, recordCount, batch, XorKernels.DefaultWidth, XorBatchMethod.Auto, seed: threads * 100 + batch, threads);
                CheckBatch(db, 0, recordCount, batch, KernelWidth.Scalar, XorBatchMethod.Masked, seed: threads * 100 + batch + 1, threads);
            }
        }
    }

    [Fact]
    public void Single_selection_entry_point_matches_reference()
    {
        using var db = PirDatabase.Generate(300, 33, 5);
        var rng = new Random(5);
        ulong[] selection = RandomSelections(rng, 1, 4);
        var acc = new byte[db.RecordStride];
        XorKernels.AccumulateMasked(db, 44, 200, selection, acc);
        Assert.Equal(Reference(db, 44, 200, selection), acc.AsSpan(0, 33).ToArray());
    }

    [Fact]
    public void Accumulation_xors_into_existing_contents()
    {
        using var db = PirDatabase.Generate(10, 16, 1);
        ulong[] selection = [0b101];
        var acc = new byte[16];
        XorKernels.AccumulateMasked(db, 0, 10, selection, acc);
        XorKernels.AccumulateMasked(db, 0, 10, selection, acc);
        Assert.All(acc, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Bad_shapes_throw_with_found_and_expected()
    {
        using var db = PirDatabase.Generate(100, 10, 1);
        var acc = new byte[db.RecordStride];
        var e1 = Assert.Throws<ArgumentException>(() => XorKernels.AccumulateMaskedBatch(db, 0, 100, new ulong[1], 2, acc));
        Assert.Contains("length 1; expected 2", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentException>(() => XorKernels.AccumulateMasked(db, 0, 100, new ulong[2], new byte[10]));
        Assert.Contains("multiple of the row stride 16", e2.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => XorKernels.AccumulateMasked(db, 50, 51, new ulong[1], acc));
        Assert.Throws<ArgumentOutOfRangeException>(() => XorKernels.AccumulateMasked(db, -1, 10, new ulong[1], acc));
        Assert.Throws<ArgumentOutOfRangeException>(() => XorKernels.AccumulateMaskedBatch(db, 0, 100, new ulong[1], 1, acc));
        Assert.Throws<ArgumentOutOfRangeException>(() => XorKernels.AccumulateMaskedParallel(db, new ulong[2], 2, acc, 0, KernelWidth.Scalar));
        Assert.Throws<ArgumentOutOfRangeException>(() => XorKernels.AccumulateMaskedParallel(db, [new ulong[1]], acc, 1, KernelWidth.Scalar));
        Assert.Throws<ArgumentException>(() => XorKernels.AccumulateMaskedParallel(db, [new ulong[2], new ulong[2]], acc, 1, KernelWidth.Scalar));
        Assert.Throws<ArgumentOutOfRangeException>(() => XorKernels.AccumulateMaskedBatch(db, 0, 100, new ulong[2], 2, acc, (KernelWidth)128, XorBatchMethod.Masked));
    }
}
