using Privomega.Protocol.Formats;
using Privomega.Protocol.Merkle;

namespace Privomega.Protocol.Tests.Formats;

public sealed class DirectoryRecordTests
{
    private const int Seed = 2048;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(9)]
    public void Every_record_has_the_same_size_and_verifies_against_the_head(int users)
    {
        using var world = new TestWorld(users, Seed + users);
        var size = DirectoryRecord.SizeFor(users);
        Assert.Equal(1 + Certificate.Size + 1 + (32 * DirectoryTree.MaxPathNodesFor(users)), size);
        for (var i = 0; i < users; i++)
        {
            var record = DirectoryRecord.Create(world.Users[i].Certificate, world.Tree, i);
            var encoded = record.Encode();
            Assert.Equal(size, encoded.Length);
            var decoded = DirectoryRecord.Decode(encoded, users);
            Assert.Equal(world.Users[i].Certificate, decoded.Certificate);
            Assert.True(decoded.Verify(world.Head, i, world.Server.PublicKey, TestWorld.Difficulty), $"index {i} of {users}");
            if (users > 1)
            {
                Assert.False(decoded.Verify(world.Head, (i + 1) % users, world.Server.PublicKey, TestWorld.Difficulty), $"index {i} as {(i + 1) % users}");
            }
        }
    }

    [Fact]
    public void Malformed_records_are_rejected()
    {
        using var world = new TestWorld(6, Seed);
        var encoded = DirectoryRecord.Create(world.Users[5].Certificate, world.Tree, 5).Encode();
        FormatAssert.RejectsMalformed(encoded, (b, out e) => DirectoryRecord.TryDecode(b, 6, out _, out e), b => DirectoryRecord.Decode(b, 6), DirectoryRecord.CurrentVersion);

        // A count beyond the padded path, and non-zero padding, have no valid reading.
        var countOffset = 1 + Certificate.Size;
        var tooMany = (byte[])encoded.Clone();
        tooMany[countOffset] = 4;
        Assert.False(DirectoryRecord.TryDecode(tooMany, 6, out _, out var error));
        Assert.Equal(new ProtocolDecodeError(ProtocolDecodeStatus.BadValue, "path_count", 4, 3), error);
        var record = DirectoryRecord.Decode(encoded, 6);
        Assert.Equal(2, record.Path.Length / 32);
        var dirty = (byte[])encoded.Clone();
        dirty[^1] = 1;
        Assert.False(DirectoryRecord.TryDecode(dirty, 6, out _, out error));
        Assert.Equal("path_padding", error.Field);

        // A record laid out for another directory size is another length.
        Assert.False(DirectoryRecord.TryDecode(encoded, 9, out _, out error));
        Assert.Equal(ProtocolDecodeStatus.Truncated, error.Status);
    }

    [Fact]
    public void Every_flipped_bit_fails_decoding_or_verification()
    {
        using var world = new TestWorld(6, Seed);
        const int index = 3;
        var encoded = DirectoryRecord.Create(world.Users[index].Certificate, world.Tree, index).Encode();
        for (var bit = 8; bit < encoded.Length * 8; bit++)
        {
            var flipped = FormatAssert.Flip(encoded, bit);
            var accepted = DirectoryRecord.TryDecode(flipped, 6, out var record, out _)
                && record.Verify(world.Head, index, world.Server.PublicKey, 0);
            Assert.False(accepted, $"bit {bit} (seed {Seed})");
        }

        var good = DirectoryRecord.Decode(encoded, 6);
        Assert.False(good.Verify(world.Head, index + 1, world.Server.PublicKey, 0));
        var rng = new Random(Seed);
        var otherHead = world.SignHead(world.Head.Epoch, TestWorld.Bytes(rng, 32), logSize: 0);
        Assert.True(good.Verify(otherHead, index, world.Server.PublicKey, 0));
        Assert.Throws<ArgumentException>(() => DirectoryRecord.Create(world.Users[0].Certificate, world.Tree, index));

        // A head whose epoch began before the certificate was issued.
        var early = world.SignHead(world.Head.Epoch, TestWorld.Bytes(rng, 32), time: TestWorld.IssuedAt * 1000);
        Assert.False(good.Verify(early, index, world.Server.PublicKey, 0));
    }

    [Fact]
    public void Database_layout_puts_record_i_at_offset_i_times_record_size()
    {
        using var world = new TestWorld(7, Seed);
        var certificates = world.Users.Select(u => u.Certificate).ToArray();
        var database = DirectoryRecord.EncodeDatabase(certificates, world.Tree);
        var size = DirectoryRecord.SizeFor(7);
        Assert.Equal(7 * size, database.Length);
        for (var i = 0; i < 7; i++)
        {
            var record = DirectoryRecord.Decode(database.AsSpan(i * size, size), 7);
            Assert.Equal(certificates[i], record.Certificate);
            Assert.True(record.Verify(world.Head, i, world.Server.PublicKey, TestWorld.Difficulty), $"record {i}");
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => DirectoryRecord.EncodeDatabase(certificates[..6], world.Tree));
        Assert.Throws<ArgumentException>(() => DirectoryRecord.EncodeDatabase([.. certificates[1..], certificates[0]], world.Tree));
    }
}
