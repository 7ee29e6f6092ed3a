using System.Text;

namespace Privomega.Client.Chat;

/// <summary>What a mail carries, inside the chat ciphertext.</summary>
public enum MailPayloadKind : byte
{
    /// <summary>The first mail of each side: "I hold this session" (the match is confirmed when the peer's hello arrives).</summary>
    Hello = 1,

    /// <summary>The last (or only) fragment of a text line.</summary>
    Text = 2,

    /// <summary>A fragment of a text line that continues in the next mail.</summary>
    TextContinues = 3,

    /// <summary>The sender ended the chat (DESIGN "Matchmaking"); both keep writing cover mail.</summary>
    EndOfChat = 4,
}

/// <summary>
/// The plaintext of one mail: <c>kind(1) ‖ length(u16) ‖ bytes</c>, zero-padded by the caller to the
/// deployment's one size (the length says where the bytes end). Every mail has one size, so
/// a line longer than <see cref="MaxFragmentBytes"/> is split over consecutive mail epochs
/// (DESIGN "Session": "a longer text is split across consecutive mail epochs").
/// </summary>
public readonly record struct MailPayload(MailPayloadKind Kind, byte[] Bytes)
{
    /// <summary>Bytes before the payload's own bytes.</summary>
    public const int HeaderBytes = 3;

    /// <summary>Encodes the payload into exactly <paramref name="size"/> bytes (zero padding after it).</summary>
    public byte[] Encode(int size)
    {
        if (Bytes.Length > size - HeaderBytes)
        {
            throw new ArgumentException($"Payload of {Bytes.Length} bytes; at most {size - HeaderBytes} fit.", nameof(size));
        }

        var encoded = new byte[size];
        encoded[0] = (byte)Kind;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(encoded.AsSpan(1), (ushort)Bytes.Length);
        Bytes.CopyTo(encoded, HeaderBytes);
        return encoded;
    }

    /// <summary>Decodes a payload; false for an unknown kind or a kind that carries no bytes but has some.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> plaintext, out MailPayload payload)
    {
        payload = default;
        if (plaintext.Length < HeaderBytes || plaintext[0] is < (byte)MailPayloadKind.Hello or > (byte)MailPayloadKind.EndOfChat)
        {
            return false;
        }

        var kind = (MailPayloadKind)plaintext[0];
        var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(plaintext[1..]);
        if (length > plaintext.Length - HeaderBytes
            || (kind is MailPayloadKind.Hello or MailPayloadKind.EndOfChat && length != 0)
            || plaintext[(HeaderBytes + length)..].IndexOfAnyExcept((byte)0) >= 0)
        {
            return false;
        }

        payload = new MailPayload(kind, plaintext.Slice(HeaderBytes, length).ToArray());
        return true;
    }

    /// <summary>Splits a UTF-8 line into mails of at most <paramref name="maxFragmentBytes"/> bytes, never inside a character.</summary>
    public static IReadOnlyList<MailPayload> SplitText(string line, int maxFragmentBytes)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (maxFragmentBytes < 4)
        {
            throw new ArgumentOutOfRangeException(nameof(maxFragmentBytes), maxFragmentBytes, "Expected at least 4 bytes per fragment.");
        }

        var bytes = Encoding.UTF8.GetBytes(line);
        var fragments = new List<MailPayload>();
        var at = 0;
        do
        {
            var take = Math.Min(maxFragmentBytes, bytes.Length - at);
            // Back off to a character boundary (a UTF-8 continuation byte is 10xxxxxx).
            while (at + take < bytes.Length && take > 0 && (bytes[at + take] & 0xC0) == 0x80)
            {
                take--;
            }

            var last = at + take >= bytes.Length;
            fragments.Add(new MailPayload(last ? MailPayloadKind.Text : MailPayloadKind.TextContinues, bytes[at..(at + take)]));
            at += take;
        }
        while (at < bytes.Length);
        return fragments;
    }
}
