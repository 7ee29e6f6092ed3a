using Privomega.Pir.Engine;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Primitives;
using Privomega.Protocol.Tokens;

namespace Privomega.Client.Transport;

/// <summary>A user's own place in <c>keydir_t</c>: leaf index and inclusion path.</summary>
/// <param name="Epoch">The epoch.</param>
/// <param name="LeafIndex">The user's id in the epoch.</param>
/// <param name="Path">The RFC 9162 inclusion path, deepest node first.</param>
public sealed record Membership(ulong Epoch, long LeafIndex, byte[] Path);

/// <summary>The matchmaking queue from a cursor on.</summary>
/// <param name="Requests">Sealed requests, in queue order.</param>
/// <param name="NextCursor">The cursor to poll from next time.</param>
public sealed record QueuePage(IReadOnlyList<byte[]> Requests, long NextCursor);

/// <summary>
/// One server as the client sees it. The HTTP implementation is <see cref="HttpPrivomegaServer"/>;
/// tests may put an in-process server behind it. Every method throws
/// <see cref="ServerUnavailableException"/> when the server cannot be reached and
/// <see cref="ServerRejectedException"/> when it refuses the request (with its problem details);
/// anything it returns is untrusted until the caller checks signatures, proofs and tags.
/// </summary>
public interface IPrivomegaServer
{
    /// <summary>Where the server is (for messages).</summary>
    string Name { get; }

    /// <summary><c>GET /v1/info</c>.</summary>
    Task<ServerInfo> GetInfoAsync(CancellationToken cancellationToken);

    /// <summary><c>POST /v1/register</c>: the two public keys with their proof of work; returns the issued certificate.</summary>
    Task<Certificate> RegisterAsync(Ed25519PublicKey vrfKey, X25519PublicKey dhKey, ulong powNonce, int difficulty, CancellationToken cancellationToken);

    /// <summary>The head of <paramref name="epoch"/>, or the latest when null; null when the server has none (404/503).</summary>
    Task<EpochHead?> GetHeadAsync(ulong? epoch, CancellationToken cancellationToken);

    /// <summary>The RFC 9162 consistency proof of the key-transparency log between the heads of two epochs.</summary>
    Task<byte[]> GetLogConsistencyAsync(ulong fromEpoch, ulong toEpoch, CancellationToken cancellationToken);

    /// <summary>The mail head of mail epoch <paramref name="mailEpoch"/>, or the latest when null; null when there is none.</summary>
    Task<MailHead?> GetMailHeadAsync(ulong? mailEpoch, CancellationToken cancellationToken);

    /// <summary>The caller's own leaf index and inclusion path in <c>keydir_t</c>; null when the certificate is not in it.</summary>
    Task<Membership?> GetMembershipAsync(ulong epoch, Certificate certificate, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/pir/{db}/config</c>.</summary>
    Task<PirConfig> GetPirConfigAsync(PirDatabaseKind database, CancellationToken cancellationToken);

    /// <summary>Answers a batch of encoded PIR queries over a snapshot (the directory's snapshot id is the epoch).</summary>
    Task<IReadOnlyList<byte[]>> AnswerAsync(PirDatabaseKind database, ulong snapshot, PirBatchRequest batch, CancellationToken cancellationToken);

    /// <summary>Lattice PIR: uploads evaluation keys bound to a secret; returns the key id queries name.</summary>
    Task<byte[]> UploadEvaluationKeysAsync(EvalKeyUpload upload, CancellationToken cancellationToken);

    /// <summary>Posts a sealed matchmaking request to the queue of epoch <paramref name="epoch"/>.</summary>
    Task PostMatchRequestAsync(ulong epoch, ReadOnlyMemory<byte> sealedRequest, CancellationToken cancellationToken);

    /// <summary>The sealed requests of <paramref name="epoch"/> after <paramref name="cursor"/>.</summary>
    Task<QueuePage> PollMatchQueueAsync(ulong epoch, long cursor, CancellationToken cancellationToken);

    /// <summary><c>PutMail(id, ciphertext)</c>, spending <paramref name="token"/>; returns the mail epoch whose snapshot carries it.</summary>
    Task<ulong> PutMailAsync(ReadOnlyMemory<byte> mailboxId, ReadOnlyMemory<byte> token, ReadOnlyMemory<byte> ciphertext, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/tokens/keys</c>: current key first.</summary>
    Task<IReadOnlyList<TokenPublicKey>> GetTokenKeysAsync(CancellationToken cancellationToken);

    /// <summary><c>POST /v1/tokens/issue</c>: the issuer's answer to a blinded request.</summary>
    Task<byte[]> IssueTokensAsync(TokenIssueRequest request, CancellationToken cancellationToken);
}

/// <summary>The server could not be reached (connection refused, timeout): an expected failure.</summary>
public sealed class ServerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ServerUnavailableException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ServerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ServerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The server refused a request; carries its status and problem details (title, detail).</summary>
public sealed class ServerRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ServerRejectedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ServerRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ServerRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from a response.</summary>
    public ServerRejectedException(int status, string title, string? detail)
        : base(detail is null ? $"{status} {title}" : $"{status} {title}: {detail}")
    {
        Status = status;
        Title = title;
        Detail = detail;
    }

    /// <summary>The HTTP status.</summary>
    public int Status { get; }

    /// <summary>The problem's title.</summary>
    public string Title { get; } = "";

    /// <summary>The problem's detail, if any.</summary>
    public string? Detail { get; }
}
