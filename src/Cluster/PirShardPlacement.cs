using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Privomega.Pir.Cluster;

/// <summary>Places shard <c>i</c> of <c>n</c> on the <c>i mod s</c>-th of the <c>s</c> compatible silos (ordered by address), so a snapshot's shards spread evenly.</summary>
[GenerateSerializer]
[Immutable]
public sealed class PirShardPlacementStrategy : PlacementStrategy
{
    internal static PirShardPlacementStrategy Singleton { get; } = new();
}

/// <summary>Marks a grain class for <see cref="PirShardPlacementStrategy"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class PirShardPlacementAttribute : PlacementAttribute
{
    /// <summary>Creates the attribute.</summary>
    public PirShardPlacementAttribute()
        : base(PirShardPlacementStrategy.Singleton)
    {
    }
}

internal sealed class PirShardPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target)
            .OrderBy(s => s.Endpoint.ToString(), StringComparer.Ordinal)
            .ThenBy(s => s.Generation)
            .ToArray();
        if (silos.Length == 0)
        {
            throw new InvalidOperationException("No silo can host a PIR shard.");
        }

        string key = target.GrainIdentity.Key.ToString();
        int index = PirShardSpec.TryParseShardKey(key, out int i, out _) ? i : 0;
        return Task.FromResult(silos[index % silos.Length]);
    }
}
