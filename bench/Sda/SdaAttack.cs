namespace Privomega.Pir.Bench.Sda;

/// <summary>
/// One attack on one target: the partner's mid-rank after each target epoch, and when the partner was first uniquely first.
/// </summary>
/// <param name="RankAfter">Partner's mid-rank among the U - 1 other users after 1, 2, ... target epochs.</param>
/// <param name="EpochsToIdentify">Target epochs after which the partner was first ranked uniquely first; null if never.</param>
public sealed record SdaOutcome(double[] RankAfter, double FinalRank, bool UniquelyFirst, int? EpochsToIdentify)
{
    public int TargetEpochs => RankAfter.Length;
}

/// <summary>
/// The statistical disclosure attack of "Improving Signal's Sealed Sender" (§III-B): a table of counts over all users; for
/// each target epoch (the epoch <c>Lag</c> after one of the target's observable events) every user seen acting in it gains
/// one, and for a random epoch drawn uniformly from the attack window every user seen acting in it loses one — so a user
/// who acts no more after the target's events than at any time ends near zero, and one who answers the target climbs.
/// Users are ranked by count; tied users share their mid-rank (so when everyone looks alike, the partner is at U/2).
/// </summary>
public sealed class SdaAttack
{
    private readonly SdaObservations observations;
    private readonly int[] score;
    private int[] histogram = [];

    public SdaAttack(SdaObservations observations)
    {
        ArgumentNullException.ThrowIfNull(observations);
        if (observations.Triggers.Users != observations.Responses.Users || observations.Triggers.Epochs != observations.Responses.Epochs)
        {
            throw new ArgumentException($"trigger and response sets must cover the same users and epochs; found {observations.Triggers.Users}x{observations.Triggers.Epochs} and {observations.Responses.Users}x{observations.Responses.Epochs}");
        }

        if (observations.Lag < 0 || observations.Lag >= observations.Epochs)
        {
            throw new ArgumentException($"lag must be in [0, {observations.Epochs - 1}]; found {observations.Lag}");
        }

        if (observations.Users < 3)
        {
            throw new ArgumentException($"the attack ranks a partner among at least 2 others; found {observations.Users} users");
        }

        this.observations = observations;
        score = new int[observations.Users];
    }

    /// <summary>
    /// Attacks <paramref name="target"/> and ranks <paramref name="partner"/>, using the target's first
    /// <paramref name="maxTargetEpochs"/> events (each paired with one random epoch drawn with <paramref name="seed"/>).
    /// </summary>
    public SdaOutcome Run(int target, int partner, int maxTargetEpochs, int seed)
    {
        int users = observations.Users;
        if ((uint)target >= (uint)users || (uint)partner >= (uint)users || target == partner)
        {
            throw new ArgumentException($"target and partner must be two distinct users in 0..{users - 1}; found {target} and {partner}");
        }

        if (maxTargetEpochs < 1)
        {
            throw new ArgumentException($"max target epochs must be at least 1; found {maxTargetEpochs}", nameof(maxTargetEpochs));
        }

        int lag = observations.Lag;
        int epochs = observations.Epochs;
        ReadOnlySpan<int> events = observations.Triggers.EpochsOf(target);
        int usable = 0;
        while (usable < events.Length && events[usable] + lag < epochs)
        {
            usable++;
        }

        int steps = Math.Min(usable, maxTargetEpochs);

        // Scores stay within [-steps, steps]; the histogram counts the other users (not the target) per score.
        Array.Clear(score);
        int width = (2 * steps) + 1;
        if (histogram.Length < width)
        {
            histogram = new int[width];
        }

        Array.Clear(histogram, 0, width);
        histogram[steps] = users - 1;

        var rng = new Random(seed);
        double[] rankAfter = new double[steps];
        int? identified = null;
        bool unique = false;
        for (int s = 0; s < steps; s++)
        {
            Apply(observations.Responses[events[s] + lag], +1, target, steps);
            Apply(observations.Responses[rng.Next(lag, epochs)], -1, target, steps);

            int partnerScore = score[partner] + steps;
            int above = 0;
            for (int h = partnerScore + 1; h < width; h++)
            {
                above += histogram[h];
            }

            int tiedOthers = histogram[partnerScore] - 1;
            rankAfter[s] = 1 + above + (tiedOthers / 2.0);
            unique = above == 0 && tiedOthers == 0;
            if (unique && identified is null)
            {
                identified = s + 1;
            }
        }

        double final = steps == 0 ? 1 + ((users - 2) / 2.0) : rankAfter[^1];
        return new SdaOutcome(rankAfter, final, unique, identified);
    }

    private void Apply(ReadOnlySpan<int> seen, int delta, int target, int offset)
    {
        int[] s = score;
        int[] h = histogram;
        foreach (int u in seen)
        {
            if (u == target)
            {
                continue;
            }

            h[s[u] + offset]--;
            s[u] += delta;
            h[s[u] + offset]++;
        }
    }
}
