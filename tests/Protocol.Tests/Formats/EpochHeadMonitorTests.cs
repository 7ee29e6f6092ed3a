using Privomega.Protocol.Formats;
using Privomega.Protocol.Merkle;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Tests.Formats;

public sealed class EpochHeadMonitorTests
{
    private const int Seed = 6962;

    [Fact]
    public void Monitor_accepts_a_consistent_chain_and_stops_on_equivocation()
    {
        var rng = new Random(Seed);
        using var server = Ed25519KeyPair.Import(Bytes(rng, 32));
        using var log = new MerkleLog();
        var heads = new List<EpochHead>();
        var proofs = new List<byte[]>();
        var previousHash = new byte[32];
        long previousSize = 0;
        for (ulong t = 0; t < 6; t++)
        {
            for (var i = 0; i < (int)t + 1; i++)
            {
                log.Append(Bytes(rng, 40));
            }

            var head = Sign(server, t, Bytes(rng, 32), log.Size, log.Root(), previousHash);
            heads.Add(head);
            proofs.Add(log.GetConsistencyProof(previousSize, log.Size));
            previousHash = head.Hash();
            previousSize = log.Size;
        }

        var monitor = new EpochHeadMonitor(server.PublicKey);
        Assert.Equal(HeadObservation.Accepted, monitor.Observe(heads[0], proofs[0]));
        Assert.Equal(HeadObservation.MissingPredecessor, monitor.Observe(heads[2], proofs[2]));
        Assert.Equal(HeadObservation.LogInconsistent, monitor.Observe(heads[1], proofs[2]));
        Assert.Equal(HeadObservation.Accepted, monitor.Observe(heads[1], proofs[1]));
        Assert.Equal(HeadObservation.Duplicate, monitor.Observe(EpochHead.Decode(heads[1].Encode()), proofs[1]));
        Assert.Equal(HeadObservation.Accepted, monitor.Observe(heads[2], proofs[2]));
        Assert.Same(heads[2], monitor.Latest);

        // A head that rewrites the log's history: signed and linked, but not an extension.
        using var forkLog = new MerkleLog();
        for (var i = 0; i < log.Size + 3; i++)
        {
            forkLog.Append(Bytes(rng, 40));
        }

        var rewritten = Sign(server, 3, Bytes(rng, 32), forkLog.Size, forkLog.Root(), heads[2].Hash());
        Assert.Equal(HeadObservation.LogInconsistent, monitor.Observe(rewritten, forkLog.GetConsistencyProof(heads[2].LogSize, forkLog.Size)));

        var unlinked = Sign(server, 3, Bytes(rng, 32), heads[3].LogSize, heads[3].LogRoot, new byte[32]);
        Assert.Equal(HeadObservation.BrokenChain, monitor.Observe(unlinked, proofs[3]));
        using var forger = Ed25519KeyPair.Generate();
        Assert.Equal(HeadObservation.BadSignature, monitor.Observe(Sign(forger, 3, Bytes(rng, 32), heads[3].LogSize, heads[3].LogRoot, heads[2].Hash()), proofs[3]));
        Assert.Equal(HeadObservation.Accepted, monitor.Observe(heads[3], proofs[3]));
        var lateJoiner = new EpochHeadMonitor(server.PublicKey);
        Assert.Equal(HeadObservation.Accepted, lateJoiner.Observe(heads[2], []));
        Assert.Equal(HeadObservation.Stale, lateJoiner.Observe(heads[1], proofs[1]));
        Assert.Null(monitor.Evidence);

        // Another head for epoch 2, validly signed: evidence, and the monitor stops.
        var fork = Sign(server, 2, Bytes(rng, 32), heads[2].LogSize, heads[2].LogRoot, heads[1].Hash());
        Assert.Equal(HeadObservation.Equivocation, monitor.Observe(fork, []));
        Assert.NotNull(monitor.Evidence);
        Assert.True(monitor.Evidence.Verify(server.PublicKey));
        Assert.Equal(2UL, monitor.Evidence.Epoch);
        Assert.Equal(HeadObservation.Equivocation, monitor.Observe(heads[4], proofs[4]));
    }

    private static EpochHead Sign(Ed25519KeyPair server, ulong t, byte[] nonce, long logSize, ReadOnlySpan<byte> logRoot, byte[] previousHash) =>
        EpochHead.Sign(server, t, 1_000_000 + t, nonce, 1, new byte[32], logSize, logRoot, t, new byte[32], previousHash);

    private static byte[] Bytes(Random rng, int count)
    {
        var bytes = new byte[count];
        rng.NextBytes(bytes);
        return bytes;
    }
}
