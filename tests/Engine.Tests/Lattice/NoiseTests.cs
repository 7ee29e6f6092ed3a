using System.Numerics;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Tests.Lattice;

/// <summary>
/// The secret and error distributions and the noise of a fresh ciphertext. Without these, a sampler
/// that returned zeros (no security at all) would pass every round-trip test.
/// </summary>
public class NoiseTests
{
    private const int Samples = 1 << 16;

    [Fact]
    public void Ternary_secrets_are_uniform_on_minus_one_zero_one()
    {
        var s = new sbyte[Samples];
        SecretSampling.Ternary(s);
        var counts = new int[3];
        foreach (sbyte v in s)
        {
            Assert.InRange(v, -1, 1);
            counts[v + 1]++;
        }

        // Each value 1/3 of the time: σ of a frequency is √(2/9 / 65536) ≈ 0.0018; 0.012 is over 6σ.
        foreach (int count in counts)
        {
            Assert.InRange((double)count / Samples, (1.0 / 3) - 0.012, (1.0 / 3) + 0.012);
        }

        double mean = s.Average(v => (double)v);
        double variance = s.Average(v => (double)v * v) - (mean * mean);
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, (2.0 / 3) - 0.02, (2.0 / 3) + 0.02);
    }

    [Fact]
    public void Centered_binomial_errors_have_eta_21_support_mean_zero_and_variance_10_5()
    {
        var e = new sbyte[Samples];
        SecretSampling.CenteredBinomial(e);
        Assert.All(e, v => Assert.InRange(v, -21, 21));
        double mean = e.Average(v => (double)v);
        double variance = e.Average(v => (double)v * v) - (mean * mean);

        // σ of the mean √(10.5 / 65536) ≈ 0.013; σ of the sample variance √((μ4 − σ⁴) / n) ≈ 0.058.
        Assert.InRange(mean, -0.08, 0.08);
        Assert.InRange(variance, 10.5 - 0.4, 10.5 + 0.4);

        // Both tails are there: |e| ≥ 10 has probability ≈ 0.3 % per sample, about 200 of 65536.
        Assert.Contains(e, v => v >= 10);
        Assert.Contains(e, v => v <= -10);
    }

    [Fact]
    public void A_fresh_ciphertext_carries_binomial_noise_and_no_more()
    {
        var ctx = BfvContext.Get(LatticeParameters.N256_Logq108_Logt20_Insecure);
        using var sk = new BfvSecretKey(ctx);
        var rng = new Random(31);
        var m = new ulong[ctx.N];
        for (int i = 0; i < m.Length; i++)
        {
            m[i] = (ulong)rng.NextInt64((long)ctx.PlainModulus);
        }

        var q = ctx.ModulusProducts[ctx.K];
        ulong t = ctx.PlainModulus;
        var noise = new List<long>();
        for (int trial = 0; trial < 4; trial++)
        {
            var ct = Bfv.Encrypt(ctx, sk, m);
            var phase = Bfv.Compose(ctx, Bfv.Phase(ctx, sk, ct), ctx.K);
            for (int j = 0; j < ctx.N; j++)
            {
                // c0 + c1·s = round(q·m/t) + e (mod q): what is left after removing the scaled message is the error, centered.
                var scaled = ((q * m[j]) + (t / 2)) / t;
                var e = (phase[j] - scaled) % q;
                if (e.Sign < 0)
                {
                    e += q;
                }

                if (e > q / 2)
                {
                    e -= q;
                }

                Assert.True(BigInteger.Abs(e) <= SecretSampling.BinomialEta, $"trial {trial} coefficient {j}: |e| = {e} exceeds η = 21");
                noise.Add((long)e);
            }
        }

        double variance = noise.Average(v => (double)v * v);
        Assert.InRange(variance, 8.5, 12.5); // 10.5 expected; 1024 samples give σ ≈ 0.6
    }
}
