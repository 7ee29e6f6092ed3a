using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;

namespace Privomega.Protocol.Hpke;

/// <summary>
/// RFC 9180 §4 LabeledExtract and LabeledExpand over HKDF-SHA256. Every derivation is prefixed
/// with "HPKE-v1", a suite identifier and a label, so keys derived for one purpose or suite can
/// never be confused with another's.
/// </summary>
internal static class HpkeLabels
{
    /// <summary>HKDF-SHA256 output size, Nh.</summary>
    public const int HashSize = 32;

    private const int StackLimit = 256;

    private static ReadOnlySpan<byte> Version => "HPKE-v1"u8;

    /// <summary>LabeledExtract(salt, label, ikm) = HKDF-Extract(salt, "HPKE-v1" ‖ suite_id ‖ label ‖ ikm).</summary>
    public static void Extract(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> label, ReadOnlySpan<byte> ikm, Span<byte> prk)
    {
        Debug.Assert(prk.Length == HashSize);
        var length = Version.Length + suiteId.Length + label.Length + ikm.Length;
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        var labeled = buffer[..length];
        try
        {
            var at = Append(labeled, 0, Version);
            at = Append(labeled, at, suiteId);
            at = Append(labeled, at, label);
            Append(labeled, at, ikm);
            HKDF.Extract(HashAlgorithmName.SHA256, labeled, salt, prk);
        }
        finally
        {
            // The input keying material is usually a secret (a DH output, a PSK).
            CryptographicOperations.ZeroMemory(labeled);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>LabeledExpand(prk, label, info, L) = HKDF-Expand(prk, I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label ‖ info, L).</summary>
    public static void Expand(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> prk, ReadOnlySpan<byte> label, ReadOnlySpan<byte> info, Span<byte> output)
    {
        Debug.Assert(output.Length <= 255 * HashSize);
        var length = 2 + Version.Length + suiteId.Length + label.Length + info.Length;
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        var labeled = buffer[..length];
        try
        {
            BinaryPrimitives.WriteUInt16BigEndian(labeled, (ushort)output.Length);
            var at = Append(labeled, 2, Version);
            at = Append(labeled, at, suiteId);
            at = Append(labeled, at, label);
            Append(labeled, at, info);
            HKDF.Expand(HashAlgorithmName.SHA256, prk, output, labeled);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int Append(Span<byte> destination, int at, ReadOnlySpan<byte> part)
    {
        part.CopyTo(destination[at..]);
        return at + part.Length;
    }
}
