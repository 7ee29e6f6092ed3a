using Privomega.Pir.Engine.Keyword;
using Privomega.Pir.Engine.Tests.Schemes;

namespace Privomega.Pir.Engine.Tests.Keyword;

public class IndexSnapshotTests
{
    private static void Write(long i, Span<byte> record)
    {
        for (int k = 0; k < record.Length; k++)
        {
            record[k] = (byte)((i * 7) + k);
        }
    }

    [Theory]
    [MemberData(nameof(SchemeRegistry.Names), MemberType = typeof(SchemeRegistry))]
    public void DirectoryRecordsAreReadByIndexWithEveryScheme(string schemeName)
    {
        PirSchemeCase scheme = SchemeRegistry.Get(schemeName);
        using var snapshot = IndexSnapshot.Build(5, 100, 83, Write);
        IPirServer[] servers = scheme.CreateServers(snapshot.Database);
        IPirClient client = scheme.CreateClient(100, 83);
        try
        {
            foreach (long i in new long[] { 0, 42, 99 })
            {
                PirQuery[] queries = client.Query(i);
                PirAnswer[] answers = [.. queries.Select((q, s) => servers[s].Answer(q, client.EvaluationKey))];
                var expected = new byte[83];
                Write(i, expected);
                Assert.Equal(expected, client.Recover(i, answers));
            }
        }
        finally
        {
            foreach (IPirServer server in servers)
            {
                (server as IDisposable)?.Dispose();
            }
        }
    }

    [Fact]
    public void Digest_CoversIdShapeAndEveryRecord()
    {
        using var a = IndexSnapshot.Build(5, 3000, 83, Write);
        using var same = IndexSnapshot.Build(5, 3000, 83, Write);
        Assert.True(a.DigestEquals(same.Digest));
        Assert.Equal(a.Digest.ToArray(), IndexSnapshot.ComputeDigest(5, a.Database));
        using var otherId = IndexSnapshot.Build(6, 3000, 83, Write);
        Assert.False(a.DigestEquals(otherId.Digest));
        using var oneChanged = IndexSnapshot.Build(5, 3000, 83, (i, r) =>
        {
            Write(i, r);
            if (i == 2999)
            {
                r[82] ^= 1;
            }
        });
        Assert.False(a.DigestEquals(oneChanged.Digest));
        Assert.Throws<ArgumentOutOfRangeException>(() => IndexSnapshot.Build(-1, 3, 8, Write));
    }
}
