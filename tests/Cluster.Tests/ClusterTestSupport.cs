using Orleans.TestingHost;
using Privomega.Pir.Engine;

namespace Privomega.Pir.Cluster.Tests;

/// <summary>Silos of the test cluster host shard grains.</summary>
public sealed class ShardSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPirShards();
}

/// <summary>A snapshot file of generated records in a temporary folder, deleted on dispose.</summary>
internal sealed class SnapshotFile : IDisposable
{
    public SnapshotFile(long records, int recordBytes, ulong seed)
    {
        Database = PirDatabase.Generate(records, recordBytes, seed);
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"privomega-cluster-{Guid.NewGuid():N}.db");
        using var file = File.Create(Path);
        for (long i = 0; i < records; i++)
        {
            file.Write(Database.GetRecord(i));
        }
    }

    public PirDatabase Database { get; }

    public string Path { get; }

    public void Dispose()
    {
        Database.Dispose();
        File.Delete(Path);
    }
}

/// <summary>An in-process cluster of three silos (Orleans TestingHost), started once per test class.</summary>
public sealed class ThreeSiloCluster : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<ShardSiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
