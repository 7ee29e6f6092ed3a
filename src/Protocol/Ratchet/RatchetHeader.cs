using System.Buffers.Binary;
using Privomega.Pir.Engine;

namespace Privomega.Protocol.Ratchet;

/// <summary>
/// A ratchet message header: the sender's current ratchet public key, the length of its previous
/// sending chain (PN) and the message number (N). Wire form:
/// <c>version (1) ‖ dh (32) ‖ pn (u32 BE) ‖ n (u32 BE)</c>; the whole encoding is appended to the
/// associated data, so every header field is authenticated.
/// </summary>
public readonly record struct RatchetHeader(ReadOnlyMemory<byte> RatchetKey, uint PreviousChainLength, uint MessageNumber)
{
    public const byte Version = 1;
    public const int Size = 1 + 32 + 4 + 4;

    internal void Encode(Span<byte> destination)
    {
        destination[0] = Version;
        RatchetKey.Span.CopyTo(destination[1..]);
        BinaryPrimitives.WriteUInt32BigEndian(destination[33..], PreviousChainLength);
        BinaryPrimitives.WriteUInt32BigEndian(destination[37..], MessageNumber);
    }

    /// <summary>Reads the header at the start of a ratchet message (which must also hold at least a tag).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> message, out RatchetHeader header, out PirDecodeError error)
    {
        header = default;
        if (message.Length < Size + 16)
        {
            error = new PirDecodeError(PirDecodeStatus.Truncated, "ratchet message", message.Length, Size + 16);
            return false;
        }

        if (message[0] != Version)
        {
            error = new PirDecodeError(PirDecodeStatus.WrongVersion, "ratchet header version", message[0], Version);
            return false;
        }

        header = new RatchetHeader(message.Slice(1, 32).ToArray(),
            BinaryPrimitives.ReadUInt32BigEndian(message[33..]), BinaryPrimitives.ReadUInt32BigEndian(message[37..]));
        error = PirDecodeError.None;
        return true;
    }
}
