using System.Security.Cryptography;
using System.Text;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Session;

namespace Privomega.Client.Chat;

/// <summary>Where a session stands.</summary>
public enum ChatState
{
    /// <summary>Matched; the peer's hello has not arrived yet.</summary>
    Pending,

    /// <summary>The peer's hello arrived: both hold the session.</summary>
    Established,

    /// <summary>One side ended the chat.</summary>
    Ended,

    /// <summary>The peer never answered within the timeout; the session was dropped.</summary>
    Abandoned,
}

/// <summary>Something a chat session delivered.</summary>
/// <param name="Kind">Hello, a complete text line, or the end of the chat.</param>
/// <param name="Text">The line, for <see cref="MailPayloadKind.Text"/>.</param>
/// <param name="Index">The mail index it completed at.</param>
public sealed record ChatEvent(MailPayloadKind Kind, string? Text, ulong Index);

/// <summary>
/// One two-party chat (DESIGN "Session"): the k-th mail of each direction goes to the k-th id of
/// that direction's one-time mailbox chain, sealed with <see cref="ChatMessage"/> at one fixed
/// padded size. Each side's mail 0 is a hello; text is split into fragments; an end-of-chat mail
/// ends it. Not thread-safe: the client's mail loop owns it.
/// </summary>
public sealed class ChatSession : IDisposable
{
    private readonly Queue<MailPayload> _outbox = new();
    private readonly StringBuilder _partial = new();
    private readonly int _paddedLength;
    private ulong _sendIndex;
    private ulong _receiveIndex;

    /// <summary>Creates a session from derived keys; queues this side's hello.</summary>
    public ChatSession(SessionKeys keys, Certificate peer, ulong startedMailEpoch, int mailCiphertextBytes)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(peer);
        _paddedLength = MailFormat.PaddedLength(mailCiphertextBytes);
        Keys = keys;
        Peer = peer;
        StartedMailEpoch = startedMailEpoch;
        _outbox.Enqueue(new MailPayload(MailPayloadKind.Hello, []));
    }

    /// <summary>The session keys.</summary>
    public SessionKeys Keys { get; }

    /// <summary>The peer's certificate.</summary>
    public Certificate Peer { get; }

    /// <summary>This side's role.</summary>
    public SessionRole Role => Keys.Role;

    /// <summary>The mail epoch the session began in.</summary>
    public ulong StartedMailEpoch { get; }

    /// <summary>The current state.</summary>
    public ChatState State { get; private set; } = ChatState.Pending;

    /// <summary>Mails written so far (hello included).</summary>
    public ulong Sent => _sendIndex;

    /// <summary>Mails received so far (hello included).</summary>
    public ulong Received => _receiveIndex;

    /// <summary>Mails waiting for their mail epoch.</summary>
    public int Queued => _outbox.Count;

    /// <summary>Bytes of text one mail carries.</summary>
    public int MaxFragmentBytes => _paddedLength - MailFormat.LengthPrefixBytes - MailPayload.HeaderBytes;

    /// <summary>Queues a line (split across mails when long). Ignored once the chat ended.</summary>
    public void QueueText(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (State is ChatState.Ended or ChatState.Abandoned)
        {
            return;
        }

        foreach (var fragment in MailPayload.SplitText(line, MaxFragmentBytes))
        {
            _outbox.Enqueue(fragment);
        }
    }

    /// <summary>Queues the end-of-chat mail; the session is over for this side once it is written.</summary>
    public void End()
    {
        if (State is ChatState.Pending or ChatState.Established)
        {
            _outbox.Enqueue(new MailPayload(MailPayloadKind.EndOfChat, []));
        }
    }

    /// <summary>Drops a session whose peer never answered.</summary>
    public void Abandon()
    {
        _outbox.Clear();
        State = ChatState.Abandoned;
    }

    /// <summary>
    /// The next real mail, if one is queued: its one-time mailbox id and its ciphertext of the
    /// deployment's one size. The caller writes it this mail epoch.
    /// </summary>
    public bool TryTakeNextMail(out byte[] mailboxId, out byte[] ciphertext)
    {
        mailboxId = [];
        ciphertext = [];
        if (State is ChatState.Ended or ChatState.Abandoned || !_outbox.TryDequeue(out var payload))
        {
            return false;
        }

        var plaintext = payload.Encode(_paddedLength - MailFormat.LengthPrefixBytes);
        try
        {
            ciphertext = ChatMessage.Seal(Keys, _sendIndex, plaintext).Encode();
            mailboxId = Keys.SendChain.MailboxId(_sendIndex);
            _sendIndex++;
            if (payload.Kind == MailPayloadKind.EndOfChat)
            {
                State = ChatState.Ended;
                _outbox.Clear();
            }

            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>The mailbox ids of the peer's next <paramref name="count"/> mails (what this side reads privately each mail epoch).</summary>
    public IReadOnlyList<byte[]> NextExpectedIds(int count) =>
        Enumerable.Range(0, count).Select(k => Keys.ReceiveChain.MailboxId(_receiveIndex + (ulong)k)).ToArray();

    /// <summary>Whether the session still reads and writes its own mail.</summary>
    public bool IsLive => State is ChatState.Pending or ChatState.Established;

    /// <summary>
    /// Opens the peer's next mail. False when the ciphertext does not open for the expected index
    /// (a forged or misplaced mail; the index does not advance). A hello establishes the session;
    /// a text fragment is held until its line is complete (<paramref name="delivered"/> stays null).
    /// </summary>
    public bool TryDeliver(ReadOnlySpan<byte> ciphertext, out ChatEvent? delivered)
    {
        delivered = Open(ciphertext, out var opened);
        return opened;
    }

    private ChatEvent? Open(ReadOnlySpan<byte> ciphertext, out bool opened)
    {
        opened = false;
        if (!IsLive || !ChatMessage.TryDecode(ciphertext, out var message, out _) || !message.TryOpen(Keys, _receiveIndex, out var plaintext))
        {
            return null;
        }

        try
        {
            if (!MailPayload.TryDecode(plaintext, out var payload))
            {
                return null;
            }

            opened = true;
            var index = _receiveIndex++;
            switch (payload.Kind)
            {
                case MailPayloadKind.Hello:
                    if (State == ChatState.Pending)
                    {
                        State = ChatState.Established;
                    }

                    return new ChatEvent(MailPayloadKind.Hello, null, index);
                case MailPayloadKind.TextContinues:
                    _partial.Append(Encoding.UTF8.GetString(payload.Bytes));
                    return null;
                case MailPayloadKind.Text:
                    _partial.Append(Encoding.UTF8.GetString(payload.Bytes));
                    var line = _partial.ToString();
                    _partial.Clear();
                    return new ChatEvent(MailPayloadKind.Text, line, index);
                default:
                    State = ChatState.Ended;
                    _outbox.Clear();
                    return new ChatEvent(MailPayloadKind.EndOfChat, null, index);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Keys.Dispose();
}

/// <summary>The fixed-size mail ciphertext: a <see cref="ChatMessage"/> padded to the deployment's one size.</summary>
public static class MailFormat
{
    /// <summary>The chat message's length prefix inside the padding.</summary>
    public const int LengthPrefixBytes = 2;

    /// <summary>version(1) ‖ nonce(24) before the ciphertext and the 16-byte tag after it.</summary>
    public const int Overhead = 1 + 24 + 16;

    /// <summary>The padded plaintext length of a deployment whose mail ciphertexts are <paramref name="mailCiphertextBytes"/> bytes.</summary>
    public static int PaddedLength(int mailCiphertextBytes)
    {
        var padded = mailCiphertextBytes - Overhead;
        if (padded < ChatMessage.BlockSize || padded > ChatMessage.MaxPaddedLength || padded % ChatMessage.BlockSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(mailCiphertextBytes), mailCiphertextBytes, $"Expected {Overhead} + a multiple of {ChatMessage.BlockSize} up to {ChatMessage.MaxPaddedLength}.");
        }

        return padded;
    }

    /// <summary>
    /// A dummy mail: a version byte and uniformly random bytes of the one mail size. A real
    /// ciphertext (random nonce, XChaCha20 output, Poly1305 tag) is indistinguishable from it
    /// without the key.
    /// </summary>
    public static byte[] Dummy(int mailCiphertextBytes)
    {
        var dummy = RandomNumberGenerator.GetBytes(mailCiphertextBytes);
        dummy[0] = ChatMessage.CurrentVersion;
        return dummy;
    }
}
