using Marten;
using Reliability.Domain.Events;

namespace Reliability.Grains.Records;

/// <summary>Reads a grain's stream; what it returns is ready to fold into a <see cref="Domain.Model.Ledger"/>.</summary>
public sealed class EventStreams(IDocumentStore store)
{
    /// <summary>The events after <paramref name="afterVersion"/>, and the stream's version after them.</summary>
    public async Task<(IReadOnlyList<IReliabilityEvent> Events, long Version)> ReadAsync(
        string streamKey, long afterVersion, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        var stored = await session.Events.FetchStreamAsync(streamKey, fromVersion: afterVersion + 1, token: cancellationToken);
        var events = new List<IReliabilityEvent>(stored.Count);
        var version = afterVersion;
        foreach (var e in stored)
        {
            if (e.Data is IReliabilityEvent domainEvent)
            {
                events.Add(domainEvent);
            }

            version = Math.Max(version, e.Version);
        }

        return (events, version);
    }

    /// <summary>
    /// The events the store had recorded by <paramref name="recordedBy"/>: each event's recording
    /// time is the one the store stamped it with when it was appended, whatever time it speaks of.
    /// </summary>
    public async Task<IReadOnlyList<IReliabilityEvent>> ReadRecordedByAsync(
        string streamKey, DateTimeOffset recordedBy, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        var stored = await session.Events.FetchStreamAsync(streamKey, timestamp: recordedBy, token: cancellationToken);
        return [.. stored.Select(e => e.Data).OfType<IReliabilityEvent>()];
    }
}
