using System.Globalization;
using Privomega.Pir.Bench.Planning;
using ScottPlot;

namespace Privomega.Pir.Bench.Throughput;

/// <summary>
/// <c>throughput --plot</c>: database GB/s (top) and queries/s (bottom) against database size, one line per
/// scheme, batch and thread count, with this machine's read bandwidth over the same rows as a dashed line.
/// </summary>
internal static class ThroughputPlot
{
    public static void Draw(IReadOnlyList<ThroughputResult> results, string path)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        Plot rate = multiplot.GetPlot(0);
        Plot queries = multiplot.GetPlot(1);
        bool severalThreads = results.Select(r => r.Threads).Distinct().Count() > 1;
        foreach (var group in results.GroupBy(r => (r.Scheme, r.Batch, r.Threads)).OrderBy(g => g.Key.Scheme).ThenBy(g => g.Key.Threads).ThenBy(g => g.Key.Batch))
        {
            ThroughputResult[] points = [.. group.OrderBy(r => DatabaseBytes(r))];
            double[] xs = LogScale.Log10(points.Select(DatabaseBytes));
            string label = string.Create(CultureInfo.InvariantCulture, $"{group.Key.Scheme}, B = {group.Key.Batch}{(severalThreads ? $", T = {group.Key.Threads}" : "")}");
            var line = rate.Add.Scatter(xs, [.. points.Select(r => r.DbBytesPerSecond / 1e9)]);
            line.LegendText = label;
            var q = queries.Add.Scatter(xs, LogScale.Log10(points.Select(r => r.QueriesPerSecond)));
            q.LegendText = label;
            q.Color = line.Color;
        }

        foreach (var group in results.GroupBy(r => r.Threads).OrderBy(g => g.Key))
        {
            // The read loop ran beside every configuration; its median per size is the machine's bandwidth there.
            var bySize = group.GroupBy(DatabaseBytes).OrderBy(g => g.Key).ToArray();
            var read = rate.Add.Scatter(
                LogScale.Log10(bySize.Select(g => g.Key)),
                [.. bySize.Select(g => Median(g.Select(r => r.ReadBytesPerSecond)) / 1e9)]);
            read.LegendText = string.Create(CultureInfo.InvariantCulture, $"read bandwidth{(severalThreads ? $", T = {group.Key}" : "")}");
            read.LinePattern = LinePattern.Dashed;
            read.Color = Colors.Black;
            read.LineWidth = 2;
        }

        rate.Title("Database bytes scanned per second (answering a batch in one pass) and the read loop over the same rows");
        rate.YLabel("database GB/s (10^9 B/s)");
        queries.Title("Queries answered per second");
        queries.YLabel("queries per second");
        LogScale.LogAxis(queries.Axes.Left, LogScale.Count);
        foreach (Plot plot in new[] { rate, queries })
        {
            plot.XLabel("database size (records x record bytes)");
            LogScale.LogAxis(plot.Axes.Bottom, LogScale.Bytes);
            plot.ShowLegend(Alignment.UpperRight);
        }

        rate.Axes.SetLimitsY(0, (results.Count == 0 ? 1 : results.Max(r => Math.Max(r.DbBytesPerSecond, r.ReadBytesPerSecond)) / 1e9) * 1.15);
        multiplot.SavePng(path, 1200, 1100);
    }

    private static double DatabaseBytes(ThroughputResult r) => (double)r.Records * r.RecordBytes;

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }
}
