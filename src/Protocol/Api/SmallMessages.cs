using System.Diagnostics.CodeAnalysis;
using Privomega.Protocol.Formats;

namespace Privomega.Protocol.Api;

/// <summary>
/// A one-number answer: <c>1 ‖ value(u64)</c>. <c>POST /v1/queue/{t}</c> answers the entry's cursor,
/// <c>POST /v1/mail</c> the mail epoch whose snapshot will carry the message.
/// </summary>
public static class ApiNumber
{
    /// <summary>Encoded size in bytes.</summary>
    public const int Size = 9;

    /// <summary>Encodes <paramref name="value"/>.</summary>
    public static byte[] Encode(ulong value)
    {
        var bytes = new byte[Size];
        var w = new WireWriter(bytes);
        w.WriteByte(ApiWire.Version);
        w.WriteUInt64(value);
        return bytes;
    }

    /// <summary>Decodes the number; false with a typed error on malformed bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, out ulong value, out ProtocolDecodeError error)
    {
        var r = new WireReader(data, "number");
        r.ReadVersion(ApiWire.Version);
        value = r.ReadUInt64("value");
        return r.Finish(out error);
    }
}

/// <summary><c>POST /v1/register</c>: <c>1 ‖ vrf_pk(32) ‖ dh_pk(32) ‖ pow_difficulty(1) ‖ pow_nonce(u64)</c>, 74 bytes.</summary>
public sealed record RegisterRequest(ReadOnlyMemory<byte> VrfKey, ReadOnlyMemory<byte> DhKey, byte PowDifficulty, ulong PowNonce)
{
    /// <summary>Encoded size in bytes.</summary>
    public const int Size = 1 + 32 + 32 + 1 + 8;

    /// <summary>Encodes the request.</summary>
    public byte[] Encode()
    {
        ApiWire.CheckLength(VrfKey.Span, 32, nameof(VrfKey));
        ApiWire.CheckLength(DhKey.Span, 32, nameof(DhKey));
        var bytes = new byte[Size];
        var w = new WireWriter(bytes);
        w.WriteByte(ApiWire.Version);
        w.WriteBytes(VrfKey.Span);
        w.WriteBytes(DhKey.Span);
        w.WriteByte(PowDifficulty);
        w.WriteUInt64(PowNonce);
        return bytes;
    }

    /// <summary>Decodes the request (structure only; keys and PoW are checked by the server).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out RegisterRequest? request, out ProtocolDecodeError error)
    {
        request = null;
        var r = new WireReader(data, "register_request");
        r.ReadVersion(ApiWire.Version);
        var vrf = r.ReadBytes(32, "vrf_pk").ToArray();
        var dh = r.ReadBytes(32, "dh_pk").ToArray();
        var difficulty = r.ReadByte("pow_difficulty");
        var nonce = r.ReadUInt64("pow_nonce");
        if (!r.Finish(out error))
        {
            return false;
        }

        request = new RegisterRequest(vrf, dh, difficulty, nonce);
        return true;
    }
}

/// <summary><c>POST /v1/directory/inclusion</c>: <c>1 ‖ t(u64) ‖ certificate(146)</c>.</summary>
public sealed record InclusionRequest(ulong Epoch, ReadOnlyMemory<byte> Certificate)
{
    /// <summary>Encoded size in bytes.</summary>
    public const int Size = 1 + 8 + Formats.Certificate.Size;

    /// <summary>Encodes the request.</summary>
    public byte[] Encode()
    {
        ApiWire.CheckLength(Certificate.Span, Formats.Certificate.Size, nameof(Certificate));
        var bytes = new byte[Size];
        var w = new WireWriter(bytes);
        w.WriteByte(ApiWire.Version);
        w.WriteUInt64(Epoch);
        w.WriteBytes(Certificate.Span);
        return bytes;
    }

    /// <summary>Decodes the request.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out InclusionRequest? request, out ProtocolDecodeError error)
    {
        request = null;
        var r = new WireReader(data, "inclusion_request");
        r.ReadVersion(ApiWire.Version);
        var t = r.ReadUInt64("t");
        var cert = r.ReadBytes(Formats.Certificate.Size, "certificate").ToArray();
        if (!r.Finish(out error))
        {
            return false;
        }

        request = new InclusionRequest(t, cert);
        return true;
    }
}

/// <summary>
/// A Merkle proof with its sizes: <c>1 ‖ a(u64) ‖ b(u64) ‖ c(u64) ‖ count(u8) ‖ count × 32</c>.
/// Inclusion (<c>POST /v1/directory/inclusion</c>): a = t, b = leaf index, c = n_t.
/// Consistency (<c>GET /v1/heads/consistency</c>): a = 0, b = first log size, c = second log size.
/// </summary>
public sealed record MerkleProofMessage(ulong A, ulong B, ulong C, ReadOnlyMemory<byte> Path)
{
    /// <summary>Most hashes a proof may carry (two per level of a 2^63 tree is far below this).</summary>
    public const int MaxHashes = 128;

    /// <summary>Encodes the proof.</summary>
    public byte[] Encode()
    {
        if (Path.Length % 32 != 0 || Path.Length / 32 > MaxHashes)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(Path), Path.Length, "a multiple of 32 bytes, at most 128 hashes");
        }

        var bytes = new byte[1 + 24 + 1 + Path.Length];
        var w = new WireWriter(bytes);
        w.WriteByte(ApiWire.Version);
        w.WriteUInt64(A);
        w.WriteUInt64(B);
        w.WriteUInt64(C);
        w.WriteByte((byte)(Path.Length / 32));
        w.WriteBytes(Path.Span);
        return bytes;
    }

    /// <summary>Decodes the proof.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out MerkleProofMessage? proof, out ProtocolDecodeError error)
    {
        proof = null;
        var r = new WireReader(data, "merkle_proof");
        r.ReadVersion(ApiWire.Version);
        var a = r.ReadUInt64("a");
        var b = r.ReadUInt64("b");
        var c = r.ReadUInt64("c");
        var count = r.ReadByte("count");
        if (!r.Failed && count > MaxHashes)
        {
            r.Fail(ProtocolDecodeStatus.BadValue, "count", count, MaxHashes);
        }

        var path = r.ReadBytes(count * 32, "path").ToArray();
        if (!r.Finish(out error))
        {
            return false;
        }

        proof = new MerkleProofMessage(a, b, c, path);
        return true;
    }
}
