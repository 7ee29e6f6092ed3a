namespace Privomega.Server.Storage;

/// <summary>A certificate as the log holds it: its position in the key-transparency log and its encoding.</summary>
public sealed record StoredCertificate(long LogIndex, byte[] Encoded, ulong IssuedAt);

/// <summary>One stored message: its one-time mailbox id, the mail epoch whose snapshot carries it, the ciphertext.</summary>
public sealed record StoredMail(byte[] MailboxId, ulong MailEpoch, byte[] Ciphertext);

/// <summary>One matchmaking request in the queue of an epoch, with its cursor (increasing within the epoch).</summary>
public sealed record QueueEntry(long Cursor, byte[] Request);

/// <summary>What <see cref="IServerStore.PutMailAsync"/> did.</summary>
public enum MailPutResult
{
    /// <summary>The message and the spent token are durable.</summary>
    Stored,

    /// <summary>The mailbox id is already written (ids are one-time); nothing was stored, the token is not spent.</summary>
    MailboxTaken,

    /// <summary>The token is already spent; nothing was stored.</summary>
    TokenSpent,
}

/// <summary>What the stores may drop: everything older than these horizons (exclusive).</summary>
public readonly record struct PruneHorizon(ulong QueueEpoch, ulong MailEpoch, long TokenPeriod, ulong EvalKeyPeriod);

/// <summary>
/// The server's durable state (DESIGN "Storage and scale"): server secrets, the certificate log,
/// epoch and mail heads, the matchmaking queue, mailboxes, token spent sets and quotas, lattice
/// evaluation keys. Every write completes only once it is durable. Implementations: SQLite
/// (<see cref="SqliteServerStore"/>), in memory (<see cref="InMemoryServerStore"/>), PostgreSQL (next).
/// Leakage contract: no table links a reader to a mailbox, a writer to a mailbox, a token to its
/// issuance, or records a source address; mail carries only its mail epoch, never a finer time.
/// </summary>
public interface IServerStore : IDisposable
{
    /// <summary>Returns the secret stored under <paramref name="name"/>, storing <paramref name="create"/>'s value first if there is none.</summary>
    Task<byte[]> GetOrCreateSecretAsync(string name, Func<byte[]> create, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends a certificate to the log unless a certificate with the same <paramref name="keyHash"/> (hash of the
    /// user's public keys) is stored; returns its log index, or null for a duplicate (nothing stored).
    /// </summary>
    Task<long?> TryAppendCertificateAsync(byte[] keyHash, byte[] encoded, ulong issuedAt, CancellationToken cancellationToken = default);

    /// <summary>Certificates in the log.</summary>
    Task<long> CountCertificatesAsync(CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> certificates from log index <paramref name="fromIndex"/> on, in log order.</summary>
    Task<IReadOnlyList<StoredCertificate>> ReadCertificatesAsync(long fromIndex, int max, CancellationToken cancellationToken = default);

    /// <summary>Stores the head of <paramref name="epoch"/>; false (nothing changed) when one is stored for that epoch.</summary>
    Task<bool> TryAddEpochHeadAsync(ulong epoch, byte[] head, CancellationToken cancellationToken = default);

    /// <summary>The head of <paramref name="epoch"/>, or null.</summary>
    Task<byte[]?> GetEpochHeadAsync(ulong epoch, CancellationToken cancellationToken = default);

    /// <summary>The head with the highest epoch, or null.</summary>
    Task<byte[]?> GetLatestEpochHeadAsync(CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> heads with epoch ≥ <paramref name="fromEpoch"/>, in epoch order.</summary>
    Task<IReadOnlyList<byte[]>> ReadEpochHeadsAsync(ulong fromEpoch, int max, CancellationToken cancellationToken = default);

    /// <summary>Stores the mail head of mail epoch <paramref name="mailEpoch"/>; false when one is stored.</summary>
    Task<bool> TryAddMailHeadAsync(ulong mailEpoch, byte[] head, CancellationToken cancellationToken = default);

    /// <summary>The mail head of <paramref name="mailEpoch"/>, or null.</summary>
    Task<byte[]?> GetMailHeadAsync(ulong mailEpoch, CancellationToken cancellationToken = default);

    /// <summary>The mail head with the highest mail epoch, or null.</summary>
    Task<byte[]?> GetLatestMailHeadAsync(CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> mail heads with mail epoch ≥ <paramref name="fromMailEpoch"/>, in order.</summary>
    Task<IReadOnlyList<byte[]>> ReadMailHeadsAsync(ulong fromMailEpoch, int max, CancellationToken cancellationToken = default);

    /// <summary>Appends a request to the queue of <paramref name="epoch"/>; returns its cursor (≥ 1, increasing).</summary>
    Task<long> EnqueueAsync(ulong epoch, byte[] request, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> entries of <paramref name="epoch"/>'s queue with cursor &gt; <paramref name="afterCursor"/>.</summary>
    Task<IReadOnlyList<QueueEntry>> ReadQueueAsync(ulong epoch, long afterCursor, int max, CancellationToken cancellationToken = default);

    /// <summary>Entries in the queue of <paramref name="epoch"/>.</summary>
    Task<long> CountQueueAsync(ulong epoch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically: if the token (<paramref name="tokenPeriod"/>, <paramref name="spentKey"/>) is unspent and the
    /// mailbox id unused, records both and stores the message; otherwise stores nothing.
    /// </summary>
    Task<MailPutResult> PutMailAsync(byte[] mailboxId, ulong mailEpoch, byte[] ciphertext, long tokenPeriod, byte[] spentKey, CancellationToken cancellationToken = default);

    /// <summary>Records a spent token; false (nothing changed) when it was already spent.</summary>
    Task<bool> TrySpendTokenAsync(long tokenPeriod, byte[] spentKey, CancellationToken cancellationToken = default);

    /// <summary>Messages with <paramref name="fromMailEpoch"/> ≤ mail epoch ≤ <paramref name="toMailEpoch"/>.</summary>
    Task<IReadOnlyList<StoredMail>> ReadMailAsync(ulong fromMailEpoch, ulong toMailEpoch, CancellationToken cancellationToken = default);

    /// <summary>Reserves <paramref name="count"/> tokens of <paramref name="tokenPeriod"/>'s quota for a user; false (nothing changed) past <paramref name="quota"/>.</summary>
    Task<bool> TryReserveTokensAsync(long tokenPeriod, byte[] userHash, int count, int quota, CancellationToken cancellationToken = default);

    /// <summary>Gives back a reservation whose issuance failed.</summary>
    Task ReleaseTokensAsync(long tokenPeriod, byte[] userHash, int count, CancellationToken cancellationToken = default);

    /// <summary>Stores (or replaces) the evaluation keys under (<paramref name="period"/>, <paramref name="keyId"/>, <paramref name="database"/>).</summary>
    Task PutEvalKeyAsync(ulong period, byte[] keyId, byte database, byte[] keys, CancellationToken cancellationToken = default);

    /// <summary>The evaluation keys stored under the triple, or null.</summary>
    Task<byte[]?> GetEvalKeyAsync(ulong period, byte[] keyId, byte database, CancellationToken cancellationToken = default);

    /// <summary>Drops queue entries, mail, token state and evaluation keys older than the horizons.</summary>
    Task PruneAsync(PruneHorizon horizon, CancellationToken cancellationToken = default);
}
