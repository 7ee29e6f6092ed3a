using System.Globalization;
using System.Text.Json;
using ScottPlot;
using Spectre.Console;

namespace Privomega.Pir.Bench.Sda;

/// <summary>What the <c>sda</c> command sweeps.</summary>
public sealed record SdaOptions(
    int Users,
    int Epochs,
    double[] QuickReply,
    int Seeds,
    int Targets,
    double ConversationFraction,
    int MaxPause,
    int MaxTargetEpochs,
    string[] Views,
    bool Json,
    string? Plot);

/// <summary>
/// The <c>sda</c> command: for each quick-reply rate and seed, draws one traffic window, runs it through every view (what
/// each kind of server records), attacks the same targets in each, and prints per view the partner's median rank, the
/// share of runs where the partner is uniquely first, and the median target epochs until it first is — next to chance.
/// </summary>
public static class SdaCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Every view the command knows, in the order it reports them.</summary>
    public static IReadOnlyList<ISdaView> AllViews { get; } = [new SealedSenderView(), new PrivomegaServerView(cover: false), new PrivomegaServerView(cover: true)];

    public static int Run(SdaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!TryValidate(options, out ISdaView[] views, out string? error))
        {
            Console.Error.WriteLine($"sda: {error}");
            return 2;
        }

        var outcomes = new Dictionary<(string View, double QuickReply), List<SdaOutcome>>();
        int total = options.QuickReply.Length * options.Seeds * views.Length;

        void Sweep(Action<string> status, Action<double> step)
        {
            foreach (double quickReply in options.QuickReply)
            {
                for (int seed = 1; seed <= options.Seeds; seed++)
                {
                    status($"quick-reply {quickReply:0.##}, seed {seed}: generating traffic");
                    Traffic traffic = TrafficGenerator.Generate(new TrafficConfig
                    {
                        Users = options.Users,
                        Epochs = options.Epochs,
                        QuickReply = quickReply,
                        ConversationFraction = options.ConversationFraction,
                        MaxPause = options.MaxPause,
                        Seed = (ulong)seed,
                    });
                    int[] targets = SdaExperiment.PickTargets(traffic, options.Targets, seed);
                    foreach (ISdaView view in views)
                    {
                        status($"quick-reply {quickReply:0.##}, seed {seed}: {view.Name} ({traffic.MessageCount:N0} messages)");
                        double done = 0;
                        SdaObservations observations = view.Observe(traffic, new InlineProgress(fraction =>
                        {
                            step((fraction - done) * 0.8);
                            done = fraction;
                        }));
                        step((1 - done) * 0.8);
                        SdaOutcome[] result = SdaExperiment.Attack(observations, traffic, targets, options.MaxTargetEpochs, seed);
                        step(0.2);
                        if (!outcomes.TryGetValue((view.Name, quickReply), out List<SdaOutcome>? list))
                        {
                            outcomes[(view.Name, quickReply)] = list = [];
                        }

                        list.AddRange(result);
                    }
                }
            }
        }

        if (options.Json)
        {
            Sweep(_ => { }, _ => { });
        }
        else
        {
            if (Console.IsOutputRedirected)
            {
                AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 160);
            }

            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    ProgressTask task = ctx.AddTask("sda", maxValue: total);
                    Sweep(text => task.Description = Markup.Escape(text), amount => task.Increment(amount));
                });
        }

        var summaries = new List<SdaSummary>();
        foreach (double quickReply in options.QuickReply)
        {
            foreach (ISdaView view in views)
            {
                summaries.Add(SdaExperiment.Summarize(view.Name, options.Users, options.Epochs, quickReply, options.Seeds, outcomes[(view.Name, quickReply)]));
            }
        }

        if (options.Json)
        {
            foreach (SdaSummary summary in summaries)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(summary, JsonOptions));
            }
        }
        else
        {
            AnsiConsole.Write(BuildTable(summaries));
            AnsiConsole.MarkupLine(Markup.Escape(
                $"{options.Users:N0} users, {options.Epochs:N0} mail epochs, {options.ConversationFraction:0.##} of them in conversations (pauses up to {options.MaxPause} epochs between bursts); " +
                $"{options.Targets} targets per seed, at most {options.MaxTargetEpochs} target epochs each. Rank 1 = the partner leads; " +
                $"everyone alike = rank {options.Users / 2.0:N0}; chance of being uniquely first = 1/U."));
        }

        if (options.Plot is not null)
        {
            DrawPlot(summaries, options.Plot);
            if (!options.Json)
            {
                AnsiConsole.MarkupLine($"plot: {Markup.Escape(Path.GetFullPath(options.Plot))}");
            }
        }

        return 0;
    }

    private static bool TryValidate(SdaOptions options, out ISdaView[] views, out string? error)
    {
        views = [];
        error = null;
        var chosen = new List<ISdaView>();
        foreach (string name in options.Views)
        {
            ISdaView? view = AllViews.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase));
            if (view is null)
            {
                error = $"unknown view '{name}'; known: {string.Join(", ", AllViews.Select(v => v.Name))}";
                return false;
            }

            if (!chosen.Contains(view))
            {
                chosen.Add(view);
            }
        }

        views = [.. chosen];
        if (views.Length == 0)
        {
            error = "no view selected";
            return false;
        }

        if (options.QuickReply.Length == 0)
        {
            error = "--quick-reply needs at least one rate";
            return false;
        }

        if (options.Seeds < 1 || options.Targets < 1 || options.MaxTargetEpochs < 1)
        {
            error = $"--seeds, --targets and --max-target-epochs must be at least 1; found {options.Seeds}, {options.Targets}, {options.MaxTargetEpochs}";
            return false;
        }

        try
        {
            foreach (double quickReply in options.QuickReply)
            {
                new TrafficConfig { Users = options.Users, Epochs = options.Epochs, QuickReply = quickReply, ConversationFraction = options.ConversationFraction, MaxPause = options.MaxPause }.Validate();
            }
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return false;
        }

        int pairs = (int)(options.Users * options.ConversationFraction) / 2;
        if (pairs < options.Targets)
        {
            error = $"--targets {options.Targets} needs that many conversations; {options.Users} users at fraction {options.ConversationFraction} make {pairs}";
            return false;
        }

        return true;
    }

    private static Table BuildTable(List<SdaSummary> summaries)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (string column in new[] { "view", "quick-reply", "users", "runs", "median rank", "uniquely first", "median epochs to identify", "chance", "median target epochs" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (SdaSummary s in summaries)
        {
            table.AddRow(
                s.View,
                s.QuickReply.ToString("0.##", CultureInfo.InvariantCulture),
                s.Users.ToString("N0", CultureInfo.InvariantCulture),
                s.Runs.ToString(CultureInfo.InvariantCulture),
                s.MedianRank.ToString("N1", CultureInfo.InvariantCulture),
                s.UniqueFirstShare.ToString("P1", CultureInfo.InvariantCulture),
                s.MedianEpochsToIdentify is double n ? n.ToString("0.#", CultureInfo.InvariantCulture) : "never",
                s.Chance.ToString("0.######", CultureInfo.InvariantCulture),
                s.MedianTargetEpochs.ToString("0.#", CultureInfo.InvariantCulture));
        }

        return table;
    }

    /// <summary>Median partner rank (log scale) against target epochs, one line per view and quick-reply rate.</summary>
    private static void DrawPlot(List<SdaSummary> summaries, string path)
    {
        var plot = new Plot();
        ScottPlot.Color[] palette = [Colors.FireBrick, Colors.SteelBlue, Colors.ForestGreen, Colors.DarkOrange, Colors.Purple, Colors.Black];
        string[] viewNames = [.. summaries.Select(s => s.View).Distinct()];
        double[] rates = [.. summaries.Select(s => s.QuickReply).Distinct()];
        LinePattern[] patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];
        foreach (SdaSummary s in summaries)
        {
            if (s.MedianRankCurve.Length == 0)
            {
                continue;
            }

            double[] xs = [.. Enumerable.Range(1, s.MedianRankCurve.Length).Select(k => (double)k)];
            double[] ys = [.. s.MedianRankCurve.Select(Math.Log10)];
            var line = plot.Add.ScatterLine(xs, ys);
            line.Color = palette[Array.IndexOf(viewNames, s.View) % palette.Length];
            line.LinePattern = patterns[Array.IndexOf(rates, s.QuickReply) % patterns.Length];
            line.LineWidth = 2;
            line.LegendText = $"{s.View}, quick-reply {s.QuickReply:0.##}";
        }

        int users = summaries[0].Users;
        var chance = plot.Add.HorizontalLine(Math.Log10(users / 2.0));
        chance.Color = Colors.Gray;
        chance.LinePattern = LinePattern.Dotted;
        chance.LegendText = $"everyone alike (U/2 = {users / 2:N0})";

        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => Math.Pow(10, y).ToString("N0", CultureInfo.InvariantCulture),
        };
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.SetLimitsY(-0.1, Math.Log10(users) + 0.1);
        plot.Title($"Statistical disclosure attack, {users:N0} users: partner's median rank");
        plot.XLabel("target epochs observed (count)");
        plot.YLabel("partner's median rank (1 = identified, log scale)");
        plot.ShowLegend(Alignment.LowerLeft);
        plot.SavePng(path, 1000, 650);
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class InlineProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
