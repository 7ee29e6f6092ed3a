using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Primitives;
using Privomega.Protocol.Tokens;

namespace Privomega.Protocol.Api;

/// <summary>
/// <c>PUT /v1/eval-keys</c>: <c>1 ‖ period(u64) ‖ binding_secret(32) ‖ db(1) ‖ len(u32) ‖ keys</c>.
/// The key id is <see cref="KeyId"/>: only the holder of the secret can name (and so replace) the key,
/// and a fresh secret per period makes the id rotate with the key period.
/// </summary>
public sealed record EvalKeyUpload(ulong Period, ReadOnlyMemory<byte> BindingSecret, PirDatabaseKind Database, ReadOnlyMemory<byte> Keys)
{
    /// <summary>Bytes of the binding secret.</summary>
    public const int SecretSize = 32;

    private static ReadOnlySpan<byte> IdDomain => "privomega/v1/eval-key-id"u8;

    /// <summary><c>SHA-256("privomega/v1/eval-key-id" ‖ period(u64) ‖ secret)[0..16]</c>.</summary>
    public static byte[] KeyId(ulong period, ReadOnlySpan<byte> bindingSecret)
    {
        ApiWire.CheckLength(bindingSecret, SecretSize, nameof(bindingSecret));
        Span<byte> input = stackalloc byte[IdDomain.Length + 8 + SecretSize];
        IdDomain.CopyTo(input);
        BinaryPrimitives.WriteUInt64BigEndian(input[IdDomain.Length..], period);
        bindingSecret.CopyTo(input[(IdDomain.Length + 8)..]);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(input, digest);
        CryptographicOperations.ZeroMemory(input);
        return digest[..PirBatchRequest.KeyIdSize].ToArray();
    }

    /// <summary>Encodes the upload.</summary>
    public byte[] Encode()
    {
        ApiWire.CheckLength(BindingSecret.Span, SecretSize, nameof(BindingSecret));
        var bytes = new byte[1 + 8 + SecretSize + 1 + 4 + Keys.Length];
        var w = new WireWriter(bytes);
        w.WriteByte(ApiWire.Version);
        w.WriteUInt64(Period);
        w.WriteBytes(BindingSecret.Span);
        w.WriteByte((byte)Database);
        w.WriteUInt32((uint)Keys.Length);
        w.WriteBytes(Keys.Span);
        return bytes;
    }

    /// <summary>Decodes the upload (the keys stay opaque; the server decodes them with the engine).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out EvalKeyUpload? upload, out ProtocolDecodeError error)
    {
        upload = null;
        var r = new WireReader(data, "eval_key_upload");
        r.ReadVersion(ApiWire.Version);
        var period = r.ReadUInt64("period");
        var secret = r.ReadBytes(SecretSize, "binding_secret").ToArray();
        var db = r.ReadByte("db");
        var length = r.ReadUInt32("len");
        if (!r.Failed && length != (uint)r.Remaining)
        {
            r.Fail(length > (uint)r.Remaining ? ProtocolDecodeStatus.Truncated : ProtocolDecodeStatus.Oversized, "keys", r.Remaining, length);
        }

        var keys = r.ReadBytes((int)Math.Min(length, int.MaxValue), "keys").ToArray();
        if (!r.Failed && db is not ((byte)PirDatabaseKind.Directory or (byte)PirDatabaseKind.Mailbox))
        {
            r.Fail(ProtocolDecodeStatus.BadValue, "db", db, 1);
        }

        if (!r.Finish(out error))
        {
            CryptographicOperations.ZeroMemory(secret);
            return false;
        }

        upload = new EvalKeyUpload(period, secret, (PirDatabaseKind)db, keys);
        return true;
    }
}

/// <summary><c>PUT /v1/eval-keys</c> answer: <c>1 ‖ period(u64) ‖ key_id(16)</c>.</summary>
public sealed record EvalKeyReceipt(ulong Period, ReadOnlyMemory<byte> KeyId)
{
    /// <summary>Encoded size in bytes.</summary>
    public const int Size = 1 + 8 + PirBatchRequest.KeyIdSize;

    /// <summary>Encodes the receipt.</summary>
    public byte[] Encode()
    {
        ApiWire.CheckLength(KeyId.Span, PirBatchRequest.KeyIdSize, nameof(KeyId));
        var bytes = new byte[Size];
        var w = new WireWriter(bytes);
        w.WriteByte(ApiWire.Version);
        w.WriteUInt64(Period);
        w.WriteBytes(KeyId.Span);
        return bytes;
    }

    /// <summary>Decodes the receipt.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out EvalKeyReceipt? receipt, out ProtocolDecodeError error)
    {
        receipt = null;
        var r = new WireReader(data, "eval_key_receipt");
        r.ReadVersion(ApiWire.Version);
        var period = r.ReadUInt64("period");
        var id = r.ReadBytes(PirBatchRequest.KeyIdSize, "key_id").ToArray();
        if (!r.Finish(out error))
        {
            return false;
        }

        receipt = new EvalKeyReceipt(period, id);
        return true;
    }
}

/// <summary>
/// <c>POST /v1/mail</c>: <c>1 ‖ mailbox_id(32) ‖ token_len(u16) ‖ token ‖ ciphertext</c>; the
/// ciphertext is exactly the deployment's mail size (<see cref="ServerInfo.MailCiphertextBytes"/>).
/// </summary>
public sealed record MailPut(ReadOnlyMemory<byte> MailboxId, ReadOnlyMemory<byte> Token, ReadOnlyMemory<byte> Ciphertext)
{
    /// <summary>Bytes of a mailbox id.</summary>
    public const int MailboxIdSize = 32;

    /// <summary>Encodes the request.</summary>
    public byte[] Encode()
    {
        ApiWire.CheckLength(MailboxId.Span, MailboxIdSize, nameof(MailboxId));
        if (Token.Length > ushort.MaxValue)
        {
            ProtocolThrow.ArgumentLengthAtMost(nameof(Token), Token.Length, ushort.MaxValue);
        }

        var bytes = new byte[1 + MailboxIdSize + 2 + Token.Length + Ciphertext.Length];
        var w = new WireWriter(bytes);
        w.WriteByte(ApiWire.Version);
        w.WriteBytes(MailboxId.Span);
        w.WriteUInt16((ushort)Token.Length);
        w.WriteBytes(Token.Span);
        w.WriteBytes(Ciphertext.Span);
        return bytes;
    }

    /// <summary>Decodes the request; the ciphertext must be exactly <paramref name="ciphertextBytes"/> bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, int ciphertextBytes, [NotNullWhen(true)] out MailPut? put, out ProtocolDecodeError error)
    {
        put = null;
        var r = new WireReader(data, "mail_put");
        r.ReadVersion(ApiWire.Version);
        var id = r.ReadBytes(MailboxIdSize, "mailbox_id").ToArray();
        var tokenLength = r.ReadUInt16("token_len");
        var token = r.ReadBytes(tokenLength, "token").ToArray();
        var ciphertext = r.ReadBytes(ciphertextBytes, "ciphertext").ToArray();
        if (!r.Finish(out error))
        {
            return false;
        }

        put = new MailPut(id, token, ciphertext);
        return true;
    }
}

/// <summary>
/// <c>POST /v1/tokens/issue</c>: <c>1 ‖ certificate(146) ‖ signature(64) ‖ token request</c>, the
/// signature by the certificate's Ed25519 key over <c>"privomega/v1/token-issue" ‖ certificate ‖ request</c>.
/// </summary>
public sealed record TokenIssueRequest(ReadOnlyMemory<byte> Certificate, ReadOnlyMemory<byte> Signature, ReadOnlyMemory<byte> Request)
{
    private static ReadOnlySpan<byte> Domain => "privomega/v1/token-issue"u8;

    /// <summary>Signs <paramref name="request"/> with the user's key and wraps it.</summary>
    public static TokenIssueRequest Create(Certificate certificate, Ed25519KeyPair userKey, ReadOnlySpan<byte> request)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(userKey);
        var cert = certificate.Encode();
        var signature = userKey.Sign(SignedMessage(cert, request));
        return new TokenIssueRequest(cert, signature, request.ToArray());
    }

    /// <summary>True when the signature verifies under <paramref name="userKey"/> (the certificate's VRF key).</summary>
    public bool VerifySignature(Ed25519PublicKey userKey)
    {
        ArgumentNullException.ThrowIfNull(userKey);
        return userKey.Verify(SignedMessage(Certificate.Span, Request.Span), Signature.Span);
    }

    /// <summary>Encodes the request.</summary>
    public byte[] Encode()
    {
        ApiWire.CheckLength(Certificate.Span, Formats.Certificate.Size, nameof(Certificate));
        ApiWire.CheckLength(Signature.Span, 64, nameof(Signature));
        return [ApiWire.Version, .. Certificate.Span, .. Signature.Span, .. Request.Span];
    }

    /// <summary>Decodes the request (the token request stays opaque).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out TokenIssueRequest? request, out ProtocolDecodeError error)
    {
        request = null;
        var r = new WireReader(data, "token_issue_request");
        r.ReadVersion(ApiWire.Version);
        var cert = r.ReadBytes(Formats.Certificate.Size, "certificate").ToArray();
        var signature = r.ReadBytes(64, "signature").ToArray();
        if (!r.Failed && r.Remaining < TokenWire.HeaderSize)
        {
            r.Fail(ProtocolDecodeStatus.Truncated, "request", r.Remaining, TokenWire.HeaderSize);
        }

        var inner = r.ReadBytes(r.Failed ? 0 : r.Remaining, "request").ToArray();
        if (!r.Finish(out error))
        {
            return false;
        }

        request = new TokenIssueRequest(cert, signature, inner);
        return true;
    }

    private static byte[] SignedMessage(ReadOnlySpan<byte> cert, ReadOnlySpan<byte> request) => [.. Domain, .. cert, .. request];
}

/// <summary>
/// <c>GET /v1/tokens/keys</c>: <c>1 ‖ count(u8) ‖ count × (kind(1) ‖ period(u64) ‖ len(u16) ‖ public_key)</c>, current first.
/// </summary>
public static class TokenKeyList
{
    /// <summary>Encodes the published keys.</summary>
    public static byte[] Encode(IReadOnlyList<TokenPublicKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var size = 2;
        foreach (var k in keys)
        {
            size += 1 + 8 + 2 + k.PublicKey.Length;
        }

        var bytes = new byte[size];
        var w = new WireWriter(bytes);
        w.WriteByte(ApiWire.Version);
        w.WriteByte((byte)keys.Count);
        foreach (var k in keys)
        {
            w.WriteByte((byte)k.Kind);
            w.WriteUInt64((ulong)k.Period);
            w.WriteUInt16((ushort)k.PublicKey.Length);
            w.WriteBytes(k.PublicKey);
        }

        return bytes;
    }

    /// <summary>Decodes the list.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out IReadOnlyList<TokenPublicKey>? keys, out ProtocolDecodeError error)
    {
        keys = null;
        var r = new WireReader(data, "token_keys");
        r.ReadVersion(ApiWire.Version);
        var count = r.ReadByte("count");
        var list = new List<TokenPublicKey>();
        for (var i = 0; i < count && !r.Failed; i++)
        {
            var kind = r.ReadByte("kind");
            var period = r.ReadUInt64("period");
            var length = r.ReadUInt16("len");
            var key = r.ReadBytes(length, "public_key").ToArray();
            if (!r.Failed && period > long.MaxValue)
            {
                r.Fail(ProtocolDecodeStatus.BadValue, "period", unchecked((long)period), long.MaxValue);
            }

            list.Add(new TokenPublicKey((TokenKind)kind, (long)period, key));
        }

        if (!r.Finish(out error))
        {
            return false;
        }

        keys = list;
        return true;
    }
}

/// <summary>
/// <c>GET /v1/replication/mailbox/{m}?base={m0}</c>: <c>1 ‖ m(u64) ‖ base(u64, 0 = full) ‖
/// record_count(u64) ‖ record_bytes(u32) ‖ count(u32) ‖ count × (index(u64) ‖ record)</c>.
/// </summary>
public sealed record MailboxDelta(ulong MailEpoch, ulong BaseEpoch, long RecordCount, int RecordBytes, IReadOnlyList<(long Index, ReadOnlyMemory<byte> Record)> Records)
{
    /// <summary>Encodes the delta.</summary>
    public byte[] Encode()
    {
        ArgumentNullException.ThrowIfNull(Records);
        var bytes = new byte[1 + 8 + 8 + 8 + 4 + 4 + ((long)Records.Count * (8 + RecordBytes))];
        var w = new WireWriter(bytes);
        w.WriteByte(ApiWire.Version);
        w.WriteUInt64(MailEpoch);
        w.WriteUInt64(BaseEpoch);
        w.WriteUInt64((ulong)RecordCount);
        w.WriteUInt32((uint)RecordBytes);
        w.WriteUInt32((uint)Records.Count);
        foreach (var (index, record) in Records)
        {
            ApiWire.CheckLength(record.Span, RecordBytes, nameof(Records));
            w.WriteUInt64((ulong)index);
            w.WriteBytes(record.Span);
        }

        return bytes;
    }

    /// <summary>Decodes the delta; records must be at most <paramref name="maxRecordBytes"/> bytes and indices in range.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, int maxRecordBytes, [NotNullWhen(true)] out MailboxDelta? delta, out ProtocolDecodeError error)
    {
        delta = null;
        var r = new WireReader(data, "mailbox_delta");
        r.ReadVersion(ApiWire.Version);
        var m = r.ReadUInt64("m");
        var baseEpoch = r.ReadUInt64("base");
        var count = r.ReadUInt64("record_count");
        var recordBytes = r.ReadUInt32("record_bytes");
        if (!r.Failed && (recordBytes == 0 || recordBytes > (uint)maxRecordBytes))
        {
            r.Fail(ProtocolDecodeStatus.BadValue, "record_bytes", recordBytes, maxRecordBytes);
        }

        var n = ApiWire.ReadCount(ref r, wide: true, "count", int.MaxValue, (int)Math.Min(recordBytes + 8, int.MaxValue));
        var records = new List<(long, ReadOnlyMemory<byte>)>(r.Failed ? 0 : n);
        for (var i = 0; i < n && !r.Failed; i++)
        {
            var index = r.ReadUInt64("index");
            var record = r.ReadBytes((int)recordBytes, "record").ToArray();
            if (!r.Failed && index >= count)
            {
                r.Fail(ProtocolDecodeStatus.BadValue, "index", unchecked((long)index), unchecked((long)count));
            }

            records.Add(((long)index, record));
        }

        if (!r.Finish(out error))
        {
            return false;
        }

        delta = new MailboxDelta(m, baseEpoch, (long)count, (int)recordBytes, records);
        return true;
    }
}
