using System.Diagnostics;
using System.Security.Cryptography;
using Privomega.Client.Audit;
using Privomega.Client.Chat;
using Privomega.Client.Identity;
using Privomega.Client.Matching;
using Privomega.Client.Monitoring;
using Privomega.Client.Pir;
using Privomega.Client.Transport;
using Privomega.Pir.Engine;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Session;

namespace Privomega.Client;

/// <summary>How a client behaves: the PIR scheme it reads with, its reads per mail epoch, matching.</summary>
public sealed record ClientOptions
{
    /// <summary>The PIR scheme for the directory and the mailboxes.</summary>
    public PirSchemeKind Scheme { get; init; } = PirSchemeKind.XorDpf;

    /// <summary>Private mailbox reads per mail epoch (each fetches every candidate bucket).</summary>
    public int ReadsPerMailEpoch { get; init; } = 2;

    /// <summary>Tokens fetched per issuance request.</summary>
    public int TokenBatch { get; init; } = 16;

    /// <summary>Whether the client looks for a chat partner on its own while it has none.</summary>
    public bool AutoMatch { get; init; } = true;

    /// <summary>Chance per epoch that a client without a chat starts a match (the rest of the time it waits to be picked).</summary>
    public double InitiateProbability { get; init; } = 0.5;

    /// <summary>Mail epochs a new session waits for the peer's hello before it is dropped.</summary>
    public int HelloTimeoutMailEpochs { get; init; } = 12;
}

/// <summary>Something the client wants its host (CLI, demo) to know.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Detail">A short human-readable line.</param>
/// <param name="Text">A delivered chat line, for <see cref="ClientEventKind.Message"/>.</param>
public sealed record ClientEvent(ClientEventKind Kind, string Detail, string? Text = null);

/// <summary>Kinds of <see cref="ClientEvent"/>.</summary>
public enum ClientEventKind
{
    /// <summary>Registered (or re-registered) an identity.</summary>
    Registered,

    /// <summary>A new epoch's head was checked.</summary>
    Epoch,

    /// <summary>Posted a matchmaking request.</summary>
    MatchRequested,

    /// <summary>The VRF picked this client itself; waiting for the next epoch.</summary>
    SelfMatch,

    /// <summary>Accepted someone's request.</summary>
    MatchAccepted,

    /// <summary>The peer's hello arrived: the chat is on.</summary>
    ChatStarted,

    /// <summary>A chat line arrived.</summary>
    Message,

    /// <summary>The chat ended (either side).</summary>
    ChatEnded,

    /// <summary>The peer never answered; the session was dropped.</summary>
    MatchTimedOut,
}

/// <summary>
/// One Privomega user: registers, monitors both servers, matches, chats and keeps the ledger the
/// audit reads. Drive it with <see cref="RunMailEpochAsync"/> once per mailbox snapshot (or
/// <see cref="RunAsync"/>), which does the epoch's checks, the matchmaking step and the mail
/// epoch's one write and fixed reads. Not thread-safe: one loop owns a client.
/// </summary>
public sealed class PrivomegaClient : IDisposable
{
    private readonly IPrivomegaServer _primary;
    private readonly IPrivomegaServer? _replica;
    private readonly ClientOptions _options;
    private readonly List<ClientEvent> _pendingEvents = [];
    private ServerMonitor? _monitor;
    private Matchmaker? _matchmaker;
    private MailScheduler? _scheduler;
    private PrivateReader? _reader;
    private LatticeKeyring? _keyring;
    private Membership? _membership;
    private ulong _epoch = ulong.MaxValue;
    private ulong _initiatedEpoch = ulong.MaxValue;
    private byte[]? _pendingBeta;
    private ulong _lastSnapshot;
    private long _ticks;

    /// <summary>Creates a client over the two servers (the replica may be null for lattice PIR only).</summary>
    public PrivomegaClient(IPrivomegaServer primary, IPrivomegaServer? replica, ClientOptions options, ClientIdentity? identity = null, ClientLedger? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(options);
        _primary = primary;
        _replica = replica;
        _options = options;
        Identity = identity ?? ClientIdentity.Generate();
        Ledger = ledger ?? new ClientLedger();
    }

    /// <summary>The identity (re-created when the certificate expires).</summary>
    public ClientIdentity Identity { get; private set; }

    /// <summary>Everything stored for the audit.</summary>
    public ClientLedger Ledger { get; }

    /// <summary>The deployment, after <see cref="ConnectAsync"/>.</summary>
    public Deployment? Deployment { get; private set; }

    /// <summary>The current chat, if any.</summary>
    public ChatSession? Session { get; private set; }

    /// <summary>The epoch-head monitor.</summary>
    public ServerMonitor? Monitor => _monitor;

    /// <summary>The matchmaker (its refusal counters are what a test inspects).</summary>
    public Matchmaker? Matchmaker => _matchmaker;

    /// <summary>The current epoch's head.</summary>
    public EpochHead? Head => _monitor?.Latest;

    /// <summary>This client's membership in the current epoch, once listed.</summary>
    public Membership? Membership => _membership;

    /// <summary>Every write: (mail epoch, mailbox id hex); real and dummy alike.</summary>
    public List<(ulong MailEpoch, string MailboxId)> Writes { get; } = [];

    /// <summary>Mail epochs in which this client made its reads.</summary>
    public List<ulong> ReadSnapshots { get; } = [];

    /// <summary>Bytes sent in PIR queries, mail and matchmaking.</summary>
    public long BytesUp => (_reader?.BytesUp ?? 0) + (_keyring?.BytesUploaded ?? 0) + (Writes.Count * (long)(Deployment?.MailCiphertextBytes ?? 0));

    /// <summary>Bytes received in PIR answers.</summary>
    public long BytesDown => _reader?.BytesDown ?? 0;

    /// <summary>Reads the deployment, checks the replica agrees on the server key, and registers when needed.</summary>
    public async Task ConnectAsync(IProgress<PowProgress>? progress, CancellationToken cancellationToken)
    {
        var info = await _primary.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        if (info.Role != ServerRole.Primary)
        {
            throw new ProtocolViolationException($"{_primary.Name} says it is a {info.Role}, not the primary.");
        }

        var deployment = Deployment = Transport.Deployment.From(info);
        if (_options.Scheme is PirSchemeKind.XorBitVector or PirSchemeKind.XorDpf)
        {
            if (_replica is null)
            {
                throw new ArgumentException($"Scheme {_options.Scheme} needs a replica.");
            }

            var replicaInfo = await _replica.GetInfoAsync(cancellationToken).ConfigureAwait(false);
            if (replicaInfo.Role != ServerRole.Replica || !replicaInfo.ServerKey.Span.SequenceEqual(info.ServerKey.Span))
            {
                throw new ProtocolViolationException($"{_replica.Name} is not a replica of this primary (role {replicaInfo.Role}, another server key).");
            }
        }

        if (!deployment.Serves(_options.Scheme))
        {
            throw new ArgumentException($"The primary does not serve PIR scheme {_options.Scheme}.");
        }

        _monitor = new ServerMonitor(_primary, _replica, deployment, Ledger);
        // The server's key period is one epoch: keys are uploaded once per epoch under a fresh secret.
        _keyring = _options.Scheme == PirSchemeKind.Lattice ? new LatticeKeyring(() => _monitor.Latest?.Epoch ?? 0) : null;
        _reader = new PrivateReader(_options.Scheme, _primary, _replica, _keyring);
        // Validity is judged on the server's clock (the latest head's time), not this machine's.
        var latest = await _primary.GetHeadAsync(null, cancellationToken).ConfigureAwait(false);
        var now = latest is null ? NowSeconds() : latest.TimeMilliseconds / 1000;
        if (Identity.Certificate is null || NeedsRenewal(deployment, now))
        {
            await RegisterAsync(progress, cancellationToken).ConfigureAwait(false);
        }

        BuildPipeline(deployment);
    }

    /// <summary>Waits for the next mailbox snapshot, then runs one mail epoch; returns what happened.</summary>
    public async Task<IReadOnlyList<ClientEvent>> RunMailEpochAsync(CancellationToken cancellationToken)
    {
        var deployment = Deployment ?? throw new InvalidOperationException("Connect first.");
        await WaitForSnapshotAsync(deployment, cancellationToken).ConfigureAwait(false);
        return await StepAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs mail epochs until cancelled, reporting events.</summary>
    public async Task RunAsync(Action<ClientEvent> report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var e in await RunMailEpochAsync(cancellationToken).ConfigureAwait(false))
            {
                report(e);
            }
        }
    }

    /// <summary>Queues a line to the current chat; false when there is none.</summary>
    public bool Send(string line)
    {
        if (Session is not { IsLive: true })
        {
            return false;
        }

        Session.QueueText(line);
        return true;
    }

    /// <summary>Ends the current chat (the end-of-chat mail goes out in the next mail epoch).</summary>
    public void EndChat() => Session?.End();

    /// <summary>Stores the ledger's certificate list and saves it.</summary>
    public void SaveLedger(string path) => Ledger.Save(path);

    /// <inheritdoc />
    public void Dispose()
    {
        Session?.Dispose();
        _keyring?.Dispose();
        Identity.Dispose();
    }

    /// <summary>One mail epoch: heads, own inclusion, matchmaking, the write and the reads.</summary>
    internal async Task<IReadOnlyList<ClientEvent>> StepAsync(CancellationToken cancellationToken)
    {
        var deployment = Deployment ?? throw new InvalidOperationException("Connect first.");
        _ticks++;
        var previousHead = _monitor!.Latest;
        var previousMembership = _membership;
        var head = await _monitor.RefreshAsync(cancellationToken).ConfigureAwait(false);
        if (head.Epoch != _epoch)
        {
            if (previousHead is not null && previousMembership is not null && previousHead.Epoch + 1 == head.Epoch && _options.AutoMatch)
            {
                // Requests posted at the very end of the last epoch.
                await AcceptAsync(await _matchmaker!.PollAsync(previousHead, previousMembership, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            }

            _epoch = head.Epoch;
            _membership = await _monitor.CheckOwnInclusionAsync(Identity, head, cancellationToken).ConfigureAwait(false);
            Emit(ClientEventKind.Epoch, $"epoch {head.Epoch}: {head.DirectorySize} users listed{(_membership is null ? "" : $", this client is #{_membership.LeafIndex}")}");
            if (Session is not { IsLive: true } && NeedsRenewal(deployment, head.TimeMilliseconds / 1000))
            {
                await RegisterAsync(null, cancellationToken).ConfigureAwait(false);
                _membership = null;
            }
        }

        if (_membership is not null && _options.AutoMatch)
        {
            await MatchStepAsync(head, _membership, cancellationToken).ConfigureAwait(false);
        }

        var outcome = await _scheduler!.RunAsync(Session, cancellationToken).ConfigureAwait(false);
        Writes.Add((outcome.MailEpoch, Convert.ToHexString(outcome.WrittenId)));
        ReadSnapshots.Add(_lastSnapshot);
        foreach (var delivered in outcome.Events)
        {
            switch (delivered.Kind)
            {
                case Chat.MailPayloadKind.Hello:
                    Emit(ClientEventKind.ChatStarted, $"chat started (peer {Fingerprint(Session!.Peer)})");
                    break;
                case Chat.MailPayloadKind.Text:
                    Emit(ClientEventKind.Message, $"message {delivered.Index}", delivered.Text);
                    break;
                case Chat.MailPayloadKind.EndOfChat:
                    Emit(ClientEventKind.ChatEnded, "the peer ended the chat");
                    break;
            }
        }

        if (Session is { State: ChatState.Pending } pending && outcome.MailEpoch > pending.StartedMailEpoch + (ulong)_options.HelloTimeoutMailEpochs)
        {
            pending.Abandon();
            Emit(ClientEventKind.MatchTimedOut, $"no answer from {Fingerprint(pending.Peer)}; matching again");
        }

        var events = _pendingEvents.ToList();
        _pendingEvents.Clear();
        return events;
    }

    private async Task MatchStepAsync(EpochHead head, Membership me, CancellationToken cancellationToken)
    {
        // Everyone polls every epoch (the server learns who polls, never what they found).
        await AcceptAsync(await _matchmaker!.PollAsync(head, me, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        if (Session is { IsLive: true } || _initiatedEpoch == head.Epoch || Random.Shared.NextDouble() >= _options.InitiateProbability)
        {
            return;
        }

        _initiatedEpoch = head.Epoch;
        var (result, initiated) = await _matchmaker.TryInitiateAsync(head, me, cancellationToken).ConfigureAwait(false);
        switch (result)
        {
            case InitiateResult.Posted:
                ReplaceSession(new ChatSession(initiated!.Keys, initiated.Peer, _lastSnapshot, Deployment!.MailCiphertextBytes));
                _pendingBeta = initiated.Beta;
                Emit(ClientEventKind.MatchRequested, $"the VRF picked #{initiated.Target} in epoch {head.Epoch}; its record verified; request sent to {Fingerprint(initiated.Peer)}");
                break;
            case InitiateResult.SelfMatch:
                Emit(ClientEventKind.SelfMatch, $"the VRF picked this client itself in epoch {head.Epoch}; waiting for the next epoch");
                break;
            default:
                _initiatedEpoch = ulong.MaxValue;
                break;
        }
    }

    private Task AcceptAsync(IReadOnlyList<Accepted> accepted)
    {
        foreach (var match in accepted)
        {
            if (Session is { State: ChatState.Established })
            {
                match.Keys.Dispose();
                continue;
            }

            if (Session is { State: ChatState.Pending, Role: SessionRole.Initiator } mine && mine.Peer.Equals(match.Peer)
                && _pendingBeta is not null && _pendingBeta.AsSpan().SequenceCompareTo(match.Beta) < 0)
            {
                // We picked each other: the smaller VRF output stays the initiator, on both sides.
                match.Keys.Dispose();
                continue;
            }

            if (Session is { State: ChatState.Pending, Role: SessionRole.Responder })
            {
                match.Keys.Dispose();
                continue;
            }

            ReplaceSession(new ChatSession(match.Keys, match.Peer, _lastSnapshot, Deployment!.MailCiphertextBytes));
            _pendingBeta = null;
            Emit(ClientEventKind.MatchAccepted, $"accepted a verified request from {Fingerprint(match.Peer)} in epoch {match.Epoch}");
        }

        return Task.CompletedTask;
    }

    private void ReplaceSession(ChatSession session)
    {
        Session?.Dispose();
        Session = session;
    }

    private async Task RegisterAsync(IProgress<PowProgress>? progress, CancellationToken cancellationToken)
    {
        var deployment = Deployment!;
        if (Identity.Certificate is not null)
        {
            Identity.Dispose();
            Identity = ClientIdentity.Generate();
        }

        var watch = Stopwatch.StartNew();
        var certificate = await Registrar.RegisterAsync(_primary, deployment, Identity, progress, cancellationToken).ConfigureAwait(false);
        Ledger.Certificates.Add(new StoredCertificate(certificate.Encode(), (long)deployment.SurelyListedFor.TotalSeconds));
        BuildPipeline(deployment);
        Emit(ClientEventKind.Registered, $"registered {Fingerprint(certificate)} ({deployment.PowDifficulty}-bit proof of work, {watch.Elapsed.TotalSeconds:F1} s)");
    }

    private void BuildPipeline(Deployment deployment)
    {
        if (Identity.Certificate is null)
        {
            return;
        }

        _matchmaker = new Matchmaker(_primary, _reader!, deployment, Identity);
        var wallet = new TokenWallet(_primary, Identity, _options.TokenBatch);
        var mailroom = new Mailroom(_primary, _reader!, wallet, deployment, Ledger);
        _scheduler = new MailScheduler(new SnapshotTrackingMailroom(mailroom, s => _lastSnapshot = s), deployment.MailCiphertextBytes, _options.ReadsPerMailEpoch);
    }

    private async Task WaitForSnapshotAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        var poll = TimeSpan.FromMilliseconds(Math.Clamp(deployment.MailEpochLength.TotalMilliseconds / 10, 10, 250));
        while (true)
        {
            // The next write belongs to the mail epoch after the last one written: wait until that one closed.
            var head = await _primary.GetMailHeadAsync(null, cancellationToken).ConfigureAwait(false);
            if (head is not null && (Writes.Count == 0 || head.MailEpoch >= Writes[^1].MailEpoch))
            {
                return;
            }

            await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
        }
    }

    // Re-register when fewer than two epochs of the certificate's life are left at <paramref name="now"/>.
    private bool NeedsRenewal(Deployment deployment, ulong now) =>
        !Identity.IsValidAt(now + (ulong)(deployment.EpochLength.TotalSeconds * 2), deployment.CertificateLifetime);

    private static ulong NowSeconds() => (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>A short, non-secret name for a certificate (its hash prefix).</summary>
    internal static string Fingerprint(Certificate certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.Encoded))[..8];

    private void Emit(ClientEventKind kind, string detail, string? text = null) => _pendingEvents.Add(new ClientEvent(kind, detail, text));

    private sealed class SnapshotTrackingMailroom(Mailroom inner, Action<ulong> onSnapshot) : IMailroom
    {
        public Task<ulong> WriteAsync(byte[] mailboxId, byte[] ciphertext, CancellationToken cancellationToken) => inner.WriteAsync(mailboxId, ciphertext, cancellationToken);

        public async Task<byte[]?[]> ReadAsync(IReadOnlyList<byte[]> mailboxIds, CancellationToken cancellationToken)
        {
            var found = await inner.ReadAsync(mailboxIds, cancellationToken).ConfigureAwait(false);
            onSnapshot(inner.LastSnapshot);
            return found;
        }
    }
}
