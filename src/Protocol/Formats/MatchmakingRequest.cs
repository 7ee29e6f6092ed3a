using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Security.Cryptography;
using Privomega.Protocol.Hpke;
using Privomega.Protocol.Merkle;
using Privomega.Protocol.Primitives;
using Privomega.Protocol.Vrf;

namespace Privomega.Protocol.Formats;

/// <summary>
/// Alice's matchmaking request to the Bob her VRF picked. Plaintext, one fixed size whatever
/// <c>n_t</c> is: <c>version(1) ‖ t(u64) ‖ head_hash(32) ‖ certificate(146) ‖ leaf_index(u64) ‖
/// path_count(1) ‖ path(32 × 32, zero-padded) ‖ vrf_proof(80)</c> = 1300 bytes. On the wire it is
/// sealed with HPKE base mode to Bob's X25519 key: <c>version(1) ‖ t(u64) ‖ enc(32) ‖
/// ciphertext(1316)</c> = 1357 bytes, with HPKE info <c>"privomega/v1/matchmaking" ‖ t</c> and the
/// 9-byte header as AEAD associated data, so a request cannot be moved to another epoch.
/// Every request of every user has the same size, so the queue reveals only that someone posted.
/// </summary>
public sealed class MatchmakingRequest
{
    /// <summary>The version byte this build writes and reads (plaintext and envelope).</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Path nodes every request carries (padded): enough for 2^32 certificates.</summary>
    public const int MaxPathNodes = 32;

    /// <summary>Plaintext size in bytes.</summary>
    public const int PlaintextSize = 1 + 8 + EpochHead.HashSize + Certificate.Size + 8 + 1 + (MaxPathNodes * MerkleHash.Size) + EcVrf.ProofSize;

    /// <summary>Sealed (wire) size in bytes.</summary>
    public const int SealedSize = HeaderSize + HpkeX25519.EncapsulatedKeySize + PlaintextSize + HpkeContext.TagSize;

    /// <summary>The VRF suite Privomega matchmaking uses. Its input is public, so try-and-increment's timing reveals nothing.</summary>
    public const EcVrfSuite VrfSuite = EcVrfSuite.Edwards25519Sha512Tai;

    private const int HeaderSize = 1 + 8;

    private readonly byte[] _headHash;
    private readonly byte[] _path;
    private readonly byte[] _vrfProof;

    private MatchmakingRequest(ulong epoch, byte[] headHash, Certificate certificate, long leafIndex, byte[] path, byte[] vrfProof)
    {
        Epoch = epoch;
        _headHash = headHash;
        Certificate = certificate;
        LeafIndex = leafIndex;
        _path = path;
        _vrfProof = vrfProof;
    }

    /// <summary>The epoch <c>t</c>.</summary>
    public ulong Epoch { get; }

    /// <summary>The hash of the head Alice saw for <c>t</c>; Bob compares it with his.</summary>
    public ReadOnlySpan<byte> HeadHash => _headHash;

    /// <summary>Alice's certificate.</summary>
    public Certificate Certificate { get; }

    /// <summary>Alice's id (leaf index) in <c>keydir_t</c>.</summary>
    public long LeafIndex { get; }

    /// <summary>Alice's inclusion path in <c>keydir_t</c>.</summary>
    public ReadOnlySpan<byte> Path => _path;

    /// <summary>The ECVRF proof π over <see cref="VrfInput"/>.</summary>
    public ReadOnlySpan<byte> VrfProof => _vrfProof;

    private static ReadOnlySpan<byte> VrfDomain => "privomega/v1/match"u8;

    private static ReadOnlySpan<byte> HpkeInfoDomain => "privomega/v1/matchmaking"u8;

    /// <summary>The VRF input α for an epoch: <c>"privomega/v1/match" ‖ t ‖ nonce_t</c>.</summary>
    public static byte[] VrfInput(EpochHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        var alpha = new byte[VrfDomain.Length + 8 + EpochHead.HashSize];
        VrfDomain.CopyTo(alpha);
        BinaryPrimitives.WriteUInt64BigEndian(alpha.AsSpan(VrfDomain.Length), head.Epoch);
        head.Nonce.CopyTo(alpha.AsSpan(VrfDomain.Length + 8));
        return alpha;
    }

    /// <summary><c>id = r mod n_t</c>, reading the 64-byte VRF output r as a big-endian integer (no modulo bias worth the name).</summary>
    public static long TargetIndex(ReadOnlySpan<byte> vrfOutput, long directorySize)
    {
        if (vrfOutput.Length != EcVrf.OutputSize)
        {
            ProtocolThrow.ArgumentLength(nameof(vrfOutput), vrfOutput.Length, EcVrf.OutputSize);
        }

        if (directorySize < 1)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(directorySize), directorySize, "a directory size ≥ 1");
        }

        return (long)(new BigInteger(vrfOutput, isUnsigned: true, isBigEndian: true) % directorySize);
    }

    /// <summary>
    /// Alice's side: proves the VRF for the epoch and returns π and the index it picks. Alice
    /// must not send a request when the index is her own (a self-match): she waits for the next epoch.
    /// </summary>
    public static byte[] Prove(Ed25519KeyPair vrfKey, EpochHead head, out long targetIndex)
    {
        ArgumentNullException.ThrowIfNull(vrfKey);
        var proof = new byte[EcVrf.ProofSize];
        Span<byte> beta = stackalloc byte[EcVrf.OutputSize];
        EcVrf.Prove(VrfSuite, vrfKey, VrfInput(head), proof, beta);
        targetIndex = TargetIndex(beta, head.DirectorySize);
        return proof;
    }

    /// <summary>Builds a request (Alice's side).</summary>
    public static MatchmakingRequest Create(EpochHead head, Certificate certificate, long leafIndex, ReadOnlySpan<byte> path, ReadOnlySpan<byte> vrfProof)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(certificate);
        if (leafIndex < 0 || leafIndex >= head.DirectorySize)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(leafIndex), leafIndex, $"an index in [0, {head.DirectorySize})");
        }

        if (path.Length % MerkleHash.Size != 0 || path.Length > MaxPathNodes * MerkleHash.Size)
        {
            ProtocolThrow.Argument(nameof(path), $"Length {path.Length}; expected a multiple of {MerkleHash.Size} up to {MaxPathNodes * MerkleHash.Size}.");
        }

        if (vrfProof.Length != EcVrf.ProofSize)
        {
            ProtocolThrow.ArgumentLength(nameof(vrfProof), vrfProof.Length, EcVrf.ProofSize);
        }

        return new MatchmakingRequest(head.Epoch, head.Hash(), certificate, leafIndex, path.ToArray(), vrfProof.ToArray());
    }

    /// <summary>Decodes a plaintext request; throws <see cref="ProtocolFormatException"/>.</summary>
    public static MatchmakingRequest Decode(ReadOnlySpan<byte> plaintext)
    {
        if (!TryDecode(plaintext, out var request, out var error))
        {
            throw new ProtocolFormatException(error);
        }

        return request;
    }

    /// <summary>Decodes a plaintext request; false with a typed <paramref name="error"/>.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> plaintext, [NotNullWhen(true)] out MatchmakingRequest? request, out ProtocolDecodeError error)
    {
        request = null;
        var reader = new WireReader(plaintext, "matchmaking_request");
        reader.ReadVersion(CurrentVersion);
        var epoch = reader.ReadUInt64("t");
        var headHash = reader.ReadBytes(EpochHead.HashSize, "head_hash");
        var certificateBytes = reader.ReadBytes(Certificate.Size, "certificate");
        var leafIndex = reader.ReadUInt64("leaf_index");
        var count = reader.ReadByte("path_count");
        var path = reader.ReadBytes(MaxPathNodes * MerkleHash.Size, "path");
        var proof = reader.ReadBytes(EcVrf.ProofSize, "vrf_proof");
        if (leafIndex > long.MaxValue)
        {
            reader.Fail(ProtocolDecodeStatus.BadValue, "leaf_index", unchecked((long)leafIndex), long.MaxValue);
        }

        if (!reader.Finish(out error)
            || !PathField.TryRead(path, count, MaxPathNodes, out var nodes, out error)
            || !Certificate.TryDecode(certificateBytes, out var certificate, out error))
        {
            return false;
        }

        request = new MatchmakingRequest(epoch, headHash.ToArray(), certificate, (long)leafIndex, nodes, proof.ToArray());
        return true;
    }

    /// <summary>Writes the <see cref="PlaintextSize"/>-byte plaintext.</summary>
    public void Encode(Span<byte> destination)
    {
        if (destination.Length != PlaintextSize)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, PlaintextSize);
        }

        var writer = new WireWriter(destination);
        writer.WriteByte(CurrentVersion);
        writer.WriteUInt64(Epoch);
        writer.WriteBytes(_headHash);
        writer.WriteBytes(Certificate.Encoded);
        writer.WriteUInt64((ulong)LeafIndex);
        PathField.Write(ref writer, _path, MaxPathNodes);
        writer.WriteBytes(_vrfProof);
    }

    /// <summary>Allocating convenience overload of <see cref="Encode(Span{byte})"/>.</summary>
    public byte[] Encode()
    {
        var plaintext = new byte[PlaintextSize];
        Encode(plaintext);
        return plaintext;
    }

    /// <summary>Seals the request to Bob's X25519 key (HPKE base mode); the result is <see cref="SealedSize"/> bytes.</summary>
    public byte[] Seal(X25519PublicKey recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var sealedBytes = new byte[SealedSize];
        WriteHeader(sealedBytes, Epoch);
        var plaintext = Encode();
        Span<byte> info = stackalloc byte[HpkeInfoDomain.Length + 8];
        WriteInfo(info, Epoch);
        HpkeX25519.Seal(recipient, info, sealedBytes.AsSpan(0, HeaderSize), plaintext, sealedBytes.AsSpan(HeaderSize));
        CryptographicOperations.ZeroMemory(plaintext);
        return sealedBytes;
    }

    /// <summary>
    /// Reads the clear header of a sealed request (version, size, epoch) without decrypting, so a
    /// queue or a client can drop malformed or wrong-epoch requests cheaply.
    /// </summary>
    public static bool TryReadEnvelope(ReadOnlySpan<byte> sealedBytes, out ulong epoch, out ProtocolDecodeError error)
    {
        var reader = new WireReader(sealedBytes, "sealed_matchmaking_request");
        reader.ReadVersion(CurrentVersion);
        epoch = reader.ReadUInt64("t");
        reader.ReadBytes(HpkeX25519.EncapsulatedKeySize, "enc");
        reader.ReadBytes(PlaintextSize + HpkeContext.TagSize, "ciphertext");
        return reader.Finish(out error);
    }

    /// <summary>
    /// Bob's side: trial-opens a sealed request with his key. False when it is malformed, not for
    /// him (the AEAD tag does not verify), or decrypts to bytes that do not decode; what it says is
    /// then checked by <see cref="MatchmakingVerifier"/>.
    /// </summary>
    public static bool TryOpen(ReadOnlySpan<byte> sealedBytes, X25519KeyPair recipient, [NotNullWhen(true)] out MatchmakingRequest? request)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        request = null;
        if (!TryReadEnvelope(sealedBytes, out var epoch, out _))
        {
            return false;
        }

        Span<byte> info = stackalloc byte[HpkeInfoDomain.Length + 8];
        WriteInfo(info, epoch);
        var plaintext = new byte[PlaintextSize];
        try
        {
            if (!HpkeX25519.TryOpen(recipient, info, sealedBytes[..HeaderSize], sealedBytes[HeaderSize..], plaintext))
            {
                return false;
            }

            // The sealed epoch and the inner epoch must agree; the AAD already binds the header.
            if (!TryDecode(plaintext, out var decoded, out _) || decoded.Epoch != epoch)
            {
                return false;
            }

            request = decoded;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static void WriteHeader(Span<byte> destination, ulong epoch)
    {
        destination[0] = CurrentVersion;
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], epoch);
    }

    private static void WriteInfo(Span<byte> info, ulong epoch)
    {
        HpkeInfoDomain.CopyTo(info);
        BinaryPrimitives.WriteUInt64BigEndian(info[HpkeInfoDomain.Length..], epoch);
    }
}
