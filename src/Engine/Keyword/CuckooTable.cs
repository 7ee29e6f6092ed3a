using System.Runtime.InteropServices;

namespace Privomega.Pir.Engine.Keyword;

/// <summary>What <see cref="CuckooTable.TryInsert"/> did.</summary>
public enum CuckooInsertStatus
{
    /// <summary>The key and value are in the table.</summary>
    Inserted = 0,

    /// <summary>The key was already present; nothing changed.</summary>
    Duplicate,

    /// <summary>The table holds <see cref="CuckooLayout.MaxItems"/> keys already; nothing changed.</summary>
    Full,

    /// <summary>
    /// The random walk found no free slot within <see cref="CuckooTable.MaxKicks"/> evictions; every
    /// eviction was undone, so nothing changed. The policy (<see cref="CuckooTable.Rebuild"/>) is a new
    /// <see cref="CuckooKey"/>, then a larger table; there is no stash, since a stash could not be read privately.
    /// </summary>
    Failed,
}

/// <summary>Chooses entries of a <see cref="CuckooTable"/> (for <see cref="CuckooTable.RemoveWhere"/>).</summary>
public delegate bool CuckooEntryPredicate(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

/// <summary>
/// A cuckoo hash table of 32-byte keys with fixed-size values, laid out as a <see cref="CuckooLayout"/>:
/// every key sits in one of its <see cref="CuckooLayout.HashCount"/> candidate buckets
/// (<see cref="CuckooHash"/>). Insertion is a random walk of evictions whose choices come from a
/// generator seeded by the <see cref="CuckooKey"/>, so the same sequence of operations on the same
/// key gives the same placement on every machine. The table remembers which buckets changed since
/// <see cref="ClearChangedBuckets"/>, so a snapshot can re-encode only those. Storage is owned native
/// memory, zeroed and freed on <see cref="Dispose"/>. Not thread-safe: one writer at a time.
/// </summary>
public sealed unsafe class CuckooTable : IDisposable
{
    /// <summary>Evictions one insertion may make before it gives up (and undoes them).</summary>
    public const int MaxKicks = 512;

    /// <summary>Largest value size.</summary>
    public const int MaxValueBytes = 1 << 20;

    private const int KeyOffset = 1;

    private readonly int _stride;
    private readonly nuint _bytes;
    private byte* _slots;
    private readonly ulong[] _changed;
    private readonly byte[] _homeless;
    private readonly byte[] _swap;
    private readonly long[] _path = new long[MaxKicks];
    private ulong _walkState;

    /// <summary>Creates an empty table.</summary>
    /// <param name="layout">Buckets, slots and hash functions.</param>
    /// <param name="cuckooKey">The hash functions' key.</param>
    /// <param name="valueBytes">Bytes of the value stored with each key, 0..<see cref="MaxValueBytes"/>.</param>
    public CuckooTable(CuckooLayout layout, CuckooKey cuckooKey, int valueBytes)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(cuckooKey);
        if (valueBytes is < 0 or > MaxValueBytes)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(valueBytes), valueBytes, $"0..{MaxValueBytes}");
        }

        Layout = layout;
        CuckooKey = cuckooKey;
        ValueBytes = valueBytes;
        _stride = (KeyOffset + CuckooHash.KeyBytes + valueBytes + 7) & ~7;
        _bytes = checked((nuint)layout.SlotCount * (nuint)_stride);
        _slots = (byte*)NativeMemory.AllocZeroed(_bytes);
        _changed = new ulong[(layout.BucketCount + 63) / 64];
        _homeless = new byte[_stride];
        _swap = new byte[_stride];
        ReadOnlySpan<byte> k = cuckooKey.Bytes;
        _walkState = (MemoryMarshal.Read<ulong>(k) ^ MemoryMarshal.Read<ulong>(k[8..])) | 1;
    }

    /// <summary>Frees the storage if <see cref="Dispose"/> was never called.</summary>
    ~CuckooTable() => Free();

    /// <summary>The table's shape.</summary>
    public CuckooLayout Layout { get; }

    /// <summary>The hash functions' key.</summary>
    public CuckooKey CuckooKey { get; }

    /// <summary>Bytes of each value.</summary>
    public int ValueBytes { get; }

    /// <summary>Keys in the table.</summary>
    public long Count { get; private set; }

    /// <summary>Fraction of slots in use.</summary>
    public double LoadFactor => (double)Count / Layout.SlotCount;

    /// <summary>Inserts <paramref name="key"/> with <paramref name="value"/>; see <see cref="CuckooInsertStatus"/>.</summary>
    public CuckooInsertStatus TryInsert(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ValidateKey(key);
        if (value.Length != ValueBytes)
        {
            ThrowHelper.ArgumentLength(nameof(value), value.Length, ValueBytes);
        }

        ThrowIfDisposed();
        Span<long> candidates = stackalloc long[3];
        candidates = candidates[..Layout.HashCount];
        CuckooHash.GetCandidatesCore(Layout.BucketCount, Layout.HashCount, CuckooKey.Bytes, key, candidates);
        if (FindIn(candidates, key) >= 0)
        {
            return CuckooInsertStatus.Duplicate;
        }

        if (Count >= Layout.MaxItems)
        {
            return CuckooInsertStatus.Full;
        }

        // The homeless entry travels in a slot-shaped buffer, so an eviction is a swap of two slots.
        Span<byte> homeless = _homeless;
        homeless.Clear();
        homeless[0] = 1;
        key.CopyTo(homeless[KeyOffset..]);
        value.CopyTo(homeless[(KeyOffset + CuckooHash.KeyBytes)..]);
        Span<long> path = _path;
        int kicks = 0;
        long cameFrom = -1;
        while (true)
        {
            foreach (long bucket in candidates)
            {
                long free = FreeSlotIn(bucket);
                if (free >= 0)
                {
                    homeless.CopyTo(Slot(free));
                    MarkChanged(bucket);
                    Count++;
                    return CuckooInsertStatus.Inserted;
                }
            }

            if (kicks == MaxKicks)
            {
                break;
            }

            // Evict a pseudo-random entry of a candidate bucket other than the one the homeless entry was just evicted from.
            long target;
            do
            {
                target = candidates[(int)NextWalk((uint)candidates.Length)];
            }
            while (target == cameFrom && candidates.Length > 1);

            long victim = (target * Layout.SlotsPerBucket) + NextWalk((uint)Layout.SlotsPerBucket);
            Swap(victim, homeless);
            MarkChanged(target);
            path[kicks++] = victim;
            cameFrom = target;
            CuckooHash.GetCandidatesCore(Layout.BucketCount, Layout.HashCount, CuckooKey.Bytes, homeless.Slice(KeyOffset, CuckooHash.KeyBytes), candidates);
        }

        // Undo the walk: each swap is its own inverse, so replaying them backwards restores every slot.
        for (int i = kicks - 1; i >= 0; i--)
        {
            Swap(path[i], homeless);
        }

        return CuckooInsertStatus.Failed;
    }

    /// <summary>Finds <paramref name="key"/>: its slot index (bucket × slots + slot), or −1.</summary>
    public long Find(ReadOnlySpan<byte> key)
    {
        ValidateKey(key);
        ThrowIfDisposed();
        Span<long> candidates = stackalloc long[3];
        candidates = candidates[..Layout.HashCount];
        CuckooHash.GetCandidatesCore(Layout.BucketCount, Layout.HashCount, CuckooKey.Bytes, key, candidates);
        return FindIn(candidates, key);
    }

    /// <summary>Copies the value of <paramref name="key"/> to <paramref name="value"/> if the key is present.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> key, Span<byte> value)
    {
        if (value.Length != ValueBytes)
        {
            ThrowHelper.ArgumentLength(nameof(value), value.Length, ValueBytes);
        }

        long slot = Find(key);
        if (slot < 0)
        {
            return false;
        }

        GetValue(slot).CopyTo(value);
        return true;
    }

    /// <summary>Whether slot <paramref name="slot"/> holds an entry.</summary>
    public bool IsOccupied(long slot)
    {
        ValidateSlot(slot);
        return Slot(slot)[0] != 0;
    }

    /// <summary>The key in slot <paramref name="slot"/> (zeros when empty). Valid until the table changes.</summary>
    public ReadOnlySpan<byte> GetKey(long slot)
    {
        ValidateSlot(slot);
        return Slot(slot).Slice(KeyOffset, CuckooHash.KeyBytes);
    }

    /// <summary>The value in slot <paramref name="slot"/> (zeros when empty). Valid until the table changes.</summary>
    public ReadOnlySpan<byte> GetValue(long slot)
    {
        ValidateSlot(slot);
        return Slot(slot).Slice(KeyOffset + CuckooHash.KeyBytes, ValueBytes);
    }

    /// <summary>Removes <paramref name="key"/>; false if it was not present.</summary>
    public bool Remove(ReadOnlySpan<byte> key)
    {
        long slot = Find(key);
        if (slot < 0)
        {
            return false;
        }

        ClearSlot(slot);
        return true;
    }

    /// <summary>Removes every entry <paramref name="predicate"/> chooses; returns how many.</summary>
    public long RemoveWhere(CuckooEntryPredicate predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ThrowIfDisposed();
        long removed = 0;
        for (long slot = 0; slot < Layout.SlotCount; slot++)
        {
            Span<byte> s = Slot(slot);
            if (s[0] != 0 && predicate(s.Slice(KeyOffset, CuckooHash.KeyBytes), s.Slice(KeyOffset + CuckooHash.KeyBytes, ValueBytes)))
            {
                ClearSlot(slot);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>
    /// A new table with <paramref name="layout"/> and <paramref name="cuckooKey"/> holding every entry of
    /// this one, inserted in slot order, or null if one of them failed to go in (the caller then
    /// tries another key or a larger layout). Every bucket of the new table counts as changed.
    /// </summary>
    public CuckooTable? Rebuild(CuckooLayout layout, CuckooKey cuckooKey)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ThrowIfDisposed();
        var table = new CuckooTable(layout, cuckooKey, ValueBytes);
        for (long slot = 0; slot < Layout.SlotCount; slot++)
        {
            Span<byte> s = Slot(slot);
            if (s[0] != 0 && table.TryInsert(s.Slice(KeyOffset, CuckooHash.KeyBytes), s.Slice(KeyOffset + CuckooHash.KeyBytes, ValueBytes)) != CuckooInsertStatus.Inserted)
            {
                table.Dispose();
                return null;
            }
        }

        table.MarkAllChanged();
        return table;
    }

    /// <summary>Whether bucket <paramref name="bucket"/> changed since the last <see cref="ClearChangedBuckets"/>.</summary>
    public bool IsBucketChanged(long bucket)
    {
        if ((ulong)bucket >= (ulong)Layout.BucketCount)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(bucket), bucket, $"0..{Layout.BucketCount - 1}");
        }

        return (_changed[bucket >> 6] & (1UL << (int)(bucket & 63))) != 0;
    }

    /// <summary>Buckets changed since the last <see cref="ClearChangedBuckets"/>, in increasing order.</summary>
    public IEnumerable<long> ChangedBuckets()
    {
        for (long word = 0; word < _changed.Length; word++)
        {
            ulong bits = _changed[word];
            while (bits != 0)
            {
                int bit = System.Numerics.BitOperations.TrailingZeroCount(bits);
                yield return (word << 6) + bit;
                bits &= bits - 1;
            }
        }
    }

    /// <summary>Forgets which buckets changed (after a snapshot took them).</summary>
    public void ClearChangedBuckets() => Array.Clear(_changed);

    /// <summary>Marks every bucket changed.</summary>
    public void MarkAllChanged()
    {
        Array.Fill(_changed, ulong.MaxValue);
        int tail = (int)(Layout.BucketCount & 63);
        if (tail != 0)
        {
            _changed[^1] = (1UL << tail) - 1;
        }
    }

    /// <summary>Zeroes and frees the storage.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        byte* slots = _slots;
        if (slots != null)
        {
            _slots = null;
            NativeMemory.Clear(slots, _bytes);
            NativeMemory.Free(slots);
        }
    }

    private Span<byte> Slot(long slot) => new(_slots + (slot * _stride), _stride);

    private long FindIn(ReadOnlySpan<long> candidates, ReadOnlySpan<byte> key)
    {
        foreach (long bucket in candidates)
        {
            long first = bucket * Layout.SlotsPerBucket;
            for (long slot = first; slot < first + Layout.SlotsPerBucket; slot++)
            {
                Span<byte> s = Slot(slot);
                if (s[0] != 0 && s.Slice(KeyOffset, CuckooHash.KeyBytes).SequenceEqual(key))
                {
                    return slot;
                }
            }
        }

        return -1;
    }

    private long FreeSlotIn(long bucket)
    {
        long first = bucket * Layout.SlotsPerBucket;
        for (long slot = first; slot < first + Layout.SlotsPerBucket; slot++)
        {
            if (Slot(slot)[0] == 0)
            {
                return slot;
            }
        }

        return -1;
    }

    private void Swap(long slot, Span<byte> buffer)
    {
        Span<byte> s = Slot(slot);
        s.CopyTo(_swap);
        buffer.CopyTo(s);
        _swap.CopyTo(buffer);
    }

    private void ClearSlot(long slot)
    {
        Slot(slot).Clear();
        MarkChanged(slot / Layout.SlotsPerBucket);
        Count--;
    }

    private void MarkChanged(long bucket) => _changed[bucket >> 6] |= 1UL << (int)(bucket & 63);

    // xorshift64*: the walk needs reproducible choices, not secret ones.
    private uint NextWalk(uint range)
    {
        _walkState ^= _walkState >> 12;
        _walkState ^= _walkState << 25;
        _walkState ^= _walkState >> 27;
        ulong r = _walkState * 0x2545F4914F6CDD1DUL;
        return (uint)(((r >> 32) * range) >> 32);
    }

    private static void ValidateKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != CuckooHash.KeyBytes)
        {
            ThrowHelper.ArgumentLength(nameof(key), key.Length, CuckooHash.KeyBytes);
        }
    }

    private void ValidateSlot(long slot)
    {
        ThrowIfDisposed();
        if ((ulong)slot >= (ulong)Layout.SlotCount)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(slot), slot, $"0..{Layout.SlotCount - 1}");
        }
    }

    private void ThrowIfDisposed()
    {
        if (_slots == null)
        {
            ThrowHelper.ObjectDisposed(nameof(CuckooTable));
        }
    }
}
