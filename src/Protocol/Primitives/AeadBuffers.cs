namespace Privomega.Protocol.Primitives;

/// <summary>
/// The buffer checks both ciphertext ‖ tag AEADs (<see cref="ChaCha20Poly1305Ietf"/>, <see cref="XChaCha20Poly1305"/>)
/// make before sealing or opening, kept in one place so the two cannot drift apart.
/// </summary>
internal static class AeadBuffers
{
    /// <summary>
    /// Throws unless <paramref name="ciphertext"/> is plaintext length + <paramref name="tagSize"/> bytes and either
    /// does not overlap <paramref name="plaintext"/> or starts at the same address (in place is supported; a
    /// partial overlap would overwrite input before it is read).
    /// </summary>
    internal static void CheckSeal(ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, int tagSize)
    {
        if (ciphertext.Length != plaintext.Length + tagSize)
        {
            ProtocolThrow.ArgumentLength(nameof(ciphertext), ciphertext.Length, plaintext.Length + tagSize);
        }

        if (ciphertext.Overlaps(plaintext, out int offset) && offset != 0)
        {
            ProtocolThrow.Overlap(nameof(ciphertext));
        }
    }

    /// <summary>
    /// Throws unless <paramref name="plaintext"/> is ciphertext length − <paramref name="tagSize"/> bytes and either
    /// does not overlap <paramref name="ciphertext"/> or starts at the same address. The caller has already
    /// returned false for a ciphertext shorter than a tag (bad bytes from the network, not misuse).
    /// </summary>
    internal static void CheckOpen(ReadOnlySpan<byte> ciphertext, Span<byte> plaintext, int tagSize)
    {
        if (plaintext.Length != ciphertext.Length - tagSize)
        {
            ProtocolThrow.ArgumentLength(nameof(plaintext), plaintext.Length, ciphertext.Length - tagSize);
        }

        if (plaintext.Overlaps(ciphertext, out int offset) && offset != 0)
        {
            ProtocolThrow.Overlap(nameof(plaintext));
        }
    }
}
