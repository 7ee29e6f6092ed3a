using Privomega.Client.Audit;
using Privomega.Client.Identity;
using Privomega.Client.Pir;
using Privomega.Client.Transport;
using Privomega.Protocol.Api;

namespace Privomega.Client.Chat;

/// <summary>The mail side of the server as the scheduler needs it: one write, one padded private read.</summary>
public interface IMailroom
{
    /// <summary>Writes one mail under a one-time id, spending a token; returns the mail epoch that will carry it.</summary>
    Task<ulong> WriteAsync(byte[] mailboxId, byte[] ciphertext, CancellationToken cancellationToken);

    /// <summary>Reads the mailboxes <paramref name="mailboxIds"/> privately (every candidate bucket of each); null where nothing is stored yet.</summary>
    Task<byte[]?[]> ReadAsync(IReadOnlyList<byte[]> mailboxIds, CancellationToken cancellationToken);
}

/// <summary>
/// The real mailroom: <c>POST /v1/mail</c> with an anonymous token, and keyword PIR over the latest
/// mailbox snapshot whose signed mail head the client checked (signature, shape, layout key).
/// </summary>
public sealed class Mailroom : IMailroom
{
    private readonly IPrivomegaServer _primary;
    private readonly PrivateReader _reader;
    private readonly TokenWallet _wallet;
    private readonly Deployment _deployment;
    private readonly ClientLedger _ledger;

    /// <summary>Creates the mailroom.</summary>
    public Mailroom(IPrivomegaServer primary, PrivateReader reader, TokenWallet wallet, Deployment deployment, ClientLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(wallet);
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(ledger);
        _primary = primary;
        _reader = reader;
        _wallet = wallet;
        _deployment = deployment;
        _ledger = ledger;
    }

    /// <summary>The mail epoch of the last snapshot read.</summary>
    public ulong LastSnapshot { get; private set; }

    /// <inheritdoc />
    public async Task<ulong> WriteAsync(byte[] mailboxId, byte[] ciphertext, CancellationToken cancellationToken)
    {
        var token = await _wallet.TakeAsync(cancellationToken).ConfigureAwait(false);
        return await _primary.PutMailAsync(mailboxId, token, ciphertext, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<byte[]?[]> ReadAsync(IReadOnlyList<byte[]> mailboxIds, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadOnceAsync(mailboxIds, cancellationToken).ConfigureAwait(false);
        }
        catch (ServerRejectedException e) when (e.Status is 410 or 503)
        {
            // The snapshot moved on between the config and the query: read the new one.
            return await ReadOnceAsync(mailboxIds, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<byte[]?[]> ReadOnceAsync(IReadOnlyList<byte[]> mailboxIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mailboxIds);
        var config = await _reader.GetConfigAsync(PirDatabaseKind.Mailbox, cancellationToken).ConfigureAwait(false);
        var head = await _primary.GetMailHeadAsync(config.SnapshotId, cancellationToken).ConfigureAwait(false)
            ?? throw new ServerUnavailableException($"{_primary.Name} has no mail head for snapshot {config.SnapshotId}.");
        if (!head.VerifySignature(_deployment.ServerKey))
        {
            throw new ProtocolViolationException($"The mail head of mail epoch {head.MailEpoch} is not signed by the server.");
        }

        if (head.MailEpoch != config.SnapshotId || head.RecordCount != config.RecordCount || head.RecordBytes != config.RecordBytes
            || !head.LayoutKey.SequenceEqual(config.LayoutKey.Span))
        {
            throw new ProtocolViolationException($"The mailbox snapshot {config.SnapshotId} does not have the shape its signed mail head states.");
        }

        _ledger.AddMailHead(head);
        LastSnapshot = config.SnapshotId;
        var candidates = mailboxIds.Select(id => Enumerable.Range(0, config.HashCount).Select(j => MailboxLayout.Candidate(config.LayoutKey.Span, j, id, config.RecordCount)).ToArray()).ToArray();
        var buckets = await _reader.ReadAsync(config, candidates.SelectMany(c => c).ToArray(), _wallet.TakeAsync, cancellationToken).ConfigureAwait(false);
        var found = new byte[]?[mailboxIds.Count];
        var at = 0;
        for (var i = 0; i < mailboxIds.Count; i++)
        {
            foreach (var _ in candidates[i])
            {
                if (found[i] is null && MailboxLayout.TryFind(buckets[at], mailboxIds[i], _deployment.MailCiphertextBytes, out var ciphertext))
                {
                    found[i] = ciphertext.ToArray();
                }

                at++;
            }
        }

        return found;
    }
}
