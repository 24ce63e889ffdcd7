namespace Reliability.Contracts.Sources;

[GenerateSerializer, Immutable, Alias("Reliability.HandleView")]
public sealed record HandleView(string Platform, string Handle);

/// <summary>A score at a glance: what a badge shows.</summary>
/// <remarks>
/// Band is "reliable", "mixed", "unreliable" or "insufficient-record"; Grade is the Admiralty
/// letter A–F. Provisional says part of the evidence is a truth-discovery estimate, not a resolution.
/// </remarks>
[GenerateSerializer, Immutable, Alias("Reliability.ScoreSummary")]
public sealed record ScoreSummary(
    double Score,
    double Lower,
    double Upper,
    double EffectiveEvidence,
    string Band,
    string Grade,
    bool Provisional);

/// <summary>
/// What a rater outside the newsroom says of the source, in its own words. ExpectedBand is the band
/// those words correspond to on a scale the tracker knows (null: words of an unknown scale, shown
/// but not compared); Disagrees says the record's own band, beside which it is shown, is another.
/// </summary>
[GenerateSerializer, Immutable, Alias("Reliability.ExternalRatingView")]
public sealed record ExternalRatingView(string Rater, string Rating, string? Url, DateTimeOffset At, string? ExpectedBand, bool Disagrees);

[GenerateSerializer, Immutable, Alias("Reliability.SourceProfile")]
public sealed record SourceProfile(
    string Id,
    string Name,
    string Kind,
    bool InterestedParty,
    IReadOnlyList<HandleView> Handles,
    int ClaimCount,
    IReadOnlyList<string> Topics,
    ScoreSummary Score,
    string PolicyVersion,
    IReadOnlyList<ExternalRatingView> ExternalRatings);

[GenerateSerializer, Immutable, Alias("Reliability.CorrectionMetricsView")]
public sealed record CorrectionMetricsView(
    int RefutedClaims,
    int CorrectedBySource,
    double? SelfCorrectedShare,
    int SilentDeletions,
    double? MedianHoursToCorrect,
    int ReversalsTowardTruth,
    int ReversalsAwayFromTruth,
    int ContradictedWithoutCorrection);

/// <summary>A source's score on one topic or region: band (with hysteresis, as the overall band) and grade under the score's policy.</summary>
/// <remarks>Provisional: part of the evidence is a provisional estimate.</remarks>
[GenerateSerializer, Immutable, Alias("Reliability.TagScoreView")]
public sealed record TagScoreView(
    string Tag, double Score, double Lower, double Upper, double EffectiveEvidence, bool Insufficient, string Band, string Grade, bool Provisional);

/// <summary>A source's score as of a time, under a named policy.</summary>
/// <remarks>
/// Topic: when the score was asked for one topic, the overall figures are that topic's.
/// TruthVersion: the truth estimate a live score used (-1 as of a past time); it tells a node's
/// cache whether the answer is as new as the estimate it knows, and is no part of the answer.
/// KnownAt: when asked "what did the tracker know then", the recording time the answer stops at
/// (only the events recorded by then count); left out of the JSON otherwise.
/// </remarks>
[GenerateSerializer, Immutable, Alias("Reliability.ScoreView")]
public sealed record ScoreView(
    string SourceId,
    DateTimeOffset AsOf,
    string PolicyVersion,
    string? Topic,
    ScoreSummary Summary,
    double ProvisionalEvidence,
    CorrectionMetricsView Corrections,
    IReadOnlyList<TagScoreView> Topics,
    IReadOnlyList<TagScoreView> Regions,
    [property: System.Text.Json.Serialization.JsonIgnore] long TruthVersion = -1,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    DateTimeOffset? KnownAt = null);

/// <summary>What one claim adds to the evidence, and why. Credibility is the Admiralty 1–6.</summary>
[GenerateSerializer, Immutable, Alias("Reliability.ContributionView")]
public sealed record ContributionView(
    string ClaimId,
    string PropositionId,
    double Confirmed,
    double Refuted,
    bool Provisional,
    int Credibility,
    string Reason);

/// <summary>
/// The score with the per-claim contributions that add up to its evidence. When only the heaviest
/// contributions were asked for, <c>Omitted</c> sums the others, so the two still add up.
/// <c>KnownAt</c>: as for <see cref="ScoreView"/>, the recording time the answer stops at, when asked.
/// </summary>
[GenerateSerializer, Immutable, Alias("Reliability.ExplanationView")]
public sealed record ExplanationView(
    string SourceId,
    DateTimeOffset AsOf,
    string PolicyVersion,
    ScoreSummary Summary,
    double ConfirmedEvidence,
    double RefutedEvidence,
    IReadOnlyList<ContributionView> Contributions,
    OmittedContributionsView? Omitted = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    DateTimeOffset? KnownAt = null);

/// <summary>Contributions left out of an explanation cut to its heaviest: how many claims, and their evidence.</summary>
[GenerateSerializer, Immutable, Alias("Reliability.OmittedContributionsView")]
public sealed record OmittedContributionsView(int Claims, double Confirmed, double Refuted);

[GenerateSerializer, Immutable, Alias("Reliability.ScorePointView")]
public sealed record ScorePointView(DateTimeOffset At, double Score, double EffectiveEvidence, string Band);

/// <summary>
/// A source's score series; <c>TotalPoints</c> counts the whole series, which is more than <c>Points</c>
/// holds when it was thinned for a chart. <c>AsOf</c>: the moment a past series ends at, when asked
/// for one; <c>KnownAt</c>: as for <see cref="ScoreView"/>, the recording time it stops at. Both are
/// left out of the JSON for the series now. <c>Topic</c>, <c>Region</c>: the topic or region whose series
/// it is, when asked for one (a point wherever its evidence moved; left out for the overall series).
/// </summary>
[GenerateSerializer, Immutable, Alias("Reliability.ScoreHistoryView")]
public sealed record ScoreHistoryView(
    string SourceId,
    string PolicyVersion,
    IReadOnlyList<ScorePointView> Points,
    int TotalPoints,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    DateTimeOffset? AsOf = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    DateTimeOffset? KnownAt = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Topic = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Region = null);
