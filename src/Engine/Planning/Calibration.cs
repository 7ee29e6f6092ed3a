using System.Diagnostics;

namespace Privomega.Pir.Engine.Planning;

/// <summary>Timing helpers shared by the calibrators: warm-up, repeats, medians, bounded by a budget.</summary>
internal static class Calibration
{
    /// <summary>
    /// Runs <paramref name="action"/> once to warm up, then until it has run <paramref name="minRuns"/> times and
    /// <paramref name="budget"/> has passed, or 50 runs; returns the median seconds.
    /// </summary>
    internal static double MedianSeconds(Action action, TimeSpan budget, int minRuns = 3)
    {
        action();
        var times = new List<double>();
        var watch = Stopwatch.StartNew();
        while (times.Count < 50 && (times.Count < minRuns || watch.Elapsed < budget))
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>Solves <c>t = a·x + c·y</c> from two measurements, clamping negative coefficients (noise) to a one-term fit.</summary>
    internal static (double A, double C) SolveTwo(double t1, double x1, double y1, double t2, double x2, double y2)
    {
        double det = (x1 * y2) - (x2 * y1);
        double a = ((t1 * y2) - (t2 * y1)) / det;
        double c = ((x1 * t2) - (x2 * t1)) / det;
        if (a < 0)
        {
            return (0, ((t1 / y1) + (t2 / y2)) / 2);
        }

        if (c < 0)
        {
            return (((t1 / x1) + (t2 / x2)) / 2, 0);
        }

        return (a, c);
    }
}
