using System.Diagnostics;

namespace Privomega.Pir.Engine.Planning;

/// <summary>Timing helpers shared by the calibrators: warm-up, repeats, medians, bounded by a budget.</summary>
internal static class Calibration
{
    /// <summary>
    /// Runs <paramref name="action"/> once to warm up, then until it has run <paramref name="minRuns"/> times and
    /// <paramref name="budget"/> has passed, or 50 runs; returns the median seconds scaled to a dedicated core: the
    /// median wall time times the share of one core this process got while timing (at most 1). On a quiet machine
    /// the share is about 1 and this is the wall time; on a shared one it removes most of the time other processes
    /// took, so a plan predicts what a server of its own would do.
    /// </summary>
    internal static double MedianSeconds(Action action, TimeSpan budget, int minRuns = 3)
    {
        action();
        var times = new List<double>();
        var watch = Stopwatch.StartNew();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        while (times.Count < 50 && (times.Count < minRuns || watch.Elapsed < budget))
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        double share = Math.Clamp((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / watch.Elapsed.TotalSeconds, 0.01, 1);
        times.Sort();
        return times[times.Count / 2] * share;
    }

    /// <summary>Runs <paramref name="action"/> and returns its wall seconds and the share of one core the process got meanwhile (at most 1).</summary>
    internal static (double Seconds, double Share) Timed(Action action)
    {
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long start = Stopwatch.GetTimestamp();
        action();
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return (seconds, Math.Clamp((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / seconds, 0.01, 1));
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
