using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Privomega.Pir.Engine.Keyword;

/// <summary>
/// The hash functions of a keyword table: a 32-byte key's <see cref="CuckooLayout.HashCount"/>
/// distinct candidate buckets, <c>SHA-256(cuckoo key ‖ key ‖ "pv1/cuc")</c> (55 bytes: one
/// SHA-256 block, since the table hashes at every insertion and eviction) cut into 64-bit little-endian words, word j choosing uniformly among the buckets words 0..j−1 did not take.
/// Readers and the server compute the same candidates; a reader fetches all of them.
/// </summary>
public static class CuckooHash
{
    /// <summary>Length of a keyword (a mailbox id) in bytes.</summary>
    public const int KeyBytes = 32;

    // The domain suffix: short enough that the whole input is one SHA-256 block (at most 55 bytes).
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("pv1/cuc");

    /// <summary>
    /// Writes the <see cref="CuckooLayout.HashCount"/> distinct candidate buckets of
    /// <paramref name="key"/> to <paramref name="buckets"/>, in hash-function order.
    /// </summary>
    public static void GetCandidates(CuckooLayout layout, CuckooKey cuckooKey, ReadOnlySpan<byte> key, Span<long> buckets)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(cuckooKey);
        if (key.Length != KeyBytes)
        {
            ThrowHelper.ArgumentLength(nameof(key), key.Length, KeyBytes);
        }

        if (buckets.Length < layout.HashCount)
        {
            ThrowHelper.ArgumentLengthAtLeast(nameof(buckets), buckets.Length, layout.HashCount);
        }

        GetCandidatesCore(layout.BucketCount, layout.HashCount, cuckooKey.Bytes, key, buckets);
    }

    /// <summary>Allocating convenience overload of <see cref="GetCandidates(CuckooLayout, CuckooKey, ReadOnlySpan{byte}, Span{long})"/>.</summary>
    public static long[] GetCandidates(CuckooLayout layout, CuckooKey cuckooKey, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var buckets = new long[layout.HashCount];
        GetCandidates(layout, cuckooKey, key, buckets);
        return buckets;
    }

    internal static void GetCandidatesCore(long bucketCount, int hashCount, ReadOnlySpan<byte> cuckooKey, ReadOnlySpan<byte> key, Span<long> buckets)
    {
        Span<byte> input = stackalloc byte[CuckooKey.Length + KeyBytes + 7];
        cuckooKey.CopyTo(input);
        key.CopyTo(input[CuckooKey.Length..]);
        Domain.CopyTo(input[(CuckooKey.Length + KeyBytes)..]);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(input, digest);
        for (int j = 0; j < hashCount; j++)
        {
            ulong word = BinaryPrimitives.ReadUInt64LittleEndian(digest[(8 * j)..]);
            // Uniform in [0, bucketCount − j) by multiply-high (bias below 2^-24 for 2^40 buckets),
            // then stepped over the buckets already taken, in increasing order, so the candidates are distinct.
            long candidate = (long)Math.BigMul(word, (ulong)(bucketCount - j), out _);
            candidate = SkipTaken(candidate, buckets[..j]);
            buckets[j] = candidate;
        }
    }

    // Maps a value in [0, B − j) to the value-th bucket not in taken (|taken| = j): walk the taken buckets in increasing order.
    private static long SkipTaken(long value, ReadOnlySpan<long> taken)
    {
        Span<long> sorted = stackalloc long[taken.Length];
        taken.CopyTo(sorted);
        sorted.Sort();
        foreach (long t in sorted)
        {
            if (value >= t)
            {
                value++;
            }
        }

        return value;
    }
}
