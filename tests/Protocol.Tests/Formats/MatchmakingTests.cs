using Privomega.Protocol.Formats;
using Privomega.Protocol.Primitives;
using Privomega.Protocol.Vrf;

namespace Privomega.Protocol.Tests.Formats;

public sealed class MatchmakingTests
{
    private const int Seed = 1300;
    private const int Users = 12;

    [Fact]
    public void Sizes_are_fixed()
    {
        Assert.Equal(1300, MatchmakingRequest.PlaintextSize);
        Assert.Equal(1357, MatchmakingRequest.SealedSize);
    }

    [Fact]
    public void Alice_reaches_the_bob_her_vrf_picks_and_bob_accepts_once()
    {
        using var world = new TestWorld(Users, Seed);
        var (alice, bob) = Pick(world);
        var sealedRequest = Build(world, alice).Seal(world.Users[bob].Dh.PublicKey);
        Assert.Equal(MatchmakingRequest.SealedSize, sealedRequest.Length);
        Assert.True(MatchmakingRequest.TryReadEnvelope(sealedRequest, out var epoch, out _));
        Assert.Equal(world.Head.Epoch, epoch);

        // Alice verifies Bob's directory record (what her PIR read returns).
        var record = DirectoryRecord.Decode(DirectoryRecord.Create(world.Users[bob].Certificate, world.Tree, bob).Encode(), Users);
        Assert.True(record.Verify(world.Head, bob, world.Server.PublicKey, TestWorld.Difficulty));

        Assert.True(MatchmakingRequest.TryOpen(sealedRequest, world.Users[bob].Dh, out var request));
        Assert.Equal(world.Users[alice].Certificate, request.Certificate);
        Assert.Equal(alice, request.LeafIndex);
        var verifier = Verifier(world, bob);
        Assert.Equal(MatchmakingVerdict.Accepted, verifier.Verify(request));

        // The same request again, even sealed afresh, is a replay.
        Assert.Equal(MatchmakingVerdict.Replay, verifier.Verify(request));
        Assert.True(MatchmakingRequest.TryOpen(Build(world, alice).Seal(world.Users[bob].Dh.PublicKey), world.Users[bob].Dh, out var again));
        Assert.Equal(MatchmakingVerdict.Replay, verifier.Verify(again));

        // Anyone else cannot open it; a third user who could would still not be the one picked.
        foreach (var other in Enumerable.Range(0, Users).Where(i => i != bob))
        {
            Assert.False(MatchmakingRequest.TryOpen(sealedRequest, world.Users[other].Dh, out _));
        }

        var carol = Enumerable.Range(0, Users).First(i => i != bob && i != alice);
        Assert.Equal(MatchmakingVerdict.NotMatchedToMe, Verifier(world, carol).Verify(request));
    }

    [Fact]
    public void Bob_refuses_each_failed_check_with_its_reason()
    {
        using var world = new TestWorld(Users, Seed);
        var (alice, bob) = Pick(world);
        var rng = new Random(Seed);
        var aliceUser = world.Users[alice];
        var path = world.Tree.GetInclusionProof(alice);
        var proof = MatchmakingRequest.Prove(aliceUser.Vrf, world.Head, out _);

        // Another epoch's head.
        var nextHead = world.SignHead(world.Head.Epoch + 1, TestWorld.Bytes(rng, 32), world.Head.Hash());
        Assert.Equal(MatchmakingVerdict.WrongEpoch, new MatchmakingVerifier(world.Server.PublicKey, TestWorld.Difficulty, nextHead, world.Users[bob].Certificate, bob).Verify(Build(world, alice)));

        // Alice was shown a different head for the same epoch.
        var forkedHead = world.SignHead(world.Head.Epoch, TestWorld.Bytes(rng, 32));
        var forked = MatchmakingRequest.Create(forkedHead, aliceUser.Certificate, alice, path, proof);
        Assert.Equal(MatchmakingVerdict.HeadMismatch, Verifier(world, bob).Verify(forked));

        // A certificate under another server key, or below the required work.
        using var otherServer = Ed25519KeyPair.Generate();
        Assert.Equal(MatchmakingVerdict.CertificateInvalid, new MatchmakingVerifier(otherServer.PublicKey, TestWorld.Difficulty, world.Head, world.Users[bob].Certificate, bob).Verify(Build(world, alice)));
        Assert.Equal(MatchmakingVerdict.CertificateInvalid, new MatchmakingVerifier(world.Server.PublicKey, TestWorld.Difficulty + 20, world.Head, world.Users[bob].Certificate, bob).Verify(Build(world, alice)));

        // A certificate issued after the epoch began.
        var lateHead = world.SignHead(world.Head.Epoch, TestWorld.Bytes(rng, 32), time: 1000);
        var late = MatchmakingRequest.Create(lateHead, aliceUser.Certificate, alice, path, proof);
        Assert.Equal(MatchmakingVerdict.CertificateInvalid, new MatchmakingVerifier(world.Server.PublicKey, TestWorld.Difficulty, lateHead, world.Users[bob].Certificate, bob).Verify(late));

        // Not at the claimed index, or a wrong path.
        var wrongIndex = (alice + 1) % Users == bob ? (alice + 2) % Users : (alice + 1) % Users;
        Assert.Equal(MatchmakingVerdict.NotInDirectory, Verifier(world, bob).Verify(MatchmakingRequest.Create(world.Head, aliceUser.Certificate, wrongIndex, path, proof)));
        Assert.Equal(MatchmakingVerdict.NotInDirectory, Verifier(world, bob).Verify(MatchmakingRequest.Create(world.Head, aliceUser.Certificate, alice, path.AsSpan(32), proof)));

        // A proof for another input, or a tampered proof.
        var otherHeadProof = EcVrf.Prove(MatchmakingRequest.VrfSuite, aliceUser.Vrf, MatchmakingRequest.VrfInput(nextHead));
        Assert.Equal(MatchmakingVerdict.VrfInvalid, Verifier(world, bob).Verify(MatchmakingRequest.Create(world.Head, aliceUser.Certificate, alice, path, otherHeadProof)));
        for (var bit = 0; bit < EcVrf.ProofSize * 8; bit += 37)
        {
            var tampered = FormatAssert.Flip(proof, bit);
            Assert.Equal(MatchmakingVerdict.VrfInvalid, Verifier(world, bob).Verify(MatchmakingRequest.Create(world.Head, aliceUser.Certificate, alice, path, tampered)));
        }

        // Bob's own certificate coming back to him.
        var bobUser = world.Users[bob];
        var selfProof = MatchmakingRequest.Prove(bobUser.Vrf, world.Head, out _);
        var self = MatchmakingRequest.Create(world.Head, bobUser.Certificate, bob, world.Tree.GetInclusionProof(bob), selfProof);
        Assert.Equal(MatchmakingVerdict.SelfMatch, Verifier(world, bob).Verify(self));
    }

    [Fact]
    public void Malformed_plaintexts_and_envelopes_are_rejected()
    {
        using var world = new TestWorld(Users, Seed);
        var (alice, bob) = Pick(world);
        var plaintext = Build(world, alice).Encode();
        FormatAssert.RejectsMalformed(plaintext, (b, out e) => MatchmakingRequest.TryDecode(b, out _, out e), b => MatchmakingRequest.Decode(b), MatchmakingRequest.CurrentVersion);
        Assert.Equal(plaintext, MatchmakingRequest.Decode(plaintext).Encode());

        var sealedRequest = Build(world, alice).Seal(world.Users[bob].Dh.PublicKey);
        for (var length = 0; length < sealedRequest.Length; length += 7)
        {
            Assert.False(MatchmakingRequest.TryReadEnvelope(sealedRequest.AsSpan(0, length), out _, out var error));
            Assert.Equal(ProtocolDecodeStatus.Truncated, error.Status);
            Assert.False(MatchmakingRequest.TryOpen(sealedRequest.AsSpan(0, length), world.Users[bob].Dh, out _));
        }

        Assert.False(MatchmakingRequest.TryOpen([.. sealedRequest, 0], world.Users[bob].Dh, out _));
        var wrongVersion = (byte[])sealedRequest.Clone();
        wrongVersion[0] = 2;
        Assert.False(MatchmakingRequest.TryReadEnvelope(wrongVersion, out _, out var versionError));
        Assert.Equal(new ProtocolDecodeError(ProtocolDecodeStatus.WrongVersion, "version", 2, 1), versionError);

        // Every flipped bit of the sealed bytes (header = AAD, enc, ciphertext, tag) stops the open.
        for (var bit = 0; bit < sealedRequest.Length * 8; bit += 11)
        {
            Assert.False(MatchmakingRequest.TryOpen(FormatAssert.Flip(sealedRequest, bit), world.Users[bob].Dh, out _), $"bit {bit} (seed {Seed})");
        }
    }

    [Fact]
    public void Flipped_bits_in_the_plaintext_are_refused_by_decoding_or_verification()
    {
        using var world = new TestWorld(Users, Seed);
        var (alice, bob) = Pick(world);
        var plaintext = Build(world, alice).Encode();
        var verifier = Verifier(world, bob);
        for (var bit = 8; bit < plaintext.Length * 8; bit += 23)
        {
            var flipped = FormatAssert.Flip(plaintext, bit);
            if (MatchmakingRequest.TryDecode(flipped, out var request, out _))
            {
                Assert.NotEqual(MatchmakingVerdict.Accepted, verifier.Verify(request));
            }
        }

        Assert.Equal(MatchmakingVerdict.Accepted, verifier.Verify(MatchmakingRequest.Decode(plaintext)));
    }

    /// <summary>The first user whose VRF does not pick themself, and the user it picks.</summary>
    private static (int Alice, int Bob) Pick(TestWorld world)
    {
        for (var a = 0; a < world.Users.Count; a++)
        {
            MatchmakingRequest.Prove(world.Users[a].Vrf, world.Head, out var target);
            if (target != a)
            {
                return (a, (int)target);
            }
        }

        throw new InvalidOperationException($"every user picked themself (seed {world.Seed})");
    }

    private static MatchmakingRequest Build(TestWorld world, int alice)
    {
        var proof = MatchmakingRequest.Prove(world.Users[alice].Vrf, world.Head, out _);
        return MatchmakingRequest.Create(world.Head, world.Users[alice].Certificate, alice, world.Tree.GetInclusionProof(alice), proof);
    }

    private static MatchmakingVerifier Verifier(TestWorld world, int me) =>
        new(world.Server.PublicKey, TestWorld.Difficulty, world.Head, world.Users[me].Certificate, me);
}
