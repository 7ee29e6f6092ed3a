using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Privomega.Protocol.Interop;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Session;

/// <summary>Which side of a session this party is. Roles, not sorting, order the keys in the key schedule.</summary>
public enum SessionRole
{
    /// <summary>Alice: she sent the matchmaking request.</summary>
    Initiator = 1,

    /// <summary>Bob: he accepted it.</summary>
    Responder = 2,
}

/// <summary>
/// The session key schedule (DESIGN "Session"): <c>ss = X25519(sk_a, pk_b) = X25519(sk_b, pk_a)</c>,
/// then <c>sid_a ‖ sid_b ‖ k_e = HKDF-SHA256(ikm = ss, salt = "", info =
/// "privomega/v1/session" ‖ pk_a ‖ pk_b ‖ t, 96 bytes)</c>. The keys are ordered by role
/// (initiator first), which both sides know from the matchmaking request, and <c>t</c> separates
/// sessions between the same two identities in different epochs. <c>sid_a</c> roots the chain of
/// mailbox ids Alice writes to, <c>sid_b</c> Bob's; <c>k_e</c> keys the chat messages. Secrets
/// live in memory zeroed on <see cref="Dispose"/>.
/// </summary>
public sealed class SessionKeys : IDisposable
{
    /// <summary>Bytes of each derived secret.</summary>
    public const int SecretSize = 32;

    private readonly SecretBuffer _messageKey;

    private SessionKeys(SessionRole role, ulong epoch, X25519PublicKey initiator, X25519PublicKey responder, ReadOnlySpan<byte> okm)
    {
        Role = role;
        Epoch = epoch;
        InitiatorKey = initiator;
        ResponderKey = responder;
        var initiatorChain = new MailboxChain(okm[..SecretSize]);
        var responderChain = new MailboxChain(okm.Slice(SecretSize, SecretSize));
        _messageKey = SecretBuffer.CopyFrom(okm.Slice(2 * SecretSize, SecretSize));
        SendChain = role == SessionRole.Initiator ? initiatorChain : responderChain;
        ReceiveChain = role == SessionRole.Initiator ? responderChain : initiatorChain;
    }

    /// <summary>This party's role.</summary>
    public SessionRole Role { get; }

    /// <summary>The epoch the session was matched in.</summary>
    public ulong Epoch { get; }

    /// <summary><c>pk_a</c>, the initiator's X25519 key.</summary>
    public X25519PublicKey InitiatorKey { get; }

    /// <summary><c>pk_b</c>, the responder's X25519 key.</summary>
    public X25519PublicKey ResponderKey { get; }

    /// <summary>The mailbox ids this party writes to (<c>sid_a</c>'s chain for Alice, <c>sid_b</c>'s for Bob).</summary>
    public MailboxChain SendChain { get; }

    /// <summary>The mailbox ids the peer writes to, which this party reads.</summary>
    public MailboxChain ReceiveChain { get; }

    /// <summary><c>AD = pk_a ‖ pk_b</c> (64 bytes), the sketch's associated data, for a Double Ratchet seeded with <c>k_e</c>.</summary>
    public byte[] AssociatedData() => [.. InitiatorKey.Export(), .. ResponderKey.Export()];

    /// <summary><c>k_e</c>, the message key.</summary>
    internal ReadOnlySpan<byte> MessageKey => _messageKey.Span;

    private static ReadOnlySpan<byte> InfoDomain => "privomega/v1/session"u8;

    /// <summary>
    /// Derives the session from this party's key pair and the peer's public key. False when the
    /// Diffie–Hellman result is all zeros (a small-order peer key): nothing may be keyed from it.
    /// </summary>
    public static bool TryDerive(X25519KeyPair mine, X25519PublicKey peer, SessionRole role, ulong epoch, [NotNullWhen(true)] out SessionKeys? keys)
    {
        ArgumentNullException.ThrowIfNull(mine);
        ArgumentNullException.ThrowIfNull(peer);
        if (role is not (SessionRole.Initiator or SessionRole.Responder))
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(role), (long)role, "Initiator (1) or Responder (2)");
        }

        keys = null;
        var initiator = role == SessionRole.Initiator ? mine.PublicKey : peer;
        var responder = role == SessionRole.Initiator ? peer : mine.PublicKey;
        Span<byte> sharedSecret = stackalloc byte[X25519KeyPair.SharedSecretSize];
        Span<byte> okm = stackalloc byte[3 * SecretSize];
        Span<byte> info = stackalloc byte[InfoDomain.Length + (2 * X25519PublicKey.Size) + 8];
        try
        {
            if (!mine.TryAgree(peer, sharedSecret))
            {
                return false;
            }

            InfoDomain.CopyTo(info);
            initiator.Export(info.Slice(InfoDomain.Length, X25519PublicKey.Size));
            responder.Export(info.Slice(InfoDomain.Length + X25519PublicKey.Size, X25519PublicKey.Size));
            BinaryPrimitives.WriteUInt64BigEndian(info[^8..], epoch);
            HKDF.DeriveKey(HashAlgorithmName.SHA256, sharedSecret, okm, salt: default, info);
            keys = new SessionKeys(role, epoch, initiator, responder, okm);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
            CryptographicOperations.ZeroMemory(okm);
        }
    }

    /// <summary>Like <see cref="TryDerive"/>, throwing <see cref="CryptographicException"/> for a small-order peer key.</summary>
    public static SessionKeys Derive(X25519KeyPair mine, X25519PublicKey peer, SessionRole role, ulong epoch)
    {
        if (!TryDerive(mine, peer, role, epoch, out var keys))
        {
            ProtocolThrow.Cryptographic("Session key agreement with a small-order public key");
        }

        return keys;
    }

    /// <summary>Zeroes every secret.</summary>
    public void Dispose()
    {
        SendChain.Dispose();
        ReceiveChain.Dispose();
        _messageKey.Dispose();
    }
}

/// <summary>
/// A chain of one-time mailbox ids rooted at <c>sid</c>: the k-th message goes to
/// <c>HKDF-Expand(sid, "mailbox" ‖ u64 k, 32)</c>. No id is ever written twice and, without
/// <c>sid</c>, ids cannot be linked to one another (the sealed-sender paper's "switch mailboxes
/// with each message", taken to its end).
/// </summary>
public sealed class MailboxChain : IDisposable
{
    /// <summary>Bytes in a mailbox id.</summary>
    public const int IdSize = 32;

    private readonly SecretBuffer _root;

    internal MailboxChain(ReadOnlySpan<byte> root) => _root = SecretBuffer.CopyFrom(root);

    private static ReadOnlySpan<byte> Label => "mailbox"u8;

    /// <summary>Writes the id of message <paramref name="index"/> to <paramref name="destination"/> (32 bytes).</summary>
    public void MailboxId(ulong index, Span<byte> destination)
    {
        if (destination.Length != IdSize)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, IdSize);
        }

        Span<byte> info = stackalloc byte[Label.Length + 8];
        Label.CopyTo(info);
        BinaryPrimitives.WriteUInt64BigEndian(info[Label.Length..], index);
        HKDF.Expand(HashAlgorithmName.SHA256, _root.Span, destination, info);
    }

    /// <summary>Allocating convenience overload of <see cref="MailboxId(ulong, Span{byte})"/>.</summary>
    public byte[] MailboxId(ulong index)
    {
        var id = new byte[IdSize];
        MailboxId(index, id);
        return id;
    }

    /// <summary>Zeroes the chain's root.</summary>
    public void Dispose() => _root.Dispose();
}
