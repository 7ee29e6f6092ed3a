namespace Privomega.Pir.Bench.Sda;

/// <summary>One server's records of a traffic window, turned into what the attack consumes.</summary>
public interface ISdaView
{
    /// <summary>The name the command prints and writes into JSON (<c>sealed-sender</c>, <c>no-cover</c>, <c>privomega</c>).</summary>
    string Name { get; }

    /// <summary>Runs the traffic through this view's server and returns the attacker's observations of it.</summary>
    SdaObservations Observe(Traffic traffic, IProgress<double>? progress = null);
}

/// <summary>
/// The baseline: what a Signal-style sealed-sender server records — the recipient of every message and the epoch it was
/// delivered in (it delivers to the recipient's account), and when each user sends (the connection that sent it). The
/// attack uses the paper's channel: the target's deliveries trigger, and everyone who receives a message one epoch later
/// (the target's quick reply) is counted. Connection timing alone would link a sender to the target at once (lag 0),
/// which is why sealed sender presumes senders unidentified at the network level; the paper's attack does without it.
/// </summary>
public sealed class SealedSenderView : ISdaView
{
    public string Name => "sealed-sender";

    /// <summary>Who received a message in each epoch, exactly as the server's delivery log holds it.</summary>
    public static EpochSets Deliveries(Traffic traffic)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        int[] epochOf = new int[traffic.MessageCount];
        for (int e = 0; e < traffic.Epochs; e++)
        {
            epochOf.AsSpan(traffic.EpochStart[e], traffic.EpochStart[e + 1] - traffic.EpochStart[e]).Fill(e);
        }

        return EpochSets.FromPairs(traffic.Users, traffic.Epochs, epochOf, traffic.Recipient);
    }

    public SdaObservations Observe(Traffic traffic, IProgress<double>? progress = null)
    {
        EpochSets deliveries = Deliveries(traffic);
        progress?.Report(1);
        return new SdaObservations(deliveries, deliveries, Lag: 1);
    }
}
