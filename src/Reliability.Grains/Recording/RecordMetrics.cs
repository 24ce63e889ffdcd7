using System.Diagnostics.Metrics;
using JasperFx.Events;

namespace Reliability.Grains.Recording;

/// <summary>
/// The record's own meter. Marten counts the events it appends, but a commit now writes its events
/// to existing streams itself (<see cref="StreamAppends"/>), so Marten's counter sees only the first
/// events of new streams; this one counts every event a commit wrote, by type.
/// </summary>
public static class RecordMetrics
{
    public const string MeterName = "Reliability.Record";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> EventsAppended = Meter.CreateCounter<long>(
        "reliability.record.events_appended", "{event}", "Events committed to the record's streams, by event type.");

    internal static void Appended(IEnumerable<IEvent> events)
    {
        if (!EventsAppended.Enabled)
        {
            return;
        }

        foreach (var e in events)
        {
            EventsAppended.Add(1, new KeyValuePair<string, object?>("event_type", e.EventTypeName));
        }
    }
}
