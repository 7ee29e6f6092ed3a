using System.Diagnostics;
using System.Security.Cryptography;

namespace Privomega.Protocol.Tokens;

/// <summary>expand_message_xmd with SHA-512 (RFC 9380 §5.3.1): b_in_bytes = 64, s_in_bytes = 128.</summary>
internal static class ExpandMessageXmd
{
    private const int HashBytes = 64;
    private const int BlockBytes = 128;

    public static void Sha512(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst, Span<byte> output)
    {
        // Privomega's DSTs are short constants; RFC 9380's hashing of oversize DSTs is never needed.
        Debug.Assert(dst.Length is > 0 and <= 255);
        int ell = (output.Length + HashBytes - 1) / HashBytes;
        Debug.Assert(ell is > 0 and <= 255 && output.Length <= ushort.MaxValue);

        Span<byte> b0 = stackalloc byte[HashBytes];
        Span<byte> bi = stackalloc byte[HashBytes];
        Span<byte> dstLength = [(byte)dst.Length];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);

        Span<byte> zPad = stackalloc byte[BlockBytes];
        zPad.Clear();
        hash.AppendData(zPad);
        hash.AppendData(message);
        hash.AppendData([(byte)(output.Length >> 8), (byte)output.Length, 0]);
        hash.AppendData(dst);
        hash.AppendData(dstLength);
        hash.GetHashAndReset(b0);

        for (int i = 1; i <= ell; i++)
        {
            // b_1 = H(b_0 ‖ 1 ‖ DST'); b_i = H((b_0 xor b_(i-1)) ‖ i ‖ DST'), with bi holding b_(i-1).
            if (i == 1)
            {
                hash.AppendData(b0);
            }
            else
            {
                for (int j = 0; j < HashBytes; j++)
                {
                    bi[j] ^= b0[j];
                }

                hash.AppendData(bi);
            }

            hash.AppendData([(byte)i]);
            hash.AppendData(dst);
            hash.AppendData(dstLength);
            hash.GetHashAndReset(bi);
            int offset = (i - 1) * HashBytes;
            bi[..Math.Min(HashBytes, output.Length - offset)].CopyTo(output[offset..]);
        }

        CryptographicOperations.ZeroMemory(b0);
        CryptographicOperations.ZeroMemory(bi);
    }
}
