using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Reliability.Infrastructure.Database;

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
/// <para>
/// A node counts itself as listening only once it has heard a probe it sent itself, and proves it
/// again whenever the channel has been quiet a while (<see cref="ChannelListener"/>): a node that
/// only believed it listened would keep answers a minute that other nodes' writes had made stale.
/// </para>
/// </remarks>
public sealed partial class ReadCacheNotices(
    ReadCache cache, NpgsqlDataSource database, TimeProvider clock, ILogger<ReadCacheNotices> logger) : BackgroundService
{
    public const string ChannelName = "reliability_read_cache";

    // PostgreSQL refuses a payload of 8,000 bytes or more; a group commit can touch hundreds of sources.
    internal const int MaxPayloadBytes = 7_000;

    private static readonly TimeSpan DrainBudget = TimeSpan.FromSeconds(2);

    private readonly string _node = Guid.NewGuid().ToString("N");
    private ChannelListener? _listener;
    private Task? _sending;
    private readonly Channel<Notice> _outbox = Channel.CreateUnbounded<Notice>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>How long a probe may take to come back before the node counts itself as not listening.</summary>
    internal TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The channel this node listens on: always <see cref="ChannelName"/>, but for the tests that play
    /// a connection notifications never reach.
    /// </summary>
    internal string ListeningChannel { get; init; } = ChannelName;

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
        _listener = new ChannelListener(database, clock, logger)
        {
            Channel = ChannelName,
            ListeningChannel = ListeningChannel,
            Subject = "other nodes' changes",
            ProbePayload = probe => JsonSerializer.Serialize(new Notice(_node, [], [], probe)),
            ProbeTimeout = ProbeTimeout,
        };
        _sending = SendAsync(stoppingToken);
        return Task.WhenAll(_sending, _listener.ListenAsync(new Ear(cache, Heard), stoppingToken));
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
        var retry = DatabaseRetry.Pipeline(clock, maxAttempts: 5, (exception, attempt) => LogSendRetry(logger, exception, attempt));
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
                        await retry.ExecuteAsync(token => new ValueTask(NotifyAsync(payload, token)), stoppingToken);
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

    private Task NotifyAsync(string payload, CancellationToken cancellationToken) =>
        _listener!.NotifyAsync(payload, cancellationToken);

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

        // Other nodes' probes carry nothing; this node's own writes reached its cache before the notice was sent.
        if (notice is { Probe: null } && notice.Node != _node)
        {
            // A notice from a node of another version may lack a list; what it has still counts.
            cache.ChangedElsewhere(notice.Sources ?? [], notice.Posts ?? []);
        }
    }

    /// <summary>What the listener hears goes to the cache: a node that may have missed notices keeps answers only briefly.</summary>
    private sealed class Ear(ReadCache cache, Action<string> heard) : IChannelEar
    {
        public void Heard(string payload) => heard(payload);

        public void StartedHearing() => cache.StartedHearing();

        public void StoppedHearing() => cache.StoppedHearing();
    }

    /// <summary>
    /// What one node tells the others: the sources and post URL keys its writes changed; or, with
    /// <see cref="Probe"/>, a node's probe of its own listening, which every other node passes over.
    /// </summary>
    internal sealed record Notice(
        string Node, List<string> Sources, List<string> Posts,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Probe = null);

    [LoggerMessage(LogLevel.Debug, "Telling other nodes of a change failed (attempt {Attempt}); retrying")]
    private static partial void LogSendRetry(ILogger logger, Exception? exception, int attempt);

    [LoggerMessage(LogLevel.Warning, "Other nodes could not be told of a change; they serve what they kept until it runs out")]
    private static partial void LogSendFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Warning, "A change notice from another node could not be read")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}
