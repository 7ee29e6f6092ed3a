namespace Privomega.Pir.Bench.Sda;

/// <summary>The aggregate of one view at one quick-reply rate over every seed and target; field names are the JSON's.</summary>
public sealed record SdaSummary(
    string View,
    int Users,
    double QuickReply,
    int Runs,
    double MedianRank,
    double UniqueFirstShare,
    double? MedianEpochsToIdentify,
    double Chance,
    double MedianTargetEpochs,
    int Seeds,
    int Epochs)
{
    /// <summary>Median partner rank after k target epochs (index k - 1), over the runs that had at least k; for the plot.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double[] MedianRankCurve { get; init; } = [];
}

/// <summary>Targets and outcomes of one view on one traffic window.</summary>
public sealed record SdaViewRun(string View, int[] Targets, SdaOutcome[] Outcomes);

/// <summary>Picks targets and runs the attack on a view's observations.</summary>
public static class SdaExperiment
{
    /// <summary>
    /// Picks up to <paramref name="count"/> targets, one per conversation, distinct conversations, drawn with
    /// <paramref name="seed"/>; returns each target (its partner is <c>traffic.Partner[target]</c>).
    /// </summary>
    public static int[] PickTargets(Traffic traffic, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        if (count < 1)
        {
            throw new ArgumentException($"target count must be at least 1; found {count}", nameof(count));
        }

        var firstOfPair = new List<int>();
        for (int u = 0; u < traffic.Users; u++)
        {
            if (traffic.Partner[u] > u)
            {
                firstOfPair.Add(u);
            }
        }

        var rng = new Random(seed);
        int[] pool = [.. firstOfPair];
        rng.Shuffle(pool);
        int[] targets = pool[..Math.Min(count, pool.Length)];
        for (int i = 0; i < targets.Length; i++)
        {
            if (rng.Next(2) == 1)
            {
                targets[i] = traffic.Partner[targets[i]];
            }
        }

        return targets;
    }

    public static SdaOutcome[] Attack(SdaObservations observations, Traffic traffic, int[] targets, int maxTargetEpochs, int seed)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        ArgumentNullException.ThrowIfNull(targets);
        var attack = new SdaAttack(observations);
        var outcomes = new SdaOutcome[targets.Length];
        for (int i = 0; i < targets.Length; i++)
        {
            // A fixed mix (HashCode is randomised per process), so a seed reproduces its random epochs.
            outcomes[i] = attack.Run(targets[i], traffic.Partner[targets[i]], maxTargetEpochs, unchecked((seed * 1_000_003) + targets[i]));
        }

        return outcomes;
    }

    public static SdaSummary Summarize(string view, int users, int epochs, double quickReply, int seeds, IReadOnlyList<SdaOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Count == 0)
        {
            throw new ArgumentException("at least one outcome is needed", nameof(outcomes));
        }

        double medianRank = Median(outcomes.Select(o => o.FinalRank));
        double uniqueShare = outcomes.Count(o => o.UniquelyFirst) / (double)outcomes.Count;

        // Never identified counts as infinitely late, so the median is null when most runs never identify the partner.
        double medianEpochs = Median(outcomes.Select(o => o.EpochsToIdentify is int n ? n : double.PositiveInfinity));
        int longest = outcomes.Max(o => o.TargetEpochs);
        var curve = new List<double>();
        for (int k = 0; k < longest; k++)
        {
            double[] at = [.. outcomes.Where(o => o.TargetEpochs > k).Select(o => o.RankAfter[k])];

            // Stop where fewer than half of the runs still have events: the tail would describe a few busy targets only.
            if (at.Length * 2 < outcomes.Count)
            {
                break;
            }

            curve.Add(Median(at));
        }

        return new SdaSummary(
            view,
            users,
            quickReply,
            outcomes.Count,
            medianRank,
            uniqueShare,
            double.IsPositiveInfinity(medianEpochs) ? null : medianEpochs,
            1.0 / users,
            Median(outcomes.Select(o => (double)o.TargetEpochs)),
            seeds,
            epochs)
        {
            MedianRankCurve = [.. curve],
        };
    }

    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values];
        if (sorted.Length == 0)
        {
            throw new ArgumentException("median of no values", nameof(values));
        }

        Array.Sort(sorted);
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
