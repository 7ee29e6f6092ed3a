using Privomega.Protocol.Primitives;
using Privomega.Protocol.Vrf;

namespace Privomega.Protocol.Formats;

/// <summary>Bob's decision on an opened matchmaking request, with the reason when he refuses it.</summary>
public enum MatchmakingVerdict
{
    /// <summary>Every check passed; Bob accepts and derives the session keys.</summary>
    Accepted = 0,

    /// <summary>The request is for another epoch than the head Bob holds.</summary>
    WrongEpoch,

    /// <summary>Alice saw a different head for the epoch than Bob (equivocation, or a stale head).</summary>
    HeadMismatch,

    /// <summary>Alice's certificate is not signed by the server, lacks the proof of work, or was issued after the epoch began.</summary>
    CertificateInvalid,

    /// <summary>Alice's certificate is not at her claimed index in <c>keydir_t</c>.</summary>
    NotInDirectory,

    /// <summary>The VRF proof does not verify for Alice's key and the epoch's input.</summary>
    VrfInvalid,

    /// <summary>The VRF output picks someone else: <c>r mod n_t</c> is not Bob's id.</summary>
    NotMatchedToMe,

    /// <summary>The request carries Bob's own certificate or id.</summary>
    SelfMatch,

    /// <summary>A request with this VRF output was already accepted in this epoch.</summary>
    Replay,
}

/// <summary>
/// Bob's checks on matchmaking requests for one epoch (DESIGN "Matchmaking"): the head is the one
/// he saw, Alice's certificate verifies and is in <c>keydir_t</c>, the VRF proof verifies, and
/// <c>r mod n_t</c> is his own id; self-matches and replays are refused. The replay set holds
/// the VRF outputs accepted so far (one per Alice per epoch, since the VRF is deterministic),
/// so a re-encrypted copy of an accepted request is caught too. One instance per epoch; not thread-safe.
/// </summary>
public sealed class MatchmakingVerifier
{
    private readonly Ed25519PublicKey _server;
    private readonly int _minimumDifficulty;
    private readonly EpochHead _head;
    private readonly byte[] _headHash;
    private readonly Certificate _myCertificate;
    private readonly long _myIndex;
    private readonly byte[] _vrfInput;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>
    /// Creates the verifier for the epoch of <paramref name="head"/>, which the caller has checked
    /// (signature, chain). <paramref name="myIndex"/> is Bob's leaf index in that epoch's directory.
    /// </summary>
    public MatchmakingVerifier(Ed25519PublicKey server, int minimumDifficulty, EpochHead head, Certificate myCertificate, long myIndex)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(myCertificate);
        if (myIndex < 0 || myIndex >= head.DirectorySize)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(myIndex), myIndex, $"an index in [0, {head.DirectorySize})");
        }

        if (minimumDifficulty is < 0 or > ProofOfWork.MaxDifficulty)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(minimumDifficulty), minimumDifficulty, $"a difficulty in [0, {ProofOfWork.MaxDifficulty}]");
        }

        _server = server;
        _minimumDifficulty = minimumDifficulty;
        _head = head;
        _headHash = head.Hash();
        _myCertificate = myCertificate;
        _myIndex = myIndex;
        _vrfInput = MatchmakingRequest.VrfInput(head);
    }

    /// <summary>Runs every check in order and returns the first failure, or <see cref="MatchmakingVerdict.Accepted"/>.</summary>
    public MatchmakingVerdict Verify(MatchmakingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Epoch != _head.Epoch)
        {
            return MatchmakingVerdict.WrongEpoch;
        }

        if (!request.HeadHash.SequenceEqual(_headHash))
        {
            return MatchmakingVerdict.HeadMismatch;
        }

        var certificate = request.Certificate;
        if (certificate.Equals(_myCertificate) || request.LeafIndex == _myIndex)
        {
            return MatchmakingVerdict.SelfMatch;
        }

        if (!certificate.Verify(_server, _minimumDifficulty) || !DirectoryRecord.IsCurrent(certificate, _head))
        {
            return MatchmakingVerdict.CertificateInvalid;
        }

        if (!DirectoryRecord.IsIncluded(certificate, request.LeafIndex, request.Path, _head))
        {
            return MatchmakingVerdict.NotInDirectory;
        }

        Span<byte> beta = stackalloc byte[EcVrf.OutputSize];
        if (!EcVrf.Verify(MatchmakingRequest.VrfSuite, certificate.VrfKey, _vrfInput, request.VrfProof, beta))
        {
            return MatchmakingVerdict.VrfInvalid;
        }

        if (MatchmakingRequest.TargetIndex(beta, _head.DirectorySize) != _myIndex)
        {
            return MatchmakingVerdict.NotMatchedToMe;
        }

        return _seen.Add(Convert.ToHexString(beta)) ? MatchmakingVerdict.Accepted : MatchmakingVerdict.Replay;
    }
}
