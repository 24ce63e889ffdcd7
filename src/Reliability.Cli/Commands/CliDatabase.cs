using JasperFx;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Reliability.Infrastructure.Database;
using Reliability.Infrastructure.EventStore;

namespace Reliability.Cli.Commands;

/// <summary>
/// The service's database, for commands that work on it directly: the given connection string, else
/// <c>ConnectionStrings__Reliability</c>, else the embedded server of the data directory — attached
/// to when the service is running it, otherwise started for the command and stopped after.
/// </summary>
internal sealed class CliDatabase : IAsyncDisposable
{
    private readonly EmbeddedPostgresServer? _started;

    private CliDatabase(string connectionString, EmbeddedPostgresServer? started)
    {
        _started = started;
        Store = DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            options.DatabaseSchemaName = EventStoreRegistration.SchemaName;
            options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            options.ConfigureKeys();
        });
    }

    public IDocumentStore Store { get; }

    public static async Task<CliDatabase> OpenAsync(string? connection, string dataDirectory, CancellationToken cancellationToken)
    {
        var configured = string.IsNullOrWhiteSpace(connection) ? Environment.GetEnvironmentVariable("ConnectionStrings__Reliability") : connection;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new CliDatabase(configured, null);
        }

        // Starting a second server on the running service's cluster would stop the service's.
        if (EmbeddedPostgresServer.RunningServer(dataDirectory) is { } running)
        {
            return new CliDatabase(running, null);
        }

        var server = await EmbeddedPostgresServer.StartAsync(dataDirectory, NullLogger.Instance, cancellationToken: cancellationToken);
        return new CliDatabase(server.ConnectionString, server);
    }

    public async ValueTask DisposeAsync()
    {
        Store.Dispose();
        if (_started is not null)
        {
            await _started.DisposeAsync();
        }
    }
}
