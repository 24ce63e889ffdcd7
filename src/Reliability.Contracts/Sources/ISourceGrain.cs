using Reliability.Contracts.Claims;

namespace Reliability.Contracts.Sources;

/// <summary>
/// One source's claim history and scores, rebuilt from its event stream. The stream holds
/// everything the score needs (its claims, their corrections, the propositions and resolutions
/// they depend on), so any past score is a replay of one stream.
/// </summary>
/// <remarks>
/// Versioned: raised with every method added or changed (a test holds each version's methods). During a
/// rolling upgrade a call from a copy of the newer release then finds, or is given, an activation on a
/// copy that has the method: Orleans deactivates one on an older copy and places it again, where
/// otherwise the call would fail on a copy that does not know the method.
/// </remarks>
[Alias("Reliability.ISourceGrain")]
[Orleans.CodeGeneration.Version(2)]
public interface ISourceGrain : IGrainWithStringKey
{
    /// <summary>Null when no such source was ever registered.</summary>
    [Alias("GetProfile")]
    Task<SourceProfile?> GetProfileAsync();

    /// <summary>
    /// The source as it stood at <paramref name="asOf"/>: its name, kind and handles then, its claims
    /// made by then, its score and the raters' words then. Null when it was not registered by then.
    /// </summary>
    [Alias("GetProfileAsOf")]
    Task<SourceProfile?> GetProfileAsOfAsync(DateTimeOffset asOf);

    /// <summary>The score now, or as of <paramref name="asOf"/>; for one topic tag when given.</summary>
    [Alias("GetScore")]
    Task<ScoreView?> GetScoreAsync(DateTimeOffset? asOf, string? topic);

    /// <summary>The explanation now, or as of <paramref name="asOf"/>; with <paramref name="top"/>, only the heaviest contributions and the sum of the rest.</summary>
    [Alias("Explain")]
    Task<ExplanationView?> ExplainAsync(DateTimeOffset? asOf, int? top = null);

    /// <summary>
    /// What the tracker knew at <paramref name="knownAt"/>: the source as the events of its stream
    /// recorded by then show it, as of <paramref name="asOf"/> (world time, at most
    /// <paramref name="knownAt"/>). As of <paramref name="knownAt"/> itself, every read known at a
    /// moment is the live read of then, on the provisional truth estimate in force then; as of an
    /// earlier moment, from verdicts alone, as a read as of a past moment is. Null when the source does
    /// not stand now (unknown, or merged into another) or nothing of it was recorded by then.
    /// </summary>
    [Alias("GetProfileKnownAt")]
    Task<SourceProfile?> GetProfileKnownAtAsync(DateTimeOffset knownAt, DateTimeOffset asOf);

    /// <summary>The score from the events recorded by <paramref name="knownAt"/>, as of <paramref name="asOf"/>; null as for <see cref="GetProfileKnownAtAsync"/>.</summary>
    [Alias("GetScoreKnownAt")]
    Task<ScoreView?> GetScoreKnownAtAsync(DateTimeOffset knownAt, DateTimeOffset asOf, string? topic);

    /// <summary>The explanation from the events recorded by <paramref name="knownAt"/>, as of <paramref name="asOf"/>; null as for <see cref="GetProfileKnownAtAsync"/>.</summary>
    [Alias("ExplainKnownAt")]
    Task<ExplanationView?> ExplainKnownAtAsync(DateTimeOffset knownAt, DateTimeOffset asOf, int? top = null);

    /// <summary>The score series; cut down to at most <paramref name="maxPoints"/> points when given (see <c>ScoreHistoryThinning</c>).</summary>
    [Alias("GetHistory")]
    Task<ScoreHistoryView?> GetHistoryAsync(int? maxPoints);

    /// <summary>The score series as it stood at <paramref name="asOf"/>, ending there; thinned as <see cref="GetHistoryAsync"/>.</summary>
    [Alias("GetHistoryAsOf")]
    Task<ScoreHistoryView?> GetHistoryAsOfAsync(DateTimeOffset asOf, int? maxPoints);

    /// <summary>The score series from the events recorded by <paramref name="knownAt"/>, ending at <paramref name="asOf"/>; null as for <see cref="GetProfileKnownAtAsync"/>.</summary>
    [Alias("GetHistoryKnownAt")]
    Task<ScoreHistoryView?> GetHistoryKnownAtAsync(DateTimeOffset knownAt, DateTimeOffset asOf, int? maxPoints);

    /// <summary>
    /// The score series of one of the source's topics (named in any case, as for <see cref="GetScoreAsync"/>):
    /// now, as of <paramref name="asOf"/>, or from the events recorded by <paramref name="knownAt"/> as of
    /// <paramref name="asOf"/> (or <paramref name="knownAt"/>); thinned as <see cref="GetHistoryAsync"/>.
    /// Null as for the overall series; no points for a topic the source has no record on.
    /// </summary>
    [Alias("GetTopicHistory")]
    Task<ScoreHistoryView?> GetTopicHistoryAsync(string topic, DateTimeOffset? asOf, DateTimeOffset? knownAt, int? maxPoints);

    /// <summary>The score series of one of the source's regions, as <see cref="GetTopicHistoryAsync"/> gives a topic's.</summary>
    [Alias("GetRegionHistory")]
    Task<ScoreHistoryView?> GetRegionHistoryAsync(string region, DateTimeOffset? asOf, DateTimeOffset? knownAt, int? maxPoints);

    /// <summary>Claims newest first; <paramref name="cursor"/> is the previous page's NextCursor.</summary>
    [Alias("GetClaims")]
    Task<ClaimPage?> GetClaimsAsync(string? cursor, int limit);

    /// <summary>
    /// The claims published by <paramref name="asOf"/>, newest first, each with its corrections,
    /// verdict and changes of mind as they stood then (no provisional estimate: a score as of a past
    /// moment is from verdicts alone); paged as <see cref="GetClaimsAsync"/>. Null when the source does not stand now
    /// (unknown, or merged into another) or was not registered by then.
    /// </summary>
    [Alias("GetClaimsAsOf")]
    Task<ClaimPage?> GetClaimsAsOfAsync(DateTimeOffset asOf, string? cursor, int limit);

    /// <summary>
    /// As <see cref="GetClaimsAsOfAsync"/>, from the events of this source's stream recorded by
    /// <paramref name="knownAt"/>, as of <paramref name="asOf"/> (at most <paramref name="knownAt"/>);
    /// null as for <see cref="GetProfileKnownAtAsync"/>.
    /// </summary>
    [Alias("GetClaimsKnownAt")]
    Task<ClaimPage?> GetClaimsKnownAtAsync(DateTimeOffset knownAt, DateTimeOffset asOf, string? cursor, int limit);

    [Alias("GetClaim")]
    Task<ClaimView?> GetClaimAsync(string claimId);

    /// <summary>
    /// What a lookup needs of this source in one call: its profile, its score (now or as of a time),
    /// the claims asked for that are its own (every claim, when it has at most
    /// <paramref name="everyClaimUpTo"/>), and the claims that replace any of them, as a badge shows
    /// them (no text, evidence or corrections). Null for an unknown source.
    /// </summary>
    [Alias("Lookup")]
    Task<SourceLookup?> LookupAsync(IReadOnlyList<string> claimIds, int everyClaimUpTo, DateTimeOffset? asOf);

    /// <summary>
    /// As <see cref="LookupAsync"/>, from the events of this source's stream recorded by
    /// <paramref name="knownAt"/>, as of <paramref name="asOf"/> (at most <paramref name="knownAt"/>):
    /// the claims, corrections, verdicts, handles and outside ratings the tracker had by then. Null as
    /// for <see cref="GetProfileKnownAtAsync"/>, and when the source was not registered by
    /// <paramref name="asOf"/> as known then.
    /// </summary>
    [Alias("LookupKnownAt")]
    Task<SourceLookup?> LookupKnownAtAsync(IReadOnlyList<string> claimIds, int everyClaimUpTo, DateTimeOffset knownAt, DateTimeOffset asOf);

    /// <summary>Recomputes the live score now (a rescore), announcing it when it changed; null for an unknown source.</summary>
    /// <summary>
    /// The source that holds this one's record since it was merged (the survivor of its merge or, when
    /// that source was merged in turn, the last survivor), or null: a merged source answers every
    /// other call as an unknown one, and its callers are sent to that source.
    /// </summary>
    [Alias("GetMergedInto")]
    Task<string?> GetMergedIntoAsync();

        [Alias("Refresh")]
    Task<ScoreSummary?> RefreshAsync();

    /// <summary>
    /// Told after events were committed to this source's stream: reads what it has not seen yet.
    /// Safe to call any number of times.
    /// </summary>
    [Alias("CatchUp")]
    Task CatchUpAsync(long committedVersion);
}

/// <summary>
/// EveryClaim: Claims holds all of the source's claims, not only those asked for. ScoredAt: when the
/// live score it shows was worked out (null as of a past time), which bounds how long it may be kept;
/// TruthVersion: the truth estimate it used (-1 as of a past time). Topics, Regions: the source's record
/// on each topic and region of the claims shown (null where they have none), for a badge to say where it differs.
/// </summary>
[GenerateSerializer, Immutable, Alias("Reliability.SourceLookup")]
public sealed record SourceLookup(
    SourceProfile Profile, ScoreSummary Score, IReadOnlyList<ClaimView> Claims, IReadOnlyList<ClaimView> Replacements, bool EveryClaim,
    IReadOnlyList<ExternalRatingView> ExternalRatings, DateTimeOffset? ScoredAt = null, long TruthVersion = -1,
    IReadOnlyList<TagScoreView>? Topics = null,
    IReadOnlyList<TagScoreView>? Regions = null);

/// <summary>
/// A page of a source's claims; <c>NextCursor</c> asks for the next one with the same query.
/// <c>AsOf</c>: the moment the claims stand as of, when asked for one; <c>KnownAt</c>: as for
/// <see cref="ScoreView"/>, the recording time the page stops at. Both are left out of the JSON for
/// the claims now.
/// </summary>
[GenerateSerializer, Immutable, Alias("Reliability.ClaimPage")]
public sealed record ClaimPage(
    IReadOnlyList<ClaimView> Claims,
    string? NextCursor,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    DateTimeOffset? AsOf = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    DateTimeOffset? KnownAt = null);
