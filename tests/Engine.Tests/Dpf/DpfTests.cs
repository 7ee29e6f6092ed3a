
namespace Privomega.Pir.Engine.Tests;

public class DpfTests
{
    [Fact]
    public void Expansions_xor_to_the_point_function_for_every_domain_size()
    {
        const int seed = 424242;
        var random = new Random(seed);
        for (int n = 0; n <= 18; n++)
        {
            for (int trial = 0; trial < 3; trial++)
            {
                long alpha = trial switch
                {
                    0 => 0,
                    1 => (1L << n) - 1,
                    _ => random.NextInt64(1L << n),
                };
                (DpfKey key0, DpfKey key1) = Dpf.Generate(alpha, n);
                using (key0)
                using (key1)
                {
                    ulong[] share0 = Dpf.EvaluateFullDomain(key0);
                    ulong[] share1 = Dpf.EvaluateFullDomain(key1);
                    Assert.Equal(Math.Max(1L << n, 128) / 64, share0.Length);
                    for (int word = 0; word < share0.Length; word++)
                    {
                        ulong expected = word == alpha >> 6 ? 1UL << (int)(alpha & 63) : 0;
                        Assert.True(expected == (share0[word] ^ share1[word]), $"n {n}, alpha {alpha}, word {word}, seed {seed}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Point_evaluation_matches_full_domain()
    {
        const int seed = 5;
        var random = new Random(seed);
        foreach (int n in new[] { 1, 6, 7, 8, 12 })
        {
            long alpha = random.NextInt64(1L << n);
            (DpfKey key0, DpfKey key1) = Dpf.Generate(alpha, n);
            ulong[] share0 = Dpf.EvaluateFullDomain(key0);
            for (long x = 0; x < 1L << n; x++)
            {
                bool fromFull = ((share0[x >> 6] >> (int)(x & 63)) & 1) != 0;
                Assert.True(fromFull == Dpf.Evaluate(key0, x), $"n {n}, x {x}, seed {seed}");
                Assert.True((x == alpha) == (Dpf.Evaluate(key0, x) ^ Dpf.Evaluate(key1, x)), $"n {n}, x {x}, alpha {alpha}, seed {seed}");
            }
        }
    }

    [Fact]
    public void Range_evaluation_matches_full_domain_at_every_block_alignment()
    {
        const int seed = 31337;
        var random = new Random(seed);
        foreach (int n in new[] { 7, 8, 10, 11 })
        {
            (DpfKey key, _) = Dpf.Generate(random.NextInt64(1L << n), n);
            ulong[] full = Dpf.EvaluateFullDomain(key);
            int blocks = (int)(key.PaddedDomainSize / 128);
            for (int first = 0; first < blocks; first++)
            {
                for (int count = 1; first + count <= blocks; count++)
                {
                    var range = new ulong[(count * 2) + 1];
                    range[^1] = 0xDEADBEEF;
                    Dpf.EvaluateRange(key, first * 128L, count * 128, range);
                    Assert.True(full.AsSpan(first * 2, count * 2).SequenceEqual(range.AsSpan(0, count * 2)), $"n {n}, blocks [{first}, {first + count}), seed {seed}");
                    Assert.Equal(0xDEADBEEFUL, range[^1]);
                }
            }
        }
    }

    [Fact]
    public void Subtree_evaluation_from_every_level_matches_full_domain()
    {
        const int seed = 2024;
        const int n = 13; // ν = 6: 64 leaf blocks
        (DpfKey key, _) = Dpf.Generate(new Random(seed).NextInt64(1L << n), n);
        ulong[] full = Dpf.EvaluateFullDomain(key);
        for (int level = 0; level <= key.Levels; level++)
        {
            var nodes = new System.Runtime.Intrinsics.Vector128<byte>[1 << level];
            Dpf.ExpandNodesCore(key, level, 0, nodes);
            var tail = new System.Runtime.Intrinsics.Vector128<byte>[Math.Max(0, (1 << level) - 3)];
            if (tail.Length > 0)
            {
                Dpf.ExpandNodesCore(key, level, 3, tail);
                Assert.True(nodes.AsSpan(3).SequenceEqual(tail), $"level {level}, seed {seed}");
            }

            int span = 1 << (key.Levels - level); // leaf blocks under one node
            for (int node = 0; node < nodes.Length; node++)
            {
                // The whole subtree, and a ragged prefix of it as the last block of a scan has.
                foreach (int count in new[] { span, Math.Max(1, span - 1) })
                {
                    var bits = new ulong[count * 2];
                    Dpf.EvaluateSubtreeRangeCore(key, level, nodes[node], node, (long)node * span, count, bits);
                    Assert.True(full.AsSpan(node * span * 2, count * 2).SequenceEqual(bits), $"level {level}, node {node}, count {count}, seed {seed}");
                }
            }
        }
    }

    [Fact]
    public void Range_evaluation_crosses_pass_boundaries()
    {
        const int seed = 77;
        var random = new Random(seed);
        const int n = 18; // 2048 leaf blocks: four 512-block passes
        long alpha = random.NextInt64(1L << n);
        (DpfKey key0, DpfKey key1) = Dpf.Generate(alpha, n);
        ulong[] full = Dpf.EvaluateFullDomain(key0);
        foreach ((int first, int count) in new[] { (0, 2048), (1, 1023), (300, 600), (511, 2), (1537, 511), (2047, 1) })
        {
            var range0 = new ulong[count * 2];
            var range1 = new ulong[count * 2];
            Dpf.EvaluateRange(key0, first * 128L, count * 128, range0);
            Dpf.EvaluateRange(key1, first * 128L, count * 128, range1);
            Assert.True(full.AsSpan(first * 2, count * 2).SequenceEqual(range0), $"blocks [{first}, {first + count}), seed {seed}");
            for (int word = 0; word < range0.Length; word++)
            {
                long leafWord = (first * 2L) + word;
                ulong expected = leafWord == alpha >> 6 ? 1UL << (int)(alpha & 63) : 0;
                Assert.True(expected == (range0[word] ^ range1[word]), $"word {leafWord}, alpha {alpha}, seed {seed}");
            }
        }
    }

    [Theory]
    [InlineData(33)]
    [InlineData(40)]
    [InlineData(48)]
    public void Large_domains_evaluate_correctly_at_offsets_beyond_int_range(int n)
    {
        const int seed = 4040;
        var random = new Random(seed + n);
        long alpha = random.NextInt64(1L << n);
        (DpfKey key0, DpfKey key1) = Dpf.Generate(alpha, n);
        Assert.True(Dpf.Evaluate(key0, alpha) ^ Dpf.Evaluate(key1, alpha), $"n {n}, alpha {alpha}, seed {seed}");
        long other = alpha ^ (1L << (n - 1));
        Assert.False(Dpf.Evaluate(key0, other) ^ Dpf.Evaluate(key1, other), $"n {n}, x {other}, seed {seed}");

        // Four leaf blocks around α (clamped to the domain), and the first and last four.
        long aroundAlpha = Math.Clamp((alpha & ~127L) - 256, 0, (1L << n) - 512);
        foreach (long first in new[] { aroundAlpha, 0, (1L << n) - 512 })
        {
            var share0 = new ulong[8];
            var share1 = new ulong[8];
            Dpf.EvaluateRange(key0, first, 512, share0);
            Dpf.EvaluateRange(key1, first, 512, share1);
            for (int word = 0; word < 8; word++)
            {
                long leaf = first + (64L * word);
                ulong expected = alpha >= leaf && alpha < leaf + 64 ? 1UL << (int)(alpha - leaf) : 0;
                Assert.True(expected == (share0[word] ^ share1[word]), $"n {n}, alpha {alpha}, leaf {leaf}, seed {seed}");
                Assert.Equal(Dpf.Evaluate(key0, leaf + 5), ((share0[word] >> 5) & 1) != 0);
            }
        }
    }

    [Fact]
    public void Deterministic_generation_is_reproducible_and_seed_dependent()
    {
        var seeds = new byte[32];
        new Random(3).NextBytes(seeds);
        (DpfKey a0, DpfKey a1) = Dpf.GenerateCore(1234, 14, seeds);
        (DpfKey b0, _) = Dpf.GenerateCore(1234, 14, seeds);
        Assert.Equal(a0.Encode(), b0.Encode());
        seeds[5] ^= 1;
        (DpfKey c0, DpfKey c1) = Dpf.GenerateCore(1234, 14, seeds);
        Assert.NotEqual(a0.Encode(), c0.Encode());
        Assert.NotEqual(a1.Encode(), c1.Encode());
    }

    [Fact]
    public void Key_size_at_2_to_the_22_is_under_one_kibibyte()
    {
        (DpfKey key0, _) = Dpf.Generate(3_000_000, 22);
        Assert.Equal(290, key0.EncodedLength);
        Assert.Equal(290, key0.Encode().Length);
        Assert.Equal(290, DpfKey.EncodedLengthFor(22));
        Assert.True(DpfKey.EncodedLengthFor(22) < 1024);
    }

    [Fact]
    public void Arguments_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpf.Generate(16, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpf.Generate(-1, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpf.Generate(0, 49));
        (DpfKey key, _) = Dpf.Generate(5, 10);
        var bits = new ulong[16];
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpf.EvaluateRange(key, 64, 128, bits));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpf.EvaluateRange(key, 0, 100, bits));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpf.EvaluateRange(key, 0, 0, bits));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpf.EvaluateRange(key, 896, 256, bits));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpf.EvaluateRange(key, 1024, 128, bits));
        Assert.Throws<ArgumentException>(() => Dpf.EvaluateRange(key, 0, 1024, new ulong[15]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dpf.Evaluate(key, 1024));
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Dpf.EvaluateRange(key, 0, 128, bits));
        Assert.Throws<ObjectDisposedException>(() => key.Encode());
    }

    [Fact]
    public void Out_of_range_alpha_is_not_echoed()
    {
        // α is the point the keys hide: the exception names the bound only.
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => Dpf.Generate(1234567, 20));
        Assert.DoesNotContain("1234567", e.Message, StringComparison.Ordinal);
        Assert.Contains("1048575", e.Message, StringComparison.Ordinal);
        Assert.Null(e.ActualValue);
    }
}
