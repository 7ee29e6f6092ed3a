using System.Text.Json;
using Privomega.Protocol.Merkle;

namespace Privomega.Protocol.Tests.Merkle;

public sealed class MerkleTests
{
    private const int MaxSize = 64;
    private const int Seed = 9162;

    private static readonly byte[][] Leaves = MakeLeaves(MaxSize, Seed);

    [Fact]
    public void Rfc9162_roots_match_published_values_for_sizes_0_to_8()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", "rfc9162_merkle_roots.json")));
        var leaves = doc.RootElement.GetProperty("leaf_inputs").EnumerateArray().Select(e => Convert.FromHexString(e.GetString()!)).ToArray();
        var roots = doc.RootElement.GetProperty("root_hashes_by_size").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(leaves.Length + 1, roots.Length);

        using var log = new MerkleLog();
        Assert.Equal(roots[0], Convert.ToHexStringLower(log.Root()));
        for (var i = 0; i < leaves.Length; i++)
        {
            Assert.Equal(i, log.Append(leaves[i]));
            Assert.Equal(roots[i + 1], Convert.ToHexStringLower(log.Root()));
        }

        for (var size = 0; size <= leaves.Length; size++)
        {
            Assert.Equal(roots[size], Convert.ToHexStringLower(log.RootAt(size)));
            using var tree = DirectoryTree.Build(leaves.Take(size).Select(l => (ReadOnlyMemory<byte>)l).ToArray());
            Assert.Equal(roots[size], Convert.ToHexStringLower(tree.Root.ToArray()));
        }
    }

    [Fact]
    public void Inclusion_proofs_match_reference_and_verify_for_every_index_and_size_up_to_64()
    {
        using var log = BuildLog(MaxSize);
        for (var size = 1; size <= MaxSize; size++)
        {
            using var tree = DirectoryTree.Build(Leaves.Take(size).Select(l => (ReadOnlyMemory<byte>)l).ToArray());
            var root = NaiveMerkle.Mth(Leaves, 0, size);
            Assert.Equal(root, log.RootAt(size));
            Assert.Equal(root, tree.Root.ToArray());
            var maxNodes = 0;
            for (var index = 0; index < size; index++)
            {
                var expected = NaiveMerkle.Path(index, Leaves, 0, size).SelectMany(h => h).ToArray();
                var fromLog = log.GetInclusionProof(index, size);
                var fromTree = tree.GetInclusionProof(index);
                Assert.True(expected.AsSpan().SequenceEqual(fromLog), $"log proof index={index} size={size}");
                Assert.True(expected.AsSpan().SequenceEqual(fromTree), $"tree proof index={index} size={size}");
                Assert.True(
                    MerkleVerifier.VerifyInclusion(NaiveMerkle.LeafHash(Leaves[index]), index, size, fromLog, root),
                    $"verify index={index} size={size}");
                maxNodes = Math.Max(maxNodes, fromTree.Length / MerkleHash.Size);
            }

            Assert.Equal(maxNodes, tree.MaxPathNodes);
        }
    }

    [Fact]
    public void Consistency_proofs_match_reference_and_verify_for_every_pair_up_to_64()
    {
        using var log = BuildLog(MaxSize);
        for (var second = 0; second <= MaxSize; second++)
        {
            var secondRoot = NaiveMerkle.Mth(Leaves, 0, second);
            for (var first = 0; first <= second; first++)
            {
                var expected = NaiveMerkle.Proof(first, Leaves, second).SelectMany(h => h).ToArray();
                var proof = log.GetConsistencyProof(first, second);
                Assert.True(expected.AsSpan().SequenceEqual(proof), $"proof {first}->{second}");
                Assert.True(
                    MerkleVerifier.VerifyConsistency(first, second, proof, NaiveMerkle.Mth(Leaves, 0, first), secondRoot),
                    $"verify {first}->{second}");
            }
        }
    }

    [Fact]
    public void Malformed_inclusion_proofs_are_rejected()
    {
        using var log = BuildLog(MaxSize);
        var roots = Enumerable.Range(0, MaxSize + 1).Select(s => log.RootAt(s)).ToArray();
        for (var size = 1; size <= MaxSize; size++)
        {
            for (var index = 0; index < size; index++)
            {
                var leaf = NaiveMerkle.LeafHash(Leaves[index]);
                var proof = log.GetInclusionProof(index, size);
                var root = roots[size];
                var context = $"index={index} size={size}";

                // Wrong size, checked against the real root of that size (root and size travel together in a head).
                if (size + 1 <= MaxSize)
                {
                    Assert.False(MerkleVerifier.VerifyInclusion(leaf, index, size + 1, proof, roots[size + 1]), context);
                }

                if (size - 1 > index)
                {
                    Assert.False(MerkleVerifier.VerifyInclusion(leaf, index, size - 1, proof, roots[size - 1]), context);
                }

                Assert.False(MerkleVerifier.VerifyInclusion(leaf, size, size, proof, root), context);
                Assert.False(MerkleVerifier.VerifyInclusion(leaf, size + 3, size, proof, root), context);
                Assert.False(MerkleVerifier.VerifyInclusion(leaf, -1, size, proof, root), context);
                Assert.False(MerkleVerifier.VerifyInclusion(leaf, index, 0, proof, root), context);
                Assert.False(MerkleVerifier.VerifyInclusion(leaf, index, size, proof, Flip(root, index % 256)), context);
                Assert.False(MerkleVerifier.VerifyInclusion(Flip(leaf, 7), index, size, proof, root), context);
                Assert.False(MerkleVerifier.VerifyInclusion(leaf, index, size, proof, root.AsSpan(0, 31)), context);
                Assert.False(MerkleVerifier.VerifyInclusion(leaf, index, size, [.. proof, 0], root), context);
                Assert.False(MerkleVerifier.VerifyInclusion(leaf, index, size, [.. proof, .. leaf], root), context);
                Assert.False(MerkleVerifier.VerifyInclusion(leaf, index, size, [.. leaf, .. proof], root), context);
                if (proof.Length > 0)
                {
                    Assert.False(MerkleVerifier.VerifyInclusion(leaf, index, size, proof.AsSpan(0, proof.Length - MerkleHash.Size), root), context);
                    Assert.False(MerkleVerifier.VerifyInclusion(leaf, index, size, proof.AsSpan(MerkleHash.Size), root), context);
                    Assert.False(MerkleVerifier.VerifyInclusion(leaf, index, size, proof.AsSpan(0, proof.Length - 1), root), context);
                }

                for (var node = 0; node + 1 < proof.Length / MerkleHash.Size; node++)
                {
                    Assert.False(MerkleVerifier.VerifyInclusion(leaf, index, size, SwapNodes(proof, node, node + 1), root), $"{context} swap {node}");
                }

                // One flipped bit in every node (position varies with the case).
                for (var bit = (index * 7) % 256; bit < proof.Length * 8; bit += 256)
                {
                    Assert.False(MerkleVerifier.VerifyInclusion(leaf, index, size, Flip(proof, bit), root), $"{context} bit {bit}");
                }
            }
        }
    }

    [Fact]
    public void Malformed_consistency_proofs_are_rejected()
    {
        using var log = BuildLog(MaxSize);
        var roots = Enumerable.Range(0, MaxSize + 1).Select(s => log.RootAt(s)).ToArray();
        for (var second = 1; second <= MaxSize; second++)
        {
            for (var first = 1; first < second; first++)
            {
                var proof = log.GetConsistencyProof(first, second);
                var context = $"{first}->{second}";
                var r1 = roots[first];
                var r2 = roots[second];
                Assert.False(MerkleVerifier.VerifyConsistency(second, first, proof, r2, r1), context);
                Assert.False(MerkleVerifier.VerifyConsistency(first, second, proof, Flip(r1, 3), r2), context);
                Assert.False(MerkleVerifier.VerifyConsistency(first, second, proof, r1, Flip(r2, 200)), context);
                Assert.False(MerkleVerifier.VerifyConsistency(first, second, proof, r2, r1), context);
                Assert.False(MerkleVerifier.VerifyConsistency(first, second, [], r1, r2), context);
                Assert.False(MerkleVerifier.VerifyConsistency(first, second, [.. proof, .. r1], r1, r2), context);
                Assert.False(MerkleVerifier.VerifyConsistency(first, second, [.. r2, .. proof], r1, r2), context);
                Assert.False(MerkleVerifier.VerifyConsistency(first, second, [.. proof, 1], r1, r2), context);
                Assert.False(MerkleVerifier.VerifyConsistency(first, second, proof.AsSpan(0, proof.Length - MerkleHash.Size), r1, r2), context);
                Assert.False(MerkleVerifier.VerifyConsistency(first, second, proof.AsSpan(MerkleHash.Size), r1, r2), context);
                Assert.False(MerkleVerifier.VerifyConsistency(first, first, proof, r1, r1), context);

                // Wrong sizes, each with the real root of the size claimed.
                if (first + 1 < second)
                {
                    Assert.False(MerkleVerifier.VerifyConsistency(first + 1, second, proof, roots[first + 1], r2), context);
                }

                if (first > 1)
                {
                    Assert.False(MerkleVerifier.VerifyConsistency(first - 1, second, proof, roots[first - 1], r2), context);
                }

                if (second + 1 <= MaxSize)
                {
                    Assert.False(MerkleVerifier.VerifyConsistency(first, second + 1, proof, r1, roots[second + 1]), context);
                }

                if (second - 1 > first)
                {
                    Assert.False(MerkleVerifier.VerifyConsistency(first, second - 1, proof, r1, roots[second - 1]), context);
                }

                for (var node = 0; node + 1 < proof.Length / MerkleHash.Size; node++)
                {
                    var swapped = SwapNodes(proof, node, node + 1);
                    Assert.False(MerkleVerifier.VerifyConsistency(first, second, swapped, r1, r2), $"{context} swap {node}");
                }

                for (var bit = (first * 5 + second) % 256; bit < proof.Length * 8; bit += 256)
                {
                    Assert.False(MerkleVerifier.VerifyConsistency(first, second, Flip(proof, bit), r1, r2), $"{context} bit {bit}");
                }
            }

            // Edges: equal sizes need an empty proof and equal roots; from 0 needs the empty root.
            Assert.True(MerkleVerifier.VerifyConsistency(second, second, [], roots[second], roots[second]));
            Assert.False(MerkleVerifier.VerifyConsistency(second, second, [], roots[second], roots[second - 1]));
            Assert.True(MerkleVerifier.VerifyConsistency(0, second, [], MerkleHash.EmptyRoot, roots[second]));
            Assert.False(MerkleVerifier.VerifyConsistency(0, second, [], roots[1], roots[second]));
            Assert.False(MerkleVerifier.VerifyConsistency(0, second, roots[1], MerkleHash.EmptyRoot, roots[second]));
            Assert.False(MerkleVerifier.VerifyConsistency(-1, second, [], MerkleHash.EmptyRoot, roots[second]));
        }
    }

    [Fact]
    public void Large_log_proofs_verify_and_agree_with_directory_tree()
    {
        // 2^14 + 5 leaves: not a power of two, so the right edge is an incomplete subtree.
        const int size = (1 << 14) + 5;
        var rng = new Random(Seed + 1);
        var hashes = new byte[size * MerkleHash.Size];
        rng.NextBytes(hashes);
        using var log = new MerkleLog();
        for (var i = 0; i < size; i++)
        {
            log.AppendLeafHash(hashes.AsSpan(i * MerkleHash.Size, MerkleHash.Size));
        }

        using var tree = DirectoryTree.FromLeafHashes(hashes);
        Assert.Equal(log.Root(), tree.Root.ToArray());
        Assert.Equal(15, tree.MaxPathNodes);
        Span<byte> proof = stackalloc byte[tree.MaxPathNodes * MerkleHash.Size];
        for (var trial = 0; trial < 200; trial++)
        {
            var index = rng.Next(size);
            var length = tree.GetInclusionProof(index, proof);
            var leaf = hashes.AsSpan(index * MerkleHash.Size, MerkleHash.Size);
            Assert.True(MerkleVerifier.VerifyInclusion(leaf, index, size, proof[..length], tree.Root), $"seed={Seed + 1} index={index}");

            var first = rng.Next(1, size);
            var consistency = log.GetConsistencyProof(first, size);
            Assert.True(MerkleVerifier.VerifyConsistency(first, size, consistency, log.RootAt(first), tree.Root), $"seed={Seed + 1} first={first}");
        }
    }

    [Fact]
    public void Verification_allocates_nothing()
    {
        using var log = BuildLog(MaxSize);
        var leaf = NaiveMerkle.LeafHash(Leaves[37]);
        var inclusion = log.GetInclusionProof(37, 61);
        var consistency = log.GetConsistencyProof(21, 61);
        var root21 = log.RootAt(21);
        var root61 = log.RootAt(61);

        // Warm up first so JIT work is not counted.
        Assert.True(MerkleVerifier.VerifyInclusion(leaf, 37, 61, inclusion, root61));
        Assert.True(MerkleVerifier.VerifyConsistency(21, 61, consistency, root21, root61));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ok = true;
        for (var i = 0; i < 100; i++)
        {
            ok &= MerkleVerifier.VerifyInclusion(leaf, 37, 61, inclusion, root61);
            ok &= MerkleVerifier.VerifyConsistency(21, 61, consistency, root21, root61);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(ok);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Misuse_throws_with_found_and_expected_values()
    {
        using var log = BuildLog(5);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => log.GetInclusionProof(5, 5));
        Assert.Contains("5", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.RootAt(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.GetConsistencyProof(4, 3));
        Assert.Throws<ArgumentException>(() => log.AppendLeafHash(new byte[31]));
        Assert.Throws<ArgumentException>(() => log.GetInclusionProof(1, 5, new byte[31]));
        Assert.Throws<ArgumentException>(() => DirectoryTree.FromLeafHashes(new byte[33]));
        log.Dispose();
        Assert.Throws<ObjectDisposedException>(() => log.Root());
    }

    private static MerkleLog BuildLog(int size)
    {
        var log = new MerkleLog();
        for (var i = 0; i < size; i++)
        {
            log.Append(Leaves[i]);
        }

        return log;
    }

    private static byte[][] MakeLeaves(int count, int seed)
    {
        var rng = new Random(seed);
        var leaves = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            leaves[i] = new byte[rng.Next(0, 40)];
            rng.NextBytes(leaves[i]);
        }

        return leaves;
    }

    private static byte[] Flip(ReadOnlySpan<byte> bytes, int bit)
    {
        var copy = bytes.ToArray();
        copy[bit / 8 % copy.Length] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    private static byte[] SwapNodes(byte[] proof, int a, int b)
    {
        var copy = (byte[])proof.Clone();
        proof.AsSpan(a * MerkleHash.Size, MerkleHash.Size).CopyTo(copy.AsSpan(b * MerkleHash.Size));
        proof.AsSpan(b * MerkleHash.Size, MerkleHash.Size).CopyTo(copy.AsSpan(a * MerkleHash.Size));
        return copy;
    }
}
