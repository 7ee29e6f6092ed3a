using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Privomega.Pir.Engine.Keyword;

/// <summary>Writes record <paramref name="index"/> into <paramref name="record"/> (exactly the snapshot's record size, zeroed).</summary>
public delegate void RecordWriter(long index, Span<byte> record);

/// <summary>
/// A snapshot of a database read by index (the directory <c>keydir_t</c>: record i is
/// <c>DirectoryRecord</c> i, composed by the host, since the engine knows no protocol formats):
/// <see cref="RecordCount"/> fixed-size records under a <see cref="SnapshotId"/> (the epoch), with a
/// digest a signed head can commit to. Any scheme reads it by index. Owns its database.
/// </summary>
public sealed class IndexSnapshot : IDisposable
{
    /// <summary>Domain separation prefix of <see cref="Digest"/>.</summary>
    public const string DigestDomain = "privomega/v1/index-snapshot";

    private static readonly byte[] DomainBytes = Encoding.ASCII.GetBytes(DigestDomain);

    private readonly byte[] _digest;

    private IndexSnapshot(long snapshotId, PirDatabase database, byte[] digest)
    {
        SnapshotId = snapshotId;
        Database = database;
        _digest = digest;
    }

    /// <summary>The snapshot's id (for the directory, the epoch <c>t</c>).</summary>
    public long SnapshotId { get; }

    /// <summary>The records, for any PIR server.</summary>
    public PirDatabase Database { get; }

    /// <summary>Number of records.</summary>
    public long RecordCount => Database.RecordCount;

    /// <summary>Bytes per record.</summary>
    public int RecordBytes => Database.RecordBytes;

    /// <summary>
    /// <c>SHA-256("privomega/v1/index-snapshot" ‖ u64 id ‖ u64 count ‖ u32 record bytes ‖ chunk hashes)</c>
    /// (big-endian integers; chunks of ⌊65536 / record bytes⌋ records, at least one, each hashed with SHA-256).
    /// </summary>
    public ReadOnlySpan<byte> Digest => _digest;

    /// <summary>Builds a snapshot of <paramref name="recordCount"/> records, each written by <paramref name="write"/>.</summary>
    public static IndexSnapshot Build(long snapshotId, long recordCount, int recordBytes, RecordWriter write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (snapshotId < 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(snapshotId), snapshotId, "at least 0");
        }

        var db = PirDatabase.CreateZeroed(recordCount, recordBytes);
        try
        {
            for (long i = 0; i < recordCount; i++)
            {
                unsafe
                {
                    write(i, new Span<byte>(db.GetRowPointer(i), recordBytes));
                }
            }

            return FromDatabase(snapshotId, db);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>Wraps <paramref name="database"/> (the snapshot takes ownership) and computes its digest.</summary>
    public static IndexSnapshot FromDatabase(long snapshotId, PirDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (snapshotId < 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(snapshotId), snapshotId, "at least 0");
        }

        return new IndexSnapshot(snapshotId, database, ComputeDigest(snapshotId, database));
    }

    /// <summary>The digest <paramref name="database"/> would have as snapshot <paramref name="snapshotId"/> (what a replica checks).</summary>
    public static byte[] ComputeDigest(long snapshotId, PirDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        Span<byte> header = stackalloc byte[64];
        DomainBytes.CopyTo(header);
        int at = DomainBytes.Length;
        BinaryPrimitives.WriteInt64BigEndian(header[at..], snapshotId);
        BinaryPrimitives.WriteInt64BigEndian(header[(at + 8)..], database.RecordCount);
        BinaryPrimitives.WriteInt32BigEndian(header[(at + 16)..], database.RecordBytes);
        return SnapshotDigest.Combine(header[..(at + 20)], SnapshotDigest.HashAllChunks(database));
    }

    /// <summary>Whether <paramref name="expected"/> (from a signed head) is this snapshot's digest, compared in constant time.</summary>
    public bool DigestEquals(ReadOnlySpan<byte> expected) => CryptographicOperations.FixedTimeEquals(expected, _digest);

    /// <summary>Disposes the database.</summary>
    public void Dispose() => Database.Dispose();
}
