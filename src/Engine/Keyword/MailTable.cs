using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Privomega.Pir.Engine.Keyword;

/// <summary>What <see cref="MailTable.TryPut"/> did.</summary>
public enum MailPutStatus
{
    /// <summary>The message is stored and will be in the next snapshot.</summary>
    Stored = 0,

    /// <summary>A message with this mailbox id is already held (ids are one-time); nothing changed.</summary>
    MailboxTaken,

    /// <summary>The table is at its capacity and may not grow; nothing changed.</summary>
    Full,
}

/// <summary>
/// The primary's mailbox store: messages under their one-time 32-byte mailbox ids in a cuckoo
/// table (<see cref="CuckooTable"/>) for <see cref="RetentionEpochs"/> mail epochs, frozen every
/// mail epoch into a <see cref="MailSnapshot"/>. Consecutive snapshots are incremental: only the
/// buckets that changed are re-encoded and only their digest chunks rehashed, and the result is
/// byte-equal to <see cref="RebuildSnapshot"/>.
/// <para>
/// Insertion-failure policy: when a random walk fails, the table is rebuilt under a fresh random
/// <see cref="CuckooKey"/> (up to <see cref="RekeysPerSize"/> times); if that keeps failing, or
/// the table is at <see cref="CuckooLayout.MaxItems"/>, it grows by an eighth when growth is
/// allowed, else the put reports <see cref="MailPutStatus.Full"/>. No stash: a stash could not be
/// read privately. After a re-key or growth the next snapshot is built whole.
/// </para>
/// Not thread-safe: the host serialises puts and snapshots.
/// </summary>
public sealed class MailTable : IDisposable
{
    /// <summary>Fresh keys tried at one size before the table grows (or reports itself full).</summary>
    public const int RekeysPerSize = 4;

    private const int EpochBytes = 8;

    private readonly Func<CuckooKey> _newKey;
    private readonly byte[] _value;
    private CuckooTable _table;
    private byte[]? _lastDigest;

    /// <summary>Creates an empty mail table.</summary>
    /// <param name="layout">Buckets, slots and hashes; its slot size must be <c>16 + ciphertextBytes</c>.</param>
    /// <param name="ciphertextBytes">The deployment's fixed mail ciphertext size (<see cref="MailSlot.DefaultCiphertextBytes"/>).</param>
    /// <param name="retentionEpochs">Mail epochs a message stays readable, at least 1.</param>
    /// <param name="allowGrowth">Whether the table may grow past <paramref name="layout"/> instead of reporting <see cref="MailPutStatus.Full"/>.</param>
    /// <param name="cuckooKey">The first hash key (random when null).</param>
    /// <param name="newKey">Source of fresh keys on re-keying (<see cref="CuckooKey.Random"/> when null; tests fix it).</param>
    public MailTable(CuckooLayout layout, int ciphertextBytes, int retentionEpochs, bool allowGrowth = false, CuckooKey? cuckooKey = null, Func<CuckooKey>? newKey = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        MailSlot.ValidateCiphertextBytes(ciphertextBytes);
        if (layout.SlotBytes != MailSlot.SlotBytesFor(ciphertextBytes))
        {
            ThrowHelper.Argument(nameof(layout), $"layout has {layout.SlotBytes}-byte slots; expected {MailSlot.SlotBytesFor(ciphertextBytes)} (16-byte tag + {ciphertextBytes}-byte ciphertext).");
        }

        if (retentionEpochs < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(retentionEpochs), retentionEpochs, "at least 1");
        }

        CiphertextBytes = ciphertextBytes;
        RetentionEpochs = retentionEpochs;
        AllowGrowth = allowGrowth;
        _newKey = newKey ?? CuckooKey.Random;
        _table = new CuckooTable(layout, cuckooKey ?? _newKey(), EpochBytes + layout.SlotBytes);
        _value = new byte[EpochBytes + layout.SlotBytes];
    }

    /// <summary>The fixed ciphertext size.</summary>
    public int CiphertextBytes { get; }

    /// <summary>Mail epochs a message stays in snapshots: one put in epoch m is in snapshots m .. m + RetentionEpochs − 1.</summary>
    public int RetentionEpochs { get; }

    /// <summary>Whether the table grows when full.</summary>
    public bool AllowGrowth { get; }

    /// <summary>The current layout (changes only when the table grows).</summary>
    public CuckooLayout Layout => _table.Layout;

    /// <summary>The current hash key (changes on re-keying).</summary>
    public CuckooKey CuckooKey => _table.CuckooKey;

    /// <summary>Messages held.</summary>
    public long Count => _table.Count;

    /// <summary>Fraction of slots in use.</summary>
    public double LoadFactor => _table.LoadFactor;

    /// <summary>Times the table was re-keyed or grown because an insertion failed or it was full.</summary>
    public int Rebuilds { get; private set; }

    /// <summary>
    /// Stores <paramref name="ciphertext"/> under <paramref name="mailboxId"/>, written in mail epoch
    /// <paramref name="mailEpoch"/>. Throws <see cref="ArgumentException"/> for a wrong id or ciphertext length.
    /// </summary>
    public MailPutStatus TryPut(ReadOnlySpan<byte> mailboxId, ReadOnlySpan<byte> ciphertext, long mailEpoch)
    {
        if (mailboxId.Length != CuckooHash.KeyBytes)
        {
            ThrowHelper.ArgumentLength(nameof(mailboxId), mailboxId.Length, CuckooHash.KeyBytes);
        }

        if (ciphertext.Length != CiphertextBytes)
        {
            ThrowHelper.ArgumentLength(nameof(ciphertext), ciphertext.Length, CiphertextBytes);
        }

        if (mailEpoch < 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(mailEpoch), mailEpoch, "at least 0");
        }

        Span<byte> value = _value;
        BinaryPrimitives.WriteInt64BigEndian(value, mailEpoch);
        MailSlot.ComputeTag(mailboxId, ciphertext, value.Slice(EpochBytes, MailSlot.TagBytes));
        ciphertext.CopyTo(value[(EpochBytes + MailSlot.TagBytes)..]);
        CuckooInsertStatus status = _table.TryInsert(mailboxId, value);
        int rekeys = 0;
        while (status is CuckooInsertStatus.Failed or CuckooInsertStatus.Full)
        {
            bool grow = status == CuckooInsertStatus.Full || rekeys >= RekeysPerSize;
            if (grow && !AllowGrowth)
            {
                return MailPutStatus.Full;
            }

            CuckooLayout layout = grow ? Layout.WithBucketCount(Layout.BucketCount + Math.Max(1, Layout.BucketCount / 8)) : Layout;
            rekeys = grow ? 0 : rekeys + 1;
            CuckooTable? rebuilt = _table.Rebuild(layout, _newKey());
            if (rebuilt is null)
            {
                status = CuckooInsertStatus.Failed;
                continue;
            }

            _table.Dispose();
            _table = rebuilt;
            Rebuilds++;
            status = _table.TryInsert(mailboxId, value);
        }

        return status == CuckooInsertStatus.Duplicate ? MailPutStatus.MailboxTaken : MailPutStatus.Stored;
    }

    /// <summary>Whether a message is held under <paramref name="mailboxId"/> (server-side bookkeeping, not a PIR read).</summary>
    public bool Contains(ReadOnlySpan<byte> mailboxId) => _table.Find(mailboxId) >= 0;

    /// <summary>Removes messages written in mail epochs ≤ <c>mailEpoch − RetentionEpochs</c>; returns how many.</summary>
    public long Expire(long mailEpoch)
    {
        long cutoff = mailEpoch - RetentionEpochs;
        return _table.RemoveWhere((_, value) => BinaryPrimitives.ReadInt64BigEndian(value) <= cutoff);
    }

    /// <summary>
    /// Expires old messages (<see cref="Expire"/>) and freezes the table as the snapshot of <paramref name="mailEpoch"/>.
    /// With <paramref name="previous"/> — which must be the last snapshot this table made — and the same layout and
    /// key, only the changed buckets are re-encoded into a copy of it; otherwise the snapshot is built whole.
    /// </summary>
    public MailSnapshot Snapshot(long mailEpoch, MailSnapshot? previous)
    {
        if (mailEpoch < 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(mailEpoch), mailEpoch, "at least 0");
        }

        if (previous is not null && (_lastDigest is null || !previous.DigestEquals(_lastDigest)))
        {
            ThrowHelper.Argument(nameof(previous), "previous is not the last snapshot this table made.");
        }

        if (previous is not null && mailEpoch <= previous.Header.MailEpoch)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(mailEpoch), mailEpoch, $"after the previous snapshot's mail epoch {previous.Header.MailEpoch}");
        }

        Expire(mailEpoch);
        MailSnapshotHeader header = CurrentHeader(mailEpoch);
        MailSnapshot snapshot;
        if (previous is null || !previous.Header.SameLayoutAs(header))
        {
            snapshot = RebuildSnapshot(mailEpoch);
        }
        else
        {
            long[] changed = [.. _table.ChangedBuckets()];
            PirDatabase db = PirDatabase.CreateCopy(previous.Database);
            try
            {
                foreach (long bucket in changed)
                {
                    EncodeBucket(db, bucket);
                }

                snapshot = MailSnapshot.CreateIncremental(header, db, previous.ChunkHashes, changed);
            }
            catch
            {
                db.Dispose();
                throw;
            }
        }

        _table.ClearChangedBuckets();
        _lastDigest = snapshot.Digest.ToArray();
        return snapshot;
    }

    /// <summary>
    /// Encodes every bucket of the table as it is now into a new snapshot of <paramref name="mailEpoch"/>, without
    /// expiring anything or touching the change tracking: the reference an incremental snapshot must equal.
    /// </summary>
    public MailSnapshot RebuildSnapshot(long mailEpoch)
    {
        MailSnapshotHeader header = CurrentHeader(mailEpoch);
        PirDatabase db = PirDatabase.CreateZeroed(Layout.BucketCount, Layout.BucketBytes);
        try
        {
            for (long bucket = 0; bucket < Layout.BucketCount; bucket++)
            {
                EncodeBucket(db, bucket);
            }

            return MailSnapshot.CreateWhole(header, db);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>Zeroes and frees the table.</summary>
    public void Dispose()
    {
        _table.Dispose();
        CryptographicOperations.ZeroMemory(_value);
    }

    private MailSnapshotHeader CurrentHeader(long mailEpoch) =>
        new(mailEpoch, Layout.BucketCount, Layout.SlotsPerBucket, CiphertextBytes, Layout.HashCount, CuckooKey);

    private unsafe void EncodeBucket(PirDatabase db, long bucket)
    {
        int slotBytes = Layout.SlotBytes;
        var row = new Span<byte>(db.GetRowPointer(bucket), Layout.BucketBytes);
        long first = bucket * Layout.SlotsPerBucket;
        for (int s = 0; s < Layout.SlotsPerBucket; s++)
        {
            Span<byte> target = row.Slice(s * slotBytes, slotBytes);
            if (_table.IsOccupied(first + s))
            {
                _table.GetValue(first + s)[EpochBytes..].CopyTo(target);
            }
            else
            {
                target.Clear();
            }
        }
    }
}
