using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Reliability.Domain.Events;

namespace Reliability.Grains.Sources;

/// <summary>
/// A source stream's domain events up to <see cref="Version"/>, in order, in one document. The
/// events themselves are the state: folding them again is exact, and the scorer needs them anyway.
/// </summary>
public sealed class SourceSnapshot
{
    /// <summary>The source id.</summary>
    public required string Id { get; set; }

    public long Version { get; set; }

    /// <summary>The events as JSON objects: how snapshots were first written. Still read; no longer written.</summary>
    public List<SnapshotEvent> Events { get; set; } = [];

    /// <summary>
    /// The events as Brotli-compressed JSON, in base64. Activating a source with a long history is
    /// then a tenth of the bytes to read and one string to parse, not thousands of JSON objects for
    /// the database to render and the document serializer to walk.
    /// </summary>
    public string? Packed { get; set; }

    public static SourceSnapshot Of(string sourceId, long version, IReadOnlyList<IReliabilityEvent> events)
    {
        using var buffer = new MemoryStream();
        using (var brotli = new BrotliStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            JsonSerializer.Serialize(brotli, [.. events.Select(SnapshotEvent.Of)], SnapshotJson.Default.ListSnapshotEvent);
        }

        return new SourceSnapshot { Id = sourceId, Version = version, Packed = Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length) };
    }

    // A method, not a property: the document serializer would write a property out as an extra field.
    public IReadOnlyList<IReliabilityEvent> ToEvents()
    {
        if (Packed is null)
        {
            return [.. Events.Select(e => e.ToEvent())];
        }

        using var brotli = new BrotliStream(new MemoryStream(Convert.FromBase64String(Packed)), CompressionMode.Decompress);
        var events = JsonSerializer.Deserialize(brotli, SnapshotJson.Default.ListSnapshotEvent)
            ?? throw new InvalidOperationException($"The snapshot of source {Id} is empty");
        return [.. events.Select(e => e.ToEvent())];
    }
}

/// <summary>The packed snapshot's serializer, generated at build time: no reflection on the hot path of activation.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<SnapshotEvent>))]
internal sealed partial class SnapshotJson : JsonSerializerContext;

/// <summary>
/// One event, in the field named after its type: the document serializer needs no polymorphism,
/// and each event keeps the JSON shape it has in the event store.
/// </summary>
public sealed class SnapshotEvent
{
    public SourceRegistered? SourceRegistered { get; set; }
    public SourceHandleAdded? SourceHandleAdded { get; set; }
    public SourceHandleRemoved? SourceHandleRemoved { get; set; }
    public SourceAmended? SourceAmended { get; set; }
    public ExternalRatingRecorded? ExternalRatingRecorded { get; set; }
    public PropositionOpened? PropositionOpened { get; set; }
    public ClaimRecorded? ClaimRecorded { get; set; }
    public CorrectionRecorded? CorrectionRecorded { get; set; }
    public PropositionResolved? PropositionResolved { get; set; }
    public CitationRecorded? CitationRecorded { get; set; }
    public SourceMerged? SourceMerged { get; set; }
    public SourceAbsorbed? SourceAbsorbed { get; set; }
    public SourceAbsorbedPart? SourceAbsorbedPart { get; set; }

    public static SnapshotEvent Of(IReliabilityEvent e) => e switch
    {
        SourceRegistered x => new() { SourceRegistered = x },
        SourceHandleAdded x => new() { SourceHandleAdded = x },
        SourceHandleRemoved x => new() { SourceHandleRemoved = x },
        SourceAmended x => new() { SourceAmended = x },
        ExternalRatingRecorded x => new() { ExternalRatingRecorded = x },
        PropositionOpened x => new() { PropositionOpened = x },
        ClaimRecorded x => new() { ClaimRecorded = x },
        CorrectionRecorded x => new() { CorrectionRecorded = x },
        PropositionResolved x => new() { PropositionResolved = x },
        CitationRecorded x => new() { CitationRecorded = x },
        SourceMerged x => new() { SourceMerged = x },
        SourceAbsorbed x => new() { SourceAbsorbed = x },
        SourceAbsorbedPart x => new() { SourceAbsorbedPart = x },
        _ => throw new InvalidOperationException($"No snapshot field for {e.GetType().Name}"),
    };

    // A method, not a property: the document serializer would write a property out as an extra field.
    public IReliabilityEvent ToEvent() =>
        (IReliabilityEvent?)SourceRegistered ?? SourceHandleAdded ?? SourceHandleRemoved ?? SourceAmended ?? ExternalRatingRecorded ?? PropositionOpened ?? ClaimRecorded
        ?? CorrectionRecorded ?? PropositionResolved ?? CitationRecorded ?? SourceMerged ?? (IReliabilityEvent?)SourceAbsorbed ?? SourceAbsorbedPart
        ?? throw new InvalidOperationException("An empty snapshot entry");
}
