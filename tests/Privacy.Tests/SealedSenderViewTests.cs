using Privomega.Pir.Bench.Sda;

namespace Privomega.Privacy.Tests;

public class SealedSenderViewTests
{
    [Fact]
    public void TheAttackFindsThePlantedPartnerInTheSealedSenderView()
    {
        Traffic traffic = TrafficGenerator.Generate(new TrafficConfig { Users = 2000, Epochs = 400, QuickReply = 1.0, Seed = 11 });
        SdaObservations observations = new SealedSenderView().Observe(traffic);
        int[] targets = SdaExperiment.PickTargets(traffic, 40, seed: 2);
        SdaOutcome[] outcomes = SdaExperiment.Attack(observations, traffic, targets, maxTargetEpochs: 200, seed: 3);

        Assert.Equal(40, outcomes.Length);
        Assert.True(outcomes.Count(o => o.UniquelyFirst) >= 36, $"uniquely first in {outcomes.Count(o => o.UniquelyFirst)} of 40 runs");
        Assert.Equal(1.0, SdaExperiment.Median(outcomes.Select(o => o.FinalRank)));
    }

    [Fact]
    public void WithoutQuickRepliesTheSealedSenderAttackStaysFarFromThePartner()
    {
        // The generator never answers within one epoch at quick-reply 0, so the partner has no edge at lag 1.
        Traffic traffic = TrafficGenerator.Generate(new TrafficConfig { Users = 2000, Epochs = 400, QuickReply = 0.0, Seed = 11 });
        SdaObservations observations = new SealedSenderView().Observe(traffic);
        int[] targets = SdaExperiment.PickTargets(traffic, 40, seed: 2);
        SdaOutcome[] outcomes = SdaExperiment.Attack(observations, traffic, targets, maxTargetEpochs: 200, seed: 3);

        Assert.True(outcomes.Count(o => o.UniquelyFirst) <= 2, $"uniquely first in {outcomes.Count(o => o.UniquelyFirst)} of 40 runs");
        Assert.True(SdaExperiment.Median(outcomes.Select(o => o.FinalRank)) > 100);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void TheGeneratorAnswersWithinOneEpochAtTheQuickReplyRate(double quickReply)
    {
        var config = new TrafficConfig { Users = 1000, Epochs = 300, QuickReply = quickReply, Seed = 4 };
        Traffic traffic = TrafficGenerator.Generate(config);

        // Share of messages answered by the partner exactly one epoch later; a burst's last message is never answered quickly.
        var sentAt = new HashSet<(int Epoch, int Sender)>();
        for (int e = 0; e < traffic.Epochs; e++)
        {
            for (int i = traffic.EpochStart[e]; i < traffic.EpochStart[e + 1]; i++)
            {
                sentAt.Add((e, traffic.Sender[i]));
                Assert.Equal(traffic.Partner[traffic.Sender[i]], traffic.Recipient[i]);
            }
        }

        int answered = 0;
        int counted = 0;
        for (int e = 0; e + 1 < traffic.Epochs; e++)
        {
            for (int i = traffic.EpochStart[e]; i < traffic.EpochStart[e + 1]; i++)
            {
                counted++;
                answered += sentAt.Contains((e + 1, traffic.Recipient[i])) ? 1 : 0;
            }
        }

        double expected = quickReply * (1 - (1 / config.MeanBurstMessages));
        Assert.InRange(answered / (double)counted, expected - 0.03, expected + 0.03);
        Assert.Equal(2 * ((int)(config.Users * config.ConversationFraction) / 2), traffic.Partner.Count(p => p >= 0));
    }
}
