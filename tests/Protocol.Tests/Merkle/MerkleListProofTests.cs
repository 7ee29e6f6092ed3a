using Privomega.Protocol.Merkle;

namespace Privomega.Protocol.Tests.Merkle;

public sealed class MerkleListProofTests
{
    private static byte[][] Leaves(int count) =>
        Enumerable.Range(0, count).Select(i => new[] { (byte)i, (byte)(i * 7), (byte)0x5A }).ToArray();

    private static List<byte[]> Split(byte[] flat) => flat.Chunk(MerkleHash.Size).ToList();

    [Fact]
    public void List_inclusion_proofs_verify_for_every_index_and_reject_tampering()
    {
        const int size = 13;
        var leaves = Leaves(size);
        using var log = new MerkleLog();
        foreach (var leaf in leaves)
        {
            log.Append(leaf);
        }

        var root = log.RootAt(size);
        for (var index = 0; index < size; index++)
        {
            var leafHash = MerkleHash.HashLeaf(leaves[index]);
            var proof = Split(log.GetInclusionProof(index, size));
            Assert.NotEmpty(proof);
            Assert.True(MerkleVerifier.VerifyInclusionHashes(leafHash, index, size, proof, root), $"index {index}");

            for (var e = 0; e < proof.Count; e++)
            {
                var tampered = proof.Select(p => (byte[])p.Clone()).ToList();
                tampered[e][e % 32] ^= 0x01;
                Assert.False(MerkleVerifier.VerifyInclusionHashes(leafHash, index, size, tampered, root), $"tampered index {index} element {e}");
            }

            Assert.False(MerkleVerifier.VerifyInclusionHashes(leafHash, (index + 1) % size, size, proof, root));
            Assert.False(MerkleVerifier.VerifyInclusionHashes(leafHash, index, size, proof.Skip(1).ToList(), root));
            Assert.False(MerkleVerifier.VerifyInclusionHashes(leafHash, index, size, [.. proof, proof[0]], root));
        }
    }

    [Theory]
    [InlineData(31)]
    [InlineData(0)]
    [InlineData(33)]
    [InlineData(64)]
    public void List_elements_that_are_not_exactly_32_bytes_are_rejected(int badLength)
    {
        const int size = 8;
        var leaves = Leaves(size);
        using var log = new MerkleLog();
        foreach (var leaf in leaves)
        {
            log.Append(leaf);
        }

        var root = log.RootAt(size);
        var leafHash = MerkleHash.HashLeaf(leaves[3]);
        var flat = log.GetInclusionProof(3, size);
        for (var e = 0; e < flat.Length / 32; e++)
        {
            var proof = Split(flat);

            // Keep the original bytes as a prefix (long) or a prefix of them (short): only the framing is wrong.
            var bad = new byte[badLength];
            proof[e].AsSpan(0, Math.Min(32, badLength)).CopyTo(bad);
            proof[e] = bad;
            Assert.False(MerkleVerifier.VerifyInclusionHashes(leafHash, 3, size, proof, root), $"element {e}, length {badLength}");
        }

        // A 64-byte element holding two genuine hashes concatenates to the same bytes as the good proof: still rejected.
        var merged = Split(flat);
        var joined = merged[0].Concat(merged[1]).ToArray();
        var reframed = new List<byte[]> { joined };
        reframed.AddRange(merged.Skip(2));
        Assert.False(MerkleVerifier.VerifyInclusionHashes(leafHash, 3, size, reframed, root));
        Assert.False(MerkleVerifier.VerifyInclusionHashes(leafHash, 3, size, [.. Split(flat).Take(1), null!, .. Split(flat).Skip(1)], root));
    }

    [Fact]
    public void List_consistency_proofs_verify_and_reject_bad_elements()
    {
        var leaves = Leaves(11);
        using var log = new MerkleLog();
        foreach (var leaf in leaves)
        {
            log.Append(leaf);
        }

        var first = log.RootAt(6);
        var second = log.RootAt(11);
        var proof = Split(log.GetConsistencyProof(6, 11));
        Assert.True(MerkleVerifier.VerifyConsistencyHashes(6, 11, proof, first, second));

        var tampered = proof.Select(p => (byte[])p.Clone()).ToList();
        tampered[^1][0] ^= 0x80;
        Assert.False(MerkleVerifier.VerifyConsistencyHashes(6, 11, tampered, first, second));

        var shortElement = proof.ToList();
        shortElement[0] = shortElement[0][..31];
        Assert.False(MerkleVerifier.VerifyConsistencyHashes(6, 11, shortElement, first, second));
        Assert.False(MerkleVerifier.VerifyConsistencyHashes(6, 11, [.. proof, Array.Empty<byte>()], first, second));
        Assert.Throws<ArgumentNullException>(() => MerkleVerifier.VerifyConsistencyHashes(6, 11, (IReadOnlyList<byte[]>)null!, first, second));
    }
}
