using System.Runtime.InteropServices;
using Privomega.Pir.Engine.Lattice;
using Privomega.Pir.Engine.Ypir;
using Xunit.Abstractions;

namespace Privomega.Pir.Engine.Tests.Ypir;

public sealed unsafe class YpirTests(ITestOutputHelper output)
{
    private static readonly YpirPreset Test = YpirPreset.N256_Insecure;

    public static TheoryData<int> Paths() => [.. KernelPaths.All.Select(p => (int)p)];

    [Fact]
    public void Prints_the_kernel_widths_this_run_gets() =>
        output.WriteLine($"best path {KernelPaths.Best}; Vector512 accelerated {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, Vector256 accelerated {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}; server kernel width {YpirServer.KernelVectorWidth}");

    /// <summary>Every path equals a reference written here, for strip counts 1–3 and column counts around the four-column unroll.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void First_dimension_matches_the_reference(int pathValue)
    {
        var path = (KernelPath)pathValue;
        var rng = new Random(pathValue + 11);
        int[] columnCounts = [0, 1, 2, 3, 4, 5, 7, 8, 63, 257, (6 * 512) + 7];
        foreach (int rows in new[] { 64, 128, 192 })
        {
            foreach (int columns in columnCounts)
            {
                if (columns > 300 && rows > 64)
                {
                    continue;
                }

                nuint bytes = (nuint)(Math.Max(1, columns) * rows);
                byte* matrix = (byte*)NativeMemory.AlignedAlloc(bytes, 64);
                try
                {
                    var m = new Span<byte>(matrix, (int)bytes);
                    rng.NextBytes(m);
                    var q = new uint[columns];
                    foreach (ref uint v in q.AsSpan())
                    {
                        v = (uint)rng.NextInt64(1L << 32);
                    }

                    var expected = new uint[rows];
                    for (int j = 0; j < columns; j++)
                    {
                        for (int i = 0; i < rows; i++)
                        {
                            long offset = ((((long)i / 64) * columns) + j) * 64 + (i % 64);
                            expected[i] = unchecked(expected[i] + (m[(int)offset] * q[j]));
                        }
                    }

                    var y = new uint[rows];
                    y.AsSpan().Fill(0xDEADBEEF);
                    YpirKernels.FirstDimension(matrix, rows, q, y, path);
                    Assert.True(expected.AsSpan().SequenceEqual(y), $"{path} rows {rows} columns {columns}");
                }
                finally
                {
                    NativeMemory.AlignedFree(matrix);
                }
            }
        }
    }

    /// <summary>The NTT-based hint equals its definition H_ij = Σ_j D_ij·a_j with a_j the negacyclic rotations of the public polynomials.</summary>
    [Fact]
    public void Hint_equals_the_direct_matrix_product()
    {
        using var db = PirDatabase.Generate(2 * 256 + 3, 256, 5);
        var p = YpirPlanner.Plan(db.RecordCount, db.RecordBytes, Test);
        Assert.Equal(3 * 256, p.Columns);
        using var server = new YpirServer(db, p, allowInsecure: !p.Preset.IsSecure);
        int d = Test.RingDegree;
        var blocks = new uint[p.ColumnBlocks][];
        for (int b = 0; b < blocks.Length; b++)
        {
            blocks[b] = new uint[d];
            YpirPublicRandom.FillUInt32(p.PublicSeed, YpirPublicRandom.MatrixDomain + (ulong)b, blocks[b]);
        }

        var leafA = new uint[d * d];
        server.ComputeLeafA(0, leafA);
        foreach (int row in new[] { 0, 1, 77, 255 })
        {
            var h = new uint[d];
            for (long j = 0; j < p.Columns; j++)
            {
                var a = blocks[j / d];
                int k = (int)(j % d);
                uint entry = server.Entry(row, j);
                for (int l = 0; l < d; l++)
                {
                    uint ajl = l <= k ? a[k - l] : unchecked(0u - a[d + k - l]);
                    h[l] = unchecked(h[l] + (entry * ajl));
                }
            }

            // A_i = conj(H_i): A_0 = H_0, A_(d−l) = −H_l.
            Assert.Equal(h[0], leafA[row * d]);
            for (int l = 1; l < d; l++)
            {
                Assert.Equal(unchecked(0u - h[l]), leafA[(row * d) + d - l]);
            }
        }
    }

    /// <summary>Every record of small and odd shapes comes back, with the first dimension on every kernel path.</summary>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(300, 17)]
    [InlineData(37, 256)]
    [InlineData(9, 600)]
    public void Recovers_every_record_on_every_path(int recordCount, int recordBytes)
    {
        using var db = PirDatabase.Generate(recordCount, recordBytes, (ulong)(recordCount * 31 + recordBytes));
        var p = YpirPlanner.Plan(recordCount, recordBytes, Test);
        using var server = new YpirServer(db, p, allowInsecure: !p.Preset.IsSecure);
        using var client = new YpirClient(p, allowInsecure: !p.Preset.IsSecure);
        var key = YpirPackingKey.Decode(client.PackingKey.Encode(), p);
        var columnsSeen = new HashSet<long>();
        for (long index = 0; index < recordCount; index++)
        {
            long column = index / p.RecordsPerColumn;
            var query = YpirQuery.Decode(client.MakeQuery(index).Encode(), p);
            if (!columnsSeen.Add(column))
            {
                // One query per column covers every record in it.
                continue;
            }

            YpirAnswer? first = null;
            foreach (var path in KernelPaths.All)
            {
                var answer = YpirAnswer.Decode(server.Answer(query, key, path, out _).Encode(), p);
                first ??= answer;
                Assert.Equal(first.Encode(), answer.Encode());
            }

            byte[] columnBytes = client.DecryptColumn(first!, out _);
            for (long r = column * p.RecordsPerColumn; r < Math.Min(recordCount, (column + 1) * p.RecordsPerColumn); r++)
            {
                Assert.Equal(db.GetRecord(r).ToArray(), client.Recover(r, [first!]));
                int offset = (int)(r % p.RecordsPerColumn) * recordBytes;
                Assert.Equal(db.GetRecord(r).ToArray(), columnBytes.AsSpan(offset, recordBytes).ToArray());
            }
        }
    }

    /// <summary>
    /// Noise against the decryption threshold 2^(AnswerBits−9), at the real d = 2048 preset: the worst coefficient of
    /// the answer must sit at least 4 bits below the threshold (measured: about 7 bits at this shape; the docs work
    /// out the 1 GiB shape, where the first dimension's noise grows with √columns).
    /// </summary>
    [Fact]
    public void Noise_stays_far_below_the_threshold_at_the_real_preset()
    {
        using var db = PirDatabase.Generate(4000, 288, 9);
        var p = YpirPlanner.Plan(db.RecordCount, db.RecordBytes);
        Assert.True(p.Preset.IsSecure);
        using var server = new YpirServer(db, p, allowInsecure: !p.Preset.IsSecure);
        using var client = new YpirClient(p, allowInsecure: !p.Preset.IsSecure);
        long threshold = 1L << (p.Preset.AnswerBits - 9);
        foreach (long index in new long[] { 0, 3999 })
        {
            var answer = YpirAnswer.Decode(server.Answer(YpirQuery.Decode(client.MakeQuery(index).Encode(), p), client.PackingKey).Encode(), p);
            Assert.Equal(db.GetRecord(index).ToArray(), client.Recover(index, [answer]));
            client.DecryptColumn(answer, out long noise);
            double margin = Math.Log2(threshold / (double)Math.Max(1, noise));
            output.WriteLine($"index {index}: max |noise| {noise}, threshold {threshold}, margin {margin:F2} bits");
            Assert.True(margin >= 4, $"margin {margin:F2} bits");
        }
    }

    /// <summary>
    /// The query's LWE errors (centered binomial plus the rounding to 30 bits) are small and have mean zero: the
    /// first dimension adds them up over every column with weights in [0, 256), so a bias grows linearly with the
    /// column count (ties rounded always up gave mean +1/2 and broke decryption at 2^19 columns).
    /// </summary>
    [Fact]
    public void Query_errors_are_small_and_unbiased()
    {
        var p = YpirPlanner.Plan(8 * 2048, 256, Test);
        Assert.Equal(8 * 256 * 8, p.Columns);
        using var client = new YpirClient(p, allowInsecure: true);
        long[] errors = client.QueryErrors(YpirQuery.Decode(client.MakeQuery(1234).Encode(), p), 1234 / p.RecordsPerColumn);
        Assert.True(errors.Max(e => Math.Abs(e)) <= SecretSampling.BinomialEta + 2, $"max |e| {errors.Max(e => Math.Abs(e))}");
        double mean = errors.Average();
        double sd = Math.Sqrt(errors.Select(e => (e - mean) * (e - mean)).Average());
        output.WriteLine($"query errors over {errors.Length} columns: mean {mean:F3}, sd {sd:F3}");

        // The mean of 16 384 errors of sd ≈ 3.5 is within ±0.14 with overwhelming probability (5 sd); a bias of ½ is not.
        Assert.InRange(mean, -0.14, 0.14);
        Assert.InRange(sd, 3.0, 4.0);
    }

    [Fact]
    public void Malformed_keys_and_counts_are_rejected_with_typed_errors()
    {
        using var db = PirDatabase.Generate(50, 20, 1);
        var p = YpirPlanner.Plan(50, 20, Test);
        using var server = new YpirServer(db, p, allowInsecure: !p.Preset.IsSecure);
        using var client = new YpirClient(p, allowInsecure: !p.Preset.IsSecure);
        byte[] query = client.MakeQuery(7).Encode();

        // The key's first residue (27 bits after the header) set to all ones: ≥ p0. And its padding bits must be zero.
        byte[] key = client.PackingKey.Encode();
        Assert.Equal(p.PackingKeyBytes, key.Length);
        byte[] badKey = (byte[])key.Clone();
        badKey[2] = 0xFF;
        badKey[3] = 0xFF;
        badKey[4] = 0xFF;
        badKey[5] |= 0x07;
        Assert.False(YpirPackingKey.TryDecode(badKey, p, out _, out var error));
        Assert.Equal(PirDecodeStatus.BadValue, error.Status);
        Assert.False(YpirPackingKey.TryDecode(key.AsSpan(0, key.Length - 1), p, out _, out error));
        Assert.Equal(PirDecodeStatus.Truncated, error.Status);
        byte[] wrongScheme = (byte[])key.Clone();
        wrongScheme[1] = (byte)PirSchemeKind.Lattice;
        Assert.False(YpirPackingKey.TryDecode(wrongScheme, p, out _, out error));
        Assert.Equal(PirDecodeStatus.WrongScheme, error.Status);
        int queryPaddingBits = (int)((p.ColumnBytes * 8) - (p.Columns * YpirParameters.QueryBits));
        if (queryPaddingBits > 0)
        {
            byte[] badPadding = (byte[])query.Clone();
            badPadding[^1] |= 0x80;
            Assert.False(YpirQuery.TryDecode(badPadding, p, out _, out error));
            Assert.Equal(PirDecodeStatus.BadValue, error.Status);
        }

        byte[] answer = server.Answer(YpirQuery.Decode(query, p), YpirPackingKey.Decode(key, p)).Encode();
        byte[] badCount = (byte[])answer.Clone();
        badCount[2] = 2;
        Assert.False(YpirAnswer.TryDecode(badCount, p, out _, out error));
        Assert.Equal(PirDecodeStatus.BadValue, error.Status);
        Assert.Equal("YpirAnswer.count", error.Field);

        // A query for another shape is refused by the server.
        var other = YpirPlanner.Plan(5000, 20, Test);
        using var otherClient = new YpirClient(other, allowInsecure: true);
        Assert.Throws<ArgumentException>(() => server.Answer(otherClient.MakeQuery(0), otherClient.PackingKey));
        Assert.Throws<ArgumentException>(() => server.Answer(client.MakeQuery(0), otherClient.PackingKey));
        Assert.Throws<ArgumentException>(() => server.Answer(client.MakeQuery(0), null));
        Assert.Throws<ArgumentException>(() => client.Recover(0, [new PlainAnswer(new byte[20])]));
    }

    /// <summary>
    /// The secret never leaves the client: neither its coefficients nor its residues appear in what crosses the
    /// wire, a second client (another secret) reads noise from the same answer, and decoding the query's column
    /// values with the secret set to zero gives uniform-looking values, not the selection vector.
    /// </summary>
    [Fact]
    public void The_secret_stays_with_the_client()
    {
        using var db = PirDatabase.Generate(40, 32, 2);
        var p = YpirPlanner.Plan(40, 32, Test);
        using var server = new YpirServer(db, p, allowInsecure: !p.Preset.IsSecure);
        using var client = new YpirClient(p, allowInsecure: !p.Preset.IsSecure);
        using var stranger = new YpirClient(p, allowInsecure: !p.Preset.IsSecure);
        var query = client.MakeQuery(5);
        byte[] queryBytes = query.Encode();
        var answer = server.Answer(YpirQuery.Decode(queryBytes, p), YpirPackingKey.Decode(client.PackingKey.Encode(), p));
        byte[] answerBytes = answer.Encode();
        Assert.False(client.SecretAppearsIn(queryBytes));
        Assert.False(client.SecretAppearsIn(client.PackingKey.Encode()));
        Assert.False(client.SecretAppearsIn(answerBytes));

        // The secret as 32-bit words (how a careless encoding would carry it) is not in the query either.
        var words = new byte[4 * 16];
        for (int x = 0; x < 16; x++)
        {
            BitConverter.TryWriteBytes(words.AsSpan(4 * x), client.SecretCoefficient(x));
        }

        Assert.True(queryBytes.AsSpan().IndexOf(words) < 0);
        Assert.Equal(db.GetRecord(5).ToArray(), client.Recover(5, [answer]));
        Assert.NotEqual(db.GetRecord(5).ToArray(), stranger.Recover(5, [answer]));

        // Without the secret, b_j − 0 is not the selection: the selected column's value is not near 2^24 + small.
        var decoded = YpirQuery.Decode(queryBytes, p);
        int near = decoded.ColumnValues.Count(v => Math.Abs((long)v - (1L << 24)) < 1000 || v < 1000 || v > uint.MaxValue - 1000);
        Assert.True(near <= 1, $"{near} column values look like plaintext");
    }

    [Fact]
    public void Planner_keeps_the_query_within_budget_and_validates()
    {
        var gib = YpirPlanner.Plan(1L << 22, 256);
        Assert.Equal(1, gib.OutputCiphertexts);
        Assert.Equal(1L << 19, gib.Columns);
        Assert.True(gib.QueryBytes + gib.PackingKeyBytes + gib.AnswerBytes <= 2_500_000, $"{gib.QueryBytes} + {gib.PackingKeyBytes} + {gib.AnswerBytes}");
        var big = YpirPlanner.Plan(1L << 20, 288);
        Assert.Equal(7, big.RecordsPerColumn);
        Assert.Equal(0, big.Columns % 2048);
        Assert.Throws<ArgumentOutOfRangeException>(() => YpirPlanner.Plan(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => YpirPlanner.Plan(10, 0));
        Assert.Throws<ArgumentNullException>(() => new YpirClient(null!));
        using var db = PirDatabase.Generate(10, 10, 1);
        Assert.Throws<ArgumentException>(() => new YpirServer(db, YpirPlanner.Plan(11, 10, Test)));
    }

    /// <summary>An incrementally updated server answers byte for byte like one built from scratch on the new snapshot.</summary>
    [Fact]
    public void Incremental_update_equals_a_fresh_setup()
    {
        const int Records = 700;
        const int RecordBytes = 48;
        var p = YpirPlanner.Plan(Records, RecordBytes, Test);
        Assert.True(p.OutputCiphertexts == 1 && p.Rows / RecordBytes == p.RecordsPerColumn);
        using var before = PirDatabase.Generate(Records, RecordBytes, 1);
        var records = Enumerable.Range(0, Records).Select(i => before.GetRecord(i).ToArray()).ToList();
        records[3][0] ^= 0x5A;
        records[3][47] ^= 0xFF;
        records[699] = new byte[RecordBytes];
        records[250][20] = (byte)(records[250][20] + 1);
        using var after = PirDatabase.FromRecords(records, RecordBytes);
        using var old = new YpirServer(before, p, allowInsecure: true);
        using var updated = old.Update(after);
        using var fresh = new YpirServer(after, p, allowInsecure: true);
        Assert.Equal(1, updated.RebuiltCiphertexts);
        Assert.True(updated.ChangedEntries >= 4);
        using var client = new YpirClient(p, allowInsecure: !p.Preset.IsSecure);
        foreach (long index in new long[] { 3, 699, 250, 0, 400 })
        {
            var query = client.MakeQuery(index);
            byte[] expected = fresh.Answer(query, client.PackingKey).Encode();
            Assert.Equal(expected, updated.Answer(query, client.PackingKey).Encode());
            Assert.Equal(records[(int)index], client.Recover(index, [updated.Answer(query, client.PackingKey)]));
        }

        // The old snapshot still answers with the old records, and an unchanged snapshot rebuilds nothing.
        Assert.Equal(before.GetRecord(3).ToArray(), client.Recover(3, [old.Answer(client.MakeQuery(3), client.PackingKey)]));
        using var same = updated.Update(after);
        Assert.Equal(0, same.RebuiltCiphertexts);
        Assert.Equal(0, same.ChangedEntries);
    }
}
