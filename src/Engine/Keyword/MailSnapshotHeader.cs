using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Privomega.Pir.Engine.Keyword;

/// <summary>
/// What a reader needs to read a mail snapshot, and what its digest covers:
/// <c>version(1) ‖ mail_epoch(u64) ‖ bucket_count(u64) ‖ slots_per_bucket(u16) ‖
/// ciphertext_bytes(u32) ‖ hash_count(u8) ‖ cuckoo_key(16)</c>, big-endian, 40 bytes.
/// The PIR database has <c>bucket_count</c> records of <c>slots_per_bucket × (16 + ciphertext_bytes)</c> bytes.
/// </summary>
public sealed class MailSnapshotHeader : IEquatable<MailSnapshotHeader>
{
    /// <summary>The version byte this build writes and reads.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Encoded length in bytes.</summary>
    public const int EncodedLength = 1 + 8 + 8 + 2 + 4 + 1 + CuckooKey.Length;

    /// <summary>Creates a header; the shape is validated as a <see cref="CuckooLayout"/> would be.</summary>
    public MailSnapshotHeader(long mailEpoch, long bucketCount, int slotsPerBucket, int ciphertextBytes, int hashCount, CuckooKey cuckooKey)
    {
        ArgumentNullException.ThrowIfNull(cuckooKey);
        if (mailEpoch < 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(mailEpoch), mailEpoch, "at least 0");
        }

        MailSlot.ValidateCiphertextBytes(ciphertextBytes);
        Layout = new CuckooLayout(bucketCount, slotsPerBucket, MailSlot.SlotBytesFor(ciphertextBytes), hashCount);
        MailEpoch = mailEpoch;
        CiphertextBytes = ciphertextBytes;
        CuckooKey = cuckooKey;
    }

    /// <summary>The mail epoch the snapshot was frozen at.</summary>
    public long MailEpoch { get; }

    /// <summary>Bytes of every mail ciphertext in the deployment.</summary>
    public int CiphertextBytes { get; }

    /// <summary>The keyword layout (its load factor is the default; readers do not need it).</summary>
    public CuckooLayout Layout { get; }

    /// <summary>The hash functions' key.</summary>
    public CuckooKey CuckooKey { get; }

    /// <summary>Writes the encoding to <paramref name="destination"/> (at least <see cref="EncodedLength"/> bytes).</summary>
    public void Encode(Span<byte> destination)
    {
        if (destination.Length < EncodedLength)
        {
            ThrowHelper.ArgumentLengthAtLeast(nameof(destination), destination.Length, EncodedLength);
        }

        destination[0] = CurrentVersion;
        BinaryPrimitives.WriteInt64BigEndian(destination[1..], MailEpoch);
        BinaryPrimitives.WriteInt64BigEndian(destination[9..], Layout.BucketCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[17..], (ushort)Layout.SlotsPerBucket);
        BinaryPrimitives.WriteInt32BigEndian(destination[19..], CiphertextBytes);
        destination[23] = (byte)Layout.HashCount;
        CuckooKey.Bytes.CopyTo(destination[24..]);
    }

    /// <summary>Allocating convenience overload of <see cref="Encode(Span{byte})"/>.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength];
        Encode(bytes);
        return bytes;
    }

    /// <summary>Decodes a header; throws <see cref="PirFormatException"/>.</summary>
    public static MailSnapshotHeader Decode(ReadOnlySpan<byte> source)
    {
        if (!TryDecode(source, out var header, out var error))
        {
            ThrowHelper.Format(error);
        }

        return header;
    }

    /// <summary>Decodes a header, or returns false with the typed error.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, [NotNullWhen(true)] out MailSnapshotHeader? header, out PirDecodeError error)
    {
        header = null;
        if (source.Length < EncodedLength)
        {
            error = new PirDecodeError(PirDecodeStatus.Truncated, "mail_snapshot_header", source.Length, EncodedLength);
            return false;
        }

        if (source.Length > EncodedLength)
        {
            error = new PirDecodeError(PirDecodeStatus.Oversized, "mail_snapshot_header", source.Length, EncodedLength);
            return false;
        }

        if (source[0] != CurrentVersion)
        {
            error = new PirDecodeError(PirDecodeStatus.WrongVersion, "mail_snapshot_header.version", source[0], CurrentVersion);
            return false;
        }

        long epoch = BinaryPrimitives.ReadInt64BigEndian(source[1..]);
        long buckets = BinaryPrimitives.ReadInt64BigEndian(source[9..]);
        int slots = BinaryPrimitives.ReadUInt16BigEndian(source[17..]);
        int ciphertext = BinaryPrimitives.ReadInt32BigEndian(source[19..]);
        int hashes = source[23];
        if (epoch < 0)
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, "mail_snapshot_header.mail_epoch", epoch, 0);
            return false;
        }

        if (hashes is < 2 or > 3)
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, "mail_snapshot_header.hash_count", hashes, 2);
            return false;
        }

        if (slots is < 1 or > CuckooLayout.MaxSlotsPerBucket)
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, "mail_snapshot_header.slots_per_bucket", slots, CuckooLayout.MaxSlotsPerBucket);
            return false;
        }

        if (ciphertext is < 1 or > MailSlot.MaxCiphertextBytes)
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, "mail_snapshot_header.ciphertext_bytes", ciphertext, MailSlot.MaxCiphertextBytes);
            return false;
        }

        if (buckets < hashes || buckets > (1L << 40))
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, "mail_snapshot_header.bucket_count", buckets, 1L << 40);
            return false;
        }

        header = new MailSnapshotHeader(epoch, buckets, slots, ciphertext, hashes, CuckooKey.FromBytes(source.Slice(24, CuckooKey.Length)));
        error = PirDecodeError.None;
        return true;
    }

    /// <summary>Whether two headers describe the same shape and key (the epoch may differ).</summary>
    public bool SameLayoutAs(MailSnapshotHeader other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.Layout.BucketCount == Layout.BucketCount && other.Layout.SlotsPerBucket == Layout.SlotsPerBucket &&
            other.CiphertextBytes == CiphertextBytes && other.Layout.HashCount == Layout.HashCount && other.CuckooKey.Equals(CuckooKey);
    }

    /// <inheritdoc />
    public bool Equals(MailSnapshotHeader? other) => other is not null && other.MailEpoch == MailEpoch && SameLayoutAs(other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as MailSnapshotHeader);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(MailEpoch, Layout.BucketCount, CuckooKey);
}
