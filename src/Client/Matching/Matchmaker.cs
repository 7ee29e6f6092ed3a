using Privomega.Client.Identity;
using Privomega.Client.Pir;
using Privomega.Client.Transport;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Session;
using Privomega.Protocol.Vrf;

namespace Privomega.Client.Matching;

/// <summary>Alice's side of a match she started.</summary>
/// <param name="Epoch">The epoch.</param>
/// <param name="Target">Bob's id, <c>r mod n_t</c>.</param>
/// <param name="Peer">Bob's certificate, read privately and verified.</param>
/// <param name="Beta">Alice's VRF output (used to break a tie when two users pick each other).</param>
/// <param name="Keys">The session keys.</param>
public sealed record Initiated(ulong Epoch, long Target, Certificate Peer, byte[] Beta, SessionKeys Keys);

/// <summary>Bob's side of a match he accepted.</summary>
/// <param name="Epoch">The epoch.</param>
/// <param name="Peer">Alice's certificate.</param>
/// <param name="Beta">Alice's VRF output.</param>
/// <param name="Keys">The session keys.</param>
public sealed record Accepted(ulong Epoch, Certificate Peer, byte[] Beta, SessionKeys Keys);

/// <summary>What <see cref="Matchmaker.TryInitiateAsync"/> did.</summary>
public enum InitiateResult
{
    /// <summary>A request was posted.</summary>
    Posted,

    /// <summary>The VRF picked the client itself; it waits for the next epoch (DESIGN "Matchmaking").</summary>
    SelfMatch,

    /// <summary>The directory snapshot the server serves is not the epoch's (rollover); try again.</summary>
    SnapshotMoved,
}

/// <summary>
/// Matchmaking (DESIGN "Matchmaking"). Alice: the VRF over the epoch's beacon picks
/// <c>id_b = r mod n_t</c>, she reads record <c>id_b</c> of <c>keydir_t</c> privately, checks it
/// against the signed head (certificate signature, proof of work, issue time, inclusion), and posts
/// an HPKE-sealed request to Bob's key. Bob: polls the queue, trial-opens every request and accepts
/// the ones <see cref="MatchmakingVerifier"/> accepts.
/// </summary>
public sealed class Matchmaker
{
    private readonly IPrivomegaServer _primary;
    private readonly PrivateReader _directory;
    private readonly Deployment _deployment;
    private readonly ClientIdentity _identity;
    // One verifier and queue cursor per epoch, for the current and the previous epoch (the server
    // keeps both queues, so a request posted late in an epoch is still read after the rollover).
    private readonly Dictionary<ulong, (MatchmakingVerifier Verifier, long Cursor)> _queues = [];

    /// <summary>Creates the matchmaker.</summary>
    public Matchmaker(IPrivomegaServer primary, PrivateReader directory, Deployment deployment, ClientIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(identity);
        _primary = primary;
        _directory = directory;
        _deployment = deployment;
        _identity = identity;
    }

    /// <summary>Requests refused so far, by reason (forged, replayed, not for this client…).</summary>
    public Dictionary<MatchmakingVerdict, int> Refused { get; } = [];

    /// <summary>Requests in the queue that did not open with this client's key (meant for others).</summary>
    public int NotForMe { get; private set; }

    /// <summary>Alice's step for <paramref name="head"/>; <paramref name="me"/> is her membership in it.</summary>
    public async Task<(InitiateResult Result, Initiated? Match)> TryInitiateAsync(EpochHead head, Membership me, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(me);
        var certificate = _identity.Certificate ?? throw new InvalidOperationException("Register before matching.");
        var proof = MatchmakingRequest.Prove(_identity.VrfKey, head, out var target);
        if (target == me.LeafIndex)
        {
            return (InitiateResult.SelfMatch, null);
        }

        PirConfig config;
        byte[][] records;
        try
        {
            config = await _directory.GetConfigAsync(PirDatabaseKind.Directory, cancellationToken).ConfigureAwait(false);
            if (config.SnapshotId != head.Epoch)
            {
                return (InitiateResult.SnapshotMoved, null);
            }

            if (config.RecordCount != head.DirectorySize || config.RecordBytes != DirectoryRecord.SizeFor(head.DirectorySize))
            {
                throw new ProtocolViolationException($"The directory snapshot of epoch {head.Epoch} has {config.RecordCount} records of {config.RecordBytes} bytes; the signed head says {head.DirectorySize} of {DirectoryRecord.SizeFor(head.DirectorySize)}.");
            }

            records = await _directory.ReadAsync(config, [target], null, cancellationToken).ConfigureAwait(false);
        }
        catch (ServerRejectedException e) when (e.Status is 410 or 503)
        {
            // The epoch rolled over (or a server has not built the snapshot yet): next epoch.
            return (InitiateResult.SnapshotMoved, null);
        }

        if (!DirectoryRecord.TryDecode(records[0], head.DirectorySize, out var record, out var error))
        {
            throw new ProtocolViolationException($"The directory record read privately does not decode: {error}.");
        }

        if (!record.Verify(head, target, _deployment.ServerKey, _deployment.PowDifficulty))
        {
            throw new ProtocolViolationException($"The directory record of epoch {head.Epoch} does not verify against the signed head (certificate, proof of work, issue time or inclusion).");
        }

        var request = MatchmakingRequest.Create(head, certificate, me.LeafIndex, me.Path, proof);
        var sealedRequest = request.Seal(record.Certificate.DhKey);
        if (!SessionKeys.TryDerive(_identity.DhKey, record.Certificate.DhKey, SessionRole.Initiator, head.Epoch, out var keys))
        {
            throw new ProtocolViolationException("The matched certificate carries a small-order X25519 key.");
        }

        await _primary.PostMatchRequestAsync(head.Epoch, sealedRequest, cancellationToken).ConfigureAwait(false);
        return (InitiateResult.Posted, new Initiated(head.Epoch, target, record.Certificate, Beta(proof), keys));
    }

    /// <summary>
    /// Bob's step: polls the queue of <paramref name="head"/>'s epoch from where it left off and
    /// returns every request that passes every check, in queue order.
    /// </summary>
    public async Task<IReadOnlyList<Accepted>> PollAsync(EpochHead head, Membership me, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(me);
        var certificate = _identity.Certificate ?? throw new InvalidOperationException("Register before matching.");
        if (!_queues.TryGetValue(head.Epoch, out var state))
        {
            state = (new MatchmakingVerifier(_deployment.ServerKey, _deployment.PowDifficulty, head, certificate, me.LeafIndex), 0);
            foreach (var old in _queues.Keys.Where(e => e + 1 < head.Epoch).ToList())
            {
                _queues.Remove(old);
            }
        }

        var accepted = new List<Accepted>();
        while (true)
        {
            var page = await _primary.PollMatchQueueAsync(head.Epoch, state.Cursor, cancellationToken).ConfigureAwait(false);
            state.Cursor = page.NextCursor;
            _queues[head.Epoch] = state;
            foreach (var sealedRequest in page.Requests)
            {
                if (!MatchmakingRequest.TryOpen(sealedRequest, _identity.DhKey, out var request))
                {
                    NotForMe++;
                    continue;
                }

                var verdict = state.Verifier.Verify(request);
                if (verdict != MatchmakingVerdict.Accepted)
                {
                    Refused[verdict] = Refused.GetValueOrDefault(verdict) + 1;
                    continue;
                }

                if (SessionKeys.TryDerive(_identity.DhKey, request.Certificate.DhKey, SessionRole.Responder, head.Epoch, out var keys))
                {
                    accepted.Add(new Accepted(head.Epoch, request.Certificate, Beta(request.VrfProof), keys));
                }
            }

            if (page.Requests.Count == 0)
            {
                return accepted;
            }
        }
    }

    private static byte[] Beta(ReadOnlySpan<byte> proof)
    {
        var beta = new byte[EcVrf.OutputSize];
        if (!EcVrf.TryProofToHash(MatchmakingRequest.VrfSuite, proof, beta))
        {
            throw new ProtocolViolationException("A VRF proof that verified does not hash.");
        }

        return beta;
    }
}
