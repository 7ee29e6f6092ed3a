namespace Privomega.Pir.Engine.Tests;

/// <summary>
/// One key alone must look uniformly random: over many independent keys for a fixed α, every leaf
/// of one party's expansion is 1 about half the time, at α as elsewhere. The check is statistical
/// with a stated false-rejection probability, and a negative control shows it rejects broken generators.
/// </summary>
public class DpfBiasTests
{
    private const int DomainBits = 10;
    private const int Keys = 2048;

    // Each of the three checks below falsely rejects a correct DPF with probability at most 1e-10.
    private const double FalseRejection = 1e-10;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void One_key_alone_shows_no_bias(int party)
    {
        const long alpha = 613;
        string verdict = CheckUnbiased(
            _ =>
            {
                (DpfKey key0, DpfKey key1) = Dpf.Generate(alpha, DomainBits);
                using (key0)
                using (key1)
                {
                    return Dpf.EvaluateFullDomain(party == 0 ? key0 : key1);
                }
            },
            alpha,
            seed: 0);
        Assert.True(verdict.Length == 0, verdict);
    }

    [Fact]
    public void Check_rejects_a_share_that_leaks_alpha()
    {
        const long alpha = 100;
        string verdict = CheckUnbiased(
            _ =>
            {
                (DpfKey key0, DpfKey key1) = Dpf.Generate(alpha, DomainBits);
                key1.Dispose();
                ulong[] share = Dpf.EvaluateFullDomain(key0);
                share[alpha >> 6] |= 1UL << (int)(alpha & 63);
                return share;
            },
            alpha,
            seed: 0);
        Assert.Contains("at alpha", verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_rejects_a_generator_with_a_fixed_root_seed()
    {
        const long alpha = 100;
        const int seed = 11;
        string verdict = CheckUnbiased(
            random =>
            {
                var seeds = new byte[32];
                random.NextBytes(seeds.AsSpan(16));
                (DpfKey key0, _) = Dpf.GenerateCore(alpha, DomainBits, seeds);
                return Dpf.EvaluateFullDomain(key0);
            },
            alpha,
            seed);
        Assert.Contains("chi-square", verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_rejects_a_generator_with_eight_bits_of_entropy()
    {
        // Subtler than a fixed seed: each key is uniform on its own, but only 256 distinct keys exist,
        // so counts over 2048 keys vary about eight times too much.
        const long alpha = 100;
        const int seed = 12;
        string verdict = CheckUnbiased(
            random =>
            {
                var seeds = new byte[32];
                seeds[7] = (byte)random.Next(256);
                new Random(seeds[7]).NextBytes(seeds.AsSpan(16));
                (DpfKey key0, _) = Dpf.GenerateCore(alpha, DomainBits, seeds);
                return Dpf.EvaluateFullDomain(key0);
            },
            alpha,
            seed);
        Assert.Contains("chi-square", verdict, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void One_key_alone_has_unbiased_bits(int party)
    {
        // The expansion tests above would not see α leaking through the key itself (correction words,
        // control-bit corrections, the final 128-bit word), which a server also holds.
        const long alpha = 2741;
        string verdict = CheckKeyUnbiased(
            _ =>
            {
                (DpfKey key0, DpfKey key1) = Dpf.Generate(alpha, KeyDomainBits);
                using (key0)
                using (key1)
                {
                    return (party == 0 ? key0 : key1).Encode();
                }
            },
            seed: 0);
        Assert.True(verdict.Length == 0, verdict);
    }

    [Fact]
    public void Key_check_rejects_control_corrections_that_carry_the_path()
    {
        // A broken generator that sets the left control-bit correction to α's path bit at every level:
        // expansions could still look uniform, the key does not.
        const long alpha = 2741;
        const int seed = 13;
        string verdict = CheckKeyUnbiased(
            random =>
            {
                var seeds = new byte[32];
                random.NextBytes(seeds);
                (DpfKey key0, DpfKey key1) = Dpf.GenerateCore(alpha, KeyDomainBits, seeds);
                key1.Dispose();
                byte[] bytes = key0.Encode();
                for (int level = 0; level < key0.Levels; level++)
                {
                    int flags = 3 + 16 + (level * 17) + 16;
                    bytes[flags] = (byte)((bytes[flags] & 2) | (int)((alpha >> (KeyDomainBits - 1 - level)) & 1));
                }

                return bytes;
            },
            seed);
        Assert.Contains("key bit", verdict, StringComparison.Ordinal);
    }

    private const int KeyDomainBits = 12;

    /// <summary>
    /// Returns "" when every bit of the encoded keys that is not fixed by the format (header, the root's
    /// control bit, bit 0 of seed corrections, unused flag bits) is 1 about half the time over
    /// <see cref="Keys"/> keys: Hoeffding with a union bound over the bits, false rejection below 1e-10.
    /// </summary>
    private static string CheckKeyUnbiased(Func<Random, byte[]> key, int seed)
    {
        var random = new Random(seed);
        int length = DpfKey.EncodedLengthFor(KeyDomainBits);
        int levels = KeyDomainBits - 7;
        var ones = new int[length * 8];
        for (int k = 0; k < Keys; k++)
        {
            byte[] bytes = key(random);
            Assert.Equal(length, bytes.Length);
            for (int bit = 0; bit < ones.Length; bit++)
            {
                ones[bit] += (bytes[bit >> 3] >> (bit & 7)) & 1;
            }
        }

        // The three header bytes and the root's control bit (bit 0 of byte 3).
        var fixedBits = new HashSet<int>(Enumerable.Range(0, 25));

        for (int level = 0; level < levels; level++)
        {
            int cw = 3 + 16 + (level * 17);
            fixedBits.Add(cw * 8);
            for (int bit = 2; bit < 8; bit++)
            {
                fixedBits.Add(((cw + 16) * 8) + bit);
            }
        }

        int free = ones.Length - fixedBits.Count;
        double bound = Math.Sqrt(Keys * Math.Log(2 * free / FalseRejection) / 2);
        for (int bit = 0; bit < ones.Length; bit++)
        {
            if (!fixedBits.Contains(bit) && Math.Abs(ones[bit] - (Keys / 2.0)) > bound)
            {
                return $"seed {seed}: key bit {bit} (byte {bit >> 3}) is 1 in {ones[bit]} of {Keys} keys, allowed {Keys / 2} ± {bound:F1}";
            }
        }

        return "";
    }

    /// <summary>
    /// Returns "" when the shares pass, else why they fail. Under a correct DPF the count of ones
    /// at each leaf over <see cref="Keys"/> keys is Binomial(Keys, 1/2), independently per leaf.
    /// </summary>
    private static string CheckUnbiased(Func<Random, ulong[]> share, long alpha, int seed)
    {
        var random = new Random(seed);
        int leaves = 1 << DomainBits;
        var ones = new int[leaves];
        for (int k = 0; k < Keys; k++)
        {
            ulong[] bits = share(random);
            for (int x = 0; x < leaves; x++)
            {
                ones[x] += (int)((bits[x >> 6] >> (x & 63)) & 1);
            }
        }

        var failures = new List<string>();
        double half = Keys / 2.0;

        // Hoeffding: P(|c − K/2| ≥ t) ≤ 2·exp(−2t²/K).
        double alphaBound = Math.Sqrt(Keys * Math.Log(2 / FalseRejection) / 2);
        if (Math.Abs(ones[alpha] - half) > alphaBound)
        {
            failures.Add($"at alpha: {ones[alpha]} ones of {Keys}, allowed {half} ± {alphaBound:F1}");
        }

        // The same bound with a union over all leaves.
        double anyBound = Math.Sqrt(Keys * Math.Log(2 * leaves / FalseRejection) / 2);
        int worst = Enumerable.Range(0, leaves).MaxBy(x => Math.Abs(ones[x] - half));
        if (Math.Abs(ones[worst] - half) > anyBound)
        {
            failures.Add($"at leaf {worst}: {ones[worst]} ones of {Keys}, allowed {half} ± {anyBound:F1}");
        }

        // Chi-square with `leaves` degrees of freedom; Laurent–Massart tail bounds:
        // P(X − k ≥ 2√(kx) + 2x) ≤ e^−x and P(k − X ≥ 2√(kx)) ≤ e^−x. (Binomial counts are close
        // to normal at K = 2048; the bounds have slack for that.)
        double chiSquare = ones.Sum(c => (c - half) * (c - half) / (Keys / 4.0));
        double tail = Math.Log(1 / FalseRejection);
        double upper = leaves + (2 * Math.Sqrt(leaves * tail)) + (2 * tail);
        double lower = leaves - (2 * Math.Sqrt(leaves * tail));
        if (chiSquare > upper || chiSquare < lower)
        {
            failures.Add($"chi-square {chiSquare:F1} outside [{lower:F1}, {upper:F1}]");
        }

        return failures.Count == 0 ? "" : $"seed {seed}: " + string.Join("; ", failures);
    }
}
