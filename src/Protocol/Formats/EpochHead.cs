using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Formats;

/// <summary>How a head relates to the one before it (<see cref="EpochHead.CheckLink"/>).</summary>
public enum EpochLinkStatus
{
    /// <summary><c>t</c> increments, the previous-head hash matches, time and the log only move forward.</summary>
    Valid = 0,

    /// <summary>The next head's epoch is not the previous epoch plus one.</summary>
    EpochNotNext,

    /// <summary>The next head does not commit to the previous head's hash.</summary>
    PreviousHashMismatch,

    /// <summary>The next head's time is earlier than the previous head's.</summary>
    TimeWentBackwards,

    /// <summary>The key-transparency log shrank (it is append-only).</summary>
    LogShrank,

    /// <summary>A head in the chain is not signed by the server's key.</summary>
    BadSignature,
}

/// <summary>
/// The signed head the server publishes at the start of epoch <c>t</c> (DESIGN "Epochs"):
/// <c>version(1) ‖ t(u64) ‖ time(u64, Unix ms) ‖ nonce_t(32) ‖ n_t(u64) ‖ keydir_root(32) ‖
/// log_size(u64) ‖ log_root(32) ‖ snapshot_id(u64) ‖ snapshot_digest(32) ‖ prev_hash(32) ‖
/// signature(64)</c>, 265 bytes, integers big-endian. The signature is Ed25519 over
/// <c>"privomega/v1/epoch-head" ‖ body</c>; <see cref="Hash()"/> is
/// <c>SHA-256("privomega/v1/epoch-head-hash" ‖ body)</c>, body = every byte before the
/// signature, and the next head carries it as <c>prev_hash</c>. Epoch 0 carries 32 zero bytes.
/// </summary>
public sealed class EpochHead : IEquatable<EpochHead>
{
    /// <summary>The version byte this build writes and reads.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Bytes of every hash, root and nonce field.</summary>
    public const int HashSize = 32;

    /// <summary>Encoded size in bytes.</summary>
    public const int Size = BodySize + SignatureSize;

    private const int SignatureSize = 64;
    private const int BodySize = 1 + 8 + 8 + 32 + 8 + 32 + 8 + 32 + 8 + 32 + 32;

    private const int EpochOffset = 1;
    private const int TimeOffset = 9;
    private const int NonceOffset = 17;
    private const int DirectorySizeOffset = 49;
    private const int DirectoryRootOffset = 57;
    private const int LogSizeOffset = 89;
    private const int LogRootOffset = 97;
    private const int SnapshotIdOffset = 129;
    private const int SnapshotDigestOffset = 137;
    private const int PreviousHashOffset = 169;

    private readonly byte[] _encoded;

    private EpochHead(byte[] encoded) => _encoded = encoded;

    /// <summary>The epoch number <c>t</c>.</summary>
    public ulong Epoch => ReadU64(EpochOffset);

    /// <summary>When the epoch started, Unix milliseconds.</summary>
    public ulong TimeMilliseconds => ReadU64(TimeOffset);

    /// <summary>The beacon <c>nonce_t</c>.</summary>
    public ReadOnlySpan<byte> Nonce => _encoded.AsSpan(NonceOffset, HashSize);

    /// <summary><c>n_t</c>, the number of certificates in <c>keydir_t</c>.</summary>
    public long DirectorySize => (long)ReadU64(DirectorySizeOffset);

    /// <summary>The Merkle root of <c>keydir_t</c>.</summary>
    public ReadOnlySpan<byte> DirectoryRoot => _encoded.AsSpan(DirectoryRootOffset, HashSize);

    /// <summary>The key-transparency log's size.</summary>
    public long LogSize => (long)ReadU64(LogSizeOffset);

    /// <summary>The key-transparency log's root.</summary>
    public ReadOnlySpan<byte> LogRoot => _encoded.AsSpan(LogRootOffset, HashSize);

    /// <summary>The mailbox snapshot this epoch serves.</summary>
    public ulong MailboxSnapshotId => ReadU64(SnapshotIdOffset);

    /// <summary>The digest replicas check the mailbox snapshot against.</summary>
    public ReadOnlySpan<byte> MailboxSnapshotDigest => _encoded.AsSpan(SnapshotDigestOffset, HashSize);

    /// <summary>The hash of head <c>t − 1</c> (zeros for epoch 0).</summary>
    public ReadOnlySpan<byte> PreviousHash => _encoded.AsSpan(PreviousHashOffset, HashSize);

    /// <summary>The server's Ed25519 signature.</summary>
    public ReadOnlySpan<byte> Signature => _encoded.AsSpan(BodySize);

    private static ReadOnlySpan<byte> SignatureDomain => "privomega/v1/epoch-head"u8;

    private static ReadOnlySpan<byte> HashDomain => "privomega/v1/epoch-head-hash"u8;

    /// <summary>Builds and signs a head (server side).</summary>
    public static EpochHead Sign(
        Ed25519KeyPair server,
        ulong epoch,
        ulong timeMilliseconds,
        ReadOnlySpan<byte> nonce,
        long directorySize,
        ReadOnlySpan<byte> directoryRoot,
        long logSize,
        ReadOnlySpan<byte> logRoot,
        ulong mailboxSnapshotId,
        ReadOnlySpan<byte> mailboxSnapshotDigest,
        ReadOnlySpan<byte> previousHash)
    {
        ArgumentNullException.ThrowIfNull(server);
        CheckHash(nonce, nameof(nonce));
        CheckHash(directoryRoot, nameof(directoryRoot));
        CheckHash(logRoot, nameof(logRoot));
        CheckHash(mailboxSnapshotDigest, nameof(mailboxSnapshotDigest));
        CheckHash(previousHash, nameof(previousHash));
        if (directorySize < 0)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(directorySize), directorySize, "a size ≥ 0");
        }

        if (logSize < 0)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(logSize), logSize, "a size ≥ 0");
        }

        var encoded = new byte[Size];
        var writer = new WireWriter(encoded);
        writer.WriteByte(CurrentVersion);
        writer.WriteUInt64(epoch);
        writer.WriteUInt64(timeMilliseconds);
        writer.WriteBytes(nonce);
        writer.WriteUInt64((ulong)directorySize);
        writer.WriteBytes(directoryRoot);
        writer.WriteUInt64((ulong)logSize);
        writer.WriteBytes(logRoot);
        writer.WriteUInt64(mailboxSnapshotId);
        writer.WriteBytes(mailboxSnapshotDigest);
        writer.WriteBytes(previousHash);
        server.Sign(SignedMessage(encoded), encoded.AsSpan(BodySize));
        return new EpochHead(encoded);
    }

    /// <summary>Decodes a head; throws <see cref="ProtocolFormatException"/> on malformed bytes.</summary>
    public static EpochHead Decode(ReadOnlySpan<byte> encoded)
    {
        if (!TryDecode(encoded, out var head, out var error))
        {
            throw new ProtocolFormatException(error);
        }

        return head;
    }

    /// <summary>Decodes a head; false with a typed <paramref name="error"/> on malformed bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out EpochHead? head, out ProtocolDecodeError error)
    {
        head = null;
        var reader = new WireReader(encoded, "epoch_head");
        reader.ReadVersion(CurrentVersion);
        reader.ReadUInt64("t");
        reader.ReadUInt64("time");
        reader.ReadBytes(HashSize, "nonce_t");
        var directorySize = reader.ReadUInt64("n_t");
        reader.ReadBytes(HashSize, "keydir_root");
        var logSize = reader.ReadUInt64("log_size");
        reader.ReadBytes(HashSize, "log_root");
        reader.ReadUInt64("snapshot_id");
        reader.ReadBytes(HashSize, "snapshot_digest");
        reader.ReadBytes(HashSize, "prev_hash");
        reader.ReadBytes(SignatureSize, "signature");
        if (directorySize > long.MaxValue)
        {
            reader.Fail(ProtocolDecodeStatus.BadValue, "n_t", unchecked((long)directorySize), long.MaxValue);
        }

        if (logSize > long.MaxValue)
        {
            reader.Fail(ProtocolDecodeStatus.BadValue, "log_size", unchecked((long)logSize), long.MaxValue);
        }

        if (!reader.Finish(out error))
        {
            return false;
        }

        head = new EpochHead(encoded.ToArray());
        return true;
    }

    /// <summary>
    /// Checks the structural link from <paramref name="previous"/> to <paramref name="next"/>
    /// (signatures are checked separately with <see cref="VerifySignature"/>; the log's
    /// consistency proof between the two sizes with <c>MerkleVerifier.VerifyConsistency</c>).
    /// </summary>
    public static EpochLinkStatus CheckLink(EpochHead previous, EpochHead next)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        if (previous.Epoch == ulong.MaxValue || next.Epoch != previous.Epoch + 1)
        {
            return EpochLinkStatus.EpochNotNext;
        }

        Span<byte> hash = stackalloc byte[HashSize];
        previous.Hash(hash);
        if (!hash.SequenceEqual(next.PreviousHash))
        {
            return EpochLinkStatus.PreviousHashMismatch;
        }

        if (next.TimeMilliseconds < previous.TimeMilliseconds)
        {
            return EpochLinkStatus.TimeWentBackwards;
        }

        return next.LogSize < previous.LogSize ? EpochLinkStatus.LogShrank : EpochLinkStatus.Valid;
    }

    /// <summary>
    /// Checks a run of consecutive heads: every one signed by <paramref name="server"/> and every
    /// link valid. On failure <paramref name="failedAt"/> is the index of the first bad head.
    /// </summary>
    public static EpochLinkStatus CheckChain(IReadOnlyList<EpochHead> heads, Ed25519PublicKey server, out int failedAt)
    {
        ArgumentNullException.ThrowIfNull(heads);
        ArgumentNullException.ThrowIfNull(server);
        for (var i = 0; i < heads.Count; i++)
        {
            failedAt = i;
            if (!heads[i].VerifySignature(server))
            {
                return EpochLinkStatus.BadSignature;
            }

            var link = i == 0 ? EpochLinkStatus.Valid : CheckLink(heads[i - 1], heads[i]);
            if (link != EpochLinkStatus.Valid)
            {
                return link;
            }
        }

        failedAt = -1;
        return EpochLinkStatus.Valid;
    }

    /// <summary>Checks the server's signature.</summary>
    public bool VerifySignature(Ed25519PublicKey server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return server.Verify(SignedMessage(_encoded), Signature);
    }

    /// <summary>Writes the head's hash, the value the next head carries as <c>prev_hash</c>.</summary>
    public void Hash(Span<byte> destination)
    {
        if (destination.Length != HashSize)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, HashSize);
        }

        Span<byte> input = stackalloc byte[HashDomain.Length + BodySize];
        HashDomain.CopyTo(input);
        _encoded.AsSpan(0, BodySize).CopyTo(input[HashDomain.Length..]);
        SHA256.HashData(input, destination);
    }

    /// <summary>Allocating convenience overload of <see cref="Hash(Span{byte})"/>.</summary>
    public byte[] Hash()
    {
        var hash = new byte[HashSize];
        Hash(hash);
        return hash;
    }

    /// <summary>Writes the 265-byte encoding.</summary>
    public void Encode(Span<byte> destination)
    {
        if (destination.Length != Size)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, Size);
        }

        _encoded.CopyTo(destination);
    }

    /// <summary>Returns a copy of the encoding.</summary>
    public byte[] Encode() => (byte[])_encoded.Clone();

    /// <inheritdoc />
    public bool Equals(EpochHead? other) => other is not null && _encoded.AsSpan().SequenceEqual(other._encoded);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as EpochHead);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_encoded);
        return hash.ToHashCode();
    }

    private static byte[] SignedMessage(ReadOnlySpan<byte> encoded) => [.. SignatureDomain, .. encoded[..BodySize]];

    private static void CheckHash(ReadOnlySpan<byte> value, string name)
    {
        if (value.Length != HashSize)
        {
            ProtocolThrow.ArgumentLength(name, value.Length, HashSize);
        }
    }

    private ulong ReadU64(int offset) => BinaryPrimitives.ReadUInt64BigEndian(_encoded.AsSpan(offset));
}
