using Privomega.Pir.Engine.Keyword;
using Privomega.Pir.Engine.Tests.Schemes;

namespace Privomega.Pir.Engine.Tests.Keyword;

public class KeywordRetrievalTests
{
    private const int Ciphertext = 24;

    [Theory]
    [MemberData(nameof(SchemeRegistry.Names), MemberType = typeof(SchemeRegistry))]
    public void MailIsReadByMailboxIdThroughEveryScheme(string schemeName)
    {
        PirSchemeCase scheme = SchemeRegistry.Get(schemeName);
        using var table = new MailTable(CuckooLayout.ForItems(40, MailSlot.SlotBytesFor(Ciphertext)), Ciphertext, retentionEpochs: 2);
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal(MailPutStatus.Stored, table.TryPut(MailTableTests.Id(i), MailTableTests.Message(i, Ciphertext), 0));
        }

        using MailSnapshot snapshot = table.Snapshot(0, null);
        IPirServer[] servers = scheme.CreateServers(snapshot.Database);
        var header = MailSnapshotHeader.Decode(snapshot.Header.Encode());
        IPirClient inner = scheme.CreateClient(header.Layout.BucketCount, header.Layout.BucketBytes);
        var reader = new KeywordPirClient(inner, header.Layout, header.CuckooKey);
        try
        {
            foreach (long i in new long[] { 0, 17, 39, 1000, 1001 })
            {
                KeywordRead read = reader.Query(MailTableTests.Id(i));
                Assert.Equal(header.Layout.HashCount, read.QueriesPerServer);
                var answers = new List<IReadOnlyList<PirAnswer>>();
                for (int s = 0; s < read.ServerCount; s++)
                {
                    // Over the wire: every query and answer goes through its codec.
                    PirQuery[] decoded = [.. read.QueriesForServer(s).Select(q => scheme.DecodeQuery(q.Encode(), header.Layout.BucketCount, header.Layout.BucketBytes))];
                    PirEvaluationKey[] keys = inner.EvaluationKey is { } key ? [.. decoded.Select(_ => key)] : [];
                    answers.Add([.. servers[s].AnswerBatch(decoded, keys).Select(a => scheme.DecodeAnswer(a.Encode(), header.Layout.BucketCount, header.Layout.BucketBytes))]);
                }

                byte[][] buckets = reader.Recover(read, answers);
                Assert.Equal(header.Layout.HashCount, buckets.Length);
                byte[]? message = MailSlot.Find(MailTableTests.Id(i), buckets, Ciphertext);
                if (i < 40)
                {
                    Assert.Equal(MailTableTests.Message(i, Ciphertext), message);
                }
                else
                {
                    Assert.Null(message);
                }
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
    public void Client_RejectsALayoutThatIsNotItsDatabase()
    {
        var layout = new CuckooLayout(10, 4, 8);
        var e = Assert.Throws<ArgumentException>(() => new KeywordPirClient(new PlainPirClient(10, 31), layout, CuckooKey.Random()));
        Assert.Contains("32", e.Message);
    }
}
