using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Privomega.Pir.Cluster;

/// <summary>Wiring for silos and clients of the PIR cluster.</summary>
public static class PirClusterHosting
{
    /// <summary>The ADO.NET invariant name of Npgsql, which Orleans' ADO.NET clustering loads by name.</summary>
    public const string NpgsqlInvariant = "Npgsql";

    /// <summary>Registers what a silo needs to host shard grains (their placement).</summary>
    public static ISiloBuilder AddPirShards(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPlacementDirector<PirShardPlacementStrategy, PirShardPlacementDirector>();
        return builder;
    }

    /// <summary>
    /// Membership through Orleans' ADO.NET clustering on PostgreSQL; the database needs the project's schema
    /// (<see cref="PostgresClusteringSchema.EnsureAsync"/>).
    /// </summary>
    public static ISiloBuilder UsePostgresClustering(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return builder.UseAdoNetClustering(options =>
        {
            options.Invariant = NpgsqlInvariant;
            options.ConnectionString = connectionString;
        });
    }

    /// <summary>A client that finds the silos' gateways through the same PostgreSQL membership table.</summary>
    public static IClientBuilder UsePostgresClustering(this IClientBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return builder.UseAdoNetClustering(options =>
        {
            options.Invariant = NpgsqlInvariant;
            options.ConnectionString = connectionString;
        });
    }
}
