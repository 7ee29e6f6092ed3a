using Privomega.Pir.Bench.Sda;

namespace Privomega.Privacy.Tests;

/// <summary>The no-cover and Privomega views, produced by the server's own domain services on the in-memory store.</summary>
public class ServerViewTests
{
    [Fact]
    public async Task ThePrivomegaServerRecordsOneWritePerOnlineClientPerMailEpochAndNeverRepeatsAMailboxId()
    {
        const int users = 40;
        const int epochs = 6;
        Traffic traffic = TrafficGenerator.Generate(new TrafficConfig { Users = users, Epochs = epochs, QuickReply = 1.0, MaxPause = 3, Seed = 5 });
        Assert.True(traffic.MessageCount > 0);

        ServerRecords records = await new PrivomegaServerView(cover: true).RunAsync(traffic);

        Assert.All(records.StoredPerEpoch, stored => Assert.Equal(users, stored));
        for (int e = 0; e < epochs; e++)
        {
            Assert.Equal(Enumerable.Range(0, users).ToArray(), records.Writers[e].ToArray());
        }

        Assert.Equal(0, records.RepeatedMailboxIds);
        Assert.Equal(users * epochs, records.MailPutsMeasured);
        Assert.All(records.MetricTagKeys, key => Assert.Contains(key, new[] { "database", "scheme", "result", "route" }));

        // Everyone alike: every partner sits at the mid-rank of U - 1 tied users, and no run identifies anyone.
        var observations = new SdaObservations(records.Writers, records.Writers);
        int[] targets = SdaExperiment.PickTargets(traffic, 10, seed: 1);
        SdaOutcome[] outcomes = SdaExperiment.Attack(observations, traffic, targets, maxTargetEpochs: 100, seed: 1);
        Assert.All(outcomes, o => Assert.Equal(users / 2.0, o.FinalRank));
        Assert.All(outcomes, o => Assert.Null(o.EpochsToIdentify));
    }

    [Fact]
    public async Task TheAttackFindsThePlantedPartnerInTheNoCoverView()
    {
        Traffic traffic = TrafficGenerator.Generate(new TrafficConfig { Users = 120, Epochs = 120, QuickReply = 1.0, Seed = 8 });

        var view = new PrivomegaServerView(cover: false);
        ServerRecords records = await view.RunAsync(traffic);
        Assert.Equal(traffic.MessageCount, records.MailPutsMeasured);
        Assert.Equal(0, records.RepeatedMailboxIds);

        var observations = new SdaObservations(records.Writers, records.Writers);
        int[] targets = SdaExperiment.PickTargets(traffic, 30, seed: 2);
        SdaOutcome[] outcomes = SdaExperiment.Attack(observations, traffic, targets, maxTargetEpochs: 200, seed: 3);
        int first = outcomes.Count(o => o.UniquelyFirst);
        Assert.True(first >= 24, $"uniquely first in {first} of 30 runs");
    }
}
