using Privomega.Protocol.Formats;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Tests.Formats;

public sealed class EpochHeadTests
{
    private const int Seed = 265;

    [Fact]
    public void Head_round_trips_with_every_field()
    {
        using var world = new TestWorld(5, Seed);
        var head = world.Head;
        var decoded = EpochHead.Decode(head.Encode());
        Assert.Equal(head, decoded);
        Assert.Equal(EpochHead.Size, head.Encode().Length);
        Assert.Equal(5UL, decoded.Epoch);
        Assert.Equal(5L, decoded.DirectorySize);
        Assert.True(decoded.DirectoryRoot.SequenceEqual(world.Tree.Root));
        Assert.Equal(77UL, decoded.MailboxSnapshotId);
        Assert.Equal(head.Hash(), decoded.Hash());
        Assert.True(decoded.VerifySignature(world.Server.PublicKey));
    }

    [Fact]
    public void Malformed_encodings_are_rejected_with_typed_errors()
    {
        using var world = new TestWorld(2, Seed);
        var encoded = world.Head.Encode();
        FormatAssert.RejectsMalformed(encoded, (b, out e) => EpochHead.TryDecode(b, out _, out e), b => EpochHead.Decode(b), EpochHead.CurrentVersion);

        var huge = (byte[])encoded.Clone();
        huge[49] = 0x80;
        Assert.False(EpochHead.TryDecode(huge, out _, out var error));
        Assert.Equal("n_t", error.Field);
        Assert.Equal(ProtocolDecodeStatus.BadValue, error.Status);
    }

    [Fact]
    public void Every_flipped_bit_breaks_the_signature_and_every_body_bit_changes_the_hash()
    {
        using var world = new TestWorld(2, Seed);
        var encoded = world.Head.Encode();
        var hash = world.Head.Hash();
        for (var bit = 8; bit < encoded.Length * 8; bit++)
        {
            var flipped = FormatAssert.Flip(encoded, bit);
            if (!EpochHead.TryDecode(flipped, out var head, out _))
            {
                continue;
            }

            Assert.False(head.VerifySignature(world.Server.PublicKey), $"bit {bit} (seed {Seed})");
            if (bit < (EpochHead.Size - 64) * 8)
            {
                Assert.NotEqual(hash, head.Hash());
            }
        }
    }

    [Fact]
    public void Chain_links_are_checked()
    {
        using var world = new TestWorld(3, Seed);
        var rng = new Random(Seed);
        var h5 = world.Head;
        var h6 = world.SignHead(6, TestWorld.Bytes(rng, 32), h5.Hash(), logSize: 3);
        Assert.Equal(EpochLinkStatus.Valid, EpochHead.CheckLink(h5, h6));
        Assert.Equal(EpochLinkStatus.EpochNotNext, EpochHead.CheckLink(h6, h5));
        Assert.Equal(EpochLinkStatus.EpochNotNext, EpochHead.CheckLink(h5, world.SignHead(7, TestWorld.Bytes(rng, 32), h5.Hash())));
        Assert.Equal(EpochLinkStatus.PreviousHashMismatch, EpochHead.CheckLink(h5, world.SignHead(6, TestWorld.Bytes(rng, 32), new byte[32])));
        Assert.Equal(EpochLinkStatus.TimeWentBackwards, EpochHead.CheckLink(h5, world.SignHead(6, TestWorld.Bytes(rng, 32), h5.Hash(), time: 1)));
        Assert.Equal(EpochLinkStatus.LogShrank, EpochHead.CheckLink(h6, world.SignHead(7, TestWorld.Bytes(rng, 32), h6.Hash(), logSize: 2)));

        var h7 = world.SignHead(7, TestWorld.Bytes(rng, 32), h6.Hash(), logSize: 4);
        Assert.Equal(EpochLinkStatus.Valid, EpochHead.CheckChain([h5, h6, h7], world.Server.PublicKey, out var failedAt));
        Assert.Equal(-1, failedAt);
        Assert.Equal(EpochLinkStatus.EpochNotNext, EpochHead.CheckChain([h5, h7], world.Server.PublicKey, out failedAt));
        Assert.Equal(1, failedAt);
        using var forger = Ed25519KeyPair.Generate();
        var forged = EpochHead.Sign(forger, 8, h7.TimeMilliseconds, new byte[32], 3, world.Tree.Root, 4, new byte[32], 0, new byte[32], h7.Hash());
        Assert.Equal(EpochLinkStatus.Valid, EpochHead.CheckLink(h7, forged));
        Assert.Equal(EpochLinkStatus.BadSignature, EpochHead.CheckChain([h5, h6, h7, forged], world.Server.PublicKey, out failedAt));
        Assert.Equal(3, failedAt);
    }

    [Fact]
    public void Two_signed_heads_for_one_epoch_are_equivocation_evidence()
    {
        using var world = new TestWorld(3, Seed);
        var rng = new Random(Seed + 1);
        var a = world.Head;
        var b = world.SignHead(a.Epoch, TestWorld.Bytes(rng, 32));
        var server = world.Server.PublicKey;
        Assert.True(EquivocationEvidence.TryCreate(server, a, b, out var evidence));
        Assert.True(EquivocationEvidence.TryCreate(server, b, a, out var swapped));
        Assert.Equal(evidence.Encode(), swapped.Encode());
        Assert.Equal(a.Epoch, evidence.Epoch);
        Assert.True(evidence.Verify(server));

        var encoded = evidence.Encode();
        Assert.Equal(EquivocationEvidence.Size, encoded.Length);
        var decoded = EquivocationEvidence.Decode(encoded);
        Assert.True(decoded.Verify(server));
        FormatAssert.RejectsMalformed(encoded, (x, out e) => EquivocationEvidence.TryDecode(x, out _, out e), x => EquivocationEvidence.Decode(x), EquivocationEvidence.CurrentVersion);

        // Not evidence: the same head twice, different epochs, a head signed by someone else.
        Assert.False(EquivocationEvidence.TryCreate(server, a, EpochHead.Decode(a.Encode()), out _));
        Assert.False(EquivocationEvidence.TryCreate(server, a, world.SignHead(a.Epoch + 1, TestWorld.Bytes(rng, 32)), out _));
        using var forger = Ed25519KeyPair.Generate();
        var forged = EpochHead.Sign(forger, a.Epoch, 1, new byte[32], 1, new byte[32], 0, new byte[32], 0, new byte[32], new byte[32]);
        Assert.False(EquivocationEvidence.TryCreate(server, a, forged, out _));
        Assert.False(evidence.Verify(forger.PublicKey));

        // Tampering with either head inside the evidence voids it.
        for (var bit = 8 * 100; bit < encoded.Length * 8; bit += 8 * 61)
        {
            var flipped = FormatAssert.Flip(encoded, bit);
            Assert.False(EquivocationEvidence.TryDecode(flipped, out var e, out _) && e.Verify(server), $"bit {bit}");
        }
    }
}
