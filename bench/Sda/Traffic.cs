namespace Privomega.Pir.Bench.Sda;

/// <summary>
/// What the traffic generator draws. Time is counted in mail epochs. A fraction of the population is paired into
/// conversations (each user talks to at most one partner, as in a random-stranger chat); a conversation is a sequence
/// of bursts of back-and-forth messages separated by pauses. Every message draws its own reply delay: with probability
/// <see cref="QuickReply"/> the recipient answers in the next mail epoch — the earliest a reply can be, since mail written
/// in epoch e is readable once epoch e's snapshot is frozen — otherwise after 2 + Geometric(<see cref="MeanSlowExtraDelay"/>)
/// epochs. The rest of the population is online and idle.
/// </summary>
public sealed record TrafficConfig
{
    public required int Users { get; init; }

    public required int Epochs { get; init; }

    /// <summary>Probability that a message is answered within one mail epoch.</summary>
    public required double QuickReply { get; init; }

    /// <summary>Share of users who are in a conversation (paired two by two).</summary>
    public double ConversationFraction { get; init; } = 0.5;

    /// <summary>Mean number of messages in a burst (geometric, at least 1).</summary>
    public double MeanBurstMessages { get; init; } = 6;

    /// <summary>Pause between bursts, uniform in [<see cref="MinPause"/>, <see cref="MaxPause"/>] epochs.</summary>
    public int MinPause { get; init; } = 2;

    public int MaxPause { get; init; } = 40;

    /// <summary>Mean of the geometric part of a slow reply's delay (a slow reply takes 2 + that many epochs).</summary>
    public double MeanSlowExtraDelay { get; init; } = 4;

    public ulong Seed { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field out of range.</summary>
    public void Validate()
    {
        if (Users < 4)
        {
            throw new ArgumentException($"users must be at least 4; found {Users}", nameof(Users));
        }

        if (Epochs < 2)
        {
            throw new ArgumentException($"epochs must be at least 2; found {Epochs}", nameof(Epochs));
        }

        if (!(QuickReply >= 0 && QuickReply <= 1))
        {
            throw new ArgumentException($"quick-reply rate must be in [0, 1]; found {QuickReply}", nameof(QuickReply));
        }

        if (!(ConversationFraction > 0 && ConversationFraction <= 1) || (int)(Users * ConversationFraction) / 2 < 1)
        {
            throw new ArgumentException($"conversation fraction must be in (0, 1] and pair at least two users; found {ConversationFraction} of {Users}", nameof(ConversationFraction));
        }

        if (!(MeanBurstMessages >= 1))
        {
            throw new ArgumentException($"mean burst length must be at least 1; found {MeanBurstMessages}", nameof(MeanBurstMessages));
        }

        if (MinPause < 1 || MaxPause < MinPause)
        {
            throw new ArgumentException($"pauses must satisfy 1 <= min <= max; found [{MinPause}, {MaxPause}]", nameof(MinPause));
        }

        if (!(MeanSlowExtraDelay >= 0))
        {
            throw new ArgumentException($"mean slow extra delay must be at least 0; found {MeanSlowExtraDelay}", nameof(MeanSlowExtraDelay));
        }
    }
}

/// <summary>
/// The ground truth of one simulated window: who is paired with whom and every real message, sorted by the mail epoch it is
/// written in (struct of arrays; the messages of epoch e are indices <c>EpochStart[e] .. EpochStart[e + 1] - 1</c>).
/// </summary>
public sealed class Traffic
{
    internal Traffic(int users, int epochs, int[] partner, int[] epochStart, int[] sender, int[] recipient)
    {
        Users = users;
        Epochs = epochs;
        Partner = partner;
        EpochStart = epochStart;
        Sender = sender;
        Recipient = recipient;
    }

    public int Users { get; }

    public int Epochs { get; }

    /// <summary>Each user's conversation partner, or -1 for a user not in a conversation.</summary>
    public int[] Partner { get; }

    /// <summary><c>Epochs + 1</c> offsets into the message arrays.</summary>
    public int[] EpochStart { get; }

    public int[] Sender { get; }

    public int[] Recipient { get; }

    public int MessageCount => Sender.Length;
}

/// <summary>Draws <see cref="Traffic"/> from a <see cref="TrafficConfig"/>; deterministic for a given seed.</summary>
public static class TrafficGenerator
{
    public static Traffic Generate(TrafficConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var rng = new Random(unchecked((int)(config.Seed ^ (config.Seed >> 32))));
        int users = config.Users;
        int epochs = config.Epochs;

        int[] order = new int[users];
        for (int i = 0; i < users; i++)
        {
            order[i] = i;
        }

        rng.Shuffle(order);
        int[] partner = new int[users];
        Array.Fill(partner, -1);
        int pairs = (int)(users * config.ConversationFraction) / 2;

        // Messages go into growable parallel arrays, then a counting sort by epoch.
        var epochOf = new IntBuffer(pairs * 16);
        var senderOf = new IntBuffer(pairs * 16);
        var recipientOf = new IntBuffer(pairs * 16);
        double burstStop = 1 / config.MeanBurstMessages;
        double slowStop = 1 / (config.MeanSlowExtraDelay + 1);
        for (int p = 0; p < pairs; p++)
        {
            int a = order[2 * p];
            int b = order[(2 * p) + 1];
            partner[a] = b;
            partner[b] = a;
            int t = rng.Next(0, config.MaxPause + 1);
            while (t < epochs)
            {
                (int from, int to) = rng.Next(2) == 0 ? (a, b) : (b, a);
                while (true)
                {
                    epochOf.Add(t);
                    senderOf.Add(from);
                    recipientOf.Add(to);
                    if (rng.NextDouble() < burstStop)
                    {
                        break;
                    }

                    t += rng.NextDouble() < config.QuickReply ? 1 : 2 + Geometric(rng, slowStop);
                    (from, to) = (to, from);
                    if (t >= epochs)
                    {
                        break;
                    }
                }

                t += rng.Next(config.MinPause, config.MaxPause + 1);
            }
        }

        int count = epochOf.Count;
        int[] epochStart = new int[epochs + 1];
        for (int i = 0; i < count; i++)
        {
            epochStart[epochOf[i] + 1]++;
        }

        for (int e = 0; e < epochs; e++)
        {
            epochStart[e + 1] += epochStart[e];
        }

        int[] next = epochStart[..epochs];
        int[] sender = new int[count];
        int[] recipient = new int[count];
        for (int i = 0; i < count; i++)
        {
            int slot = next[epochOf[i]]++;
            sender[slot] = senderOf[i];
            recipient[slot] = recipientOf[i];
        }

        return new Traffic(users, epochs, partner, epochStart, sender, recipient);
    }

    /// <summary>Failures before the first success, success probability <paramref name="stop"/>.</summary>
    private static int Geometric(Random rng, double stop)
    {
        if (stop >= 1)
        {
            return 0;
        }

        double u = 1 - rng.NextDouble();
        return (int)Math.Min(1 << 20, Math.Floor(Math.Log(u) / Math.Log(1 - stop)));
    }
}

/// <summary>A minimal growable int array (no per-message objects).</summary>
internal struct IntBuffer(int capacity)
{
    private int[] items = new int[Math.Max(16, capacity)];

    public int Count { get; private set; }

    public readonly int this[int index] => items[index];

    public void Add(int value)
    {
        if (Count == items.Length)
        {
            Array.Resize(ref items, items.Length * 2);
        }

        items[Count++] = value;
    }

    public readonly ReadOnlySpan<int> AsSpan() => items.AsSpan(0, Count);
}
