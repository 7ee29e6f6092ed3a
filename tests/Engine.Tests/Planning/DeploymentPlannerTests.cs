using Privomega.Pir.Engine.Keyword;
using Privomega.Pir.Engine.Lattice;
using Privomega.Pir.Engine.Planning;

namespace Privomega.Pir.Engine.Tests.Planning;

/// <summary>Predictions must agree with the layouts the planner returns and with what real clients and servers send; never timing.</summary>
public class DeploymentPlannerTests
{
    // Coefficients of the order this machine calibrates; the tests check arithmetic, not these values.
    private static readonly IPirCostModel[] Models =
    [
        new ScanCostModel(ScanCostModel.Kind.BitVector, 2e-9, 1.5e-10, 2e-8, 5e-10),
        new ScanCostModel(ScanCostModel.Kind.Dpf, 2e-8, 1.5e-10, 3e-7, 5e-10),
        new LatticeCostModel(2e-3, 1e-5, 3e-4),
    ];

    private static DeploymentIntent Intent(long users = 2000, double retention = 6, int k = 2) =>
        new(users, MailEpochSeconds: 2, CiphertextBytes: MailSlot.DefaultCiphertextBytes, retention, k, EpochSeconds: 60, DirectoryRecords: users, DirectoryRecordBytes: 404);

    [Fact]
    public void DatabaseShapes_FollowTheLayout()
    {
        DeploymentIntent intent = Intent();
        DeploymentPlan plan = DeploymentPlanner.Plan(intent, Models);
        DatabasePlan mail = plan.Databases.Single(d => d.Database == "mailboxes");
        CuckooLayout layout = DeploymentPlanner.MailboxLayout(intent);
        Assert.Equal(layout, mail.Layout);
        Assert.Equal(3, intent.RetentionEpochs);
        Assert.Equal(2000 * 3, mail.Items);
        Assert.True(layout.MaxItems >= mail.Items);
        Assert.Equal(layout.BucketCount, mail.Records);
        Assert.Equal(layout.BucketBytes, mail.RecordBytes);
        Assert.Equal(MailSlot.DefaultCiphertextBytes + 16, mail.SlotBytes);
        Assert.Equal(mail.Records * mail.RecordBytes, mail.DatabaseBytes);
        Assert.Equal((double)mail.Items / layout.SlotCount, mail.LoadFactor, 12);
        Assert.InRange(mail.LoadFactor, 0.85, layout.MaxLoadFactor);
        Assert.Equal(layout.HashCount, mail.QueriesPerRead);
        Assert.Equal(2000 * 2 / 2.0, mail.ReadsPerSecond);
        DatabasePlan dir = plan.Databases.Single(d => d.Database == "directory");
        Assert.Equal((2000L, 404), (dir.Records, dir.RecordBytes));
        Assert.Equal(1, dir.QueriesPerRead);
        Assert.Equal(2000 / 60.0, dir.ReadsPerSecond, 9);

        // The layout really holds that many messages: fill a table of it.
        using var table = new MailTable(layout, MailSlot.DefaultCiphertextBytes, intent.RetentionEpochs, cuckooKey: CuckooKey.FromBytes(new byte[16]));
        var ct = new byte[MailSlot.DefaultCiphertextBytes];
        var id = new byte[32];
        for (int i = 0; i < mail.Items; i++)
        {
            BitConverter.TryWriteBytes(id, i);
            id[31] = 7;
            Assert.Equal(MailPutStatus.Stored, table.TryPut(System.Security.Cryptography.SHA256.HashData(id), ct, i / 2000));
        }
    }

    [Fact]
    public void SchemePredictions_AreConsistentWithTheirOwnFigures()
    {
        DeploymentIntent intent = Intent();
        DeploymentPlan plan = DeploymentPlanner.Plan(intent, Models);
        Assert.Equal(6, plan.Schemes.Count);
        foreach (SchemePlan s in plan.Schemes)
        {
            DatabasePlan db = plan.Databases.Single(d => d.Database == s.Database);
            IPirCostModel model = Models.Single(m => m.Scheme == s.Scheme);
            Assert.Equal((db.Records, db.RecordBytes), (s.Records, s.RecordBytes));
            PirShapeCost one = model.Cost(db.Records, db.RecordBytes, 1);
            PirShapeCost chosen = model.Cost(db.Records, db.RecordBytes, s.Batch);
            Assert.Equal(one.SecondsPerBatch, s.ServerSecondsPerQuery, 12);
            Assert.Equal(model.Cost(db.Records, db.RecordBytes, db.QueriesPerRead).SecondsPerBatch, s.ServerSecondsPerRead, 12);
            Assert.True(s.ServerSecondsPerRead >= s.ServerSecondsPerQuery);
            Assert.Contains(s.Batch, model.CalibratedBatches);
            Assert.Equal(s.Batch / chosen.SecondsPerBatch, s.QueriesPerSecondPerCore, 9);
            Assert.True(s.QueriesPerSecondPerCore >= 1 / s.ServerSecondsPerQuery * 0.999999);
            Assert.Equal(db.ReadsPerSecond * db.QueriesPerRead / s.QueriesPerSecondPerCore, s.CoresNeeded, 9);
            Assert.Equal((long)db.QueriesPerRead * model.ServerCount * one.QueryBytesPerServer, s.QueryBytes);
            Assert.Equal((long)db.QueriesPerRead * model.ServerCount * one.AnswerBytesPerServer, s.AnswerBytes);
            bool mail = s.Database == "mailboxes";
            double reads = mail ? intent.ReadsPerMailEpoch : 1;
            double write = mail ? intent.CiphertextBytes + 32 : 0;
            double keys = s.ClientKeyBytes * (mail ? intent.MailEpochSeconds / intent.EpochSeconds : 1);
            Assert.Equal((reads * (s.QueryBytes + s.AnswerBytes)) + write + keys, s.ClientBytesPerEpoch, 6);
            Assert.Equal((2 * one.DatabaseMemoryBytes) + (intent.Users * s.ClientKeyBytes), s.MemoryBytes);
            Assert.True(one.DatabaseMemoryBytes >= db.DatabaseBytes);
        }
    }

    [Fact]
    public void PredictedSizes_AreWhatRealClientsAndServersSend()
    {
        DeploymentIntent intent = Intent(users: 300);
        DeploymentPlan plan = DeploymentPlanner.Plan(intent, Models);
        DatabasePlan mail = plan.Databases.Single(d => d.Database == "mailboxes");
        using PirDatabase db = PirDatabase.Generate(mail.Records, mail.RecordBytes, 3);
        (string Scheme, IPirClient Client, IPirServer Server)[] cases =
        [
            ("xor", new XorPirClient(mail.Records, mail.RecordBytes), new XorPirServer(db)),
            ("dpf", new DpfPirClient(mail.Records, mail.RecordBytes), new DpfPirServer(db)),
        ];
        foreach ((string scheme, IPirClient client, IPirServer server) in cases)
        {
            SchemePlan s = plan.Schemes.Single(x => x.Scheme == scheme && x.Database == "mailboxes");
            var reader = new KeywordPirClient(client, mail.Layout!, CuckooKey.Random());
            KeywordRead read = reader.Query(new byte[32]);
            long up = 0;
            long down = 0;
            for (int i = 0; i < read.ServerCount; i++)
            {
                up += read.QueriesForServer(i).Sum(q => (long)q.Encode().Length);
                down += server.AnswerBatch([.. read.QueriesForServer(i)]).Sum(a => (long)a.Encode().Length);
            }

            Assert.Equal(s.QueryBytes, up);
            Assert.Equal(s.AnswerBytes, down);
        }

        SchemePlan lattice = plan.Schemes.Single(x => x.Scheme == "lattice" && x.Database == "mailboxes");
        LatticePirParameters p = LatticePirPlanner.Plan(mail.Records, mail.RecordBytes);
        Assert.Equal(mail.QueriesPerRead * (long)p.QueryBytes, lattice.QueryBytes);
        Assert.Equal(mail.QueriesPerRead * (long)p.AnswerBytes, lattice.AnswerBytes);
        Assert.Equal(p.GaloisKeyBytes, lattice.ClientKeyBytes);
        Assert.Equal(2 * (p.PreprocessedBytes + (mail.Records * PirDatabase.StrideFor(mail.RecordBytes))) + (300 * (long)p.GaloisKeyBytes), lattice.MemoryBytes);
    }

    [Fact]
    public void CostsGrowWithTheDatabase_AndBatchingIsChosenOnlyWhenQueriesFillIt()
    {
        DeploymentPlan small = DeploymentPlanner.Plan(Intent(users: 1000), Models);
        DeploymentPlan large = DeploymentPlanner.Plan(Intent(users: 100_000), Models);
        foreach (SchemePlan s in small.Schemes)
        {
            SchemePlan l = large.Schemes.Single(x => x.Scheme == s.Scheme && x.Database == s.Database);
            Assert.True(l.ServerSecondsPerQuery > s.ServerSecondsPerQuery, $"{s.Scheme}/{s.Database}");
            Assert.True(l.CoresNeeded > s.CoresNeeded);
        }

        // 100,000 users make 100,000 mailbox queries per second: a batch of 16 fills at once, and it is cheaper per query.
        Assert.Equal(ScanCostModel.LargeBatch, large.Schemes.Single(x => x.Scheme == "xor" && x.Database == "mailboxes").Batch);
        // One user's directory read per minute cannot fill a batch of 16 within half a minute.
        DeploymentPlan lonely = DeploymentPlanner.Plan(Intent(users: 1), Models);
        Assert.All(lonely.Schemes, s => Assert.Equal(1, s.Batch));
    }

    [Fact]
    public void ANewSchemeJoinsThePlanThroughTheInterfaceAlone()
    {
        var plan = DeploymentPlanner.Plan(Intent(), [.. Models, new FlatModel()]);
        SchemePlan flat = plan.Schemes.Single(s => s.Scheme == "flat" && s.Database == "mailboxes");
        Assert.Equal(0.5, flat.ServerSecondsPerQuery);
        Assert.Equal(3, flat.Servers);
        Assert.DoesNotContain(plan.Schemes, s => s.Scheme == "flat" && s.Database == "directory");
    }

    [Fact]
    public void BadIntent_GetsClearErrors()
    {
        var e = Assert.Throws<ArgumentException>(() => DeploymentPlanner.Plan(Intent(retention: 1), Models));
        Assert.Contains("retention", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => DeploymentPlanner.Plan(Intent(users: 0), Models));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeploymentPlanner.Plan(Intent(k: 0), Models));
        Assert.Throws<ArgumentException>(() => new ScanCostModel(ScanCostModel.Kind.Dpf, -1, 0, 0, 0));
        Assert.Throws<ArgumentException>(() => new LatticeCostModel(double.NaN, 0, 0));
    }

    private sealed class FlatModel : IPirCostModel
    {
        public string Scheme => "flat";

        public int ServerCount => 3;

        public IReadOnlyList<int> CalibratedBatches => [1];

        public bool Supports(long records, int recordBytes) => recordBytes > 404;

        public PirShapeCost Cost(long records, int recordBytes, int batch) =>
            new(Scheme, records, recordBytes, batch, 10, recordBytes, 0, 0.5 * batch, records * recordBytes, "flat");
    }
}
