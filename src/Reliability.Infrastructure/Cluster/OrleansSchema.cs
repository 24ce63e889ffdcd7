using System.Reflection;
using Npgsql;

namespace Reliability.Infrastructure.Cluster;

/// <summary>
/// Orleans' membership and reminder tables, kept in their own schema apart from Marten's. The
/// ADO.NET providers ship no SQL, so the project owns these migrations: each runs once, in order,
/// recorded in <c>orleans.schema_version</c>.
/// </summary>
public static class OrleansSchema
{
    public const string SchemaName = "orleans";

    // Silos started together all migrate; one transaction-scoped advisory lock makes them take turns.
    private const long MigrationLock = 0x4F524C45414E53; // "ORLEANS"

    private static readonly int[] Versions = [1];

    /// <summary>
    /// The connection string Orleans' providers use: they read their queries from an unqualified
    /// <c>OrleansQuery</c> table, which the search path finds in the Orleans schema.
    /// </summary>
    public static string ConnectionString(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = SchemaName }.ConnectionString;

    /// <summary>Applies the migrations this database has not had yet; returns the schema's version.</summary>
    public static async Task<int> MigrateAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken);
        await ExecuteAsync(connection, $"""
            CREATE SCHEMA IF NOT EXISTS {SchemaName};
            CREATE TABLE IF NOT EXISTS {SchemaName}.schema_version
            (
                version    integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """, cancellationToken);

        await using var current = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {SchemaName}.schema_version", connection);
        var applied = (int)(await current.ExecuteScalarAsync(cancellationToken))!;
        foreach (var version in Versions.Where(v => v > applied))
        {
            await ExecuteAsync(connection, await ReadMigrationAsync(version), cancellationToken);
            await using var record = new NpgsqlCommand($"INSERT INTO {SchemaName}.schema_version (version) VALUES (@version)", connection);
            record.Parameters.AddWithValue("version", version);
            await record.ExecuteNonQueryAsync(cancellationToken);
            applied = version;
        }

        await transaction.CommitAsync(cancellationToken);
        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<string> ReadMigrationAsync(int version)
    {
        var name = $"Reliability.Infrastructure.Cluster.orleans-{version}.sql";
        await using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Migration {name} is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
