using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Formats;

/// <summary>
/// The registration proof of work (the sketch's Sybil counter), hashcash over SHA-256:
/// <c>h = SHA-256("privomega/v1/certificate-pow" ‖ version ‖ vrf_pk ‖ dh_pk ‖ difficulty ‖ nonce)</c>
/// must start with at least <c>difficulty</c> zero bits. Minting takes about 2^difficulty hashes;
/// checking takes one, so anyone can confirm the server did not mint free identities.
/// </summary>
public static class ProofOfWork
{
    /// <summary>The highest difficulty a certificate may declare (SHA-256 has 256 bits; anything near this is unmintable anyway).</summary>
    public const int MaxDifficulty = 64;

    private static int InputSize => Domain.Length + 1 + 32 + 32 + 1 + 8;

    private static ReadOnlySpan<byte> Domain => "privomega/v1/certificate-pow"u8;

    /// <summary>
    /// Searches for a nonce, starting at <paramref name="startNonce"/>, whose hash has
    /// <paramref name="difficulty"/> leading zero bits. Cancellable because high difficulties take long.
    /// </summary>
    public static ulong Mint(Ed25519PublicKey vrfKey, X25519PublicKey dhKey, int difficulty, ulong startNonce = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vrfKey);
        ArgumentNullException.ThrowIfNull(dhKey);
        CheckDifficulty(difficulty);
        Span<byte> input = stackalloc byte[InputSize];
        WritePrefix(input, vrfKey, dhKey, (byte)difficulty);
        Span<byte> hash = stackalloc byte[32];
        var nonce = startNonce;
        for (var tries = 0L; ; tries++)
        {
            if ((tries & 0xFFFF) == 0xFFFF)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            BinaryPrimitives.WriteUInt64BigEndian(input[^8..], nonce);
            SHA256.HashData(input, hash);
            if (LeadingZeroBits(hash) >= difficulty)
            {
                return nonce;
            }

            nonce = unchecked(nonce + 1);
        }
    }

    /// <summary>Checks the proof with one hash: the hash has at least <paramref name="difficulty"/> leading zero bits.</summary>
    public static bool Verify(Ed25519PublicKey vrfKey, X25519PublicKey dhKey, int difficulty, ulong nonce)
    {
        ArgumentNullException.ThrowIfNull(vrfKey);
        ArgumentNullException.ThrowIfNull(dhKey);
        if (difficulty is < 0 or > MaxDifficulty)
        {
            return false;
        }

        Span<byte> input = stackalloc byte[InputSize];
        WritePrefix(input, vrfKey, dhKey, (byte)difficulty);
        BinaryPrimitives.WriteUInt64BigEndian(input[^8..], nonce);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        return LeadingZeroBits(hash) >= difficulty;
    }

    /// <summary>Leading zero bits of <paramref name="hash"/>, read as a big-endian bit string.</summary>
    internal static int LeadingZeroBits(ReadOnlySpan<byte> hash)
    {
        var bits = 0;
        foreach (var b in hash)
        {
            if (b != 0)
            {
                return bits + BitOperations.LeadingZeroCount((uint)b) - 24;
            }

            bits += 8;
        }

        return bits;
    }

    private static void WritePrefix(Span<byte> input, Ed25519PublicKey vrfKey, X25519PublicKey dhKey, byte difficulty)
    {
        Domain.CopyTo(input);
        var at = Domain.Length;
        input[at++] = Certificate.CurrentVersion;
        vrfKey.Export(input.Slice(at, 32));
        at += 32;
        dhKey.Export(input.Slice(at, 32));
        at += 32;
        input[at] = difficulty;
    }

    private static void CheckDifficulty(int difficulty)
    {
        if (difficulty is < 0 or > MaxDifficulty)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(difficulty), difficulty, $"a difficulty in [0, {MaxDifficulty}] bits");
        }
    }
}
