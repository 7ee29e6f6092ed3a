using Privomega.Client.Audit;
using Privomega.Client.Identity;
using Privomega.Client.Transport;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Merkle;

namespace Privomega.Client.Monitoring;

/// <summary>
/// The client's watch over the servers (DESIGN "Key transparency", "Epochs"): every head of the
/// primary must extend the hash chain with a log consistency proof, the replica must re-serve the
/// very same head, and the client's own certificate must be in <c>keydir_t</c> while it is valid.
/// Two different signed heads for an epoch stop the client with <see cref="EquivocationDetectedException"/>;
/// any other broken promise stops it with <see cref="ProtocolViolationException"/>. Everything seen
/// goes into the <see cref="ClientLedger"/> for the audit.
/// </summary>
public sealed class ServerMonitor
{
    private readonly IPrivomegaServer _primary;
    private readonly IPrivomegaServer? _replica;
    private readonly Deployment _info;
    private readonly ClientLedger _ledger;
    private readonly EpochHeadMonitor _heads;

    /// <summary>Creates a monitor; <paramref name="replica"/> may be null for a lattice-only deployment.</summary>
    public ServerMonitor(IPrivomegaServer primary, IPrivomegaServer? replica, Deployment info, ClientLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(ledger);
        _primary = primary;
        _replica = replica;
        _info = info;
        _ledger = ledger;
        _heads = new EpochHeadMonitor(info.ServerKey);
        _ledger.ServerKey = info.ServerKey.Export();
    }

    /// <summary>The newest head accepted.</summary>
    public EpochHead? Latest => _heads.Latest;

    /// <summary>Equivocation evidence, once found.</summary>
    public EquivocationEvidence? Evidence => _heads.Evidence;

    /// <summary>Heads the replica did not have yet when asked (it lags the primary by design).</summary>
    public int ReplicaMisses { get; private set; }

    /// <summary>
    /// Brings the client up to the primary's latest head, checking every head in between, and
    /// compares the latest with the replica's. Returns the latest head.
    /// </summary>
    public async Task<EpochHead> RefreshAsync(CancellationToken cancellationToken)
    {
        ThrowIfStopped();
        var latest = await _primary.GetHeadAsync(null, cancellationToken).ConfigureAwait(false)
            ?? throw new ServerUnavailableException($"{_primary.Name} has published no epoch head yet.");
        if (_heads.Latest is null)
        {
            await ObserveAsync(ServerRole.Primary, latest, [], cancellationToken).ConfigureAwait(false);
        }
        else if (latest.Epoch > _heads.Latest.Epoch)
        {
            for (var epoch = _heads.Latest.Epoch + 1; epoch <= latest.Epoch; epoch++)
            {
                var head = epoch == latest.Epoch
                    ? latest
                    : await _primary.GetHeadAsync(epoch, cancellationToken).ConfigureAwait(false)
                        ?? throw new ProtocolViolationException($"{_primary.Name} withholds the head of epoch {epoch} below its latest {latest.Epoch}.");
                var previous = _heads.Latest!;
                var proof = await _primary.GetLogConsistencyAsync(previous.Epoch, head.Epoch, cancellationToken).ConfigureAwait(false);
                await ObserveAsync(ServerRole.Primary, head, proof, cancellationToken).ConfigureAwait(false);
                _ledger.Consistency.Add(new StoredConsistency(previous.Epoch, head.Epoch, proof));
            }
        }
        else if (latest.Epoch == _heads.Latest.Epoch)
        {
            // The same epoch again: it must be the same head, or it is evidence.
            await ObserveAsync(ServerRole.Primary, latest, [], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw new ProtocolViolationException($"{_primary.Name} went back from epoch {_heads.Latest.Epoch} to {latest.Epoch}.");
        }

        await CompareWithReplicaAsync(_heads.Latest!, cancellationToken).ConfigureAwait(false);
        return _heads.Latest!;
    }

    /// <summary>
    /// Offers a head that arrived another way (another client, a gossip channel, a test) to the
    /// monitor; a conflicting one stops the client with evidence.
    /// </summary>
    public Task ObserveForeignHeadAsync(ServerRole role, EpochHead head, CancellationToken cancellationToken) =>
        ObserveAsync(role, head, [], cancellationToken);

    /// <summary>
    /// Checks the client's own certificate is in <c>keydir_t</c> of <paramref name="head"/>; the
    /// membership is verified against the signed root and stored. Throws
    /// <see cref="ProtocolViolationException"/> when the server leaves out a certificate that must be there.
    /// </summary>
    public async Task<Membership?> CheckOwnInclusionAsync(ClientIdentity identity, EpochHead head, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(head);
        ThrowIfStopped();
        var certificate = identity.Certificate ?? throw new InvalidOperationException("The identity is not registered.");
        var membership = await _primary.GetMembershipAsync(head.Epoch, certificate, cancellationToken).ConfigureAwait(false);
        var required = Auditor.MustBeListed(certificate, head, _info.SurelyListedFor);
        if (membership is null)
        {
            if (required)
            {
                throw new ProtocolViolationException($"{_primary.Name} left this client's valid certificate out of keydir of epoch {head.Epoch}.");
            }

            return null;
        }

        Span<byte> leaf = stackalloc byte[MerkleHash.Size];
        MerkleHash.HashLeaf(certificate.Encoded, leaf);
        if (membership.Epoch != head.Epoch
            || !MerkleVerifier.VerifyInclusion(leaf, membership.LeafIndex, head.DirectorySize, membership.Path, head.DirectoryRoot))
        {
            throw new ProtocolViolationException($"{_primary.Name} gave an inclusion proof for epoch {head.Epoch} that does not verify against the signed directory root.");
        }

        if (!_ledger.Memberships.Any(m => m.Epoch == head.Epoch))
        {
            _ledger.Memberships.Add(new StoredMembership(head.Epoch, membership.LeafIndex, membership.Path));
        }

        return membership;
    }

    private async Task CompareWithReplicaAsync(EpochHead latest, CancellationToken cancellationToken)
    {
        if (_replica is null)
        {
            return;
        }

        var mirrored = await _replica.GetHeadAsync(latest.Epoch, cancellationToken).ConfigureAwait(false);
        if (mirrored is null)
        {
            ReplicaMisses++;
            return;
        }

        await ObserveAsync(ServerRole.Replica, mirrored, [], cancellationToken).ConfigureAwait(false);
    }

    private Task ObserveAsync(ServerRole role, EpochHead head, ReadOnlySpan<byte> proof, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var observation = _heads.Observe(head, proof);
        if (observation != HeadObservation.BadSignature)
        {
            _ledger.AddHead(role, head);
        }

        switch (observation)
        {
            case HeadObservation.Accepted:
            case HeadObservation.Duplicate:
                return Task.CompletedTask;
            case HeadObservation.Equivocation:
                _ledger.Evidence = _heads.Evidence!.Encode();
                throw new EquivocationDetectedException(_heads.Evidence!, role);
            case HeadObservation.MissingPredecessor when role == ServerRole.Replica:
                // The replica is ahead of the head the client asked for; compared next refresh.
                return Task.CompletedTask;
            default:
                var name = role == ServerRole.Primary ? _primary.Name : _replica?.Name ?? "replica";
                throw new ProtocolViolationException($"{name} served the head of epoch {head.Epoch} that fails the check: {observation}.");
        }
    }

    private void ThrowIfStopped()
    {
        if (_heads.Evidence is not null)
        {
            throw new EquivocationDetectedException(_heads.Evidence, ServerRole.Primary);
        }
    }
}

/// <summary>
/// The server signed two different heads for one epoch. The client stops (the sketch: "drop offline
/// and disconnect") and keeps <see cref="Evidence"/>, which anyone holding the server key can check.
/// </summary>
public sealed class EquivocationDetectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EquivocationDetectedException(EquivocationEvidence evidence, ServerRole seenVia)
        : base($"The server signed two different heads for epoch {evidence?.Epoch}; stopping. Evidence: {Convert.ToHexStringLower(evidence?.Encode() ?? [])[..64]}…")
    {
        ArgumentNullException.ThrowIfNull(evidence);
        Evidence = evidence;
        SeenVia = seenVia;
    }

    /// <summary>Creates the exception.</summary>
    public EquivocationDetectedException()
    {
        Evidence = null!;
    }

    /// <summary>Creates the exception.</summary>
    public EquivocationDetectedException(string message)
        : base(message)
    {
        Evidence = null!;
    }

    /// <summary>Creates the exception.</summary>
    public EquivocationDetectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Evidence = null!;
    }

    /// <summary>The two heads.</summary>
    public EquivocationEvidence Evidence { get; }

    /// <summary>Which server's head completed the evidence.</summary>
    public ServerRole SeenVia { get; }
}
