using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Privomega.Client.Chat;

/// <summary>
/// The mailbox snapshot's keyword layout (docs/http-api.md, "Mailbox keyword layout"): buckets of
/// fixed slots <c>mailbox_id(32) ‖ ciphertext</c>; an id may sit in any of <c>hash_count</c>
/// candidate buckets <c>H_j(id) = u64(SHA-256("privomega/v1/mailbox-bucket" ‖ layout_key ‖ j ‖ id)[0..8]) mod buckets</c>.
/// A reader fetches every candidate bucket of every id it reads, found or not.
/// </summary>
public static class MailboxLayout
{
    /// <summary>Bytes of a mailbox id.</summary>
    public const int IdBytes = 32;

    private static ReadOnlySpan<byte> Domain => "privomega/v1/mailbox-bucket"u8;

    /// <summary>The candidate bucket indexes of <paramref name="mailboxId"/>.</summary>
    public static long[] Candidates(ReadOnlySpan<byte> layoutKey, int hashCount, long bucketCount, ReadOnlySpan<byte> mailboxId)
    {
        if (mailboxId.Length != IdBytes)
        {
            throw new ArgumentException($"Mailbox id of {mailboxId.Length} bytes; expected {IdBytes}.", nameof(mailboxId));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(hashCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketCount, 1);
        Span<byte> input = stackalloc byte[Domain.Length + layoutKey.Length + 1 + IdBytes];
        Domain.CopyTo(input);
        layoutKey.CopyTo(input[Domain.Length..]);
        mailboxId.CopyTo(input[(Domain.Length + layoutKey.Length + 1)..]);
        Span<byte> hash = stackalloc byte[32];
        var candidates = new long[hashCount];
        for (var j = 0; j < hashCount; j++)
        {
            input[Domain.Length + layoutKey.Length] = (byte)j;
            SHA256.HashData(input, hash);
            candidates[j] = (long)(BinaryPrimitives.ReadUInt64BigEndian(hash) % (ulong)bucketCount);
        }

        return candidates;
    }

    /// <summary>The ciphertext stored under <paramref name="mailboxId"/> in a bucket, or null (empty slots are all zero).</summary>
    public static byte[]? Find(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> mailboxId, int ciphertextBytes)
    {
        var slot = IdBytes + ciphertextBytes;
        for (var at = 0; at + slot <= bucket.Length; at += slot)
        {
            if (CryptographicOperations.FixedTimeEquals(bucket.Slice(at, IdBytes), mailboxId))
            {
                return bucket.Slice(at + IdBytes, ciphertextBytes).ToArray();
            }
        }

        return null;
    }
}
