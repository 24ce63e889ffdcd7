using Reliability.Contracts.Claims;

namespace Reliability.Contracts.Propositions;

[GenerateSerializer, Immutable, Alias("Reliability.ResolutionView")]
public sealed record ResolutionView(
    int Revision,
    string Verdict,
    string? Option,
    IReadOnlyList<string> Evidence,
    string Editor,
    string? Note,
    DateTimeOffset At);

/// <summary>
/// A truth-discovery estimate; always labelled provisional where it shows. Claimants: how many
/// sources' standing claims assert the option (none for an option nobody claims).
/// </summary>
[GenerateSerializer, Immutable, Alias("Reliability.OptionProbability")]
public sealed record OptionProbability(string Option, double Probability, int Claimants);

/// <summary>
/// State is "open" (no resolution, claims agree or none), "contested" (no resolution, claims
/// disagree) or "resolved". <c>AsOf</c>: the moment the proposition stands as of, when asked for
/// one; <c>KnownAt</c>: the recording time the view stops at, when asked for one. Both are left out
/// of the JSON for the proposition now.
/// </summary>
[GenerateSerializer, Immutable, Alias("Reliability.PropositionView")]
public sealed record PropositionView(
    string Id,
    string Question,
    IReadOnlyList<string> Options,
    IReadOnlyList<string> Topics,
    string? Region,
    string State,
    IReadOnlyList<ClaimView> Claims,
    IReadOnlyList<OptionProbability> ProvisionalProbabilities,
    ResolutionView? Resolution,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    DateTimeOffset? AsOf = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    DateTimeOffset? KnownAt = null);
