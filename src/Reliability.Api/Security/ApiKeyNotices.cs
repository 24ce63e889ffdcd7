using Npgsql;
using Reliability.Infrastructure.Database;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Security;

/// <summary>
/// Hears the changes to API keys announced on <see cref="ApiKeyStore.ChangeChannel"/> — by any
/// node, or by the command line writing the database directly — and drops this node's cached copy
/// of the key, which also makes the key's open event streams check it again at once. Without it a
/// key revoked elsewhere would go on working here until the cache let it go.
/// </summary>
/// <remarks>
/// One connection from the shared pool stays open with <c>LISTEN</c>. PostgreSQL keeps no
/// notification for a connection that is not there, so whenever the node starts listening again it
/// drops every key it kept and has every stream check its key: what it may have missed is read
/// afresh. The resolver's cache time and the streams' periodic checks stay as the safety net for a
/// notice lost otherwise.
/// </remarks>
internal sealed partial class ApiKeyNotices(
    NpgsqlDataSource database, ApiKeyResolver keys, TimeProvider clock, ILogger<ApiKeyNotices> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Until it listens or the service stops.
        var connect = DatabaseRetry.Pipeline(clock, maxAttempts: int.MaxValue, (exception, attempt) => LogListenRetry(logger, exception, attempt));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var connection = await connect.ExecuteAsync(ListenAsync, stoppingToken);
                await using (connection)
                {
                    keys.ForgetAll();
                    LogListening(logger);
                    try
                    {
                        // The pool's keepalive (Npgsql's Keepalive) runs while waiting, so a dead
                        // connection ends the wait with an error instead of hanging it.
                        while (true)
                        {
                            await connection.WaitAsync(stoppingToken);
                        }
                    }
                    catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                    {
                        LogListenLost(logger, exception);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async ValueTask<NpgsqlConnection> ListenAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenConnectionAsync(cancellationToken);
        try
        {
            connection.Notification += (_, e) => Heard(e.Payload);
            await using var listen = new NpgsqlCommand($"listen {ApiKeyStore.ChangeChannel}", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private void Heard(string keyId)
    {
        LogHeard(logger, keyId);
        keys.Forget(keyId);
    }

    [LoggerMessage(LogLevel.Information, "Listening for changes to API keys")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(LogLevel.Warning, "Stopped hearing changes to API keys; listening again, and dropping every key this node kept once it does")]
    private static partial void LogListenLost(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Could not listen for changes to API keys yet (attempt {Attempt}); retrying")]
    private static partial void LogListenRetry(ILogger logger, Exception? exception, int attempt);

    [LoggerMessage(LogLevel.Debug, "API key {KeyId} changed; this node's copy of it is dropped")]
    private static partial void LogHeard(ILogger logger, string keyId);
}
