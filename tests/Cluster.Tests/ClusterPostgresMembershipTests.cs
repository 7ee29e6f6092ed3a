using Npgsql;
using Orleans.TestingHost;
using Privomega.Pir.Engine;

namespace Privomega.Pir.Cluster.Tests;

/// <summary>The throwaway PostgreSQL that scripts/test.sh (and CI) starts; a test without it fails with how to get one.</summary>
internal static class TestPostgres
{
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("PRIVOMEGA_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("PRIVOMEGA_POSTGRES is not set: run the tests through scripts/test.sh, or eval \"$(scripts/postgres.sh start)\" first.");
}

/// <summary>Silos whose membership is Orleans' ADO.NET clustering on PostgreSQL with the project's schema.</summary>
public sealed class PostgresSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPirShards().UsePostgresClustering(TestPostgres.ConnectionString);
}

/// <summary>The test cluster's client finds gateways through the same table.</summary>
public sealed class PostgresClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
        clientBuilder.UsePostgresClustering(TestPostgres.ConnectionString);
}

/// <summary>Three silos that find each other through PostgreSQL answer as the single node does.</summary>
public sealed class ClusterPostgresMembershipTests
{
    [Fact]
    public async Task Cluster_with_Postgres_membership_forms_answers_and_records_silos()
    {
        string connectionString = TestPostgres.ConnectionString;
        await PostgresClusteringSchema.EnsureAsync(connectionString);
        await PostgresClusteringSchema.EnsureAsync(connectionString); // idempotent

        var builder = new TestClusterBuilder(3);
        builder.Options.UseTestClusterMembership = false;
        builder.AddSiloBuilderConfigurator<PostgresSiloConfigurator>();
        builder.AddClientBuilderConfigurator<PostgresClientConfigurator>();
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
            string clusterId = cluster.Options.ClusterId;
            Assert.Equal(3, await CountRows(connectionString, clusterId, status: 3)); // SiloStatus.Active

            using var snapshot = new SnapshotFile(2000, 32, 21);
            var spec = PirClusterFrontEnd.Describe($"pg-{Guid.NewGuid():N}", PirSchemeKind.XorBitVector, snapshot.Path, 2000, 32, shards: 3);
            var frontEnd = new PirClusterFrontEnd(cluster.Client, spec);
            var client = new XorPirClient(2000, 32);
            var single = new XorPirServer(snapshot.Database);
            foreach (long index in new long[] { 0, 1999, 777 })
            {
                var query = client.Query(index);
                var answers = await Task.WhenAll(frontEnd.AnswerAsync(query[0]), frontEnd.AnswerAsync(query[1]));
                Assert.Equal(single.Answer(query[1]).Encode(), answers[1].Encode());
                Assert.Equal(snapshot.Database.CopyRecord(index), client.Recover(index, answers));
            }

            var silos = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => cluster.Client.GetGrain<IPirShardGrain>(spec.ShardKey(i)).Locate(spec)));
            Assert.Equal(3, silos.Select(s => s.Silo).Distinct().Count());

            // A silo that leaves is written down as dead (SiloStatus.Dead = 6) through the versioned update.
            await cluster.StopSiloAsync(cluster.SecondarySilos[0]);
            Assert.Equal(1, await CountRows(connectionString, clusterId, status: 6));
            Assert.Equal(2, await CountRows(connectionString, clusterId, status: 3));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private static async Task<long> CountRows(string connectionString, string clusterId, int status)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM privomega_membership WHERE deployment_id = @id AND status = @status", connection);
        command.Parameters.AddWithValue("id", clusterId);
        command.Parameters.AddWithValue("status", status);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
