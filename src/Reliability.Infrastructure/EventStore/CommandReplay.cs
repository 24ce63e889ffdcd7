using System.Net.Sockets;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Reliability.Infrastructure.EventStore;

/// <summary>
/// When Marten may run a failed command again. Marten retries by executing the very same
/// <see cref="NpgsqlBatch"/> on the next pooled connection. Once any of a write reached the server,
/// the same batch is the wrong thing to send: a commit whose answer was lost may have landed, and a
/// conflict or deadlock means what is stored has moved, so the record's writers decide such a write
/// again in a fresh session, on what is now stored (and a read the database could not serve is
/// answered 503 with Retry-After). With Npgsql 9 a batch sent again was also unsafe in itself: it
/// kept the names under which its statements were prepared on the first connection and bound them
/// on the second, which ran its own statement with the batch's parameters; Npgsql 10 prepares it
/// afresh (PreparedStatementTests). So a command is run again only when it never reached a server:
/// no connection could be opened.
/// </summary>
public static class CommandReplay
{
    private const int MaxRetryAttempts = 3;

    /// <summary>True when the command failed before any of it was sent, so running it again is safe.</summary>
    public static bool NothingWasSent(Exception exception) =>
        ExceptionChain.Of(exception).Any(e => e switch
        {
            // Npgsql's "Failed to connect to host:port": the socket never opened.
            NpgsqlException { InnerException: SocketException } => true,
            // Refused during the start-up handshake, before any command.
            PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections } => true,
            _ => false,
        });

    /// <summary>Marten's pipeline for reads and for commits alike.</summary>
    public static void Configure(ResiliencePipelineBuilder pipeline) =>
        pipeline.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } failure && NothingWasSent(failure)),
            MaxRetryAttempts = MaxRetryAttempts,
            Delay = TimeSpan.FromMilliseconds(50),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        });
}
