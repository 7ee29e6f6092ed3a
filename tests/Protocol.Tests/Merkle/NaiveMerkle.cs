using System.Security.Cryptography;

namespace Privomega.Protocol.Tests.Merkle;

/// <summary>
/// RFC 9162 §2.1 written as the RFC writes it: recursive MTH, PATH and PROOF over the leaf data,
/// hashing with SHA-256 directly. The library's level-storing implementation must agree with it.
/// </summary>
internal static class NaiveMerkle
{
    public static byte[] LeafHash(byte[] data) => SHA256.HashData([0x00, .. data]);

    public static byte[] NodeHash(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    public static byte[] Mth(IReadOnlyList<byte[]> d, int begin, int end)
    {
        var n = end - begin;
        if (n == 0)
        {
            return SHA256.HashData(ReadOnlySpan<byte>.Empty);
        }

        if (n == 1)
        {
            return LeafHash(d[begin]);
        }

        var k = SplitPoint(n);
        return NodeHash(Mth(d, begin, begin + k), Mth(d, begin + k, end));
    }

    public static List<byte[]> Path(int m, IReadOnlyList<byte[]> d, int begin, int end)
    {
        var n = end - begin;
        if (n == 1)
        {
            return [];
        }

        var k = SplitPoint(n);
        if (m < k)
        {
            var path = Path(m, d, begin, begin + k);
            path.Add(Mth(d, begin + k, end));
            return path;
        }
        else
        {
            var path = Path(m - k, d, begin + k, end);
            path.Add(Mth(d, begin, begin + k));
            return path;
        }
    }

    public static List<byte[]> Proof(int m, IReadOnlyList<byte[]> d, int n) =>
        m == 0 || m == n ? [] : SubProof(m, d, 0, n, true);

    private static List<byte[]> SubProof(int m, IReadOnlyList<byte[]> d, int begin, int end, bool b)
    {
        var n = end - begin;
        if (m == n)
        {
            return b ? [] : [Mth(d, begin, end)];
        }

        var k = SplitPoint(n);
        if (m <= k)
        {
            var proof = SubProof(m, d, begin, begin + k, b);
            proof.Add(Mth(d, begin + k, end));
            return proof;
        }
        else
        {
            var proof = SubProof(m - k, d, begin + k, end, false);
            proof.Add(Mth(d, begin, begin + k));
            return proof;
        }
    }

    private static int SplitPoint(int n)
    {
        var k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return k;
    }
}
