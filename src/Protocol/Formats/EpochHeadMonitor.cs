using Privomega.Protocol.Merkle;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Formats;

/// <summary>What <see cref="EpochHeadMonitor.Observe"/> concluded about a head.</summary>
public enum HeadObservation
{
    /// <summary>The head extends the chain: signed, linked to the latest head, log consistent.</summary>
    Accepted = 0,

    /// <summary>The very head already seen for its epoch.</summary>
    Duplicate,

    /// <summary>Not signed by the server; ignored.</summary>
    BadSignature,

    /// <summary>A second, different, validly signed head for an epoch: the monitor has stopped (see <see cref="EpochHeadMonitor.Evidence"/>).</summary>
    Equivocation,

    /// <summary>The head claims the next epoch but does not link to the latest head (hash, time or log size).</summary>
    BrokenChain,

    /// <summary>The consistency proof does not show the latest head's log as a prefix of this head's log.</summary>
    LogInconsistent,

    /// <summary>The head skips epochs; the caller must fetch and observe the missing heads first.</summary>
    MissingPredecessor,

    /// <summary>A head older than the latest that this monitor never saw; it cannot be linked any more.</summary>
    Stale,
}

/// <summary>
/// A client's view of the server's epoch heads (DESIGN "Key transparency"): it accepts a head only
/// when it is signed, follows the latest head in the hash chain, and comes with a consistency
/// proof showing the key-transparency log was only appended to. It remembers every head it has
/// seen, so two different signed heads for one epoch — from the server, a replica or another
/// client — turn into <see cref="EquivocationEvidence"/>, after which the monitor refuses
/// everything, as the sketch says a client must stop. Not thread-safe.
/// </summary>
public sealed class EpochHeadMonitor
{
    private readonly Ed25519PublicKey _server;
    private readonly Dictionary<ulong, EpochHead> _seen = [];

    /// <summary>Creates a monitor trusting heads signed by <paramref name="server"/>.</summary>
    public EpochHeadMonitor(Ed25519PublicKey server)
    {
        ArgumentNullException.ThrowIfNull(server);
        _server = server;
    }

    /// <summary>The newest head accepted so far.</summary>
    public EpochHead? Latest { get; private set; }

    /// <summary>Proof of equivocation, once found; from then on every observation is <see cref="HeadObservation.Equivocation"/>.</summary>
    public EquivocationEvidence? Evidence { get; private set; }

    /// <summary>
    /// Observes <paramref name="head"/>. <paramref name="logConsistencyProof"/> is the RFC 9162
    /// consistency proof from the latest head's log size to this head's (ignored for the first
    /// head and for heads that are not the next epoch).
    /// </summary>
    public HeadObservation Observe(EpochHead head, ReadOnlySpan<byte> logConsistencyProof)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (Evidence is not null)
        {
            return HeadObservation.Equivocation;
        }

        if (!head.VerifySignature(_server))
        {
            return HeadObservation.BadSignature;
        }

        if (_seen.TryGetValue(head.Epoch, out var known))
        {
            if (known.Equals(head))
            {
                return HeadObservation.Duplicate;
            }

            EquivocationEvidence.TryCreate(_server, known, head, out var evidence);
            Evidence = evidence;
            return HeadObservation.Equivocation;
        }

        if (Latest is not null)
        {
            if (head.Epoch < Latest.Epoch)
            {
                return HeadObservation.Stale;
            }

            if (head.Epoch != Latest.Epoch + 1)
            {
                return HeadObservation.MissingPredecessor;
            }

            if (EpochHead.CheckLink(Latest, head) != EpochLinkStatus.Valid)
            {
                return HeadObservation.BrokenChain;
            }

            if (!MerkleVerifier.VerifyConsistency(Latest.LogSize, head.LogSize, logConsistencyProof, Latest.LogRoot, head.LogRoot))
            {
                return HeadObservation.LogInconsistent;
            }
        }

        _seen.Add(head.Epoch, head);
        Latest = head;
        return HeadObservation.Accepted;
    }
}
