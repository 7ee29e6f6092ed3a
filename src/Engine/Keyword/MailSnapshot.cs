using System.Security.Cryptography;
using System.Text;

namespace Privomega.Pir.Engine.Keyword;

/// <summary>
/// One frozen mailbox database: the buckets of a <see cref="MailTable"/> at a mail epoch as a
/// <see cref="PirDatabase"/> (<see cref="MailSnapshotHeader.Layout"/>'s bucket count records of
/// bucket bytes each, slots as <see cref="MailSlot"/> describes), its header, and its digest, which
/// the signed mail head commits to and a replica checks. Owns its database.
/// </summary>
public sealed class MailSnapshot : IDisposable
{
    /// <summary>Domain separation prefix of <see cref="Digest"/>.</summary>
    public const string DigestDomain = "privomega/v1/mail-snapshot";

    private static readonly byte[] DomainBytes = Encoding.ASCII.GetBytes(DigestDomain);

    private readonly byte[] _digest;

    private MailSnapshot(MailSnapshotHeader header, PirDatabase database, byte[] chunkHashes, long[]? changedBuckets)
    {
        Header = header;
        Database = database;
        ChunkHashes = chunkHashes;
        ChangedBuckets = changedBuckets;
        _digest = SnapshotDigest.Combine(DomainAndHeader(header), chunkHashes);
    }

    /// <summary>The header readers need (layout, cuckoo key, mail epoch).</summary>
    public MailSnapshotHeader Header { get; }

    /// <summary>The buckets, one PIR record each, for any PIR server.</summary>
    public PirDatabase Database { get; }

    /// <summary>
    /// <c>SHA-256("privomega/v1/mail-snapshot" ‖ header(40) ‖ H_0 ‖ … ‖ H_{c−1})</c>, where <c>H_k</c> is the
    /// SHA-256 of the k-th run of ⌊65536 / bucket bytes⌋ buckets (at least one; the last run may be shorter).
    /// </summary>
    public ReadOnlySpan<byte> Digest => _digest;

    /// <summary>
    /// The buckets that differ from the snapshot this one was built from, in increasing order (what a replica's
    /// delta carries), or null when the snapshot was built whole.
    /// </summary>
    public IReadOnlyList<long>? ChangedBuckets { get; }

    /// <summary>Per-chunk hashes behind <see cref="Digest"/>, kept so the next snapshot rehashes only changed chunks.</summary>
    internal byte[] ChunkHashes { get; }

    /// <summary>The digest <paramref name="database"/> would have under <paramref name="header"/> (what a replica checks a full copy against).</summary>
    public static byte[] ComputeDigest(MailSnapshotHeader header, PirDatabase database)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(database);
        ValidateShape(header, database);
        return SnapshotDigest.Combine(DomainAndHeader(header), SnapshotDigest.HashAllChunks(database));
    }

    /// <summary>Wraps a whole copy of the buckets (the snapshot takes ownership of <paramref name="database"/>).</summary>
    public static MailSnapshot FromDatabase(MailSnapshotHeader header, PirDatabase database)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(database);
        ValidateShape(header, database);
        return new MailSnapshot(header, database, SnapshotDigest.HashAllChunks(database), null);
    }

    /// <summary>
    /// The snapshot <paramref name="previous"/> becomes when <paramref name="changedBuckets"/> (bucket index and
    /// its new bytes) are written over it under <paramref name="header"/> (same layout and key): how a replica
    /// follows a primary's deltas. Only the changed chunks are rehashed. Compare <see cref="Digest"/> with the
    /// signed head's (<see cref="DigestEquals"/>) before serving it.
    /// </summary>
    public static MailSnapshot ApplyChanges(MailSnapshot previous, MailSnapshotHeader header, IReadOnlyList<KeyValuePair<long, ReadOnlyMemory<byte>>> changedBuckets)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(changedBuckets);
        if (!header.SameLayoutAs(previous.Header))
        {
            ThrowHelper.Argument(nameof(header), "The header's layout or cuckoo key differs from the previous snapshot's; a re-keyed snapshot is sent whole.");
        }

        int bucketBytes = header.Layout.BucketBytes;
        var changed = new long[changedBuckets.Count];
        for (int i = 0; i < changed.Length; i++)
        {
            (long bucket, ReadOnlyMemory<byte> bytes) = changedBuckets[i];
            if ((ulong)bucket >= (ulong)header.Layout.BucketCount)
            {
                ThrowHelper.ArgumentOutOfRange($"{nameof(changedBuckets)}[{i}]", bucket, $"a bucket in 0..{header.Layout.BucketCount - 1}");
            }

            if (bytes.Length != bucketBytes)
            {
                ThrowHelper.ArgumentLength($"{nameof(changedBuckets)}[{i}]", bytes.Length, bucketBytes);
            }

            changed[i] = bucket;
        }

        var db = PirDatabase.CreateCopy(previous.Database);
        try
        {
            foreach ((long bucket, ReadOnlyMemory<byte> bytes) in changedBuckets)
            {
                unsafe
                {
                    bytes.Span.CopyTo(new Span<byte>(db.GetRowPointer(bucket), bucketBytes));
                }
            }

            Array.Sort(changed);
            return CreateIncremental(header, db, previous.ChunkHashes, changed);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="expected"/> (from a signed mail head) is this snapshot's digest, compared in constant time.</summary>
    public bool DigestEquals(ReadOnlySpan<byte> expected) => CryptographicOperations.FixedTimeEquals(expected, _digest);

    /// <summary>Disposes the database.</summary>
    public void Dispose() => Database.Dispose();

    internal static MailSnapshot CreateWhole(MailSnapshotHeader header, PirDatabase database) =>
        new(header, database, SnapshotDigest.HashAllChunks(database), null);

    /// <summary>A snapshot over <paramref name="database"/>, which differs from the one <paramref name="previousChunkHashes"/> hash only in <paramref name="changed"/> (sorted).</summary>
    internal static MailSnapshot CreateIncremental(MailSnapshotHeader header, PirDatabase database, byte[] previousChunkHashes, long[] changed)
    {
        long per = SnapshotDigest.RecordsPerChunk(database.RecordBytes);
        var chunkChanged = new bool[previousChunkHashes.Length / SnapshotDigest.Length];
        foreach (long bucket in changed)
        {
            chunkChanged[bucket / per] = true;
        }

        byte[] hashes = (byte[])previousChunkHashes.Clone();
        SnapshotDigest.HashChunks(database, hashes, chunkChanged);
        return new MailSnapshot(header, database, hashes, changed);
    }

    private static byte[] DomainAndHeader(MailSnapshotHeader header)
    {
        var bytes = new byte[DomainBytes.Length + MailSnapshotHeader.EncodedLength];
        DomainBytes.CopyTo(bytes, 0);
        header.Encode(bytes.AsSpan(DomainBytes.Length));
        return bytes;
    }

    private static void ValidateShape(MailSnapshotHeader header, PirDatabase database)
    {
        if (database.RecordCount != header.Layout.BucketCount)
        {
            ThrowHelper.Argument(nameof(database), $"database has {database.RecordCount} records; the header expects {header.Layout.BucketCount} buckets.");
        }

        if (database.RecordBytes != header.Layout.BucketBytes)
        {
            ThrowHelper.Argument(nameof(database), $"database has {database.RecordBytes}-byte records; the header expects {header.Layout.BucketBytes}-byte buckets.");
        }
    }
}
