using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Tests.Lattice;

public class LatticePirTests
{
    private static readonly LatticeParameters Small = LatticeParameters.N256_Logq108_Logt20_Insecure;

    private static LatticePirClient NewClient(LatticePirParameters p) => new(p, allowInsecure: !p.IsSecure);

    private static (LatticePirClient Client, LatticePirServer Server) Setup(PirDatabase db, LatticePirParameters p, int threads = 1) =>
        (NewClient(p), new LatticePirServer(db, p, threads, allowInsecure: !p.IsSecure));

    /// <summary>The client's Galois keys as the server gets them: through their encoding.</summary>
    private static LatticeGaloisKeys Uploaded(LatticePirClient client) => LatticeGaloisKeys.Decode(client.GaloisKeys.Encode(), client.Parameters);

    private static byte[] RoundTrip(LatticePirClient client, LatticePirServer server, long index)
    {
        var p = client.Parameters;
        var query = LatticeQuery.Decode(client.Query(index).Encode(), p);
        var answer = LatticeAnswer.Decode(server.Answer(query, Uploaded(client)).Encode(), p);
        return client.Recover(index, answer);
    }

    [Theory]
    [InlineData(1L, 1, null)]
    [InlineData(7L, 100, 1)]
    [InlineData(40L, 300, 1)]
    [InlineData(500L, 64, 2)]  // 10 records per plaintext, 50 plaintexts in a non-square 8 x 7 matrix
    [InlineData(2000L, 20, 2)] // 32 records per plaintext
    [InlineData(30L, 1500, 2)] // each record spans three plaintexts
    [InlineData(12L, 700, 1)]  // each record spans two plaintexts, d = 1
    public void Recovers_random_records_over_several_shapes(long count, int recordBytes, int? dimensions)
    {
        int seed = HashCode.Combine(count, recordBytes, dimensions);
        using var db = PirDatabase.Generate(count, recordBytes, (ulong)seed);
        var p = LatticePirPlanner.Plan(count, recordBytes, Small, dimensions);
        var (client, server) = Setup(db, p);
        using var c = client;
        using var s = server;
        var rng = new Random(seed);
        foreach (long index in new[] { 0, count - 1, rng.NextInt64(count), rng.NextInt64(count) })
        {
            Assert.True(db.GetRecord(index).SequenceEqual(RoundTrip(client, server, index)), $"{p} index {index} seed {seed}");
        }
    }

    [Fact]
    public void Expansion_yields_encryptions_of_the_unit_vector()
    {
        using var db = PirDatabase.Generate(500, 64, 5);
        var p = LatticePirPlanner.Plan(500, 64, Small, 2);
        var (client, server) = Setup(db, p);
        using var c = client;
        using var s = server;
        const long index = 321;
        long plaintext = index / p.RecordsPerPlaintext;
        int row = (int)(plaintext / p.N2);
        int column = (int)(plaintext % p.N2);
        var expanded = server.Expand(client.Query(index), client.GaloisKeys);
        var ctx = BfvContext.Get(Small);
        Assert.Equal(p.N1 + p.N2, expanded.Length);
        for (int i = 0; i < expanded.Length; i++)
        {
            var m = Bfv.Decrypt(ctx, client.SecretKey, expanded[i]);
            ulong expected = i == row || i == p.N1 + column ? 1UL : 0UL;
            Assert.True(m[0] == expected && m.Skip(1).All(v => v == 0), $"expanded ciphertext {i}: constant {m[0]}, expected {expected}");
        }
    }

    [Theory]
    [InlineData(900L, 40)] // 8 x 8 plaintexts: whole column groups
    [InlineData(500L, 64)] // 8 x 7 plaintexts: column-group tails on both vector paths
    public void Scalar_and_vector_kernels_give_identical_answers(long count, int recordBytes)
    {
        using var db = PirDatabase.Generate(count, recordBytes, 6);
        var p = LatticePirPlanner.Plan(count, recordBytes, Small, 2);
        var (client, server) = Setup(db, p);
        using var c = client;
        using var s = server;
        long index = count / 3;
        var query = client.Query(index);
        byte[]? reference = null;
        foreach (var path in KernelPaths.All)
        {
            server.KernelPath = path;
            byte[] encoded = server.Answer(query, client.GaloisKeys).Encode();
            reference ??= encoded;
            Assert.True(reference.AsSpan().SequenceEqual(encoded), $"path {path}, {p}");
        }

        Assert.True(db.GetRecord(index).SequenceEqual(client.Recover(index, LatticeAnswer.Decode(reference, p))));
    }

    [Fact]
    public void A_batch_from_several_clients_shares_one_database_pass()
    {
        using var db = PirDatabase.Generate(800, 50, 12);
        var p = LatticePirPlanner.Plan(800, 50, Small, 2);
        var (alice, server) = Setup(db, p);
        using var a = alice;
        using var s = server;
        using var bob = NewClient(p);
        long[] indices = [3, 799, 400];
        var clients = new[] { alice, bob, alice };
        var queries = indices.Select((index, i) => (PirQuery)clients[i].Query(index)).ToArray();
        var keys = clients.Select(c => (PirEvaluationKey)Uploaded(c)).ToArray();
        var answers = server.AnswerBatch(queries, keys);
        for (int i = 0; i < indices.Length; i++)
        {
            Assert.Equal(server.Answer(queries[i], keys[i]).Encode(), answers[i].Encode());
            Assert.True(db.GetRecord(indices[i]).SequenceEqual(clients[i].Recover(indices[i], answers.AsSpan(i, 1))), $"query {i}");
        }
    }

    [Fact]
    public void Two_threads_answer_like_one()
    {
        using var db = PirDatabase.Generate(700, 48, 8);
        var p = LatticePirPlanner.Plan(700, 48, Small, 2);
        var (client, server) = Setup(db, p, threads: 2);
        using var c = client;
        using var s = server;
        Assert.True(db.GetRecord(123).SequenceEqual(RoundTrip(client, server, 123)));
    }

    [Fact]
    public void Real_preset_round_trip_keeps_a_noise_margin_and_meets_the_size_budget()
    {
        // The 128-bit preset on a small database: 2^20 x 288 B would have the same per-ciphertext noise
        // except for the sum over N1 rows and N2 columns (≈ log2(√174) ≈ 4 bits more each).
        const long count = 600;
        const int recordBytes = 288;
        using var db = PirDatabase.Generate(count, recordBytes, 9);
        var p = LatticePirPlanner.Plan(count, recordBytes, dimensions: 2);
        Assert.True(p.Encryption.IsSecure);
        var (client, server) = Setup(db, p);
        using var c = client;
        using var s = server;
        const long index = 431;
        var answer = (LatticeAnswer)server.Answer(client.Query(index), client.GaloisKeys);
        Assert.True(db.GetRecord(index).SequenceEqual(client.Recover(index, answer)));
        // After switching to the 30-bit q_0 the budget is set by the rounding of that switch,
        // log2(q_0) − 1 − log2(t · ‖r0 + r1·s‖∞) ≈ 29 − 20 − 6 ≈ 3 bits, whatever the database size:
        // the products' own noise (below 2^50 of q ≈ 2^78 even at 2^20 records) shrinks to under 1 when
        // scaled to q_0. Two bits of margin means the worst coefficient is four times below failure.
        double minBudget = client.AnswerNoiseBudgets(answer).Min();
        Assert.True(minBudget >= 2, $"answer noise budget {minBudget} bits");

        // The first-level result the client recomposes from the answer's digits was switched to q_0 as
        // well and is decrypted a second time: it needs the same margin.
        double firstLevelBudget = client.FirstLevelNoiseBudgets(answer).Min();
        Assert.True(firstLevelBudget >= 2, $"first-level noise budget {firstLevelBudget} bits");
        Assert.True(p.QueryBytes <= 64 * 1024, $"query {p.QueryBytes} B");
        Assert.True(p.AnswerBytes <= 128 * 1024, $"answer {p.AnswerBytes} B");
        Assert.True(p.GaloisKeyBytes <= 4 * 1024 * 1024, $"keys {p.GaloisKeyBytes} B");
    }

    [Fact]
    public void Real_preset_keeps_its_noise_margin_with_the_2_pow_20_first_dimension_sum()
    {
        // At 2^20 x 288 B the planner makes a 174 x 173 matrix: 9 expansion levels (N1 + N2 = 347), and
        // each first-level result sums 174 products of full random plaintexts with expanded ciphertexts.
        // d = 1 over 347 plaintexts has the same 9 levels and a larger sum (347 rows), so the margin of
        // its answer, which is that sum switched to q_0, bounds the first level at 2^20 from below; the
        // second dimension's sum (173 columns of base-t digits, as large as plaintext coefficients) is no
        // larger. Random data makes the plaintext coefficients as large as the real database's.
        // (Measured once at the largest d = 1 shape the planner allows, 4096 rows and 12 levels: 2.96 bits.)
        const long count = 347 * 35;
        const int recordBytes = 288;
        using var db = PirDatabase.Generate(count, recordBytes, 14);
        var p = LatticePirPlanner.Plan(count, recordBytes, dimensions: 1);
        var atScale = LatticePirPlanner.Plan(1L << 20, recordBytes);
        Assert.True(p.Encryption.IsSecure);
        Assert.Equal(atScale.ExpansionLevels, p.ExpansionLevels);
        Assert.True(p.N1 >= atScale.N1 && p.N1 >= atScale.N2, $"{p} vs {atScale}");
        var (client, server) = Setup(db, p);
        using var c = client;
        using var s = server;
        long index = count - 2;
        var answer = (LatticeAnswer)server.Answer(client.Query(index), client.GaloisKeys);
        Assert.True(db.GetRecord(index).SequenceEqual(client.Recover(index, answer)), p.ToString());
        double budget = client.AnswerNoiseBudgets(answer).Min();
        Assert.True(budget >= 2, $"answer noise budget {budget} bits at {p}");
    }

    [Fact]
    public void Planner_predicts_the_2_pow_20_by_288_shape_within_the_targets()
    {
        var p = LatticePirPlanner.Plan(1L << 20, 288);
        Assert.Equal(2, p.Dimensions);
        Assert.Equal(35, p.RecordsPerPlaintext);
        Assert.True((long)p.N1 * p.N2 >= p.PlaintextCount && p.N1 + p.N2 <= 4096, p.ToString());
        Assert.True(p.QueryBytes <= 64 * 1024, $"query {p.QueryBytes} B");
        Assert.True(p.AnswerBytes <= 128 * 1024, $"answer {p.AnswerBytes} B");
        Assert.True(p.GaloisKeyBytes <= 4 * 1024 * 1024, $"keys {p.GaloisKeyBytes} B");
        Assert.Equal(1, LatticePirPlanner.Plan(100, 288).Dimensions);
        Assert.Throws<ArgumentOutOfRangeException>(() => LatticePirPlanner.Plan(0, 288));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatticePirPlanner.Plan(200_000, 288, dimensions: 1));
    }

    [Theory]
    [InlineData(long.MaxValue, 1)]
    [InlineData(long.MaxValue, 10240)]
    [InlineData(long.MaxValue - 5, 288)]
    [InlineData(1L << 40, 10240)]
    [InlineData((2048L * 2048) + 1, 10240)] // one plaintext more than a 2048 x 2048 matrix holds
    public void Planner_rejects_databases_too_large_for_the_ring_without_overflowing(long count, int recordBytes)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => LatticePirPlanner.Plan(count, recordBytes));
        Assert.Equal("recordCount", e.ParamName);
        var largest = LatticePirPlanner.Plan(2048L * 2048, 10240);
        Assert.Equal(2048, largest.N1);
        Assert.Equal(2048, largest.N2);
    }

    [Fact]
    public void Planner_rejects_records_whose_answer_count_would_not_fit_its_uint16()
    {
        // N = 256, t = 2^20: 640 B per plaintext, so a 2^24 B record spans 26 215 plaintexts, and d = 2
        // answers 4 ciphertexts for each: 104 860, more than the wire's uint16 count holds.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => LatticePirPlanner.Plan(100, 1 << 24, Small, 2));
        Assert.Equal("recordBytes", e.ParamName);
        var fits = LatticePirPlanner.Plan(100, 16383 * 640, Small, 2);
        Assert.Equal(ushort.MaxValue - 3, fits.PlaintextsPerRecord * fits.AnswerCiphertextsPerSubDatabase);
        Assert.Equal(1, LatticePirPlanner.Plan(10, 1 << 24, Small, 1).AnswerCiphertextsPerSubDatabase);
    }

    [Fact]
    public void Malformed_queries_answers_and_keys_are_rejected_with_typed_errors()
    {
        using var db = PirDatabase.Generate(300, 32, 10);
        var p = LatticePirPlanner.Plan(300, 32, Small, 2);
        var (client, server) = Setup(db, p);
        using var c = client;
        using var s = server;
        byte[] query = client.Query(5).Encode();
        byte[] answer = server.Answer(client.Query(5), client.GaloisKeys).Encode();
        byte[] keys = client.GaloisKeys.Encode();
        Assert.Equal(p.QueryBytes, query.Length);
        Assert.Equal(p.AnswerBytes, answer.Length);
        Assert.Equal(p.GaloisKeyBytes, keys.Length);

        PirDecodeStatus QueryError(byte[] b) => LatticeQuery.TryDecode(b, p, out _, out var e) ? PirDecodeStatus.Ok : e.Status;
        PirDecodeStatus AnswerError(byte[] b) => LatticeAnswer.TryDecode(b, p, out _, out var e) ? PirDecodeStatus.Ok : e.Status;
        PirDecodeStatus KeyError(byte[] b) => LatticeGaloisKeys.TryDecode(b, p, out _, out var e) ? PirDecodeStatus.Ok : e.Status;

        foreach (var decode in new Func<byte[], PirDecodeStatus>[] { QueryError, AnswerError, KeyError })
        {
            byte[] good = decode == QueryError ? query : decode == AnswerError ? answer : keys;
            Assert.Equal(PirDecodeStatus.Ok, decode(good));
            Assert.Equal(PirDecodeStatus.Truncated, decode(good[..^1]));
            Assert.Equal(PirDecodeStatus.Oversized, decode([.. good, 0]));
            byte[] version = (byte[])good.Clone();
            version[0]++;
            Assert.Equal(PirDecodeStatus.WrongVersion, decode(version));
        }

        // A coefficient at or above its prime: the first c0 residue is all ones.
        byte[] badQuery = (byte[])query.Clone();
        badQuery.AsSpan(LatticeQuery.HeaderLength, 8).Fill(0xFF);
        Assert.Equal(PirDecodeStatus.BadValue, QueryError(badQuery));
        byte[] badAnswer = (byte[])answer.Clone();
        badAnswer.AsSpan(LatticeAnswer.HeaderLength, 8).Fill(0xFF);
        Assert.Equal(PirDecodeStatus.BadValue, AnswerError(badAnswer));
        byte[] badKeys = (byte[])keys.Clone();
        badKeys[5]++;
        Assert.Equal(PirDecodeStatus.BadValue, KeyError(badKeys));
        byte[] badElement = (byte[])keys.Clone();
        badElement[LatticeGaloisKeys.HeaderLength]++;
        Assert.Equal(PirDecodeStatus.BadValue, KeyError(badElement));
        Assert.Throws<PirFormatException>(() => LatticeQuery.Decode(query.AsSpan(0, 10), p));

        // Keys or queries for another layout, and a missing key or one of another scheme, are refused.
        var other = LatticePirPlanner.Plan(301, 32, Small, 2);
        using var stranger = NewClient(other);
        var own = client.Query(3);
        Assert.Throws<ArgumentException>(() => server.Answer(own, stranger.GaloisKeys));
        Assert.Throws<ArgumentException>(() => server.Answer(stranger.Query(3), client.GaloisKeys));
        var missing = Assert.Throws<ArgumentException>(() => server.Answer(own));
        Assert.Equal("evaluationKey", missing.ParamName);
        Assert.Throws<ArgumentException>(() => server.AnswerBatch([own, own], [client.GaloisKeys]));
        Assert.Throws<ArgumentException>(() => server.AnswerBatch([own], [null!]));
        Assert.Throws<ArgumentException>(() => server.Answer(new PlainPirClient(300, 32).Query(3)[0], client.GaloisKeys));
    }

    [Fact]
    public void Servers_and_clients_refuse_insecure_parameters_unless_told_otherwise()
    {
        using var db = PirDatabase.Generate(40, 32, 13);
        var p = LatticePirPlanner.Plan(40, 32, Small, 1);
        Assert.False(p.IsSecure);
        Assert.Contains("128-bit", Assert.Throws<ArgumentException>(() => new LatticePirServer(db, p)).Message, StringComparison.Ordinal);
        Assert.Contains("128-bit", Assert.Throws<ArgumentException>(() => new LatticePirClient(p)).Message, StringComparison.Ordinal);
        using var server = new LatticePirServer(db, p, allowInsecure: true);
        using var client = new LatticePirClient(p, allowInsecure: true);
        Assert.True(db.GetRecord(7).SequenceEqual(RoundTrip(client, server, 7)));
        Assert.Throws<ArgumentException>(() => LatticeParameters.Create(256, [30, 24, 24], 30, 20));
    }

    [Fact]
    public void Parameters_have_value_equality()
    {
        var built = LatticeParameters.Create(4096, [30, 24, 24], 30, 20);
        Assert.NotSame(LatticeParameters.N4096_Logq108_Logt20, built);
        Assert.Equal(LatticeParameters.N4096_Logq108_Logt20, built);
        Assert.True(LatticeParameters.N4096_Logq108_Logt20 == built);
        Assert.Equal(LatticeParameters.N4096_Logq108_Logt20.GetHashCode(), built.GetHashCode());
        Assert.NotEqual(LatticeParameters.N4096_Logq108_Logt20, LatticeParameters.Create(4096, [30, 24, 24], 30, 19));
        Assert.NotEqual(LatticeParameters.N4096_Logq108_Logt20, LatticeParameters.Create(4096, [30, 24, 23], 30, 20));
        Assert.True(LatticeParameters.N4096_Logq108_Logt20 != Small);

        var smallBuilt = LatticeParameters.Create(256, [30, 24, 24], 30, 20, allowInsecure: true);
        Assert.Equal(Small, smallBuilt);
        var a = LatticePirPlanner.Plan(500, 64, smallBuilt, 2);
        var b = LatticePirPlanner.Plan(500, 64, Small, 2);
        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, LatticePirPlanner.Plan(501, 64, Small, 2));
        Assert.NotEqual(a, LatticePirPlanner.Plan(500, 64, Small, 1));
        Assert.False(a == null);

        // A server built from equal (not identical) parameters answers queries made for the preset.
        using var db = PirDatabase.Generate(500, 64, 14);
        using var server = new LatticePirServer(db, a, allowInsecure: true);
        using var client = NewClient(b);
        Assert.True(db.GetRecord(42).SequenceEqual(RoundTrip(client, server, 42)));
    }

    [Fact]
    public void Serialisation_round_trips_are_exact()
    {
        using var db = PirDatabase.Generate(300, 32, 11);
        var p = LatticePirPlanner.Plan(300, 32, Small, 2);
        var (client, server) = Setup(db, p);
        using var c = client;
        using var s = server;
        var query = client.Query(17);
        byte[] q = query.Encode();
        var decoded = LatticeQuery.Decode(q, p);
        Assert.Equal(q, decoded.Encode());
        byte[] a = server.Answer(decoded, client.GaloisKeys).Encode();
        Assert.Equal(a, LatticeAnswer.Decode(a, p).Encode());
        byte[] k = client.GaloisKeys.Encode();
        Assert.Equal(k, LatticeGaloisKeys.Decode(k, p).Encode());
    }

    [Fact]
    public void Every_query_and_galois_key_has_a_fresh_seed()
    {
        var p = LatticePirPlanner.Plan(300, 32, Small, 2);
        using var client = NewClient(p);
        var first = client.Query(7);
        var second = client.Query(7);
        Assert.False(first.Seed.SequenceEqual(second.Seed), "two queries share a seed");
        Assert.False(first.C0.SequenceEqual(second.C0), "two queries for one index are identical");
        var seeds = client.GaloisKeys.Keys.Select(k => Convert.ToHexString(k.Seed)).Append(Convert.ToHexString(first.Seed)).ToArray();
        Assert.Equal(seeds.Length, seeds.Distinct().Count());
    }

    [Fact]
    public void Disposed_client_zeroes_its_secret_key()
    {
        var p = LatticePirPlanner.Plan(10, 10, Small);
        var client = NewClient(p);
        var sk = client.SecretKey;
        Assert.Contains(sk.Coefficients.ToArray(), v => v != 0);
        ReadOnlySpan<sbyte> coefficients = sk.Coefficients;
        ReadOnlySpan<ulong> ntt = sk.Ntt;
        Assert.True(ntt.ContainsAnyExcept(0UL));
        client.Dispose();
        Assert.Throws<ObjectDisposedException>(() => sk.Coefficients.ToArray());

        // The spans taken before Dispose still see the key's memory: both copies must now be zero.
        Assert.False(coefficients.ContainsAnyExcept((sbyte)0), "coefficient form not zeroed");
        Assert.False(ntt.ContainsAnyExcept(0UL), "NTT form not zeroed");
    }
}
