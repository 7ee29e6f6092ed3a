using System.Diagnostics.CodeAnalysis;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Tokens;

namespace Privomega.Protocol.Api;

/// <summary>
/// <c>GET /v1/info</c>: <c>1 ‖ role(1) ‖ server_pk(32) ‖ epoch_ms(u64) ‖ mail_epoch_ms(u64) ‖
/// certificate_epochs(u32) ‖ pow_difficulty(1) ‖ mail_ciphertext_bytes(u32) ‖ token_kind(1) ‖
/// key_period_ms(u64) ‖ mail_retention_epochs(u32) ‖ schemes(1)</c>.
/// </summary>
public sealed record ServerInfo(
    ServerRole Role,
    ReadOnlyMemory<byte> ServerKey,
    ulong EpochMilliseconds,
    ulong MailEpochMilliseconds,
    uint CertificateEpochs,
    byte PowDifficulty,
    uint MailCiphertextBytes,
    TokenKind TokenKind,
    ulong KeyPeriodMilliseconds,
    uint MailRetentionEpochs,
    byte Schemes)
{
    /// <summary>Encoded size in bytes.</summary>
    public const int Size = 1 + 1 + 32 + 8 + 8 + 4 + 1 + 4 + 1 + 8 + 4 + 1;

    /// <summary>Encodes the message.</summary>
    public byte[] Encode()
    {
        ApiWire.CheckLength(ServerKey.Span, 32, nameof(ServerKey));
        var bytes = new byte[Size];
        var w = new WireWriter(bytes);
        w.WriteByte(ApiWire.Version);
        w.WriteByte((byte)Role);
        w.WriteBytes(ServerKey.Span);
        w.WriteUInt64(EpochMilliseconds);
        w.WriteUInt64(MailEpochMilliseconds);
        w.WriteUInt32(CertificateEpochs);
        w.WriteByte(PowDifficulty);
        w.WriteUInt32(MailCiphertextBytes);
        w.WriteByte((byte)TokenKind);
        w.WriteUInt64(KeyPeriodMilliseconds);
        w.WriteUInt32(MailRetentionEpochs);
        w.WriteByte(Schemes);
        return bytes;
    }

    /// <summary>Decodes the message; false with a typed error on malformed bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out ServerInfo? info, out ProtocolDecodeError error)
    {
        info = null;
        var r = new WireReader(data, "server_info");
        r.ReadVersion(ApiWire.Version);
        var role = r.ReadByte("role");
        var key = r.ReadBytes(32, "server_pk").ToArray();
        var epoch = r.ReadUInt64("epoch_ms");
        var mail = r.ReadUInt64("mail_epoch_ms");
        var certEpochs = r.ReadUInt32("certificate_epochs");
        var pow = r.ReadByte("pow_difficulty");
        var mailBytes = r.ReadUInt32("mail_ciphertext_bytes");
        var kind = r.ReadByte("token_kind");
        var period = r.ReadUInt64("key_period_ms");
        var retention = r.ReadUInt32("mail_retention_epochs");
        var schemes = r.ReadByte("schemes");
        if (!r.Failed && role is not ((byte)ServerRole.Primary or (byte)ServerRole.Replica))
        {
            r.Fail(ProtocolDecodeStatus.BadValue, "role", role, (byte)ServerRole.Primary);
        }

        if (!r.Finish(out error))
        {
            return false;
        }

        info = new ServerInfo((ServerRole)role, key, epoch, mail, certEpochs, pow, mailBytes, (TokenKind)kind, period, retention, schemes);
        return true;
    }

    /// <summary>Decodes the message; throws <see cref="ProtocolFormatException"/> on malformed bytes.</summary>
    public static ServerInfo Decode(ReadOnlySpan<byte> data) => ApiWire.OrThrow(TryDecode(data, out var v, out var e), v, e);
}
