using System.Security.Cryptography;
using NSec.Cryptography;

namespace Privomega.Protocol.Primitives;

/// <summary>
/// Seal and open over raw key bytes through NSec: the key is imported into NSec's secure memory for
/// the one call and freed (zeroed) right after. The callers have checked every length and overlap.
/// </summary>
internal static class NSecAead
{
    internal static void Seal(AeadAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> ciphertext)
    {
        using var imported = Key.Import(algorithm, key, KeyBlobFormat.RawSymmetricKey);
        algorithm.Encrypt(imported, nonce, associatedData, plaintext, ciphertext);
    }

    /// <summary>False, with <paramref name="plaintext"/> zeroed, when the tag does not verify.</summary>
    internal static bool TryOpen(AeadAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
    {
        using var imported = Key.Import(algorithm, key, KeyBlobFormat.RawSymmetricKey);
        if (algorithm.Decrypt(imported, nonce, associatedData, ciphertext, plaintext))
        {
            return true;
        }

        CryptographicOperations.ZeroMemory(plaintext);
        return false;
    }
}
