using ScottPlot;
using ScottPlot.TickGenerators;

namespace Privomega.Pir.Bench.Planning;

/// <summary>Log-scale axes for ScottPlot (which plots linear values): plot log10 of the data and label ticks with the real values.</summary>
internal static class LogScale
{
    public static double[] Log10(IEnumerable<double> values) => [.. values.Select(v => Math.Log10(Math.Max(v, 1e-12)))];

    public static void LogAxis(IAxis axis, Func<double, string> format)
    {
        axis.TickGenerator = new NumericAutomatic
        {
            MinorTickGenerator = new LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = exponent => format(Math.Pow(10, exponent)),
        };
    }

    public static string Count(double v) =>
        v >= 1e9 ? $"{v / 1e9:0.#}e9" : v >= 1e6 ? $"{v / 1e6:0.#}M" : v >= 1e3 ? $"{v / 1e3:0.#}k" : v >= 1 ? $"{v:0.#}" : $"{v:0.###}";

    public static string Bytes(double v) =>
        v >= 1e12 ? $"{v / 1e12:0.#} TB" : v >= 1e9 ? $"{v / 1e9:0.#} GB" : v >= 1e6 ? $"{v / 1e6:0.#} MB" : v >= 1e3 ? $"{v / 1e3:0.#} kB" : $"{v:0} B";
}
