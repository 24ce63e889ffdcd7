using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Reliability.Infrastructure.Database;

/// <summary>
/// The database the service uses: the configured server when <c>ConnectionStrings:Reliability</c> is
/// set, otherwise an embedded cluster this process starts and, on dispose, stops.
/// </summary>
public sealed class ReliabilityDatabase : IAsyncDisposable
{
    private readonly EmbeddedPostgresServer? _embedded;

    private ReliabilityDatabase(string connectionString, EmbeddedPostgresServer? embedded)
    {
        ConnectionString = connectionString;
        _embedded = embedded;
    }

    public string ConnectionString { get; }

    public bool IsEmbedded => _embedded is not null;

    public static async Task<ReliabilityDatabase> OpenAsync(
        IConfiguration configuration, ILogger logger, CancellationToken cancellationToken = default)
    {
        var configured = configuration.GetConnectionString(ReliabilityDatabaseOptions.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new ReliabilityDatabase(configured, embedded: null);
        }

        var options = configuration.GetSection("Reliability").Get<ReliabilityDatabaseOptions>() ?? new();
        var embedded = await EmbeddedPostgresServer.StartAsync(
            options.DataDirectory, logger, options.PostgresBinDirectory, cancellationToken);
        return new ReliabilityDatabase(embedded.ConnectionString, embedded);
    }

    public ValueTask DisposeAsync() => _embedded?.DisposeAsync() ?? ValueTask.CompletedTask;
}
