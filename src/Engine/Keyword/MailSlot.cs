using System.Security.Cryptography;
using System.Text;

namespace Privomega.Pir.Engine.Keyword;

/// <summary>
/// One mail slot of a mailbox bucket: <c>tag(16) ‖ ciphertext</c>, all zero when empty, with
/// <c>tag = SHA-256("privomega/v1/mail-slot" ‖ mailbox id ‖ ciphertext)[0..16]</c>. A reader
/// holding a mailbox id recomputes the tag over each slot's ciphertext of its fetched buckets: a
/// match is its message; no match means the message is not there (yet). Binding the ciphertext
/// into the tag stops the server from pairing a reader's id with another ciphertext unnoticed
/// before decryption, and the ids themselves never appear in the database.
/// </summary>
public static class MailSlot
{
    /// <summary>Bytes of a slot's tag.</summary>
    public const int TagBytes = 16;

    /// <summary>
    /// Default ciphertext bytes: one 160-byte padded plaintext block (DESIGN "Session") as a
    /// <c>ChatMessage</c> encodes it, version(1) ‖ nonce(24) ‖ 160 ‖ Poly1305 tag(16) = 201.
    /// </summary>
    public const int DefaultCiphertextBytes = 1 + 24 + 160 + 16;

    /// <summary>Largest ciphertext a deployment may choose.</summary>
    public const int MaxCiphertextBytes = 1 << 16;

    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("privomega/v1/mail-slot");

    /// <summary>Slot bytes for <paramref name="ciphertextBytes"/>-byte ciphertexts: <c>16 + ciphertextBytes</c>.</summary>
    public static int SlotBytesFor(int ciphertextBytes)
    {
        ValidateCiphertextBytes(ciphertextBytes);
        return TagBytes + ciphertextBytes;
    }

    /// <summary>Writes the tag of <paramref name="ciphertext"/> under <paramref name="mailboxId"/> to <paramref name="tag"/> (16 bytes).</summary>
    public static void ComputeTag(ReadOnlySpan<byte> mailboxId, ReadOnlySpan<byte> ciphertext, Span<byte> tag)
    {
        if (mailboxId.Length != CuckooHash.KeyBytes)
        {
            ThrowHelper.ArgumentLength(nameof(mailboxId), mailboxId.Length, CuckooHash.KeyBytes);
        }

        if (ciphertext.Length is < 1 or > MaxCiphertextBytes)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(ciphertext), ciphertext.Length, $"a length of 1..{MaxCiphertextBytes}");
        }

        if (tag.Length != TagBytes)
        {
            ThrowHelper.ArgumentLength(nameof(tag), tag.Length, TagBytes);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Domain);
        hash.AppendData(mailboxId);
        hash.AppendData(ciphertext);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        digest[..TagBytes].CopyTo(tag);
    }

    /// <summary>
    /// Looks for the message of <paramref name="mailboxId"/> in <paramref name="buckets"/> (every candidate bucket
    /// a read fetched, each <c>slots × (16 + ciphertextBytes)</c> bytes). Every slot is examined and compared in
    /// constant time, so the work does not depend on where (or whether) the message is.
    /// </summary>
    /// <returns>The ciphertext, or null when no slot carries the id's tag.</returns>
    public static byte[]? Find(ReadOnlySpan<byte> mailboxId, IReadOnlyList<byte[]> buckets, int ciphertextBytes)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        int slotBytes = SlotBytesFor(ciphertextBytes);
        if (mailboxId.Length != CuckooHash.KeyBytes)
        {
            ThrowHelper.ArgumentLength(nameof(mailboxId), mailboxId.Length, CuckooHash.KeyBytes);
        }

        byte[]? found = null;
        Span<byte> tag = stackalloc byte[TagBytes];
        for (int b = 0; b < buckets.Count; b++)
        {
            byte[] bucket = buckets[b] ?? throw new ArgumentNullException($"{nameof(buckets)}[{b}]");
            if (bucket.Length == 0 || bucket.Length % slotBytes != 0)
            {
                ThrowHelper.Argument(nameof(buckets), $"buckets[{b}] has length {bucket.Length}; expected a positive multiple of the slot size {slotBytes}.");
            }

            for (int offset = 0; offset < bucket.Length; offset += slotBytes)
            {
                ReadOnlySpan<byte> slot = bucket.AsSpan(offset, slotBytes);
                ComputeTag(mailboxId, slot[TagBytes..], tag);
                if (CryptographicOperations.FixedTimeEquals(tag, slot[..TagBytes]) && found is null)
                {
                    found = slot[TagBytes..].ToArray();
                }
            }
        }

        return found;
    }

    internal static void ValidateCiphertextBytes(int ciphertextBytes)
    {
        if (ciphertextBytes is < 1 or > MaxCiphertextBytes)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(ciphertextBytes), ciphertextBytes, $"1..{MaxCiphertextBytes}");
        }
    }
}
