using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Privomega.Pir.Engine;
using Spectre.Console;

namespace Privomega.Pir.Bench.Throughput;

/// <summary>One measured configuration; serialised as one JSON line with <c>--json</c>.</summary>
internal sealed record ThroughputResult(
    string Scheme,
    string Kernel,
    long Records,
    int RecordBytes,
    int Threads,
    int Batch,
    int VectorWidth,
    double DbBytesPerSecond,
    double QueriesPerSecond,
    double QueriesPerSecondPerThread,
    double ReadBytesPerSecond,
    double Ratio,
    long QueryBytes,
    long AnswerBytes,
    double SecondsPerPass,
    double CpuShare,
    bool Verified)
{
    /// <summary>Median server time per query: the median pass divided by the batch (the pass answers the whole batch).</summary>
    public double ServerSeconds { get; init; }

    /// <summary>Mean server time per query over the measured passes (the warm-up passes are not in it).</summary>
    public double ServerSecondsMean { get; init; }

    /// <summary>The first, JIT-warming pass, whole (not per query); not part of any median or mean.</summary>
    public double WarmupSeconds { get; init; }

    /// <summary>Measured passes the medians are taken over.</summary>
    public int Passes { get; init; }

    /// <summary>Database bytes × batch ÷ median pass: the rate a batch of single-query scans would need to match it.</summary>
    public double EffectiveDbBytesPerSecond { get; init; }

    /// <summary>Database bytes the kernel backs with 2 MiB pages (AnonHugePages of the rows' mapping; -1 unreadable).</summary>
    public long DbHugePageBytes { get; init; }

    /// <summary>Scheme-specific fields (<see cref="IThroughputDetails"/>), written as extra top-level JSON fields.</summary>
    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, object>? Details { get; init; }
}

/// <summary>What to sweep. Empty <see cref="Records"/> means the default sizes, from cache-resident to 1 GiB.</summary>
internal sealed record ThroughputOptions(string[] Schemes, long[] Records, int RecordBytes, int[] Threads, int[] Batches, bool Json, string? Plot = null);

/// <summary>
/// The <c>throughput</c> command: for each configuration, answers a batch of queries in one pass over a generated database,
/// and measures this machine's read bandwidth over the same rows with the same threads; warm-up, repeats, medians.
/// </summary>
internal static class ThroughputCommand
{
    /// <summary>Default database sizes: 256 KiB (L2), 4 MiB (L3), 64 MiB and 1 GiB (DRAM).</summary>
    private static readonly long[] DefaultDatabaseBytes = [256L << 10, 4L << 20, 64L << 20, 1L << 30];

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static int Run(ThroughputOptions options)
    {
        var schemes = new List<IThroughputScheme>();
        foreach (string name in options.Schemes)
        {
            IThroughputScheme? scheme = ThroughputSchemes.All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
            if (scheme is null)
            {
                Console.Error.WriteLine($"unknown scheme '{name}'; known: {string.Join(", ", ThroughputSchemes.All.Select(s => s.Name))}");
                return 2;
            }

            schemes.Add(scheme);
        }

        if (options.RecordBytes < 1 || options.Records.Any(n => n < 1) || options.Threads.Any(t => t < 1) || options.Batches.Any(b => b < 1))
        {
            Console.Error.WriteLine("--records, --record-bytes, --threads and --batch must be at least 1");
            return 2;
        }

        long[] records = options.Records.Length > 0
            ? options.Records
            : DefaultDatabaseBytes.Select(bytes => Math.Max(1, bytes / options.RecordBytes)).ToArray();
        int total = records.Length * schemes.Count * options.Threads.Length * options.Batches.Length;
        var results = new List<ThroughputResult>();

        void Sweep(Action<string> status)
        {
            foreach (long n in records)
            {
                status($"generating {FormatBytes(n * options.RecordBytes)} ({n:N0} x {options.RecordBytes} B)");
                using PirDatabase database = PirDatabase.Generate(n, options.RecordBytes, seed: 0x5EED);
                foreach (IThroughputScheme scheme in schemes)
                {
                    foreach (int threads in options.Threads)
                    {
                        foreach (int batch in options.Batches)
                        {
                            status($"{scheme.Name}: {FormatBytes(database.PayloadBytes)}, {threads} thread(s), batch {batch}");
                            ThroughputResult result = Measure(scheme, database, threads, batch);
                            results.Add(result);
                            if (options.Json)
                            {
                                Console.Out.WriteLine(JsonSerializer.Serialize(result, JsonOptions));
                                Console.Out.Flush();
                            }
                        }
                    }
                }
            }
        }

        if (options.Json)
        {
            Sweep(_ => { });
        }
        else
        {
            if (Console.IsOutputRedirected)
            {
                // Spectre assumes 80 columns when not on a terminal, which folds the table into unreadable cells.
                AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 180);
            }

            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    ProgressTask task = ctx.AddTask("throughput", maxValue: total);
                    Sweep(text =>
                    {
                        task.Description = Markup.Escape(text);
                        if (!text.StartsWith("generating", StringComparison.Ordinal))
                        {
                            task.Increment(1);
                        }
                    });
                });
            AnsiConsole.Write(BuildTable(results));
            AnsiConsole.MarkupLine($"[grey]vector width in use: {XorKernels.VectorWidth} bits; dbBytes/s counts database bytes scanned per pass; read = sequential read bandwidth over the same rows and threads; cpu share below 1 = other processes took the cores.[/]");
        }

        if (options.Plot is not null)
        {
            ThroughputPlot.Draw(results, options.Plot);
        }

        if (results.Any(r => !r.Verified))
        {
            Console.Error.WriteLine("verification failed: recovered records did not match");
            return 1;
        }

        return 0;
    }

    private static ThroughputResult Measure(IThroughputScheme scheme, PirDatabase database, int threads, int batch)
    {
        using IThroughputRun run = scheme.Prepare(database, threads, batch);
        ulong sink = 0;
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long wallBefore = Stopwatch.GetTimestamp();
        Timings timings = InterleavedMedianSeconds(run.AnswerBatch, () => sink ^= ReadBandwidth.ReadAll(database, threads), run is IThroughputPhases phases ? phases.StartMeasuring : null);
        (double pass, double read) = (timings.First, timings.Second);
        // Share of the requested cores this process got while timing: near 1 on a quiet machine; well below 1 means
        // other processes took the cores and every rate here is low by about that factor.
        double cpuShare = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / (Stopwatch.GetElapsedTime(wallBefore).TotalSeconds * threads);
        GC.KeepAlive(sink);
        bool verified = run.Verify();
        double dbBytes = database.RowBytes;
        return new ThroughputResult(
            scheme.Name,
            run.Kernel,
            database.RecordCount,
            database.RecordBytes,
            threads,
            batch,
            run.VectorWidth,
            DbBytesPerSecond: dbBytes / pass,
            QueriesPerSecond: batch / pass,
            QueriesPerSecondPerThread: batch / pass / threads,
            ReadBytesPerSecond: dbBytes / read,
            Ratio: read / pass,
            run.QueryBytes,
            run.AnswerBytes,
            pass,
            cpuShare,
            verified)
        {
            ServerSeconds = pass / batch,
            ServerSecondsMean = timings.FirstMean / batch,
            WarmupSeconds = timings.Warmup,
            Passes = timings.Passes,
            EffectiveDbBytesPerSecond = dbBytes * batch / pass,
            DbHugePageBytes = database.HugePageBytes,
            Details = (run as IThroughputDetails)?.Details,
        };
    }

    /// <summary>Measuring window per configuration (both actions together); the default sweep takes about two minutes with it.</summary>
    private const double MeasureSeconds = 1.5;

    /// <summary>Medians of both actions, the first action's mean and its first (warm-up) run, and how many runs were measured.</summary>
    private readonly record struct Timings(double First, double Second, double FirstMean, double Warmup, int Passes);

    /// <summary>
    /// Warms up both actions (until 2 runs each or 50 ms, at least one each), then alternates them until each has run 3
    /// times and <see cref="MeasureSeconds"/> has passed (at most 400 runs each), and returns both medians. Alternating means
    /// a burst of load from other processes slows both about equally, so their ratio stays honest on a shared machine; the
    /// median shrugs off the odd slowed run. <paramref name="measuring"/> is called once between warm-up and measurement.
    /// </summary>
    private static Timings InterleavedMedianSeconds(Action first, Action second, Action? measuring)
    {
        var watch = Stopwatch.StartNew();
        double warmup = 0;
        for (int i = 0; i < 2 && (i == 0 || watch.Elapsed.TotalSeconds < 0.05); i++)
        {
            double t = Time(first);
            warmup = i == 0 ? t : warmup;
            second();
        }

        measuring?.Invoke();
        var firstTimes = new List<double>();
        var secondTimes = new List<double>();
        watch.Restart();
        while (firstTimes.Count < 400 && (firstTimes.Count < 3 || watch.Elapsed.TotalSeconds < MeasureSeconds))
        {
            firstTimes.Add(Time(first));
            secondTimes.Add(Time(second));
        }

        return new Timings(Median(firstTimes), Median(secondTimes), firstTimes.Average(), warmup, firstTimes.Count);

        static double Time(Action action)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
    }

    /// <summary>The median (for an even count, the mean of the two middle values).</summary>
    internal static double Median(List<double> times)
    {
        times.Sort();
        int n = times.Count;
        return n % 2 == 1 ? times[n / 2] : (times[(n / 2) - 1] + times[n / 2]) / 2;
    }

    private static Table BuildTable(List<ThroughputResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (string column in new[] { "scheme", "kernel", "records", "R", "db", "T", "B", "db GB/s", "read GB/s", "ratio", "queries/s", "q/s/thread", "query B", "answer B", "cpu share" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (ThroughputResult r in results)
        {
            table.AddRow(
                r.Scheme,
                r.Kernel,
                r.Records.ToString("N0", CultureInfo.InvariantCulture),
                r.RecordBytes.ToString(CultureInfo.InvariantCulture),
                FormatBytes(r.Records * r.RecordBytes),
                r.Threads.ToString(CultureInfo.InvariantCulture),
                r.Batch.ToString(CultureInfo.InvariantCulture),
                (r.DbBytesPerSecond / 1e9).ToString("F1", CultureInfo.InvariantCulture),
                (r.ReadBytesPerSecond / 1e9).ToString("F1", CultureInfo.InvariantCulture),
                r.Ratio.ToString("F2", CultureInfo.InvariantCulture),
                r.QueriesPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                r.QueriesPerSecondPerThread.ToString("N0", CultureInfo.InvariantCulture),
                r.QueryBytes.ToString("N0", CultureInfo.InvariantCulture),
                r.AnswerBytes.ToString("N0", CultureInfo.InvariantCulture),
                r.CpuShare.ToString("F2", CultureInfo.InvariantCulture));
        }

        return table;
    }

    private static string FormatBytes(long bytes) =>
        bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.##} GiB"
        : bytes >= 1L << 20 ? $"{bytes / (double)(1L << 20):0.##} MiB"
        : bytes >= 1L << 10 ? $"{bytes / (double)(1L << 10):0.##} KiB"
        : $"{bytes} B";
}
