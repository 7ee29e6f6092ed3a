using Privomega.Protocol.Formats;
using Privomega.Protocol.Merkle;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Tests.Formats;

internal delegate bool TryDecoder(ReadOnlySpan<byte> bytes, out ProtocolDecodeError error);

/// <summary>A registered user of a test directory: key pairs and certificate.</summary>
internal sealed class TestUser(Ed25519KeyPair vrf, X25519KeyPair dh, Certificate certificate) : IDisposable
{
    public Ed25519KeyPair Vrf { get; } = vrf;

    public X25519KeyPair Dh { get; } = dh;

    public Certificate Certificate { get; } = certificate;

    public void Dispose()
    {
        Vrf.Dispose();
        Dh.Dispose();
    }
}

/// <summary>
/// A small deterministic world for format tests: a server key, users with real proofs of work,
/// a directory tree and a signed head. Seeded, so failures reproduce.
/// </summary>
internal sealed class TestWorld : IDisposable
{
    public const int Difficulty = 6;
    public const ulong IssuedAt = 1_700_000_000;

    public TestWorld(int users, int seed, ulong epoch = 5)
    {
        Seed = seed;
        var rng = new Random(seed);
        Server = Ed25519KeyPair.Import(Bytes(rng, 32));
        Users = [];
        for (var i = 0; i < users; i++)
        {
            var vrf = Ed25519KeyPair.Import(Bytes(rng, 32));
            var dh = X25519KeyPair.Import(Bytes(rng, 32));
            var nonce = ProofOfWork.Mint(vrf.PublicKey, dh.PublicKey, Difficulty);
            Users.Add(new TestUser(vrf, dh, Certificate.Issue(Server, vrf.PublicKey, dh.PublicKey, IssuedAt + (ulong)i, nonce, Difficulty)));
        }

        Tree = DirectoryTree.Build(Users.Select(u => (ReadOnlyMemory<byte>)u.Certificate.Encode()).ToArray());
        Head = SignHead(epoch, Bytes(rng, 32));
    }

    public int Seed { get; }

    public Ed25519KeyPair Server { get; }

    public List<TestUser> Users { get; }

    public DirectoryTree Tree { get; }

    public EpochHead Head { get; }

    public EpochHead SignHead(ulong epoch, byte[] nonce, byte[]? previousHash = null, ulong time = (IssuedAt + 1000) * 1000, long logSize = 0) =>
        EpochHead.Sign(Server, epoch, time, nonce, Tree.Size, Tree.Root, logSize, MerkleHash.EmptyRoot, 77, new byte[32], previousHash ?? new byte[32]);

    public static byte[] Bytes(Random rng, int count)
    {
        var bytes = new byte[count];
        rng.NextBytes(bytes);
        return bytes;
    }

    public void Dispose()
    {
        Server.Dispose();
        Tree.Dispose();
        foreach (var user in Users)
        {
            user.Dispose();
        }
    }
}

/// <summary>The checks every format gets: truncation at every length, one extra byte, a wrong version.</summary>
internal static class FormatAssert
{
    public static void RejectsMalformed(byte[] valid, TryDecoder tryDecode, Action<byte[]> decode, byte version)
    {
        Assert.True(tryDecode(valid, out var ok), ok.ToString());
        Assert.Equal(ProtocolDecodeStatus.Ok, ok.Status);

        for (var length = 0; length < valid.Length; length++)
        {
            var truncated = valid.AsSpan(0, length).ToArray();
            Assert.False(tryDecode(truncated, out var error), $"length {length} of {valid.Length} decoded");
            Assert.True(error.Status == ProtocolDecodeStatus.Truncated, $"length {length}: {error}");

            var thrown = Assert.Throws<ProtocolFormatException>(() => decode(truncated));
            Assert.Equal(error, thrown.Error);
        }

        byte[] oversized = [.. valid, 0];
        Assert.False(tryDecode(oversized, out var over));
        Assert.True(over.Status is ProtocolDecodeStatus.Oversized, over.ToString());
        Assert.Throws<ProtocolFormatException>(() => decode(oversized));

        for (var v = 0; v < 256; v += 17)
        {
            if (v == version)
            {
                continue;
            }

            var wrong = (byte[])valid.Clone();
            wrong[0] = (byte)v;
            Assert.False(tryDecode(wrong, out var wrongVersion));
            Assert.Equal(new ProtocolDecodeError(ProtocolDecodeStatus.WrongVersion, "version", v, version), wrongVersion);
            var e = Assert.Throws<ProtocolFormatException>(() => decode(wrong));
            Assert.Equal("version", e.Field);
            Assert.Equal(v, e.Found);
            Assert.Equal(version, e.Expected);
        }
    }

    public static byte[] Flip(byte[] bytes, int bit)
    {
        var copy = (byte[])bytes.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }
}
