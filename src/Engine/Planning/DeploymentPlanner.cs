using Privomega.Pir.Engine.Keyword;

namespace Privomega.Pir.Engine.Planning;

/// <summary>
/// What an operator wants to serve (intent, not derived parameters).
/// </summary>
/// <param name="Users">Online users.</param>
/// <param name="MailEpochSeconds">Mail epoch: every online user writes one message and makes <paramref name="ReadsPerMailEpoch"/> reads per mail epoch.</param>
/// <param name="CiphertextBytes">The deployment's fixed mail ciphertext size (<see cref="MailSlot.DefaultCiphertextBytes"/>).</param>
/// <param name="RetentionSeconds">How long a message stays readable.</param>
/// <param name="ReadsPerMailEpoch">Mailbox reads per user per mail epoch (K).</param>
/// <param name="EpochSeconds">Directory epoch (and lattice key period): one directory read per user per epoch.</param>
/// <param name="DirectoryRecords">Records of <c>keydir_t</c> (the users).</param>
/// <param name="DirectoryRecordBytes">Bytes per directory record (certificate and inclusion path; the host computes it).</param>
public sealed record DeploymentIntent(
    long Users,
    double MailEpochSeconds,
    int CiphertextBytes,
    double RetentionSeconds,
    int ReadsPerMailEpoch,
    double EpochSeconds,
    long DirectoryRecords,
    int DirectoryRecordBytes)
{
    /// <summary>Mail epochs a message is kept: ⌈retention / mail epoch⌉.</summary>
    public int RetentionEpochs => (int)Math.Ceiling((RetentionSeconds / MailEpochSeconds) - 1e-9);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (Users < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(Users), Users, "at least 1");
        }

        if (!(MailEpochSeconds > 0 && MailEpochSeconds <= 86400))
        {
            ThrowHelper.Argument(nameof(MailEpochSeconds), $"the mail epoch is {MailEpochSeconds} s; expected (0, 86400].");
        }

        if (!(RetentionSeconds >= MailEpochSeconds && RetentionSeconds <= 30 * 86400.0))
        {
            ThrowHelper.Argument(nameof(RetentionSeconds), $"retention is {RetentionSeconds} s; expected at least one mail epoch ({MailEpochSeconds} s) and at most 30 days.");
        }

        MailSlot.ValidateCiphertextBytes(CiphertextBytes);
        if (ReadsPerMailEpoch < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(ReadsPerMailEpoch), ReadsPerMailEpoch, "at least 1");
        }

        if (!(EpochSeconds > 0))
        {
            ThrowHelper.Argument(nameof(EpochSeconds), $"the epoch is {EpochSeconds} s; expected more than 0.");
        }

        if (DirectoryRecords < 1 || DirectoryRecordBytes < 1)
        {
            ThrowHelper.Argument(nameof(DirectoryRecords), $"the directory is {DirectoryRecords} x {DirectoryRecordBytes} B; expected at least 1 x 1.");
        }
    }
}

/// <summary>One database's shape.</summary>
/// <param name="Database"><c>directory</c> or <c>mailboxes</c>.</param>
/// <param name="Records">PIR records (directory entries, or buckets).</param>
/// <param name="RecordBytes">Bytes per record (directory record, or bucket).</param>
/// <param name="SlotBytes">Bytes per slot (tag + ciphertext; the record size for the directory).</param>
/// <param name="Items">Entries held: certificates, or messages within the retention window.</param>
/// <param name="LoadFactor">Items per slot (1 for the directory).</param>
/// <param name="QueriesPerRead">PIR queries per read: the candidate buckets (1 for the directory).</param>
/// <param name="ReadsPerSecond">Reads the whole user base makes per second.</param>
/// <param name="Layout">The keyword layout (null for the directory).</param>
public sealed record DatabasePlan(
    string Database,
    long Records,
    int RecordBytes,
    int SlotBytes,
    long Items,
    double LoadFactor,
    int QueriesPerRead,
    double ReadsPerSecond,
    CuckooLayout? Layout)
{
    /// <summary>Database bytes, records × record bytes.</summary>
    public long DatabaseBytes => Records * RecordBytes;
}

/// <summary>
/// One scheme serving one database. Sizes are per read over all servers; times are per server.
/// </summary>
/// <param name="Scheme">Scheme name.</param>
/// <param name="Database"><c>directory</c> or <c>mailboxes</c>.</param>
/// <param name="Records">PIR records.</param>
/// <param name="RecordBytes">Bytes per record.</param>
/// <param name="Servers">Non-colluding servers (each does all the work below).</param>
/// <param name="QueryBytes">Bytes a client uploads for a whole read (every candidate bucket, every server).</param>
/// <param name="AnswerBytes">Bytes a client downloads for a whole read.</param>
/// <param name="ClientKeyBytes">Evaluation-key bytes a client uploads once per key period (0 for XOR).</param>
/// <param name="ClientBytesPerEpoch">Bytes a client moves per cadence of this database (mail epoch, or epoch for the directory): its reads, its one mail write, and its key upload spread over the key period.</param>
/// <param name="ServerSecondsPerQuery">One query answered alone (batch 1, one thread).</param>
/// <param name="ServerSecondsPerRead">A whole read's queries answered as one batch on one thread.</param>
/// <param name="Batch">The batch the planner recommends.</param>
/// <param name="QueriesPerSecondPerCore">Queries one core answers per second at <paramref name="Batch"/>.</param>
/// <param name="MemoryBytes">Bytes one server holds: current and previous snapshot (with any preprocessing) and every online client's keys.</param>
/// <param name="CoresNeeded">Cores per server to answer every user's reads within the database's cadence.</param>
/// <param name="Layout">The scheme's layout in words.</param>
public sealed record SchemePlan(
    string Scheme,
    string Database,
    long Records,
    int RecordBytes,
    int Servers,
    long QueryBytes,
    long AnswerBytes,
    long ClientKeyBytes,
    double ClientBytesPerEpoch,
    double ServerSecondsPerQuery,
    double ServerSecondsPerRead,
    int Batch,
    double QueriesPerSecondPerCore,
    long MemoryBytes,
    double CoresNeeded,
    string Layout);

/// <summary>A plan: the two databases' shapes and, per scheme and database, what serving it costs.</summary>
public sealed record DeploymentPlan(DeploymentIntent Intent, IReadOnlyList<DatabasePlan> Databases, IReadOnlyList<SchemePlan> Schemes);

/// <summary>
/// Sizes a deployment: the directory (one record per user, read by index once per epoch) and the
/// mailbox database (a cuckoo table holding every message of the retention window, read by keyword
/// K times per user per mail epoch), and what each scheme costs to serve them, from calibrated
/// <see cref="IPirCostModel"/>s. Pure arithmetic over the models: the sizes are exact, the seconds as
/// good as the calibration.
/// </summary>
public static class DeploymentPlanner
{
    /// <summary>Mailbox id bytes a write carries besides the ciphertext.</summary>
    public const int MailWriteOverheadBytes = CuckooHash.KeyBytes;

    /// <summary>Snapshots a server holds at once (the current one and the previous, still answering late queries).</summary>
    public const int SnapshotsHeld = 2;

    /// <summary>The mailbox layout for <paramref name="intent"/>: every message of the retention window at the default load.</summary>
    public static CuckooLayout MailboxLayout(DeploymentIntent intent)
    {
        ArgumentNullException.ThrowIfNull(intent);
        intent.Validate();
        long items = checked(intent.Users * intent.RetentionEpochs);
        return CuckooLayout.ForItems(items, MailSlot.SlotBytesFor(intent.CiphertextBytes));
    }

    /// <summary>The two databases' shapes.</summary>
    public static IReadOnlyList<DatabasePlan> Databases(DeploymentIntent intent)
    {
        CuckooLayout mail = MailboxLayout(intent);
        long items = intent.Users * intent.RetentionEpochs;
        return
        [
            new DatabasePlan("directory", intent.DirectoryRecords, intent.DirectoryRecordBytes, intent.DirectoryRecordBytes, intent.DirectoryRecords, 1.0, 1, intent.Users / intent.EpochSeconds, null),
            new DatabasePlan("mailboxes", mail.BucketCount, mail.BucketBytes, mail.SlotBytes, items, (double)items / mail.SlotCount, mail.HashCount, intent.Users * (double)intent.ReadsPerMailEpoch / intent.MailEpochSeconds, mail),
        ];
    }

    /// <summary>Plans <paramref name="intent"/> for every model (a model that cannot serve a shape is left out of that database).</summary>
    public static DeploymentPlan Plan(DeploymentIntent intent, IReadOnlyList<IPirCostModel> models)
    {
        ArgumentNullException.ThrowIfNull(intent);
        ArgumentNullException.ThrowIfNull(models);
        IReadOnlyList<DatabasePlan> databases = Databases(intent);
        var schemes = new List<SchemePlan>();
        foreach (DatabasePlan db in databases)
        {
            foreach (IPirCostModel model in models)
            {
                if (model.Supports(db.Records, db.RecordBytes))
                {
                    schemes.Add(PlanScheme(intent, db, model));
                }
            }
        }

        return new DeploymentPlan(intent, databases, schemes);
    }

    private static SchemePlan PlanScheme(DeploymentIntent intent, DatabasePlan db, IPirCostModel model)
    {
        bool mail = db.Database == "mailboxes";
        double cadence = mail ? intent.MailEpochSeconds : intent.EpochSeconds;
        double readsPerCadence = mail ? intent.ReadsPerMailEpoch : 1;
        double queriesPerSecond = db.ReadsPerSecond * db.QueriesPerRead;

        PirShapeCost single = model.Cost(db.Records, db.RecordBytes, 1);
        PirShapeCost read = model.Cost(db.Records, db.RecordBytes, db.QueriesPerRead);

        // The cheapest calibrated batch per query that the queries arriving within half a cadence can fill. Its
        // latency is not a limit: a deployment that needs many cores splits the rows over them, and a shard of 1/S
        // of the rows answers the same batch in 1/S of the time.
        PirShapeCost chosen = single;
        foreach (int batch in model.CalibratedBatches.Order())
        {
            PirShapeCost cost = model.Cost(db.Records, db.RecordBytes, batch);
            if (queriesPerSecond * cadence / 2 >= batch && cost.SecondsPerBatch / batch < chosen.SecondsPerBatch / chosen.Batch)
            {
                chosen = cost;
            }
        }

        double qpsPerCore = chosen.Batch / chosen.SecondsPerBatch;
        long queryBytes = (long)db.QueriesPerRead * model.ServerCount * single.QueryBytesPerServer;
        long answerBytes = (long)db.QueriesPerRead * model.ServerCount * single.AnswerBytesPerServer;
        double keyShare = single.ClientKeyBytes * Math.Min(1.0, cadence / intent.EpochSeconds);
        double writeBytes = mail ? intent.CiphertextBytes + MailWriteOverheadBytes : 0;
        double clientBytes = (readsPerCadence * (queryBytes + answerBytes)) + writeBytes + keyShare;
        long memory = checked((SnapshotsHeld * single.DatabaseMemoryBytes) + (intent.Users * single.ClientKeyBytes));
        return new SchemePlan(
            model.Scheme,
            db.Database,
            db.Records,
            db.RecordBytes,
            model.ServerCount,
            queryBytes,
            answerBytes,
            single.ClientKeyBytes,
            clientBytes,
            single.SecondsPerBatch,
            read.SecondsPerBatch,
            chosen.Batch,
            qpsPerCore,
            memory,
            queriesPerSecond / qpsPerCore,
            single.Layout);
    }
}
