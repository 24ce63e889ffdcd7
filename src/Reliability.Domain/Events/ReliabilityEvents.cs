using Reliability.Domain.Model;

namespace Reliability.Domain.Events;

/// <summary>
/// Every fact the tracker learns. <see cref="OccurredAt"/> is the moment the fact belongs to in the
/// world (a claim's publication, a correction's time), which is what "as of t" filters on.
/// It is implemented explicitly so it is not serialized twice.
/// </summary>
public interface IReliabilityEvent
{
    DateTimeOffset OccurredAt { get; }
}

public sealed record SourceRegistered(Source Source, DateTimeOffset At) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => At;
}

public sealed record SourceHandleAdded(string SourceId, SourceHandle Handle, DateTimeOffset At) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => At;
}

/// <summary>
/// A handle no longer names the source: the account changed hands (a channel taken over by another
/// group), or it was given to the wrong source. The source's claims made through it stay its own;
/// from <see cref="At"/> on, the handle is free for another source.
/// </summary>
public sealed record SourceHandleRemoved(string SourceId, SourceHandle Handle, string? Reason, DateTimeOffset At) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => At;
}

/// <summary>
/// The desk's description of a source changed: its name, kind or whether it is a party to what it
/// reports (a source first met through a claim is named after its handle, and its kind is a guess).
/// Carries the whole description, so a stream read alone says what the source was called when.
/// </summary>
public sealed record SourceAmended(string SourceId, string Name, SourceKind Kind, bool InterestedParty, DateTimeOffset At) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => At;
}

/// <summary>
/// A rater outside the newsroom rated the source (Rating: its words), or, with a null Rating, no
/// longer does. The rater's latest word stands.
/// </summary>
public sealed record ExternalRatingRecorded(string SourceId, string Rater, string? Rating, string? Url, DateTimeOffset At) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => At;
}

public sealed record PropositionOpened(Proposition Proposition, DateTimeOffset At) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => At;
}

/// <summary>
/// A claim. In its source's stream, the source's first claim on a proposition also carries the
/// proposition, so the stream is self-contained without a copy of the proposition of its own
/// (streams written before that carry a <see cref="PropositionOpened"/> copy; both replay alike).
/// </summary>
public sealed record ClaimRecorded(Claim Claim, Proposition? Proposition = null) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => Claim.PublishedAt;
}

public sealed record CorrectionRecorded(Correction Correction) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => Correction.At;
}

/// <summary>A resolution revision; the first one resolves, later ones revise.</summary>
public sealed record PropositionResolved(Resolution Resolution) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => Resolution.At;
}

public sealed record CitationRecorded(Citation Citation) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => Citation.PublishedAt;
}
