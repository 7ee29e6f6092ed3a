using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Session;

/// <summary>Which way a chat message travels; bound into its associated data.</summary>
public enum MessageDirection : byte
{
    /// <summary>Alice to Bob.</summary>
    InitiatorToResponder = 1,

    /// <summary>Bob to Alice.</summary>
    ResponderToInitiator = 2,
}

/// <summary>
/// A chat message: <c>version(1) ‖ nonce(24) ‖ XChaCha20-Poly1305(k_e, nonce, padded, AD)</c>.
/// The plaintext is <c>length(u16) ‖ message ‖ zeros</c>, padded to a multiple of 160 bytes (the
/// sealed-sender paper's padding) and at most <see cref="MaxPaddedLength"/>, so a ciphertext's
/// length reveals only its size class. <c>AD = "privomega/v1/chat" ‖ version ‖ pk_a ‖ pk_b ‖
/// direction ‖ u64 index</c>: both public keys and the direction as DESIGN asks, plus the message's
/// position in its mailbox chain, so a message cannot be replayed into another slot or reflected
/// back to its sender.
/// </summary>
public sealed class ChatMessage
{
    /// <summary>The version byte this build writes and reads.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Padding granularity in bytes.</summary>
    public const int BlockSize = 160;

    /// <summary>The largest padded plaintext (26 blocks).</summary>
    public const int MaxPaddedLength = 26 * BlockSize;

    /// <summary>The longest message that fits.</summary>
    public const int MaxMessageLength = MaxPaddedLength - LengthPrefixSize;

    /// <summary>The largest encoded message.</summary>
    public const int MaxEncodedLength = HeaderSize + MaxPaddedLength + TagSize;

    private const int LengthPrefixSize = 2;
    private const int NonceSize = 24;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + NonceSize;
    private const int AdSize = 17 + 1 + 32 + 32 + 1 + 8;

    private readonly byte[] _nonce;
    private readonly byte[] _ciphertext;

    private ChatMessage(byte[] nonce, byte[] ciphertext)
    {
        _nonce = nonce;
        _ciphertext = ciphertext;
    }

    /// <summary>The random XChaCha20 nonce.</summary>
    public ReadOnlySpan<byte> Nonce => _nonce;

    /// <summary>The ciphertext with its tag.</summary>
    public ReadOnlySpan<byte> Ciphertext => _ciphertext;

    /// <summary>Bytes of the encoding.</summary>
    public int EncodedLength => HeaderSize + _ciphertext.Length;

    private static ReadOnlySpan<byte> AdDomain => "privomega/v1/chat"u8;

    /// <summary>The padded plaintext length for a message of <paramref name="messageLength"/> bytes: the size class.</summary>
    public static int PaddedLength(int messageLength)
    {
        if (messageLength < 0 || messageLength > MaxMessageLength)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(messageLength), messageLength, $"a length in [0, {MaxMessageLength}]");
        }

        return (messageLength + LengthPrefixSize + BlockSize - 1) / BlockSize * BlockSize;
    }

    /// <summary>Encrypts <paramref name="message"/> as message <paramref name="index"/> of this party's sending direction.</summary>
    public static ChatMessage Seal(SessionKeys keys, ulong index, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (message.Length > MaxMessageLength)
        {
            ProtocolThrow.ArgumentLengthAtMost(nameof(message), message.Length, MaxMessageLength);
        }

        var padded = new byte[PaddedLength(message.Length)];
        try
        {
            BinaryPrimitives.WriteUInt16BigEndian(padded, (ushort)message.Length);
            message.CopyTo(padded.AsSpan(LengthPrefixSize));
            var nonce = RandomNumberGenerator.GetBytes(NonceSize);
            Span<byte> ad = stackalloc byte[AdSize];
            WriteAssociatedData(ad, keys, SendingDirection(keys.Role), index);
            var ciphertext = new byte[padded.Length + TagSize];
            XChaCha20Poly1305.Seal(keys.MessageKey, nonce, padded, ad, ciphertext);
            return new ChatMessage(nonce, ciphertext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(padded);
        }
    }

    /// <summary>Decodes the wire form; throws <see cref="ProtocolFormatException"/>.</summary>
    public static ChatMessage Decode(ReadOnlySpan<byte> encoded)
    {
        if (!TryDecode(encoded, out var message, out var error))
        {
            throw new ProtocolFormatException(error);
        }

        return message;
    }

    /// <summary>
    /// Decodes the wire form: the version, a nonce, and a ciphertext whose length is a whole number
    /// of 160-byte blocks plus the tag, at most <see cref="MaxEncodedLength"/> bytes in all.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out ChatMessage? message, out ProtocolDecodeError error)
    {
        message = null;
        if (encoded.Length > MaxEncodedLength)
        {
            error = new ProtocolDecodeError(ProtocolDecodeStatus.Oversized, "chat_message", encoded.Length, MaxEncodedLength);
            return false;
        }

        var reader = new WireReader(encoded, "chat_message");
        reader.ReadVersion(CurrentVersion);
        var nonce = reader.ReadBytes(NonceSize, "nonce");
        var remaining = encoded.Length - reader.Position;
        var ciphertext = reader.ReadBytes(Math.Max(remaining, BlockSize + TagSize), "ciphertext");
        if (!reader.Finish(out error))
        {
            return false;
        }

        if ((ciphertext.Length - TagSize) % BlockSize != 0)
        {
            error = new ProtocolDecodeError(ProtocolDecodeStatus.BadValue, "ciphertext", ciphertext.Length, ((ciphertext.Length - TagSize) / BlockSize * BlockSize) + TagSize);
            return false;
        }

        message = new ChatMessage(nonce.ToArray(), ciphertext.ToArray());
        return true;
    }

    /// <summary>
    /// Decrypts message <paramref name="index"/> of the peer's sending direction. False when the tag
    /// does not verify (tampered bytes, another session, the wrong index or direction) or the
    /// padding is not canonical.
    /// </summary>
    public bool TryOpen(SessionKeys keys, ulong index, [NotNullWhen(true)] out byte[]? message)
    {
        ArgumentNullException.ThrowIfNull(keys);
        message = null;
        Span<byte> ad = stackalloc byte[AdSize];
        var peerDirection = SendingDirection(keys.Role == SessionRole.Initiator ? SessionRole.Responder : SessionRole.Initiator);
        WriteAssociatedData(ad, keys, peerDirection, index);
        var padded = new byte[_ciphertext.Length - TagSize];
        try
        {
            if (!XChaCha20Poly1305.TryOpen(keys.MessageKey, _nonce, _ciphertext, ad, padded))
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(padded);
            if (length > padded.Length - LengthPrefixSize
                || PaddedLength(Math.Min((int)length, MaxMessageLength)) != padded.Length
                || padded.AsSpan(LengthPrefixSize + length).IndexOfAnyExcept((byte)0) >= 0)
            {
                return false;
            }

            message = padded.AsSpan(LengthPrefixSize, length).ToArray();
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(padded);
        }
    }

    /// <summary>Writes the encoding.</summary>
    public void Encode(Span<byte> destination)
    {
        if (destination.Length != EncodedLength)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, EncodedLength);
        }

        var writer = new WireWriter(destination);
        writer.WriteByte(CurrentVersion);
        writer.WriteBytes(_nonce);
        writer.WriteBytes(_ciphertext);
    }

    /// <summary>Allocating convenience overload of <see cref="Encode(Span{byte})"/>.</summary>
    public byte[] Encode()
    {
        var encoded = new byte[EncodedLength];
        Encode(encoded);
        return encoded;
    }

    private static MessageDirection SendingDirection(SessionRole role) =>
        role == SessionRole.Initiator ? MessageDirection.InitiatorToResponder : MessageDirection.ResponderToInitiator;

    private static void WriteAssociatedData(Span<byte> ad, SessionKeys keys, MessageDirection direction, ulong index)
    {
        var writer = new WireWriter(ad);
        writer.WriteBytes(AdDomain);
        writer.WriteByte(CurrentVersion);
        writer.WriteBytes(keys.InitiatorKey.Export());
        writer.WriteBytes(keys.ResponderKey.Export());
        writer.WriteByte((byte)direction);
        writer.WriteUInt64(index);
    }
}
