using System.Net.Sockets;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Reliability.Infrastructure.EventStore;

/// <summary>
/// When Marten may run a failed command again. Marten retries by executing the very same
/// <see cref="NpgsqlBatch"/> on the next pooled connection. Npgsql 9 keeps the names under which that
/// batch's statements were automatically prepared on the first connection, and binds them on the
/// second, where the same names may hold other statements: the second connection then runs its own
/// statement with the batch's parameters (a protocol error when their counts differ, another
/// statement's answer when they match). So a command is run again only when it never reached a
/// server: no connection could be opened. Everything else is the caller's to decide: the record's
/// writers decide a conflicting write again in a fresh session, and a request the database could
/// not serve is answered 503 with Retry-After.
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
