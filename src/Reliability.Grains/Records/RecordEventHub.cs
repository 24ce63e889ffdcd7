using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Reliability.Grains.Records;

/// <summary>
/// What changed in the record, for live subscribers. Type is "claims", "correction", "resolution",
/// "score" or "source-merged"; Data is serialized as the event's JSON.
/// </summary>
public sealed record RecordEvent(string Type, object Data);

public sealed record ClaimsRecordedEvent(IReadOnlyList<string> ClaimIds, IReadOnlyList<string> SourceIds, IReadOnlyList<string> PropositionIds);

public sealed record CorrectionEvent(string ClaimId, string SourceId, string Kind, DateTimeOffset At);

public sealed record ResolutionEvent(string PropositionId, int Revision, string Verdict, string? Option, DateTimeOffset At);

/// <summary>A source merged into another: from now on, what named <c>AbsorbedId</c> names <c>SourceId</c>.</summary>
public sealed record SourceMergedEvent(string SourceId, string AbsorbedId, string? Reason, DateTimeOffset At);

public sealed record ScoreEvent(string SourceId, double Score, double Lower, double Upper, string Band, string Grade, DateTimeOffset AsOf);

/// <summary>
/// Fans committed changes out to subscribers in this process. Each subscriber has a bounded queue
/// that drops its oldest events when it falls behind, so a stalled client never holds up a write
/// or grows memory without end. Per process: in a cluster, a subscriber sees what its node wrote
/// and the scores its node's grains recomputed.
/// </summary>
public sealed class RecordEventHub
{
    public const int QueueLength = 1_000;

    private readonly ConcurrentDictionary<Guid, Channel<RecordEvent>> _subscribers = new();

    public int SubscriberCount => _subscribers.Count;

    public void Publish(string type, object data)
    {
        var e = new RecordEvent(type, data);
        foreach (var channel in _subscribers.Values)
        {
            channel.Writer.TryWrite(e);
        }
    }

    public Subscription Subscribe()
    {
        var id = Guid.NewGuid();
        var channel = Channel.CreateBounded<RecordEvent>(new BoundedChannelOptions(QueueLength)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        _subscribers[id] = channel;
        return new Subscription(channel.Reader, () => _subscribers.TryRemove(id, out _));
    }

    /// <summary>Events published after subscribing; disposing it unsubscribes.</summary>
    public sealed class Subscription(ChannelReader<RecordEvent> reader, Action unsubscribe) : IDisposable
    {
        public ChannelReader<RecordEvent> Reader => reader;

        public void Dispose() => unsubscribe();
    }
}
