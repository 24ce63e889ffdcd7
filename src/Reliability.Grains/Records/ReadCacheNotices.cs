using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Reliability.Grains.Records;

/// <summary>
/// Tells the other nodes which sources and post URLs a write through this node changed, and tells
/// this node's <see cref="ReadCache"/> what theirs changed, over PostgreSQL's LISTEN / NOTIFY on the
/// record's own database. Without it a node learns of another's write only when its kept answer
/// runs out; with it, a correction recorded anywhere shows on every node's plugin within
/// milliseconds, and answers can be kept far longer.
/// </summary>
/// <remarks>
/// A notice is sent after the writer has told the grains, as the writer tells its own node's cache:
/// a node that hears it and works the answer out again finds the grains holding the change. A
/// notice that cannot be sent is logged: the other nodes serve what they kept at most
/// <see cref="ReadCacheOptions.Lifetime"/>. A node that cannot listen serves answers only as long
/// as <see cref="ReadCacheOptions.LifetimeWithoutNotices"/> until it listens again, and then works
/// everything out afresh, since it may have missed notices meanwhile.
/// </remarks>
public sealed partial class ReadCacheNotices(
    ReadCache cache, NpgsqlDataSource database, TimeProvider clock, ILogger<ReadCacheNotices> logger) : BackgroundService
{
    public const string ChannelName = "reliability_read_cache";

    // PostgreSQL refuses a payload of 8,000 bytes or more; a group commit can touch hundreds of sources.
    internal const int MaxPayloadBytes = 7_000;

    // A connection that died quietly would hide every notice: a quiet one is checked this often.
    private static readonly TimeSpan QuietCheck = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan DrainBudget = TimeSpan.FromSeconds(2);

    private readonly string _node = Guid.NewGuid().ToString("N");
    private Task? _sending;
    private readonly Channel<Notice> _outbox = Channel.CreateUnbounded<Notice>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues a notice of a committed write; sent shortly, several writes in one.</summary>
    public void Publish(IEnumerable<string> sourceIds, IEnumerable<string> urlKeys)
    {
        var notice = new Notice(_node, [.. sourceIds], [.. urlKeys]);
        if (notice.Sources.Count + notice.Posts.Count > 0)
        {
            _outbox.Writer.TryWrite(notice);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _sending = SendAsync(stoppingToken);
        return Task.WhenAll(_sending, ListenAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Writes that finished while the node drained are told to the others before it goes, briefly.
        _outbox.Writer.TryComplete();
        if (_sending is { } sending)
        {
            await sending.WaitAsync(DrainBudget, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await base.StopAsync(cancellationToken);
    }

    private async Task SendAsync(CancellationToken stoppingToken)
    {
        var retry = Retry(maxAttempts: 5, (exception, attempt) => LogSendRetry(logger, exception, attempt));
        try
        {
            while (await _outbox.Reader.WaitToReadAsync(stoppingToken))
            {
                var sources = new HashSet<string>(StringComparer.Ordinal);
                var posts = new HashSet<string>(StringComparer.Ordinal);
                while (_outbox.Reader.TryRead(out var notice))
                {
                    sources.UnionWith(notice.Sources);
                    posts.UnionWith(notice.Posts);
                }

                foreach (var payload in Payloads(_node, sources, posts))
                {
                    try
                    {
                        await retry.ExecuteAsync(async token =>
                        {
                            await using var command = database.CreateCommand("select pg_notify($1, $2)");
                            command.Parameters.Add(new NpgsqlParameter { Value = ChannelName });
                            command.Parameters.Add(new NpgsqlParameter { Value = payload });
                            await command.ExecuteNonQueryAsync(token);
                        }, stoppingToken);
                    }
                    catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                    {
                        LogSendFailed(logger, exception);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The notice split into payloads PostgreSQL accepts, each a whole JSON notice.</summary>
    internal static IEnumerable<string> Payloads(string node, IReadOnlyCollection<string> sources, IReadOnlyCollection<string> posts)
    {
        var items = sources.Select(s => (Post: false, Key: s)).Concat(posts.Select(p => (Post: true, Key: p)));
        var batch = new Notice(node, [], []);
        var emptySize = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(batch));
        var size = emptySize;
        foreach (var (post, key) in items)
        {
            // The key as JSON writes it, with a comma.
            var itemSize = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(key)) + 1;
            if (size + itemSize > MaxPayloadBytes && batch.Sources.Count + batch.Posts.Count > 0)
            {
                yield return JsonSerializer.Serialize(batch);
                batch = new Notice(node, [], []);
                size = emptySize;
            }

            (post ? batch.Posts : batch.Sources).Add(key);
            size += itemSize;
        }

        if (batch.Sources.Count + batch.Posts.Count > 0)
        {
            yield return JsonSerializer.Serialize(batch);
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        // Until it listens or the service stops: the wait doubles from a fifth of a second up to ten.
        var connect = Retry(maxAttempts: int.MaxValue, (exception, attempt) =>
        {
            cache.StoppedHearing();
            LogListenRetry(logger, exception, attempt);
        });
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var connection = await connect.ExecuteAsync(async token =>
                {
                    var opened = await database.OpenConnectionAsync(token);
                    try
                    {
                        opened.Notification += (_, e) => Heard(e.Payload);
                        await using var listen = new NpgsqlCommand($"listen {ChannelName}", opened);
                        await listen.ExecuteNonQueryAsync(token);
                        return opened;
                    }
                    catch
                    {
                        await opened.DisposeAsync();
                        throw;
                    }
                }, stoppingToken);

                await using (connection)
                {
                    cache.StartedHearing();
                    LogListening(logger);
                    try
                    {
                        while (true)
                        {
                            if (!await connection.WaitAsync(QuietCheck, stoppingToken))
                            {
                                await using var check = new NpgsqlCommand("select 1", connection) { CommandTimeout = (int)QuietCheck.TotalSeconds };
                                await check.ExecuteScalarAsync(stoppingToken);
                            }
                        }
                    }
                    catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                    {
                        cache.StoppedHearing();
                        LogListenLost(logger, exception);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            cache.StoppedHearing();
        }
    }

    private void Heard(string payload)
    {
        Notice? notice;
        try
        {
            notice = JsonSerializer.Deserialize<Notice>(payload);
        }
        catch (JsonException exception)
        {
            LogUnreadable(logger, exception);
            return;
        }

        // This node's own writes reached its cache before the notice was sent.
        if (notice is not null && notice.Node != _node)
        {
            // A notice from a node of another version may lack a list; what it has still counts.
            cache.ChangedElsewhere(notice.Sources ?? [], notice.Posts ?? []);
        }
    }

    private ResiliencePipeline Retry(int maxAttempts, Action<Exception?, int> onRetry) =>
        new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = maxAttempts,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(10),
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                OnRetry = arguments =>
                {
                    onRetry(arguments.Outcome.Exception, arguments.AttemptNumber + 1);
                    return default;
                },
            })
            .Build();

    /// <summary>What one node tells the others: the sources and post URL keys its writes changed.</summary>
    internal sealed record Notice(string Node, List<string> Sources, List<string> Posts);

    [LoggerMessage(LogLevel.Information, "Listening for other nodes' changes to the record")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(LogLevel.Warning, "Stopped hearing other nodes' changes; kept answers are served only briefly until listening again")]
    private static partial void LogListenLost(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Could not listen for other nodes' changes yet (attempt {Attempt}); retrying")]
    private static partial void LogListenRetry(ILogger logger, Exception? exception, int attempt);

    [LoggerMessage(LogLevel.Debug, "Telling other nodes of a change failed (attempt {Attempt}); retrying")]
    private static partial void LogSendRetry(ILogger logger, Exception? exception, int attempt);

    [LoggerMessage(LogLevel.Warning, "Other nodes could not be told of a change; they serve what they kept until it runs out")]
    private static partial void LogSendFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Warning, "A change notice from another node could not be read")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}
