using System.Security.Cryptography;
using Privomega.Protocol.Api;

namespace Privomega.Client.Chat;

/// <summary>What one mail epoch did.</summary>
/// <param name="MailEpoch">The mail epoch the write landed in (the server's answer).</param>
/// <param name="WroteReal">Whether the write carried a real mail (false: a dummy). Never leaves the client.</param>
/// <param name="WrittenId">The id written.</param>
/// <param name="Events">What the session delivered.</param>
public sealed record MailEpochOutcome(ulong MailEpoch, bool WroteReal, byte[] WrittenId, IReadOnlyList<ChatEvent> Events);

/// <summary>
/// The cover-traffic rule (DESIGN "Mailboxes and cover traffic"): every mail epoch, exactly one write —
/// the session's next queued mail to its next one-time id, or else a dummy of the same size to a
/// fresh random id, through the same call with a token spent either way — and exactly
/// <see cref="ReadsPerMailEpoch"/> private reads: the session's next expected ids, padded with
/// random ids. The server sees the same pattern whether or not anyone is chatting.
/// </summary>
public sealed class MailScheduler
{
    private readonly IMailroom _mailroom;
    private readonly int _mailCiphertextBytes;

    /// <summary>Creates the scheduler.</summary>
    public MailScheduler(IMailroom mailroom, int mailCiphertextBytes, int readsPerMailEpoch)
    {
        ArgumentNullException.ThrowIfNull(mailroom);
        ArgumentOutOfRangeException.ThrowIfLessThan(readsPerMailEpoch, 1);
        _ = MailFormat.PaddedLength(mailCiphertextBytes);
        _mailroom = mailroom;
        _mailCiphertextBytes = mailCiphertextBytes;
        ReadsPerMailEpoch = readsPerMailEpoch;
    }

    /// <summary>Private reads per mail epoch.</summary>
    public int ReadsPerMailEpoch { get; }

    /// <summary>Runs one mail epoch for <paramref name="session"/> (null: no chat, cover traffic only).</summary>
    public async Task<MailEpochOutcome> RunAsync(ChatSession? session, CancellationToken cancellationToken)
    {
        byte[] id = [];
        byte[] ciphertext = [];
        var real = session is not null && session.TryTakeNextMail(out id, out ciphertext);
        if (!real)
        {
            id = RandomNumberGenerator.GetBytes(MailPut.MailboxIdSize);
            ciphertext = MailFormat.Dummy(_mailCiphertextBytes);
        }

        var mailEpoch = await _mailroom.WriteAsync(id, ciphertext, cancellationToken).ConfigureAwait(false);

        // Reads: the session's next ids (two, so a missed epoch is caught up), then random padding,
        // in a random order.
        var ids = new List<byte[]>(ReadsPerMailEpoch);
        var expected = 0;
        if (session is { IsLive: true })
        {
            expected = Math.Min(2, ReadsPerMailEpoch);
            ids.AddRange(session.NextExpectedIds(expected));
        }

        while (ids.Count < ReadsPerMailEpoch)
        {
            ids.Add(RandomNumberGenerator.GetBytes(MailPut.MailboxIdSize));
        }

        var order = Enumerable.Range(0, ids.Count).ToArray();
        RandomNumberGenerator.Shuffle(order.AsSpan());
        var shuffled = order.Select(i => ids[i]).ToArray();
        var read = await _mailroom.ReadAsync(shuffled, cancellationToken).ConfigureAwait(false);
        var events = new List<ChatEvent>();
        for (var k = 0; k < expected && session is { IsLive: true }; k++)
        {
            var position = Array.IndexOf(order, k);
            if (read[position] is not { } mail)
            {
                break;
            }

            if (!session.TryDeliver(mail, out var delivered))
            {
                break;
            }

            if (delivered is not null)
            {
                events.Add(delivered);
            }
        }

        return new MailEpochOutcome(mailEpoch, real, id, events);
    }
}
