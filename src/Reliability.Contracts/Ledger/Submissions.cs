using Reliability.Contracts.Sources;

namespace Reliability.Contracts.Ledger;

/// <summary>A proposition opened inline with a claim, or through POST /v1/propositions.</summary>
public sealed record NewProposition(
    string Question,
    IReadOnlyList<string> Options,
    IReadOnlyList<string>? Topics,
    string? Region,
    string? Id = null);

/// <summary>
/// One claim to record. Exactly one of SourceId / Handle names the source (an unknown handle
/// creates the source); exactly one of PropositionId / Proposition names the proposition.
/// Hedge is "asserted" (default), "reported" or "speculative".
/// </summary>
public sealed record ClaimSubmission(
    string Id,
    string? SourceId,
    HandleView? Handle,
    string? SourceName,
    string? PropositionId,
    NewProposition? Proposition,
    string Option,
    DateTimeOffset PublishedAt,
    string? Url,
    string? Text,
    string? Language,
    string? Hedge,
    string? RelayOf,
    IReadOnlyList<string>? Evidence);

public enum SubmissionStatus
{
    Accepted,
    Duplicate,
    Rejected,
}

/// <summary>
/// The fate of one item. Accepted means durably stored; Errors are field-level (field → messages)
/// for a rejected item.
/// </summary>
public sealed record SubmissionResult(
    string Id,
    SubmissionStatus Status,
    string? SourceId,
    string? PropositionId,
    IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>
/// Kind is "deleted", "retracted", "reversed" or "amended". A reversal names its Replacement
/// claim (recorded with it, same source and proposition). Deletion is "observed" (found gone by the
/// watcher) or "announced" (the source said so); API clients announce by default.
/// </summary>
public sealed record CorrectionSubmission(
    string Kind,
    DateTimeOffset At,
    string? Url,
    string? Note,
    ClaimSubmission? Replacement,
    string? Deletion = null,
    string? Id = null);

/// <summary>
/// One outside rating of an import. Exactly one of SourceId / Handle names the source; an unknown
/// handle registers it (SourceName and SourceKind, else named after the handle: an outlet for a web
/// domain, a social account otherwise). Id labels the item in the answer.
/// </summary>
public sealed record ExternalRatingSubmission(
    string Id,
    string? SourceId,
    HandleView? Handle,
    string? SourceName,
    string? SourceKind,
    string Rater,
    string Rating,
    string? Url,
    DateTimeOffset? At);

/// <summary>Option confirmed, or Unresolvable; each submission is a new revision.</summary>
public sealed record ResolutionSubmission(
    string? Option,
    bool Unresolvable,
    IReadOnlyList<string>? Evidence,
    string? Note,
    string Editor,
    DateTimeOffset? At = null);

/// <summary>Why a command changed nothing: the target is unknown, or the request contradicts the record.</summary>
public enum LedgerFailure
{
    None,
    NotFound,
    Invalid,
    Conflict,
}

public sealed record LedgerOutcome<T>(T? Value, LedgerFailure Failure = LedgerFailure.None, IReadOnlyDictionary<string, string[]>? Errors = null, string? Detail = null)
{
    public bool Succeeded => Failure == LedgerFailure.None;

    public static LedgerOutcome<T> Ok(T value) => new(value);

    /// <summary>This failure, carried as the outcome of a command that answers with another type.</summary>
    public LedgerOutcome<TOther> Failed<TOther>() => new(default, Failure, Errors, Detail);

    public static LedgerOutcome<T> NotFound(string detail) => new(default, LedgerFailure.NotFound, Detail: detail);

    public static LedgerOutcome<T> Invalid(IReadOnlyDictionary<string, string[]> errors) => new(default, LedgerFailure.Invalid, errors, "The request contradicts the record.");
}
