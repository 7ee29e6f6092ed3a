using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Formats;

/// <summary>
/// A user's certificate, issued by the server at registration:
/// <c>version(1) ‖ vrf_pk(32, Ed25519) ‖ dh_pk(32, X25519) ‖ issued_at(u64, Unix seconds) ‖
/// pow_nonce(u64) ‖ pow_difficulty(1) ‖ sig_server(64)</c>, integers big-endian, 146 bytes.
/// The server signs <c>"privomega/v1/certificate" ‖ everything before the signature</c> with
/// Ed25519. The encoding is also the certificate's leaf in the key-transparency log and in
/// <c>keydir_t</c>. Decoding checks structure only (lengths, version, a strictly valid Ed25519 key);
/// <see cref="Verify"/> checks the signature and the proof of work.
/// </summary>
public sealed class Certificate : IEquatable<Certificate>
{
    /// <summary>The version byte this build writes and reads.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Encoded size in bytes.</summary>
    public const int Size = 1 + 32 + 32 + 8 + 8 + 1 + SignatureSize;

    private const int SignatureSize = 64;
    private const int SignedSize = Size - SignatureSize;
    private const int IssuedAtOffset = 65;
    private const int NonceOffset = 73;
    private const int DifficultyOffset = 81;

    private readonly byte[] _encoded;

    private Certificate(byte[] encoded, Ed25519PublicKey vrfKey, X25519PublicKey dhKey)
    {
        _encoded = encoded;
        VrfKey = vrfKey;
        DhKey = dhKey;
    }

    /// <summary>The user's Ed25519 key, used for the VRF.</summary>
    public Ed25519PublicKey VrfKey { get; }

    /// <summary>The user's X25519 key, used for HPKE and the session's Diffie–Hellman.</summary>
    public X25519PublicKey DhKey { get; }

    /// <summary>When the server issued the certificate, in Unix seconds.</summary>
    public ulong IssuedAt => BinaryPrimitives.ReadUInt64BigEndian(_encoded.AsSpan(IssuedAtOffset));

    /// <summary>The proof-of-work nonce the user found.</summary>
    public ulong PowNonce => BinaryPrimitives.ReadUInt64BigEndian(_encoded.AsSpan(NonceOffset));

    /// <summary>The proof-of-work difficulty in bits.</summary>
    public int PowDifficulty => _encoded[DifficultyOffset];

    /// <summary>The server's Ed25519 signature.</summary>
    public ReadOnlySpan<byte> Signature => _encoded.AsSpan(SignedSize);

    /// <summary>The encoding (the Merkle leaf).</summary>
    public ReadOnlySpan<byte> Encoded => _encoded;

    private static ReadOnlySpan<byte> Domain => "privomega/v1/certificate"u8;

    /// <summary>
    /// Issues a certificate (server side) after checking the user's proof of work; throws
    /// <see cref="ArgumentException"/> when the proof does not hold for <paramref name="difficulty"/>.
    /// </summary>
    public static Certificate Issue(Ed25519KeyPair server, Ed25519PublicKey vrfKey, X25519PublicKey dhKey, ulong issuedAt, ulong powNonce, int difficulty)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (!ProofOfWork.Verify(vrfKey, dhKey, difficulty, powNonce))
        {
            ProtocolThrow.Argument(nameof(powNonce), $"The proof of work does not reach {difficulty} bits.");
        }

        var encoded = new byte[Size];
        var writer = new WireWriter(encoded);
        writer.WriteByte(CurrentVersion);
        writer.WriteBytes(vrfKey.Export());
        writer.WriteBytes(dhKey.Export());
        writer.WriteUInt64(issuedAt);
        writer.WriteUInt64(powNonce);
        writer.WriteByte((byte)difficulty);
        server.Sign(SignedMessage(encoded), encoded.AsSpan(SignedSize));
        return new Certificate(encoded, vrfKey, dhKey);
    }

    /// <summary>Decodes a certificate; throws <see cref="ProtocolFormatException"/> on malformed bytes.</summary>
    public static Certificate Decode(ReadOnlySpan<byte> encoded)
    {
        if (!TryDecode(encoded, out var certificate, out var error))
        {
            throw new ProtocolFormatException(error);
        }

        return certificate;
    }

    /// <summary>Decodes a certificate; false with a typed <paramref name="error"/> on malformed bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out Certificate? certificate, out ProtocolDecodeError error)
    {
        certificate = null;
        var reader = new WireReader(encoded, "certificate");
        reader.ReadVersion(CurrentVersion);
        var vrf = reader.ReadBytes(32, "vrf_pk");
        var dh = reader.ReadBytes(32, "dh_pk");
        reader.ReadUInt64("issued_at");
        reader.ReadUInt64("pow_nonce");
        var difficulty = reader.ReadByte("pow_difficulty");
        reader.ReadBytes(SignatureSize, "sig_server");
        if (!reader.Finish(out error))
        {
            return false;
        }

        if (difficulty > ProofOfWork.MaxDifficulty)
        {
            error = new ProtocolDecodeError(ProtocolDecodeStatus.BadValue, "pow_difficulty", difficulty, ProofOfWork.MaxDifficulty);
            return false;
        }

        if (!Ed25519PublicKey.TryImport(vrf, out var vrfKey))
        {
            error = new ProtocolDecodeError(ProtocolDecodeStatus.BadValue, "vrf_pk", 0, 1);
            return false;
        }

        certificate = new Certificate(encoded.ToArray(), vrfKey, X25519PublicKey.Import(dh));
        return true;
    }

    /// <summary>Checks the server's signature.</summary>
    public bool VerifySignature(Ed25519PublicKey server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return server.Verify(SignedMessage(_encoded), Signature);
    }

    /// <summary>Checks the proof of work with one hash, and that it declares at least <paramref name="minimumDifficulty"/> bits.</summary>
    public bool VerifyProofOfWork(int minimumDifficulty) =>
        PowDifficulty >= minimumDifficulty && ProofOfWork.Verify(VrfKey, DhKey, PowDifficulty, PowNonce);

    /// <summary>Both checks: the server signed it and the user paid for it.</summary>
    public bool Verify(Ed25519PublicKey server, int minimumDifficulty) => VerifyProofOfWork(minimumDifficulty) && VerifySignature(server);

    /// <summary>Writes the 146-byte encoding.</summary>
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
    public bool Equals(Certificate? other) => other is not null && _encoded.AsSpan().SequenceEqual(other._encoded);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Certificate);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_encoded);
        return hash.ToHashCode();
    }

    // The signature covers a domain tag and every byte before it.
    private static byte[] SignedMessage(ReadOnlySpan<byte> encoded) => [.. Domain, .. encoded[..SignedSize]];
}
