using Privomega.Protocol.Formats;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Tests.Formats;

public sealed class CertificateTests
{
    private const int Seed = 146;

    [Fact]
    public void Issued_certificate_round_trips_and_verifies()
    {
        using var world = new TestWorld(3, Seed);
        var user = world.Users[1];
        var cert = user.Certificate;
        var encoded = cert.Encode();
        Assert.Equal(Certificate.Size, encoded.Length);
        Assert.Equal(146, encoded.Length);
        var decoded = Certificate.Decode(encoded);
        Assert.Equal(cert, decoded);
        Assert.Equal(user.Vrf.PublicKey, decoded.VrfKey);
        Assert.Equal(user.Dh.PublicKey, decoded.DhKey);
        Assert.Equal(TestWorld.IssuedAt + 1, decoded.IssuedAt);
        Assert.Equal(TestWorld.Difficulty, decoded.PowDifficulty);
        Assert.True(decoded.Verify(world.Server.PublicKey, TestWorld.Difficulty));
        Assert.False(decoded.Verify(world.Server.PublicKey, TestWorld.Difficulty + 1));
        using var other = Ed25519KeyPair.Generate();
        Assert.False(decoded.VerifySignature(other.PublicKey));
    }

    [Fact]
    public void Malformed_encodings_are_rejected_with_typed_errors()
    {
        using var world = new TestWorld(1, Seed);
        var encoded = world.Users[0].Certificate.Encode();
        FormatAssert.RejectsMalformed(encoded, (b, out e) => Certificate.TryDecode(b, out _, out e), b => Certificate.Decode(b), Certificate.CurrentVersion);

        // A vrf_pk that is not a valid Ed25519 point (y = 2 is not on the curve).
        var badKey = (byte[])encoded.Clone();
        badKey.AsSpan(1, 32).Clear();
        badKey[1] = 2;
        Assert.False(Certificate.TryDecode(badKey, out _, out var error));
        Assert.Equal(ProtocolDecodeStatus.BadValue, error.Status);
        Assert.Equal("vrf_pk", error.Field);

        var hard = (byte[])encoded.Clone();
        hard[81] = ProofOfWork.MaxDifficulty + 1;
        Assert.False(Certificate.TryDecode(hard, out _, out error));
        Assert.Equal(new ProtocolDecodeError(ProtocolDecodeStatus.BadValue, "pow_difficulty", ProofOfWork.MaxDifficulty + 1, ProofOfWork.MaxDifficulty), error);
    }

    [Fact]
    public void Every_flipped_bit_is_rejected_by_decoding_or_verification()
    {
        using var world = new TestWorld(1, Seed);
        var encoded = world.Users[0].Certificate.Encode();
        for (var bit = 8; bit < encoded.Length * 8; bit++)
        {
            var flipped = FormatAssert.Flip(encoded, bit);
            var accepted = Certificate.TryDecode(flipped, out var cert, out _) && cert.Verify(world.Server.PublicKey, 0);
            Assert.False(accepted, $"bit {bit} (seed {Seed})");
        }
    }

    [Fact]
    public void Proof_of_work_is_the_first_nonce_that_reaches_the_difficulty()
    {
        using var vrf = Ed25519KeyPair.Import(new byte[32]);
        using var dh = X25519KeyPair.Import(Enumerable.Repeat((byte)7, 32).ToArray());
        const int difficulty = 10;
        var nonce = ProofOfWork.Mint(vrf.PublicKey, dh.PublicKey, difficulty);
        Assert.True(ProofOfWork.Verify(vrf.PublicKey, dh.PublicKey, difficulty, nonce));
        for (ulong n = 0; n < nonce; n++)
        {
            Assert.False(ProofOfWork.Verify(vrf.PublicKey, dh.PublicKey, difficulty, n), $"nonce {n} < {nonce}");
        }

        // The proof binds both keys: the nonces that pass change when either key changes.
        using var otherDh = X25519KeyPair.Import(Enumerable.Repeat((byte)8, 32).ToArray());
        using var otherVrf = Ed25519KeyPair.Import(Enumerable.Repeat((byte)1, 32).ToArray());
        int[] Passing(Ed25519PublicKey v, X25519PublicKey d) => Enumerable.Range(0, 512).Where(n => ProofOfWork.Verify(v, d, 4, (ulong)n)).ToArray();
        var passing = Passing(vrf.PublicKey, dh.PublicKey);
        Assert.NotEmpty(passing);
        Assert.NotEqual(passing, Passing(vrf.PublicKey, otherDh.PublicKey));
        Assert.NotEqual(passing, Passing(otherVrf.PublicKey, dh.PublicKey));
        Assert.True(ProofOfWork.Verify(vrf.PublicKey, dh.PublicKey, 0, 12345));
        Assert.False(ProofOfWork.Verify(vrf.PublicKey, dh.PublicKey, ProofOfWork.MaxDifficulty + 1, nonce));

        using var server = Ed25519KeyPair.Generate();
        Assert.Throws<ArgumentException>(() => Certificate.Issue(server, vrf.PublicKey, dh.PublicKey, 1, nonce == 0 ? 1UL : 0UL, difficulty));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProofOfWork.Mint(vrf.PublicKey, dh.PublicKey, 65));
        Assert.Equal(0, ProofOfWork.LeadingZeroBits([0x80]));
        Assert.Equal(9, ProofOfWork.LeadingZeroBits([0x00, 0x40]));
        Assert.Equal(16, ProofOfWork.LeadingZeroBits([0x00, 0x00]));
    }
}
