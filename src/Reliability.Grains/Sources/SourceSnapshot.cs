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
    public List<SnapshotEvent> Events { get; set; } = [];
}

/// <summary>
/// One event, in the field named after its type: the document serializer needs no polymorphism,
/// and each event keeps the JSON shape it has in the event store.
/// </summary>
public sealed class SnapshotEvent
{
    public SourceRegistered? SourceRegistered { get; set; }
    public SourceHandleAdded? SourceHandleAdded { get; set; }
    public PropositionOpened? PropositionOpened { get; set; }
    public ClaimRecorded? ClaimRecorded { get; set; }
    public CorrectionRecorded? CorrectionRecorded { get; set; }
    public PropositionResolved? PropositionResolved { get; set; }
    public CitationRecorded? CitationRecorded { get; set; }

    public static SnapshotEvent Of(IReliabilityEvent e) => e switch
    {
        SourceRegistered x => new() { SourceRegistered = x },
        SourceHandleAdded x => new() { SourceHandleAdded = x },
        PropositionOpened x => new() { PropositionOpened = x },
        ClaimRecorded x => new() { ClaimRecorded = x },
        CorrectionRecorded x => new() { CorrectionRecorded = x },
        PropositionResolved x => new() { PropositionResolved = x },
        CitationRecorded x => new() { CitationRecorded = x },
        _ => throw new InvalidOperationException($"No snapshot field for {e.GetType().Name}"),
    };

    // A method, not a property: the document serializer would write a property out as an extra field.
    public IReliabilityEvent ToEvent() =>
        (IReliabilityEvent?)SourceRegistered ?? SourceHandleAdded ?? PropositionOpened ?? ClaimRecorded
        ?? CorrectionRecorded ?? PropositionResolved ?? (IReliabilityEvent?)CitationRecorded
        ?? throw new InvalidOperationException("An empty snapshot entry");
}
