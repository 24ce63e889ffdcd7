using System.Data.Common;
using JasperFx;
using JasperFx.Events;
using JasperFx.OpenTelemetry;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Reliability.Infrastructure.Security;
using Reliability.Infrastructure.Watching;
using Reliability.Infrastructure.Webhooks;

namespace Reliability.Infrastructure.EventStore;

public static class EventStoreRegistration
{
    /// <summary>Marten's schema; Orleans' own tables stay outside it.</summary>
    public const string SchemaName = "reliability";

    /// <summary>API keys are found by their secret's hash, which is unique.</summary>
    public static void ConfigureKeys(this StoreOptions options) => options.Schema.For<ApiKey>().UniqueIndex(k => k.SecretHash);

    /// <summary>
    /// The pool every part of the service shares. Statements the service sends again and again (a
    /// document upsert, an event append, a load by id) are prepared on each connection once they
    /// repeat: PostgreSQL then skips parsing and planning them, and the service commits about 40 %
    /// more claims a second (same-day benchmark runs, with and without). That is safe only because
    /// Marten never runs a batch again on another connection (<see cref="CommandReplay"/>). A
    /// connection string that sets <c>Max Auto Prepare</c> itself is obeyed.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        if (!Sets(connectionString, "MaxAutoPrepare"))
        {
            settings.MaxAutoPrepare = AutoPreparedStatements;
            settings.AutoPrepareMinUsages = 2;
        }

        // Marten does not run a command again once it was sent, so a command must not be sent on a
        // pooled connection the server dropped while it sat idle (a restart): idle connections are
        // checked every few seconds and a dead one is discarded before anyone takes it.
        if (!Sets(connectionString, "KeepAlive"))
        {
            settings.KeepAlive = IdleConnectionCheckSeconds;
        }

        return builder.Build();
    }

    // Npgsql's builder answers ContainsKey for every keyword it knows; the plain parser only for those given.
    private static bool Sets(string connectionString, string keyword) =>
        new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Any(key => string.Equals(key.Replace(" ", "", StringComparison.Ordinal), keyword, StringComparison.OrdinalIgnoreCase));

    /// <summary>Statements kept prepared per connection; the service's writes and reads use a few dozen distinct ones.</summary>
    public const int AutoPreparedStatements = 100;

    /// <summary>How often an idle pooled connection is checked (Npgsql's <c>Keepalive</c>), unless the connection string says.</summary>
    public const int IdleConnectionCheckSeconds = 2;

    /// <summary>
    /// Registers one pooled <see cref="NpgsqlDataSource"/> for the database and Marten, on it, as the
    /// event store and read-model store.
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddReliabilityEventStore(
        this IServiceCollection services, string connectionString, Action<StoreOptions>? configure = null)
    {
        services.AddSingleton(_ => CreateDataSource(connectionString));
        return services.AddMarten(options =>
            {
                options.DatabaseSchemaName = SchemaName;
                // Streams are named after the domain's own ids (source ids, proposition ids).
                options.Events.StreamIdentity = StreamIdentity.AsString;
                // Quick mode appends each stream's events in one server-side call instead of reading
                // its version first and inserting event by event: measured on the claim write's own
                // shape it commits about 8 % more claims a second (26 % at one event per claim). It
                // still enforces Append(stream, expectedVersion, ...), on the server; events carry the
                // server's timestamps, which nothing in the record reads. The ledger writes a commit's
                // events to existing streams itself, in one statement; new streams and appends with an
                // expected version (a resolution) still go through Marten.
                options.Events.AppendMode = EventAppendMode.Quick;
                options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                // Marten's own policies send a failed batch again; a write that reached the server is decided again instead.
                options.ConfigurePolly(CommandReplay.Configure);
                options.ConfigureWritePolly(CommandReplay.Configure);
                options.ConfigureKeys();
                options.AddWatchingDocuments().AddWebhookDocuments();
                // Spans per connection use and a counter of appended events, for traces and dashboards.
                options.OpenTelemetry.TrackConnections = TrackLevel.Normal;
                options.OpenTelemetry.TrackEventCounters();
                configure?.Invoke(options);
            })
            .UseNpgsqlDataSource()
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup();
    }
}
