using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Api;

/// <summary>
/// The signed head of one mailbox snapshot (DESIGN "Epochs"): <c>1 ‖ m(u64) ‖ time(u64, Unix ms) ‖
/// record_count(u64) ‖ record_bytes(u32) ‖ snapshot_digest(32) ‖ prev_mail_head_hash(32) ‖
/// epoch_head_hash(32) ‖ layout_key(16) ‖ signature(64)</c>, 205 bytes. Ed25519 over
/// <c>"privomega/v1/mail-head" ‖ body</c>; <see cref="Hash"/> is
/// <c>SHA-256("privomega/v1/mail-head-hash" ‖ body)</c>.
/// </summary>
public sealed class MailHead
{
    /// <summary>Encoded size in bytes.</summary>
    public const int Size = BodySize + 64;

    /// <summary>Bytes of the keyword layout's hash key.</summary>
    public const int LayoutKeySize = 16;

    private const int BodySize = 1 + 8 + 8 + 8 + 4 + 32 + 32 + 32 + LayoutKeySize;

    private readonly byte[] _encoded;

    private MailHead(byte[] encoded) => _encoded = encoded;

    /// <summary>Mail epoch <c>m</c> (the snapshot id).</summary>
    public ulong MailEpoch => BinaryPrimitives.ReadUInt64BigEndian(_encoded.AsSpan(1));

    /// <summary>When the snapshot was frozen, Unix milliseconds.</summary>
    public ulong TimeMilliseconds => BinaryPrimitives.ReadUInt64BigEndian(_encoded.AsSpan(9));

    /// <summary>Records (buckets) in the snapshot.</summary>
    public long RecordCount => (long)BinaryPrimitives.ReadUInt64BigEndian(_encoded.AsSpan(17));

    /// <summary>Bytes per record.</summary>
    public int RecordBytes => (int)BinaryPrimitives.ReadUInt32BigEndian(_encoded.AsSpan(25));

    /// <summary>The snapshot digest (<see cref="Digest"/>).</summary>
    public ReadOnlySpan<byte> SnapshotDigest => _encoded.AsSpan(29, 32);

    /// <summary>Hash of the previous mail head (zero for the first).</summary>
    public ReadOnlySpan<byte> PreviousHash => _encoded.AsSpan(61, 32);

    /// <summary>Hash of the epoch head current when this snapshot was frozen (zero before the first head).</summary>
    public ReadOnlySpan<byte> EpochHeadHash => _encoded.AsSpan(93, 32);

    /// <summary>The keyword layout's hash key.</summary>
    public ReadOnlySpan<byte> LayoutKey => _encoded.AsSpan(125, LayoutKeySize);

    private static ReadOnlySpan<byte> SignDomain => "privomega/v1/mail-head"u8;

    private static ReadOnlySpan<byte> HashDomain => "privomega/v1/mail-head-hash"u8;

    private static ReadOnlySpan<byte> DigestDomain => "privomega/v1/mailbox-snapshot"u8;

    /// <summary>
    /// The snapshot digest: <c>SHA-256("privomega/v1/mailbox-snapshot" ‖ m(u64) ‖ record_count(u64) ‖
    /// record_bytes(u32) ‖ records)</c>.
    /// </summary>
    public static byte[] Digest(ulong mailEpoch, long recordCount, int recordBytes, ReadOnlySpan<byte> records)
    {
        if (records.Length != recordCount * recordBytes)
        {
            ProtocolThrow.ArgumentLengthAtMost(nameof(records), records.Length, recordCount * recordBytes);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> header = stackalloc byte[20];
        BinaryPrimitives.WriteUInt64BigEndian(header, mailEpoch);
        BinaryPrimitives.WriteUInt64BigEndian(header[8..], (ulong)recordCount);
        BinaryPrimitives.WriteUInt32BigEndian(header[16..], (uint)recordBytes);
        hash.AppendData(DigestDomain);
        hash.AppendData(header);
        hash.AppendData(records);
        return hash.GetHashAndReset();
    }

    /// <summary>Builds and signs a mail head (primary).</summary>
    public static MailHead Sign(
        Ed25519KeyPair server,
        ulong mailEpoch,
        ulong timeMilliseconds,
        long recordCount,
        int recordBytes,
        ReadOnlySpan<byte> snapshotDigest,
        ReadOnlySpan<byte> previousHash,
        ReadOnlySpan<byte> epochHeadHash,
        ReadOnlySpan<byte> layoutKey)
    {
        ArgumentNullException.ThrowIfNull(server);
        ApiWire.CheckLength(snapshotDigest, 32, nameof(snapshotDigest));
        ApiWire.CheckLength(previousHash, 32, nameof(previousHash));
        ApiWire.CheckLength(epochHeadHash, 32, nameof(epochHeadHash));
        ApiWire.CheckLength(layoutKey, LayoutKeySize, nameof(layoutKey));
        ArgumentOutOfRangeException.ThrowIfNegative(recordCount);
        ArgumentOutOfRangeException.ThrowIfNegative(recordBytes);
        var encoded = new byte[Size];
        var w = new WireWriter(encoded);
        w.WriteByte(ApiWire.Version);
        w.WriteUInt64(mailEpoch);
        w.WriteUInt64(timeMilliseconds);
        w.WriteUInt64((ulong)recordCount);
        w.WriteUInt32((uint)recordBytes);
        w.WriteBytes(snapshotDigest);
        w.WriteBytes(previousHash);
        w.WriteBytes(epochHeadHash);
        w.WriteBytes(layoutKey);
        server.Sign(SignedMessage(encoded), encoded.AsSpan(BodySize));
        return new MailHead(encoded);
    }

    /// <summary>Decodes a mail head (structure only; <see cref="VerifySignature"/> checks the signature).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out MailHead? head, out ProtocolDecodeError error)
    {
        head = null;
        var r = new WireReader(data, "mail_head");
        r.ReadVersion(ApiWire.Version);
        r.ReadUInt64("m");
        r.ReadUInt64("time");
        var count = r.ReadUInt64("record_count");
        var recordBytes = r.ReadUInt32("record_bytes");
        r.ReadBytes(32 * 3, "hashes");
        r.ReadBytes(LayoutKeySize, "layout_key");
        r.ReadBytes(64, "signature");
        if (!r.Failed && count > long.MaxValue)
        {
            r.Fail(ProtocolDecodeStatus.BadValue, "record_count", unchecked((long)count), long.MaxValue);
        }

        if (!r.Failed && recordBytes > int.MaxValue)
        {
            r.Fail(ProtocolDecodeStatus.BadValue, "record_bytes", recordBytes, int.MaxValue);
        }

        if (!r.Finish(out error))
        {
            return false;
        }

        head = new MailHead(data.ToArray());
        return true;
    }

    /// <summary>Decodes or throws <see cref="ProtocolFormatException"/>.</summary>
    public static MailHead Decode(ReadOnlySpan<byte> data) => ApiWire.OrThrow(TryDecode(data, out var v, out var e), v, e);

    /// <summary>True when <paramref name="server"/> signed this head.</summary>
    public bool VerifySignature(Ed25519PublicKey server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return server.Verify(SignedMessage(_encoded), _encoded.AsSpan(BodySize));
    }

    /// <summary>The head's hash, over the body only.</summary>
    public byte[] Hash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(HashDomain);
        hash.AppendData(_encoded.AsSpan(0, BodySize));
        return hash.GetHashAndReset();
    }

    /// <summary>True when both heads have the same body (signatures may differ).</summary>
    public bool SameBody(MailHead other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _encoded.AsSpan(0, BodySize).SequenceEqual(other._encoded.AsSpan(0, BodySize));
    }

    /// <summary>The encoding.</summary>
    public byte[] Encode() => (byte[])_encoded.Clone();

    private static byte[] SignedMessage(ReadOnlySpan<byte> encoded) => [.. SignDomain, .. encoded[..BodySize]];
}
