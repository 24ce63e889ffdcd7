using Microsoft.Extensions.Logging;
using Npgsql;

namespace Reliability.Infrastructure.Database;

/// <summary>What a <see cref="ChannelListener"/> tells the part of the node it listens for.</summary>
public interface IChannelEar
{
    /// <summary>A notification on the channel, probes left out.</summary>
    void Heard(string payload);

    /// <summary>Listening again, and proved to hear: notices sent while it was not may have been missed.</summary>
    void StartedHearing();

    /// <summary>Not hearing (not yet, or not any more): notices sent from now on may be missed.</summary>
    void StoppedHearing();
}

/// <summary>
/// A node's ear on one PostgreSQL notification channel: one pooled connection with <c>LISTEN</c>,
/// reconnecting whenever it is lost, and counting itself as hearing only once it has heard a probe
/// it sent itself through the pool like any notice.
/// </summary>
/// <remarks>
/// A connection that is open and answers queries may still never be told of a notification: behind
/// a pooler in transaction mode a <c>LISTEN</c> lands on whichever server connection ran it. A node
/// that only believed it listened would keep, as fresh, what other nodes had changed. So the probe
/// is sent on connecting, and again whenever the channel has been quiet for <see cref="QuietCheck"/>,
/// which also finds a connection that died without a word. A connection lost soon after it was
/// proved (a server or pooler that drops it every time) is not opened again at once: the pause
/// doubles from a fifth of a second up to ten, so a node does not spin against the database.
/// </remarks>
public sealed partial class ChannelListener(NpgsqlDataSource database, TimeProvider clock, ILogger logger)
{
    // A connection that lived less than this before it was lost counts as lost at once.
    private static readonly TimeSpan ShortLived = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(10);

    private long _probesSent;
    private long _probeHeard;
    private string? _awaitedProbe;

    /// <summary>The channel notices, and this listener's probes, are sent on.</summary>
    public required string Channel { get; init; }

    /// <summary>
    /// The channel listened on: <see cref="Channel"/>, but for tests that play a connection
    /// notifications never reach.
    /// </summary>
    public string? ListeningChannel { get; init; }

    /// <summary>What the listener hears for, in the logs ("changes to API keys").</summary>
    public required string Subject { get; init; }

    /// <summary>
    /// The payload of this node's n-th probe: unique to the node and the number, and one that every
    /// node, of this version or an older one, takes as nothing to act on.
    /// </summary>
    public required Func<long, string> ProbePayload { get; init; }

    /// <summary>
    /// Whether a payload is another node's probe, kept from <see cref="IChannelEar.Heard"/>; without
    /// it the ear is told of them and passes over them itself. This node's own probes never reach it.
    /// </summary>
    public Func<string, bool>? IsProbe { get; init; }

    /// <summary>How long a probe may take to come back before the listener counts itself as not hearing.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the channel may stay quiet before a probe checks the connection still hears.</summary>
    public TimeSpan QuietCheck { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Sends a notice on <see cref="Channel"/> through the pool, as every node's notices go.</summary>
    public async Task NotifyAsync(string payload, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("select pg_notify($1, $2)");
        command.Parameters.Add(new NpgsqlParameter { Value = Channel });
        command.Parameters.Add(new NpgsqlParameter { Value = payload });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Listens until <paramref name="stoppingToken"/> is cancelled, telling <paramref name="ear"/> what it hears.</summary>
    public async Task ListenAsync(IChannelEar ear, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(ear);
        var connect = DatabaseRetry.Pipeline(clock, maxAttempts: int.MaxValue, (exception, attempt) =>
        {
            ear.StoppedHearing();
            LogListenRetry(logger, exception, Subject, attempt);
        });
        var quickLosses = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var connection = await connect.ExecuteAsync(token => OpenAsync(ear, token), stoppingToken);
                var proved = clock.GetTimestamp();
                await using (connection)
                {
                    ear.StartedHearing();
                    LogListening(logger, Subject);
                    try
                    {
                        while (true)
                        {
                            if (!await connection.WaitAsync(QuietCheck, stoppingToken))
                            {
                                await ProbeAsync(connection, stoppingToken);
                            }
                        }
                    }
                    catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                    {
                        ear.StoppedHearing();
                        LogListenLost(logger, exception, Subject);
                    }
                }

                quickLosses = clock.GetElapsedTime(proved) < ShortLived ? quickLosses + 1 : 0;
                if (quickLosses > 0)
                {
                    await Task.Delay(PauseAfter(quickLosses), clock, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            ear.StoppedHearing();
        }
    }

    /// <summary>The pause before listening again after this many connections in a row were lost soon after they were proved.</summary>
    internal static TimeSpan PauseAfter(int quickLosses) =>
        TimeSpan.FromTicks(Math.Min(LongestPause.Ticks, FirstPause.Ticks << Math.Min(quickLosses - 1, 16)));

    private async ValueTask<NpgsqlConnection> OpenAsync(IChannelEar ear, CancellationToken cancellationToken)
    {
        var connection = await database.OpenConnectionAsync(cancellationToken);
        try
        {
            connection.Notification += (_, e) => Heard(ear, e.Payload);
            await using var listen = new NpgsqlCommand($"listen {ListeningChannel ?? Channel}", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken);
            await ProbeAsync(connection, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends a probe the way every notice is sent and waits for it on the listening connection,
    /// taking in whatever else arrives meanwhile; a probe not heard back in time is an error.
    /// </summary>
    private async Task ProbeAsync(NpgsqlConnection listening, CancellationToken cancellationToken)
    {
        var probe = ++_probesSent;
        _awaitedProbe = ProbePayload(probe);
        await NotifyAsync(_awaitedProbe, cancellationToken);
        var sent = clock.GetTimestamp();
        while (_probeHeard < probe)
        {
            var left = ProbeTimeout - clock.GetElapsedTime(sent);
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException(
                    $"A probe sent on '{Channel}' was not heard back within {ProbeTimeout.TotalSeconds:0.#} s: notifications do not reach "
                    + "the listening connection (a connection pooler in transaction mode between the service and PostgreSQL does this).");
            }

            await listening.WaitAsync(left, cancellationToken);
        }
    }

    // Notifications are raised while the listening loop waits on its connection, so probes are sent,
    // heard and waited for on that one flow, one at a time.
    private void Heard(IChannelEar ear, string payload)
    {
        if (payload == _awaitedProbe)
        {
            _probeHeard = _probesSent;
            return;
        }

        if (IsProbe?.Invoke(payload) != true)
        {
            ear.Heard(payload);
        }
    }

    [LoggerMessage(LogLevel.Information, "Listening for {Subject}")]
    private static partial void LogListening(ILogger logger, string subject);

    [LoggerMessage(LogLevel.Warning, "Stopped hearing {Subject}; listening again, and taking whatever may have been missed as changed once it does")]
    private static partial void LogListenLost(ILogger logger, Exception exception, string subject);

    [LoggerMessage(LogLevel.Warning, "Could not listen for {Subject} yet (attempt {Attempt}); retrying")]
    private static partial void LogListenRetry(ILogger logger, Exception? exception, string subject, int attempt);
}
