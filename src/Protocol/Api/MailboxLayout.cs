using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Privomega.Protocol.Api;

/// <summary>
/// The mailbox snapshot's keyword layout (docs/http-api.md), shared by server and client: a record is a bucket
/// of <c>slots</c> slots, a slot is <c>mailbox_id(32) ‖ ciphertext</c> (all zero when empty), and a mailbox id
/// lives in one of <c>hash_count</c> candidate buckets <c>H_j(id) = u64(SHA-256("privomega/v1/mailbox-bucket" ‖
/// layout_key ‖ j ‖ id)[0..8]) mod bucket_count</c>. A client reads every candidate bucket, found or not.
/// </summary>
public static class MailboxLayout
{
    private static ReadOnlySpan<byte> Domain => "privomega/v1/mailbox-bucket"u8;

    /// <summary>Bytes of one bucket.</summary>
    public static int RecordBytes(int slots, int ciphertextBytes) => checked(slots * (MailPut.MailboxIdSize + ciphertextBytes));

    /// <summary>Candidate bucket <paramref name="j"/> of <paramref name="mailboxId"/>.</summary>
    public static long Candidate(ReadOnlySpan<byte> layoutKey, int j, ReadOnlySpan<byte> mailboxId, long bucketCount)
    {
        ApiWire.CheckLength(layoutKey, MailHead.LayoutKeySize, nameof(layoutKey));
        ApiWire.CheckLength(mailboxId, MailPut.MailboxIdSize, nameof(mailboxId));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bucketCount);
        ArgumentOutOfRangeException.ThrowIfNegative(j);
        Span<byte> input = stackalloc byte[Domain.Length + MailHead.LayoutKeySize + 1 + MailPut.MailboxIdSize];
        Domain.CopyTo(input);
        layoutKey.CopyTo(input[Domain.Length..]);
        input[Domain.Length + MailHead.LayoutKeySize] = (byte)j;
        mailboxId.CopyTo(input[(Domain.Length + MailHead.LayoutKeySize + 1)..]);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(input, digest);
        return (long)(BinaryPrimitives.ReadUInt64BigEndian(digest) % (ulong)bucketCount);
    }

    /// <summary>Finds <paramref name="mailboxId"/> in a bucket; the ciphertext, or false when it is not there.</summary>
    public static bool TryFind(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> mailboxId, int ciphertextBytes, out ReadOnlySpan<byte> ciphertext)
    {
        ApiWire.CheckLength(mailboxId, MailPut.MailboxIdSize, nameof(mailboxId));
        var slot = MailPut.MailboxIdSize + ciphertextBytes;
        ciphertext = default;
        var found = false;
        for (var offset = 0; offset + slot <= bucket.Length; offset += slot)
        {
            // Look at every slot, so the time does not depend on where (or whether) the id is.
            if (CryptographicOperations.FixedTimeEquals(bucket.Slice(offset, MailPut.MailboxIdSize), mailboxId) && !found)
            {
                ciphertext = bucket.Slice(offset + MailPut.MailboxIdSize, ciphertextBytes);
                found = true;
            }
        }

        return found;
    }
}
