using System.Buffers.Binary;
using System.Security.Cryptography;
using Privomega.Pir.Engine.Keyword;

namespace Privomega.Pir.Engine.Tests.Keyword;

public class MailTableTests
{
    private const int Ciphertext = 40;

    private static readonly CuckooKey FixedKey = CuckooKey.FromBytes(new byte[16]);

    internal static byte[] Id(long i)
    {
        var seed = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(seed, i);
        return SHA256.HashData(seed);
    }

    internal static byte[] Message(long i, int bytes = Ciphertext)
    {
        var m = new byte[bytes];
        for (int k = 0; k < bytes; k++)
        {
            m[k] = (byte)((i * 31) + k);
        }

        return m;
    }

    private static byte[] Bytes(PirDatabase db)
    {
        var all = new byte[db.RecordCount * db.RecordBytes];
        for (long i = 0; i < db.RecordCount; i++)
        {
            db.GetRecord(i).CopyTo(all.AsSpan((int)(i * db.RecordBytes)));
        }

        return all;
    }

    private static MailTable NewTable(long items = 300, int retention = 3, bool grow = false, Func<CuckooKey>? keys = null) =>
        new(CuckooLayout.ForItems(items, MailSlot.SlotBytesFor(Ciphertext)), Ciphertext, retention, grow, FixedKey, keys);

    [Fact]
    public void IncrementalSnapshots_AreByteEqualToFullRebuilds()
    {
        using var table = NewTable();
        MailSnapshot? previous = null;
        long next = 0;
        var snapshots = new List<MailSnapshot>();
        for (long epoch = 0; epoch < 8; epoch++)
        {
            for (int k = 0; k < 60; k++, next++)
            {
                Assert.Equal(MailPutStatus.Stored, table.TryPut(Id(next), Message(next), epoch));
            }

            MailSnapshot snapshot = table.Snapshot(epoch, previous);
            using MailSnapshot full = table.RebuildSnapshot(epoch);
            Assert.Equal(Bytes(full.Database), Bytes(snapshot.Database));
            Assert.True(snapshot.DigestEquals(full.Digest));
            Assert.Equal(full.Digest.ToArray(), MailSnapshot.ComputeDigest(snapshot.Header, snapshot.Database));
            if (previous is not null)
            {
                Assert.NotNull(snapshot.ChangedBuckets);
                Assert.InRange(snapshot.ChangedBuckets!.Count, 1, snapshot.Header.Layout.BucketCount - 1);
                Assert.False(snapshot.DigestEquals(previous.Digest));
            }

            snapshots.Add(snapshot);
            previous = snapshot;
        }

        // Retention 3: at epoch 7 the messages of epochs 5, 6, 7 remain.
        Assert.Equal(180, table.Count);
        Assert.False(table.Contains(Id(0)));
        Assert.True(table.Contains(Id((5 * 60) + 1)));
        snapshots.ForEach(s => s.Dispose());
    }

    [Fact]
    public void Replica_FollowsDeltasToTheSameDigest()
    {
        using var table = NewTable();
        for (int i = 0; i < 100; i++)
        {
            table.TryPut(Id(i), Message(i), 0);
        }

        using MailSnapshot first = table.Snapshot(0, null);
        using MailSnapshot replicaFirst = MailSnapshot.FromDatabase(
            MailSnapshotHeader.Decode(first.Header.Encode()),
            PirDatabase.FromConcatenated(Bytes(first.Database), first.Database.RecordBytes));
        Assert.True(replicaFirst.DigestEquals(first.Digest));
        for (int i = 100; i < 150; i++)
        {
            table.TryPut(Id(i), Message(i), 1);
        }

        using MailSnapshot second = table.Snapshot(1, first);
        var delta = second.ChangedBuckets!.Select(b => new KeyValuePair<long, ReadOnlyMemory<byte>>(b, second.Database.CopyRecord(b))).ToList();
        using MailSnapshot replicaSecond = MailSnapshot.ApplyChanges(replicaFirst, MailSnapshotHeader.Decode(second.Header.Encode()), delta);
        Assert.True(replicaSecond.DigestEquals(second.Digest));

        // A tampered delta is caught by the digest.
        byte[] tampered = second.Database.CopyRecord(delta[0].Key);
        tampered[^1] ^= 1;
        delta[0] = new(delta[0].Key, tampered);
        using MailSnapshot bad = MailSnapshot.ApplyChanges(replicaFirst, second.Header, delta);
        Assert.False(bad.DigestEquals(second.Digest));
    }

    [Fact]
    public void Snapshot_RejectsAPreviousItDidNotMake()
    {
        using var table = NewTable();
        using var other = NewTable();
        table.TryPut(Id(1), Message(1), 0);
        other.TryPut(Id(2), Message(2), 0);
        using MailSnapshot mine = table.Snapshot(0, null);
        using MailSnapshot theirs = other.Snapshot(0, null);
        Assert.Throws<ArgumentException>(() => table.Snapshot(1, theirs));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Snapshot(0, mine));
    }

    [Fact]
    public void Puts_RejectBadInputAndDuplicates()
    {
        using var table = NewTable();
        var e = Assert.Throws<ArgumentException>(() => table.TryPut(new byte[16], Message(1), 0));
        Assert.Contains("expected 32", e.Message);
        e = Assert.Throws<ArgumentException>(() => table.TryPut(Id(1), Message(1, Ciphertext + 1), 0));
        Assert.Contains($"expected {Ciphertext}", e.Message);
        Assert.Equal(MailPutStatus.Stored, table.TryPut(Id(1), Message(1), 0));
        Assert.Equal(MailPutStatus.MailboxTaken, table.TryPut(Id(1), Message(2), 0));
        Assert.Equal(1, table.Count);
        Assert.Throws<ArgumentException>(() => new MailTable(CuckooLayout.ForItems(10, 99), Ciphertext, 3));
    }

    [Fact]
    public void FullTable_ReportsFull_OrGrowsWhenAllowed()
    {
        var layout = new CuckooLayout(4, 2, MailSlot.SlotBytesFor(Ciphertext), 2, maxLoadFactor: 0.75);
        using (var fixedSize = new MailTable(layout, Ciphertext, 2, allowGrowth: false, FixedKey))
        {
            int stored = 0;
            for (int i = 0; i < 20 && fixedSize.TryPut(Id(i), Message(i), 0) == MailPutStatus.Stored; i++)
            {
                stored++;
            }

            Assert.InRange(stored, 1, 6);
            Assert.Equal(MailPutStatus.Full, fixedSize.TryPut(Id(99), Message(99), 0));
            Assert.Equal(stored, fixedSize.Count);
        }

        int keysDrawn = 0;
        using var growing = new MailTable(layout, Ciphertext, 2, allowGrowth: true, FixedKey, () =>
        {
            var k = new byte[16];
            k[0] = (byte)++keysDrawn;
            return CuckooKey.FromBytes(k);
        });
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal(MailPutStatus.Stored, growing.TryPut(Id(i), Message(i), 0));
        }

        Assert.True(growing.Layout.BucketCount > 4);
        Assert.True(growing.Rebuilds > 0);
        Assert.True(keysDrawn >= growing.Rebuilds);
        for (int i = 0; i < 40; i++)
        {
            Assert.True(growing.Contains(Id(i)));
        }

        using MailSnapshot s = growing.Snapshot(0, null);
        Assert.Equal(growing.Layout.BucketCount, s.Database.RecordCount);
        Assert.Equal(growing.CuckooKey, s.Header.CuckooKey);
    }

    [Fact]
    public void Header_RoundTripsAndRejectsBadBytes()
    {
        var header = new MailSnapshotHeader(42, 1000, 4, MailSlot.DefaultCiphertextBytes, 2, FixedKey);
        byte[] encoded = header.Encode();
        Assert.Equal(MailSnapshotHeader.EncodedLength, encoded.Length);
        Assert.Equal(header, MailSnapshotHeader.Decode(encoded));
        Assert.Equal(4 * 217, MailSnapshotHeader.Decode(encoded).Layout.BucketBytes);
        Assert.False(MailSnapshotHeader.TryDecode(encoded.AsSpan(0, 39), out _, out var error));
        Assert.Equal(PirDecodeStatus.Truncated, error.Status);
        Assert.False(MailSnapshotHeader.TryDecode([.. encoded, 0], out _, out error));
        Assert.Equal(PirDecodeStatus.Oversized, error.Status);
        byte[] bad = (byte[])encoded.Clone();
        bad[0] = 2;
        Assert.False(MailSnapshotHeader.TryDecode(bad, out _, out error));
        Assert.Equal(PirDecodeStatus.WrongVersion, error.Status);
        bad = (byte[])encoded.Clone();
        bad[23] = 4;
        Assert.False(MailSnapshotHeader.TryDecode(bad, out _, out error));
        Assert.Equal(PirDecodeStatus.BadValue, error.Status);
        bad = (byte[])encoded.Clone();
        bad[17] = 0;
        bad[18] = 0;
        Assert.False(MailSnapshotHeader.TryDecode(bad, out _, out error));
        Assert.Equal("mail_snapshot_header.slots_per_bucket", error.Field);
        Assert.Throws<PirFormatException>(() => MailSnapshotHeader.Decode(bad));
    }

    [Fact]
    public void Slot_FindsOnlyTheMessageOfItsId()
    {
        var bucket = new byte[2 * MailSlot.SlotBytesFor(Ciphertext)];
        MailSlot.ComputeTag(Id(1), Message(1), bucket.AsSpan(0, 16));
        Message(1).CopyTo(bucket, 16);
        Assert.Equal(Message(1), MailSlot.Find(Id(1), [bucket], Ciphertext));
        Assert.Null(MailSlot.Find(Id(2), [bucket], Ciphertext));
        // The tag binds the ciphertext: a changed message is not taken for the id's.
        bucket[20] ^= 1;
        Assert.Null(MailSlot.Find(Id(1), [bucket], Ciphertext));
        Assert.Throws<ArgumentException>(() => MailSlot.Find(Id(1), [new byte[10]], Ciphertext));
    }
}
