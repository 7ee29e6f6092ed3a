namespace Privomega.Pir.Bench.Sda;

/// <summary>
/// For each epoch, the set of users an observer saw do one kind of thing (receive a message, write mail): compressed rows,
/// sorted and without duplicates within an epoch, plus the transposed index (each user's epochs) for finding a target's events.
/// </summary>
public sealed class EpochSets
{
    private readonly int[] start;
    private readonly int[] members;
    private readonly int[] userStart;
    private readonly int[] userEpochs;

    private EpochSets(int users, int epochs, int[] start, int[] members)
    {
        Users = users;
        Epochs = epochs;
        this.start = start;
        this.members = members;
        userStart = new int[users + 1];
        foreach (int u in members)
        {
            userStart[u + 1]++;
        }

        for (int u = 0; u < users; u++)
        {
            userStart[u + 1] += userStart[u];
        }

        userEpochs = new int[members.Length];
        int[] next = userStart[..users];
        for (int e = 0; e < epochs; e++)
        {
            for (int i = start[e]; i < start[e + 1]; i++)
            {
                userEpochs[next[members[i]]++] = e;
            }
        }
    }

    public int Users { get; }

    public int Epochs { get; }

    /// <summary>Total (epoch, user) entries.</summary>
    public int Count => members.Length;

    /// <summary>The users seen in <paramref name="epoch"/>, ascending.</summary>
    public ReadOnlySpan<int> this[int epoch] => members.AsSpan(start[epoch], start[epoch + 1] - start[epoch]);

    /// <summary>The epochs in which <paramref name="user"/> was seen, ascending.</summary>
    public ReadOnlySpan<int> EpochsOf(int user) => userEpochs.AsSpan(userStart[user], userStart[user + 1] - userStart[user]);

    /// <summary>
    /// Builds the sets from parallel (epoch, user) arrays in any order; repeats of a user within one epoch count once.
    /// Throws <see cref="ArgumentException"/> for an epoch or user out of range.
    /// </summary>
    public static EpochSets FromPairs(int users, int epochs, ReadOnlySpan<int> epochOf, ReadOnlySpan<int> userOf)
    {
        if (users < 1 || epochs < 1)
        {
            throw new ArgumentException($"users and epochs must be at least 1; found {users} users, {epochs} epochs");
        }

        if (epochOf.Length != userOf.Length)
        {
            throw new ArgumentException($"epoch and user arrays must have one length; found {epochOf.Length} and {userOf.Length}");
        }

        int[] counts = new int[epochs + 1];
        for (int i = 0; i < epochOf.Length; i++)
        {
            if ((uint)epochOf[i] >= (uint)epochs || (uint)userOf[i] >= (uint)users)
            {
                throw new ArgumentException($"entry {i}: epoch {epochOf[i]} (expected 0..{epochs - 1}), user {userOf[i]} (expected 0..{users - 1})");
            }

            counts[epochOf[i] + 1]++;
        }

        for (int e = 0; e < epochs; e++)
        {
            counts[e + 1] += counts[e];
        }

        int[] raw = new int[epochOf.Length];
        int[] next = counts[..epochs];
        for (int i = 0; i < epochOf.Length; i++)
        {
            raw[next[epochOf[i]]++] = userOf[i];
        }

        // Sort each epoch's row and drop repeats, compacting in place.
        int[] start = new int[epochs + 1];
        int write = 0;
        for (int e = 0; e < epochs; e++)
        {
            Span<int> row = raw.AsSpan(counts[e], counts[e + 1] - counts[e]);
            row.Sort();
            start[e] = write;
            for (int i = 0; i < row.Length; i++)
            {
                if (i == 0 || row[i] != row[i - 1])
                {
                    raw[write++] = row[i];
                }
            }
        }

        start[epochs] = write;
        return new EpochSets(users, epochs, start, raw[..write]);
    }
}

/// <summary>
/// What the attacker feeds the statistical disclosure attack with, from one view: the epochs in which the target shows an
/// observable event (<see cref="Triggers"/>), and who acts in each epoch (<see cref="Responses"/>); a user who answers the
/// target quickly shows up in <see cref="Responses"/> <see cref="Lag"/> epochs after the target's event.
/// </summary>
public sealed record SdaObservations(EpochSets Triggers, EpochSets Responses, int Lag = 1)
{
    public int Users => Responses.Users;

    public int Epochs => Responses.Epochs;
}
