namespace Reliability.Contracts.Claims;

[GenerateSerializer, Immutable, Alias("Reliability.CorrectionView")]
public sealed record CorrectionView(
    string Id,
    string Kind,
    DateTimeOffset At,
    string? Url,
    string? Note,
    string? Deletion,
    string? ReplacementClaimId);

/// <summary>
/// A claim with what became of it. Status is one of: live, deleted, retracted, reversed, superseded,
/// confirmed, refuted, open (corrections win over outcomes: a deleted refuted claim reads deleted; its
/// outcome is in Outcome). Superseded: the source later claimed another option of the proposition
/// without withdrawing this claim; SupersededBy names that later claim, which the truth estimate
/// weighs instead of this one. ProvisionalProbability is the truth-discovery estimate for an open claim's option;
/// Contested says whether other standing claims assert another option of its open proposition (if
/// not, the estimate rests on how reliable the claim's side has been, not on a contest).
/// Uncorroborated says that no other source's standing claim speaks to its open proposition at all:
/// the estimate is then this source's own record restated, and the claim is no evidence of the
/// source (it contributes nothing to its score). Topics and Region: those of its proposition, given
/// only where a badge needs them (a lookup), and left out of the JSON otherwise.
/// </summary>
[GenerateSerializer, Immutable, Alias("Reliability.ClaimView")]
public sealed record ClaimView(
    string Id,
    string SourceId,
    string PropositionId,
    string Option,
    DateTimeOffset PublishedAt,
    string? Url,
    string? Text,
    string? Language,
    string Hedge,
    string? RelayOf,
    IReadOnlyList<string> Evidence,
    string Status,
    string Outcome,
    double? ProvisionalProbability,
    bool Contested,
    string? ReplacementClaimId,
    IReadOnlyList<CorrectionView> Corrections,
    bool Uncorroborated,
    string? SupersededBy,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<string>? Topics = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Region = null);
