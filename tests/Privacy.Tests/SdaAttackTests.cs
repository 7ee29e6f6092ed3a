using Privomega.Pir.Bench.Sda;

namespace Privomega.Privacy.Tests;

public class SdaAttackTests
{
    [Fact]
    public void EveryoneAlikePutsThePartnerAtHalfTheUsersAndNeverIdentifiesIt()
    {
        const int users = 1000;
        const int epochs = 50;
        var epochOf = new List<int>();
        var userOf = new List<int>();
        for (int e = 0; e < epochs; e++)
        {
            for (int u = 0; u < users; u++)
            {
                epochOf.Add(e);
                userOf.Add(u);
            }
        }

        EpochSets everyone = EpochSets.FromPairs(users, epochs, epochOf.ToArray(), userOf.ToArray());
        SdaOutcome outcome = new SdaAttack(new SdaObservations(everyone, everyone)).Run(target: 7, partner: 8, maxTargetEpochs: 100, seed: 1);

        Assert.Equal(epochs - 1, outcome.TargetEpochs);
        Assert.All(outcome.RankAfter, rank => Assert.Equal(users / 2.0, rank));
        Assert.Equal(users / 2.0, outcome.FinalRank);
        Assert.False(outcome.UniquelyFirst);
        Assert.Null(outcome.EpochsToIdentify);
    }

    [Fact]
    public void TiedScoresShareTheirMidRank()
    {
        // Target 0 acts in epochs 0, 2, 4; users 1 and 2 both act right after every one of them, nobody else ever acts.
        int[] epochOf = [0, 2, 4, 1, 1, 3, 3, 5, 5];
        int[] userOf = [0, 0, 0, 1, 2, 1, 2, 1, 2];
        EpochSets sets = EpochSets.FromPairs(users: 6, epochs: 6, epochOf, userOf);
        SdaOutcome outcome = new SdaAttack(new SdaObservations(sets, sets)).Run(target: 0, partner: 1, maxTargetEpochs: 10, seed: 3);

        // Random epochs can take points from both; they stay tied, so the partner is at rank 1.5 (shares 1st and 2nd).
        Assert.Equal(3, outcome.TargetEpochs);
        Assert.Equal(1.5, outcome.FinalRank);
        Assert.False(outcome.UniquelyFirst);
        Assert.Null(outcome.EpochsToIdentify);
    }

    [Fact]
    public void APartnerWhoAlwaysAnswersIsUniquelyFirstAfterItsFirstAnswerWhenNoOneElseActs()
    {
        int[] epochOf = [0, 1, 2, 3];
        int[] userOf = [0, 1, 0, 1];
        EpochSets sets = EpochSets.FromPairs(users: 5, epochs: 4, epochOf, userOf);
        SdaOutcome outcome = new SdaAttack(new SdaObservations(sets, sets)).Run(target: 0, partner: 1, maxTargetEpochs: 10, seed: 5);

        Assert.Equal(2, outcome.TargetEpochs);
        Assert.Equal(1, outcome.EpochsToIdentify);
        Assert.True(outcome.UniquelyFirst);
        Assert.Equal(1.0, outcome.FinalRank);
    }

    [Fact]
    public void RandomEpochsCancelAUserWhoActsInEveryEpoch()
    {
        // Target 0 acts every 10th epoch, partner 1 answers one epoch later, user 2 acts in every epoch: the target
        // epochs alone would tie 1 and 2; the random epochs take user 2 back to zero and leave the partner in front.
        var epochOf = new List<int>();
        var userOf = new List<int>();
        for (int e = 0; e < 100; e++)
        {
            epochOf.Add(e);
            userOf.Add(2);
            if (e % 10 == 0)
            {
                epochOf.AddRange([e, e + 1]);
                userOf.AddRange([0, 1]);
            }
        }

        EpochSets sets = EpochSets.FromPairs(users: 50, epochs: 100, epochOf.ToArray(), userOf.ToArray());
        SdaOutcome outcome = new SdaAttack(new SdaObservations(sets, sets)).Run(target: 0, partner: 1, maxTargetEpochs: 100, seed: 9);

        Assert.Equal(10, outcome.TargetEpochs);
        Assert.True(outcome.UniquelyFirst);
        Assert.Equal(1.0, outcome.FinalRank);
    }

    [Fact]
    public void EpochSetsDropRepeatsAndIndexEachUsersEpochs()
    {
        EpochSets sets = EpochSets.FromPairs(users: 4, epochs: 3, [2, 0, 2, 2, 1], [3, 1, 3, 0, 1]);

        Assert.Equal([1], sets[0].ToArray());
        Assert.Equal([1], sets[1].ToArray());
        Assert.Equal([0, 3], sets[2].ToArray());
        Assert.Equal([0, 1], sets.EpochsOf(1).ToArray());
        Assert.Equal(4, sets.Count);
        Assert.Throws<ArgumentException>(() => EpochSets.FromPairs(users: 4, epochs: 3, [3], [0]));
    }
}
