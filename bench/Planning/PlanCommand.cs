using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Privomega.Pir.Engine.Keyword;
using Privomega.Pir.Engine.Planning;
using Privomega.Protocol.Formats;
using ScottPlot;
using Spectre.Console;

namespace Privomega.Pir.Bench.Planning;

/// <summary>The <c>plan</c> command's options.</summary>
internal sealed record PlanOptions(
    long Users,
    double MailEpochSeconds,
    int MessageBytes,
    double RetentionSeconds,
    int ReadsPerEpoch,
    double EpochSeconds,
    string Scheme,
    int Threads,
    bool Json,
    string? Plot);

/// <summary>
/// The <c>plan</c> command: calibrates this machine's kernels (at most 15 s), then sizes the directory and the
/// mailbox database for the given users and cadence and predicts, per scheme, bytes, server time, memory and cores.
/// </summary>
internal static class PlanCommand
{
    /// <summary>Calibration budget for all schemes together.</summary>
    private static readonly TimeSpan CalibrationBudget = TimeSpan.FromSeconds(8);

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static int Run(PlanOptions options)
    {
        string? error = Validate(options);
        if (error is not null)
        {
            Console.Error.WriteLine($"plan: {error}");
            return 2;
        }

        IPirCostCalibrator[] calibrators = options.Scheme.Equals("all", StringComparison.OrdinalIgnoreCase)
            ? [.. PirCostModels.All]
            : [PirCostModels.Find(options.Scheme)!];

        DeploymentIntent intent = Intent(options, options.Users);
        var models = new List<IPirCostModel>();
        double cpuShare = 0;
        double calibrationSeconds = 0;
        void Calibrate(Action<string> status)
        {
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            long wallBefore = Stopwatch.GetTimestamp();
            foreach (IPirCostCalibrator calibrator in calibrators)
            {
                status($"calibrating {calibrator.Scheme}");
                models.Add(calibrator.Calibrate(CalibrationBudget / calibrators.Length));
            }

            calibrationSeconds = Stopwatch.GetElapsedTime(wallBefore).TotalSeconds;
            cpuShare = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / calibrationSeconds;
        }

        if (options.Json)
        {
            Calibrate(_ => { });
        }
        else
        {
            AnsiConsole.Status().Start("calibrating", ctx => Calibrate(text => ctx.Status(text)));
        }

        DeploymentPlan plan = DeploymentPlanner.Plan(intent, models);
        if (options.Json)
        {
            foreach (SchemePlan s in plan.Schemes)
            {
                DatabasePlan db = plan.Databases.Single(d => d.Database == s.Database);
                Console.Out.WriteLine(JsonSerializer.Serialize(ToJson(s, db, options, cpuShare, calibrationSeconds), JsonOptions));
            }
        }
        else
        {
            Print(plan, options, cpuShare, calibrationSeconds);
        }

        if (options.Plot is not null)
        {
            DrawPlot(options, models, options.Plot);
            if (!options.Json)
            {
                AnsiConsole.MarkupLine($"[grey]plot written to {Markup.Escape(options.Plot)}[/]");
            }
        }

        return 0;
    }

    private static string? Validate(PlanOptions o)
    {
        if (o.Users < 1)
        {
            return $"--users is {o.Users}; expected at least 1";
        }

        if (!(o.MailEpochSeconds > 0))
        {
            return $"--mail-epoch is {o.MailEpochSeconds}; expected more than 0 seconds";
        }

        if (!(o.RetentionSeconds >= o.MailEpochSeconds))
        {
            return $"--retention is {o.RetentionSeconds}; expected at least one mail epoch ({o.MailEpochSeconds} s)";
        }

        if (o.MessageBytes < 1 || CiphertextBytes(o.MessageBytes) > MailSlot.MaxCiphertextBytes)
        {
            return $"--message-bytes is {o.MessageBytes}; expected 1..{MailSlot.MaxCiphertextBytes - ChatOverhead}";
        }

        if (o.ReadsPerEpoch < 1)
        {
            return $"--reads-per-epoch is {o.ReadsPerEpoch}; expected at least 1";
        }

        if (!(o.EpochSeconds > 0))
        {
            return $"--epoch is {o.EpochSeconds}; expected more than 0 seconds";
        }

        if (o.Threads < 1)
        {
            return $"--threads is {o.Threads}; expected at least 1";
        }

        if (!o.Scheme.Equals("all", StringComparison.OrdinalIgnoreCase) && PirCostModels.Find(o.Scheme) is null)
        {
            return $"--scheme is '{o.Scheme}'; expected one of {string.Join(", ", PirCostModels.All.Select(c => c.Scheme))} or all";
        }

        return null;
    }

    /// <summary>A chat message's bytes besides its padded plaintext: version(1), nonce(24), Poly1305 tag(16).</summary>
    private const int ChatOverhead = 1 + 24 + 16;

    private static int CiphertextBytes(int paddedPlaintextBytes) => paddedPlaintextBytes + ChatOverhead;

    private static DeploymentIntent Intent(PlanOptions o, long users) => new(
        users,
        o.MailEpochSeconds,
        CiphertextBytes(o.MessageBytes),
        o.RetentionSeconds,
        o.ReadsPerEpoch,
        o.EpochSeconds,
        users,
        DirectoryRecord.SizeFor(users));

    private static Dictionary<string, object> ToJson(SchemePlan s, DatabasePlan db, PlanOptions o, double cpuShare, double calibrationSeconds) => new()
    {
        ["scheme"] = s.Scheme,
        ["database"] = s.Database,
        ["records"] = s.Records,
        ["recordBytes"] = s.RecordBytes,
        ["databaseBytes"] = db.DatabaseBytes,
        ["slotBytes"] = db.SlotBytes,
        ["loadFactor"] = Math.Round(db.LoadFactor, 4),
        ["queriesPerRead"] = db.QueriesPerRead,
        ["servers"] = s.Servers,
        ["queryBytes"] = s.QueryBytes,
        ["answerBytes"] = s.AnswerBytes,
        ["clientKeyBytes"] = s.ClientKeyBytes,
        ["clientBytesPerEpoch"] = Math.Round(s.ClientBytesPerEpoch),
        ["serverSecondsPerQuery"] = s.ServerSecondsPerQuery,
        ["serverSecondsPerRead"] = s.ServerSecondsPerRead,
        ["batch"] = s.Batch,
        ["queriesPerSecondPerCore"] = s.QueriesPerSecondPerCore,
        ["memoryBytes"] = s.MemoryBytes,
        ["coresNeeded"] = s.CoresNeeded,
        ["machinesNeeded"] = Math.Ceiling(s.CoresNeeded / o.Threads),
        ["layout"] = s.Layout,
        ["calibrationCpuShare"] = Math.Round(cpuShare, 2),
        ["calibrationSeconds"] = Math.Round(calibrationSeconds, 1),
    };

    private static void Print(DeploymentPlan plan, PlanOptions o, double cpuShare, double calibrationSeconds)
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);
        }

        DeploymentIntent i = plan.Intent;
        AnsiConsole.MarkupLine(Inv($"[bold]{i.Users:N0} users[/], mail epoch {i.MailEpochSeconds} s, retention {i.RetentionSeconds} s ({i.RetentionEpochs} mail epochs), {i.ReadsPerMailEpoch} read(s) per mail epoch, {i.CiphertextBytes} B ciphertexts, epoch {i.EpochSeconds} s"));
        var shapes = new Table().Border(TableBorder.Rounded).Title("databases");
        foreach (string c in new[] { "database", "records", "record B", "slot B", "items", "load", "queries/read", "database", "reads/s" })
        {
            shapes.AddColumn(new TableColumn(c).RightAligned());
        }

        foreach (DatabasePlan d in plan.Databases)
        {
            shapes.AddRow(d.Database, Inv($"{d.Records:N0}"), Inv($"{d.RecordBytes}"), Inv($"{d.SlotBytes}"), Inv($"{d.Items:N0}"), Inv($"{d.LoadFactor:0.000}"), Inv($"{d.QueriesPerRead}"), LogScale.Bytes(d.DatabaseBytes), Inv($"{d.ReadsPerSecond:N0}"));
        }

        AnsiConsole.Write(shapes);
        var table = new Table().Border(TableBorder.Rounded).Title("per scheme (times per server, one core; bytes per read over all servers)");
        foreach (string c in new[] { "database", "scheme", "servers", "query", "answer", "keys", "client/epoch", "s/query (B=1)", "s/read", "batch", "q/s/core", "memory/server", "cores/server", "machines" })
        {
            table.AddColumn(new TableColumn(c).RightAligned());
        }

        foreach (SchemePlan s in plan.Schemes)
        {
            table.AddRow(
                s.Database,
                s.Scheme,
                Inv($"{s.Servers}"),
                LogScale.Bytes(s.QueryBytes),
                LogScale.Bytes(s.AnswerBytes),
                LogScale.Bytes(s.ClientKeyBytes),
                LogScale.Bytes(s.ClientBytesPerEpoch),
                Inv($"{s.ServerSecondsPerQuery:G3}"),
                Inv($"{s.ServerSecondsPerRead:G3}"),
                Inv($"{s.Batch}"),
                Inv($"{s.QueriesPerSecondPerCore:G3}"),
                LogScale.Bytes(s.MemoryBytes),
                Inv($"{s.CoresNeeded:N1}"),
                Inv($"{Math.Ceiling(s.CoresNeeded / o.Threads):N0}"));
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Inv($"[grey]calibrated in this run in {calibrationSeconds:0.0} s (cpu share {cpuShare:0.00}; below 1 means other processes took the cores and every time here is high by about that factor). client/epoch: per mail epoch for mailboxes (K reads, one write, keys spread over the key period), per epoch for the directory. machines: {o.Threads} cores each.[/]"));
        AnsiConsole.MarkupLine("[bold]knobs[/]");
        foreach (string knob in Knobs)
        {
            AnsiConsole.MarkupLine($" • {Markup.Escape(knob)}");
        }
    }

    /// <summary>What each knob trades, including what it reveals.</summary>
    private static readonly string[] Knobs =
    [
        "--mail-epoch: shorter = faster chat, but every user writes and reads once per mail epoch, so client bytes and server cores grow as 1/epoch; longer delays every message by up to one epoch.",
        "--retention: the mailbox database holds users x retention/mail-epoch messages, so memory and server time per read grow linearly with it; shorter makes a reader who is offline or slow for longer than the retention miss mail for good.",
        "--reads-per-epoch: K reads per user per mail epoch bound how many conversations a user can follow (the rest are padded with dummy reads); cost is linear in K.",
        "scheme: xor/dpf need two non-colluding servers and scan the database at memory speed (dpf: tiny queries, bit-vector: N/8-bit queries); lattice needs one server but costs far more CPU and per-client keys.",
        "sharding (more cores than one machine): split the database by rows across machines and send every query to every shard; sharding by keyword instead would reveal which shard (and so which mailbox range) a client reads.",
        "batch: answering several queries in one pass raises queries/s per core for xor/dpf at the cost of latency (a batch waits for its queries).",
    ];

    private static void DrawPlot(PlanOptions o, IReadOnlyList<IPirCostModel> models, string path)
    {
        double[] users = [.. Enumerable.Range(0, 17).Select(k => Math.Pow(10, 3 + (k * 0.25)))];
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        Plot cores = multiplot.GetPlot(0);
        Plot bytes = multiplot.GetPlot(1);
        foreach (IPirCostModel model in models)
        {
            foreach (string database in new[] { "mailboxes", "directory" })
            {
                var xs = new List<double>();
                var coreYs = new List<double>();
                var byteYs = new List<double>();
                foreach (double u in users)
                {
                    DeploymentPlan p = DeploymentPlanner.Plan(Intent(o, (long)u), [model]);
                    SchemePlan? s = p.Schemes.FirstOrDefault(x => x.Database == database);
                    if (s is null)
                    {
                        continue;
                    }

                    xs.Add(u);
                    coreYs.Add(s.CoresNeeded);
                    byteYs.Add(s.ClientBytesPerEpoch);
                }

                if (xs.Count == 0)
                {
                    continue;
                }

                var c = cores.Add.Scatter(LogScale.Log10(xs), LogScale.Log10(coreYs));
                c.LegendText = $"{model.Scheme}, {database}";
                c.LinePattern = database == "mailboxes" ? LinePattern.Solid : LinePattern.Dashed;
                var b = bytes.Add.Scatter(LogScale.Log10(xs), LogScale.Log10(byteYs));
                b.LegendText = $"{model.Scheme}, {database}";
                b.LinePattern = c.LinePattern;
                b.Color = c.Color;
            }
        }

        cores.Title(Inv($"Cores per server to serve every read in time (mail epoch {o.MailEpochSeconds} s, retention {o.RetentionSeconds} s, K = {o.ReadsPerEpoch})"));
        cores.XLabel("online users");
        cores.YLabel("cores per server");
        bytes.Title("Client traffic per cadence (mailboxes: per mail epoch; directory: per epoch)");
        bytes.XLabel("online users");
        bytes.YLabel("client bytes per epoch (B)");
        foreach (Plot plot in new[] { cores, bytes })
        {
            LogScale.LogAxis(plot.Axes.Bottom, LogScale.Count);
            plot.ShowLegend(Alignment.UpperLeft);
        }

        LogScale.LogAxis(cores.Axes.Left, LogScale.Count);
        LogScale.LogAxis(bytes.Axes.Left, LogScale.Bytes);
        multiplot.SavePng(path, 1200, 1100);
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
