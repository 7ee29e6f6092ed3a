using System.Buffers.Binary;
using System.Security.Cryptography;
using Privomega.Pir.Engine.Keyword;

namespace Privomega.Pir.Engine.Tests.Keyword;

public class CuckooTableTests
{
    private static readonly CuckooKey FixedKey = CuckooKey.FromBytes(Enumerable.Range(1, 16).Select(i => (byte)i).ToArray());

    private static byte[] KeyOf(long i, byte tweak = 0)
    {
        var key = new byte[32];
        BinaryPrimitives.WriteInt64LittleEndian(key, i);
        key[31] = tweak;
        // Spread the bits like a real HKDF output would be (the table hashes anyway).
        return SHA256.HashData(key);
    }

    [Fact]
    public void MillionKeysAtMaxLoad_AllFoundInTheirCandidates_AbsentKeysFindNothing()
    {
        const int Keys = 1_000_000;
        var layout = CuckooLayout.ForItems(Keys, slotBytes: 8);
        Assert.Equal(CuckooLayout.DefaultMaxLoadFactor, layout.MaxLoadFactor);
        // Keys as uniform as HKDF outputs, drawn cheaply: the table hashes them anyway.
        var keys = new byte[(Keys + 10_000) * 32];
        new Random(8).NextBytes(keys);
        using var table = new CuckooTable(layout, FixedKey, valueBytes: 8);
        var value = new byte[8];
        for (int i = 0; i < Keys; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(value, i);
            Assert.Equal(CuckooInsertStatus.Inserted, table.TryInsert(keys.AsSpan(i * 32, 32), value));
        }

        Assert.Equal(Keys, table.Count);
        Assert.True(table.LoadFactor >= 0.8999, $"load {table.LoadFactor}");
        Span<long> candidates = stackalloc long[layout.HashCount];
        for (int i = 0; i < Keys; i++)
        {
            ReadOnlySpan<byte> key = keys.AsSpan(i * 32, 32);
            long slot = table.Find(key);
            Assert.True(slot >= 0);
            // Every 16th key: its slot lies in one of the candidates a reader computes on its own.
            if ((i & 15) == 0)
            {
                CuckooHash.GetCandidates(layout, FixedKey, key, candidates);
                Assert.True(candidates.Contains(slot / layout.SlotsPerBucket));
                Assert.True(key.SequenceEqual(table.GetKey(slot)));
            }

            Assert.Equal(i, BinaryPrimitives.ReadInt64LittleEndian(table.GetValue(slot)));
        }

        for (int i = Keys; i < Keys + 10_000; i++)
        {
            Assert.Equal(-1, table.Find(keys.AsSpan(i * 32, 32)));
        }

        // The table is full now: one more key is refused, not squeezed in.
        Assert.Equal(CuckooInsertStatus.Full, table.TryInsert(KeyOf(-1), value));
        Assert.Equal(Keys, table.Count);
    }

    [Fact]
    public void Candidates_AreDistinctInRangeAndDeterministic()
    {
        foreach (int hashes in new[] { 2, 3 })
        {
            var layout = new CuckooLayout(5, 1, 8, hashes);
            for (int i = 0; i < 2000; i++)
            {
                long[] c = CuckooHash.GetCandidates(layout, FixedKey, KeyOf(i));
                Assert.Equal(hashes, c.Length);
                Assert.Equal(hashes, c.Distinct().Count());
                Assert.All(c, b => Assert.InRange(b, 0, 4));
                Assert.Equal(c, CuckooHash.GetCandidates(layout, FixedKey, KeyOf(i)));
            }
        }

        // With 3 hash functions and 3 buckets every bucket is a candidate of every key.
        var tight = new CuckooLayout(3, 1, 8, 3);
        Assert.Equal([0L, 1, 2], CuckooHash.GetCandidates(tight, FixedKey, KeyOf(7)).Order().ToArray());
    }

    [Fact]
    public void Candidates_DependOnTheCuckooKey()
    {
        var layout = new CuckooLayout(1L << 30, 4, 8);
        var other = CuckooKey.FromBytes(new byte[16]);
        Assert.NotEqual(CuckooHash.GetCandidates(layout, FixedKey, KeyOf(1)), CuckooHash.GetCandidates(layout, other, KeyOf(1)));
    }

    [Fact]
    public void FailedInsertion_UndoesEveryEviction()
    {
        // 3 buckets of 1 slot: keys whose both candidates are buckets 0 and 1 can only fill two slots.
        var layout = new CuckooLayout(3, 1, 8, 2, maxLoadFactor: 1.0);
        var crowded = Enumerable.Range(0, 10_000).Select(i => KeyOf(i))
            .Where(k => CuckooHash.GetCandidates(layout, FixedKey, k).Order().SequenceEqual([0L, 1L]))
            .Take(3).ToArray();
        Assert.Equal(3, crowded.Length);
        using var table = new CuckooTable(layout, FixedKey, 8);
        var value = new byte[8];
        Assert.Equal(CuckooInsertStatus.Inserted, table.TryInsert(crowded[0], value));
        value[0] = 1;
        Assert.Equal(CuckooInsertStatus.Inserted, table.TryInsert(crowded[1], value));
        long slot0 = table.Find(crowded[0]);
        long slot1 = table.Find(crowded[1]);
        value[0] = 2;
        Assert.Equal(CuckooInsertStatus.Failed, table.TryInsert(crowded[2], value));
        Assert.Equal(2, table.Count);
        Assert.Equal(slot0, table.Find(crowded[0]));
        Assert.Equal(slot1, table.Find(crowded[1]));
        Assert.Equal(0, table.GetValue(slot0)[0]);
        Assert.Equal(1, table.GetValue(slot1)[0]);
        Assert.Equal(-1, table.Find(crowded[2]));
        Assert.False(table.IsOccupied(2));
    }

    [Fact]
    public void DuplicateRemoveAndChangeTracking()
    {
        var layout = new CuckooLayout(64, 2, 8);
        using var table = new CuckooTable(layout, FixedKey, 4);
        Assert.Equal(CuckooInsertStatus.Inserted, table.TryInsert(KeyOf(1), [1, 2, 3, 4]));
        Assert.Equal(CuckooInsertStatus.Duplicate, table.TryInsert(KeyOf(1), [9, 9, 9, 9]));
        var got = new byte[4];
        Assert.True(table.TryGetValue(KeyOf(1), got));
        Assert.Equal([1, 2, 3, 4], got);
        long bucket = table.Find(KeyOf(1)) / 2;
        Assert.Equal([bucket], table.ChangedBuckets().ToArray());
        table.ClearChangedBuckets();
        Assert.Empty(table.ChangedBuckets());
        Assert.True(table.Remove(KeyOf(1)));
        Assert.False(table.Remove(KeyOf(1)));
        Assert.True(table.IsBucketChanged(bucket));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void BadInput_GetsClearErrors()
    {
        var layout = new CuckooLayout(8, 2, 8);
        using var table = new CuckooTable(layout, FixedKey, 4);
        var e = Assert.Throws<ArgumentException>(() => table.TryInsert(new byte[31], new byte[4]));
        Assert.Contains("31", e.Message);
        Assert.Contains("32", e.Message);
        Assert.Throws<ArgumentException>(() => table.TryInsert(new byte[32], new byte[5]));
        Assert.Throws<ArgumentException>(() => CuckooKey.FromBytes(new byte[15]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CuckooLayout(8, 2, 8, hashCount: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CuckooLayout(1, 2, 8));
        Assert.Throws<ArgumentException>(() => new CuckooLayout(8, 2, 8, 2, maxLoadFactor: 1.5));
    }

    [Fact]
    public void ForItems_HoldsTheItemsAtTheLoadFactor()
    {
        foreach (long items in new long[] { 1, 7, 1000, 30_000_000 })
        {
            var layout = CuckooLayout.ForItems(items, 217);
            Assert.True(layout.MaxItems >= items);
            Assert.True(layout.WithBucketCount(layout.BucketCount - 1 < 2 ? 2 : layout.BucketCount - 1).MaxItems < items || layout.BucketCount == 2);
            Assert.Equal(layout.BucketCount * 4 * 217, layout.DatabaseBytes);
        }
    }
}
