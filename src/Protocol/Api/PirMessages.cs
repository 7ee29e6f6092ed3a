using System.Diagnostics.CodeAnalysis;
using Privomega.Pir.Engine;
using Privomega.Protocol.Formats;

namespace Privomega.Protocol.Api;

/// <summary>
/// <c>GET /v1/pir/{db}/config</c>: <c>1 ‖ db(1) ‖ snapshot_id(u64) ‖ record_count(u64) ‖
/// record_bytes(u32) ‖ schemes(1) ‖ lattice_dimensions(1) ‖ bucket_slots(u16) ‖ hash_count(1) ‖
/// layout_key(16)</c>.
/// </summary>
public sealed record PirConfig(
    PirDatabaseKind Database,
    ulong SnapshotId,
    long RecordCount,
    int RecordBytes,
    byte Schemes,
    byte LatticeDimensions,
    ushort BucketSlots,
    byte HashCount,
    ReadOnlyMemory<byte> LayoutKey)
{
    /// <summary>Encoded size in bytes.</summary>
    public const int Size = 1 + 1 + 8 + 8 + 4 + 1 + 1 + 2 + 1 + MailHead.LayoutKeySize;

    /// <summary>True when scheme <paramref name="scheme"/> is served.</summary>
    public bool Serves(PirSchemeKind scheme) => (Schemes & (1 << (int)scheme)) != 0;

    /// <summary>Encodes the message.</summary>
    public byte[] Encode()
    {
        ApiWire.CheckLength(LayoutKey.Span, MailHead.LayoutKeySize, nameof(LayoutKey));
        var bytes = new byte[Size];
        var w = new WireWriter(bytes);
        w.WriteByte(ApiWire.Version);
        w.WriteByte((byte)Database);
        w.WriteUInt64(SnapshotId);
        w.WriteUInt64((ulong)RecordCount);
        w.WriteUInt32((uint)RecordBytes);
        w.WriteByte(Schemes);
        w.WriteByte(LatticeDimensions);
        w.WriteUInt16(BucketSlots);
        w.WriteByte(HashCount);
        w.WriteBytes(LayoutKey.Span);
        return bytes;
    }

    /// <summary>Decodes the message.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out PirConfig? config, out ProtocolDecodeError error)
    {
        config = null;
        var r = new WireReader(data, "pir_config");
        r.ReadVersion(ApiWire.Version);
        var db = r.ReadByte("db");
        var id = r.ReadUInt64("snapshot_id");
        var count = r.ReadUInt64("record_count");
        var recordBytes = r.ReadUInt32("record_bytes");
        var schemes = r.ReadByte("schemes");
        var dims = r.ReadByte("lattice_dimensions");
        var slots = r.ReadUInt16("bucket_slots");
        var hashes = r.ReadByte("hash_count");
        var key = r.ReadBytes(MailHead.LayoutKeySize, "layout_key").ToArray();
        if (!r.Failed && db is not ((byte)PirDatabaseKind.Directory or (byte)PirDatabaseKind.Mailbox))
        {
            r.Fail(ProtocolDecodeStatus.BadValue, "db", db, 1);
        }

        if (!r.Failed && (count > long.MaxValue || recordBytes > int.MaxValue))
        {
            r.Fail(ProtocolDecodeStatus.BadValue, "record_count", unchecked((long)count), long.MaxValue);
        }

        if (!r.Finish(out error))
        {
            return false;
        }

        config = new PirConfig((PirDatabaseKind)db, id, (long)count, (int)recordBytes, schemes, dims, slots, hashes, key);
        return true;
    }

    /// <summary>Decodes or throws <see cref="ProtocolFormatException"/>.</summary>
    public static PirConfig Decode(ReadOnlySpan<byte> data) => ApiWire.OrThrow(TryDecode(data, out var v, out var e), v, e);
}

/// <summary>
/// <c>POST /v1/pir/{db}/{snapshot}/{scheme}</c>: <c>1 ‖ scheme(1) ‖ key_id(16) ‖ token_len(u16) ‖
/// token ‖ count(u16) ‖ count × (len(u32) ‖ query)</c>. Queries stay opaque here: the server
/// decodes each with the engine's codec for the snapshot's record count.
/// </summary>
public sealed record PirBatchRequest(PirSchemeKind Scheme, ReadOnlyMemory<byte> KeyId, ReadOnlyMemory<byte> Token, IReadOnlyList<ReadOnlyMemory<byte>> Queries)
{
    /// <summary>Bytes of a lattice evaluation-key id.</summary>
    public const int KeyIdSize = 16;

    /// <summary>Most queries one batch may carry on the wire (servers apply a lower configured limit).</summary>
    public const int MaxQueries = 1024;

    /// <summary>Encodes the request.</summary>
    public byte[] Encode()
    {
        ApiWire.CheckLength(KeyId.Span, KeyIdSize, nameof(KeyId));
        ArgumentNullException.ThrowIfNull(Queries);
        if (Token.Length > ushort.MaxValue || Queries.Count > MaxQueries)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(Queries), Queries.Count, "at most 1024 queries and a token under 64 KiB");
        }

        long size = 1 + 1 + KeyIdSize + 2 + Token.Length + 2;
        foreach (var q in Queries)
        {
            size += 4 + q.Length;
        }

        var bytes = new byte[size];
        var w = new WireWriter(bytes);
        w.WriteByte(ApiWire.Version);
        w.WriteByte((byte)Scheme);
        w.WriteBytes(KeyId.Span);
        w.WriteUInt16((ushort)Token.Length);
        w.WriteBytes(Token.Span);
        w.WriteUInt16((ushort)Queries.Count);
        foreach (var q in Queries)
        {
            w.WriteUInt32((uint)q.Length);
            w.WriteBytes(q.Span);
        }

        return bytes;
    }

    /// <summary>Decodes the envelope, allowing at most <paramref name="maxQueries"/> queries.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, int maxQueries, [NotNullWhen(true)] out PirBatchRequest? request, out ProtocolDecodeError error)
    {
        request = null;
        var r = new WireReader(data, "pir_batch_request");
        r.ReadVersion(ApiWire.Version);
        var scheme = r.ReadByte("scheme");
        var keyId = r.ReadBytes(KeyIdSize, "key_id").ToArray();
        var tokenLength = r.ReadUInt16("token_len");
        var token = r.ReadBytes(tokenLength, "token").ToArray();
        var count = ApiWire.ReadCount(ref r, wide: false, "count", Math.Min(maxQueries, MaxQueries), 4);
        var queries = new ReadOnlyMemory<byte>[r.Failed ? 0 : count];
        for (var i = 0; i < queries.Length && !r.Failed; i++)
        {
            var length = r.ReadUInt32("query_len");
            if (!r.Failed && length > (uint)r.Remaining)
            {
                r.Fail(ProtocolDecodeStatus.Truncated, "query", r.Remaining, length);
            }

            queries[i] = r.ReadBytes((int)Math.Min(length, int.MaxValue), "query").ToArray();
        }

        if (!r.Finish(out error))
        {
            return false;
        }

        request = new PirBatchRequest((PirSchemeKind)scheme, keyId, token, queries);
        return true;
    }
}

/// <summary>
/// The answers to a <see cref="PirBatchRequest"/>: <c>1 ‖ scheme(1) ‖ snapshot_id(u64) ‖ count(u16) ‖
/// count × (len(u32) ‖ answer)</c>, in query order.
/// </summary>
public sealed record PirBatchResponse(PirSchemeKind Scheme, ulong SnapshotId, IReadOnlyList<ReadOnlyMemory<byte>> Answers)
{
    /// <summary>Encodes the response.</summary>
    public byte[] Encode()
    {
        ArgumentNullException.ThrowIfNull(Answers);
        long size = 1 + 1 + 8 + 2;
        foreach (var a in Answers)
        {
            size += 4 + a.Length;
        }

        var bytes = new byte[size];
        var w = new WireWriter(bytes);
        w.WriteByte(ApiWire.Version);
        w.WriteByte((byte)Scheme);
        w.WriteUInt64(SnapshotId);
        w.WriteUInt16((ushort)Answers.Count);
        foreach (var a in Answers)
        {
            w.WriteUInt32((uint)a.Length);
            w.WriteBytes(a.Span);
        }

        return bytes;
    }

    /// <summary>Decodes the response.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out PirBatchResponse? response, out ProtocolDecodeError error)
    {
        response = null;
        var r = new WireReader(data, "pir_batch_response");
        r.ReadVersion(ApiWire.Version);
        var scheme = r.ReadByte("scheme");
        var id = r.ReadUInt64("snapshot_id");
        var count = ApiWire.ReadCount(ref r, wide: false, "count", PirBatchRequest.MaxQueries, 4);
        var answers = new ReadOnlyMemory<byte>[r.Failed ? 0 : count];
        for (var i = 0; i < answers.Length && !r.Failed; i++)
        {
            var length = r.ReadUInt32("answer_len");
            if (!r.Failed && length > (uint)r.Remaining)
            {
                r.Fail(ProtocolDecodeStatus.Truncated, "answer", r.Remaining, length);
            }

            answers[i] = r.ReadBytes((int)Math.Min(length, int.MaxValue), "answer").ToArray();
        }

        if (!r.Finish(out error))
        {
            return false;
        }

        response = new PirBatchResponse((PirSchemeKind)scheme, id, answers);
        return true;
    }
}
