using Npgsql;

namespace Privomega.Pir.Cluster;

/// <summary>
/// The project's PostgreSQL schema for Orleans' ADO.NET clustering (Orleans ships no PostgreSQL script with the
/// 10.x package): membership tables, two functions that make the versioned insert and update atomic, and the
/// query texts the provider reads from <c>OrleansQuery</c>. Installing it is idempotent.
/// </summary>
public static class PostgresClusteringSchema
{
    /// <summary>The schema script (embedded resource <c>Sql/postgres-clustering.sql</c>).</summary>
    public static string Script { get; } = ReadScript();

    /// <summary>Creates or updates the schema in the database <paramref name="connectionString"/> names.</summary>
    public static async Task EnsureAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Two installers racing on a fresh database would both try CREATE TABLE IF NOT EXISTS; one lock orders them.
        await using (var gate = new NpgsqlCommand("SELECT pg_advisory_xact_lock(7361202412)", connection, transaction))
        {
            await gate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var command = new NpgsqlCommand(Script, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string ReadScript()
    {
        var assembly = typeof(PostgresClusteringSchema).Assembly;
        string name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("postgres-clustering.sql", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
