namespace Privomega.Pir.Engine.Keyword;

/// <summary>
/// The resolved shape of a keyword (cuckoo) table, validated and immutable: <see cref="BucketCount"/>
/// buckets of <see cref="SlotsPerBucket"/> slots of <see cref="SlotBytes"/> bytes, and
/// <see cref="HashCount"/> hash functions. A bucket is one PIR record of <see cref="BucketBytes"/>
/// bytes; a reader fetches all <see cref="HashCount"/> candidate buckets of its key.
/// </summary>
/// <remarks>
/// The default (2 hash functions, 4 slots per bucket, at most 90% full) is the measured
/// trade-off for PIR: a read costs 2 bucket queries (a batch of 2 is about one scan for the
/// XOR schemes) and 8 slots of answer, and random-walk insertion still succeeds at 90% load
/// for 10^6 keys (docs/keyword.md gives the measurements). One hash function more would let a
/// table fill to ~97% with 4 slots, but costs a third more server work per read, which is worth
/// more than 7% of memory.
/// </remarks>
public sealed class CuckooLayout : IEquatable<CuckooLayout>
{
    /// <summary>Default number of hash functions (candidate buckets per key).</summary>
    public const int DefaultHashCount = 2;

    /// <summary>Default slots per bucket.</summary>
    public const int DefaultSlotsPerBucket = 4;

    /// <summary>Default (and recommended) maximum load factor for <see cref="DefaultHashCount"/> and <see cref="DefaultSlotsPerBucket"/>.</summary>
    public const double DefaultMaxLoadFactor = 0.90;

    /// <summary>Largest slot size, so a bucket and its answer stay far below 2 GiB.</summary>
    public const int MaxSlotBytes = 1 << 20;

    /// <summary>Largest number of slots per bucket.</summary>
    public const int MaxSlotsPerBucket = 64;

    /// <summary>Creates a layout; every argument is validated.</summary>
    /// <param name="bucketCount">Buckets (PIR records), at least <paramref name="hashCount"/>.</param>
    /// <param name="slotsPerBucket">Slots per bucket, 1..<see cref="MaxSlotsPerBucket"/>.</param>
    /// <param name="slotBytes">Bytes per slot, 1..<see cref="MaxSlotBytes"/>.</param>
    /// <param name="hashCount">Hash functions, 2 or 3.</param>
    /// <param name="maxLoadFactor">Largest fraction of slots the table fills before it reports itself full, in (0, 1].</param>
    public CuckooLayout(long bucketCount, int slotsPerBucket, int slotBytes, int hashCount = DefaultHashCount, double maxLoadFactor = DefaultMaxLoadFactor)
    {
        if (hashCount is < 2 or > 3)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(hashCount), hashCount, "2 or 3");
        }

        if (slotsPerBucket is < 1 or > MaxSlotsPerBucket)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(slotsPerBucket), slotsPerBucket, $"1..{MaxSlotsPerBucket}");
        }

        if (slotBytes is < 1 or > MaxSlotBytes)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(slotBytes), slotBytes, $"1..{MaxSlotBytes}");
        }

        // A bucket count beyond 2^40 would be a petabyte-scale table: far past anything a PIR server scans.
        if (bucketCount < hashCount || bucketCount > (1L << 40))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(bucketCount), bucketCount, $"{hashCount}..2^40 (at least one bucket per hash function)");
        }

        if (!(maxLoadFactor > 0 && maxLoadFactor <= 1))
        {
            ThrowHelper.Argument(nameof(maxLoadFactor), $"maxLoadFactor is {maxLoadFactor}; expected a value in (0, 1].");
        }

        BucketCount = bucketCount;
        SlotsPerBucket = slotsPerBucket;
        SlotBytes = slotBytes;
        HashCount = hashCount;
        MaxLoadFactor = maxLoadFactor;
    }

    /// <summary>Number of buckets: the record count of the PIR database.</summary>
    public long BucketCount { get; }

    /// <summary>Slots per bucket.</summary>
    public int SlotsPerBucket { get; }

    /// <summary>Bytes per slot.</summary>
    public int SlotBytes { get; }

    /// <summary>Hash functions: the number of candidate buckets of a key, and of PIR queries per read.</summary>
    public int HashCount { get; }

    /// <summary>Largest fraction of slots the table fills.</summary>
    public double MaxLoadFactor { get; }

    /// <summary>Bytes per bucket, <c>SlotsPerBucket × SlotBytes</c>: the record size of the PIR database.</summary>
    public int BucketBytes => SlotsPerBucket * SlotBytes;

    /// <summary>Total slots, <c>BucketCount × SlotsPerBucket</c>.</summary>
    public long SlotCount => BucketCount * SlotsPerBucket;

    /// <summary>Most keys the table holds: <c>⌊SlotCount × MaxLoadFactor⌋</c>.</summary>
    public long MaxItems => (long)Math.Floor(SlotCount * MaxLoadFactor);

    /// <summary>Database bytes, <c>BucketCount × BucketBytes</c>.</summary>
    public long DatabaseBytes => BucketCount * BucketBytes;

    /// <summary>
    /// The smallest layout that holds <paramref name="items"/> keys at <paramref name="maxLoadFactor"/>.
    /// </summary>
    public static CuckooLayout ForItems(long items, int slotBytes, int hashCount = DefaultHashCount, int slotsPerBucket = DefaultSlotsPerBucket, double maxLoadFactor = DefaultMaxLoadFactor)
    {
        if (items < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(items), items, "at least 1");
        }

        if (!(maxLoadFactor > 0 && maxLoadFactor <= 1))
        {
            ThrowHelper.Argument(nameof(maxLoadFactor), $"maxLoadFactor is {maxLoadFactor}; expected a value in (0, 1].");
        }

        if (slotsPerBucket is < 1 or > MaxSlotsPerBucket)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(slotsPerBucket), slotsPerBucket, $"1..{MaxSlotsPerBucket}");
        }

        long buckets = Math.Max(hashCount, (long)Math.Ceiling(items / (maxLoadFactor * slotsPerBucket)));
        // Floating rounding may leave MaxItems one short; add buckets until the promise holds.
        var layout = new CuckooLayout(buckets, slotsPerBucket, slotBytes, hashCount, maxLoadFactor);
        while (layout.MaxItems < items)
        {
            layout = new CuckooLayout(layout.BucketCount + 1, slotsPerBucket, slotBytes, hashCount, maxLoadFactor);
        }

        return layout;
    }

    /// <summary>The same layout with <paramref name="bucketCount"/> buckets.</summary>
    public CuckooLayout WithBucketCount(long bucketCount) => new(bucketCount, SlotsPerBucket, SlotBytes, HashCount, MaxLoadFactor);

    /// <inheritdoc />
    public bool Equals(CuckooLayout? other) =>
        other is not null && other.BucketCount == BucketCount && other.SlotsPerBucket == SlotsPerBucket &&
        other.SlotBytes == SlotBytes && other.HashCount == HashCount && other.MaxLoadFactor.Equals(MaxLoadFactor);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CuckooLayout);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(BucketCount, SlotsPerBucket, SlotBytes, HashCount, MaxLoadFactor);

    /// <inheritdoc />
    public override string ToString() =>
        $"{BucketCount} buckets x {SlotsPerBucket} slots x {SlotBytes} B, {HashCount} hashes, max load {MaxLoadFactor:0.###}";
}
