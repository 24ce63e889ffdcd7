namespace Reliability.Contracts.Articles;

/// <summary>
/// An article as a newsroom registers it: its URL (which names it, so posting it again updates
/// it), when it was published, and what it cites — claims by id and pages by URL.
/// </summary>
public sealed record ArticleSubmission(
    string Url,
    DateTimeOffset PublishedAt,
    string? Title,
    IReadOnlyList<string> ClaimIds,
    IReadOnlyList<string> Urls);

/// <summary>
/// A cited source with its band when the article first cited it, the baseline for alerts, the
/// scoring policy that band was worked out under (left out for a source cited before it was kept),
/// and its band on each topic and region of the questions the article cites it on, when first cited
/// on it (left out where none was kept).
/// </summary>
public sealed record CitedSourceView(
    string SourceId,
    string BandAtRegistration,
    DateTimeOffset CitedAt,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? PolicyVersion = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyDictionary<string, string>? TopicBands = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyDictionary<string, string>? RegionBands = null);

/// <summary>
/// CitedClaimIds holds the claims cited by id and the claims the record found behind cited URLs;
/// CitedUrls keeps every URL as given, known or not.
/// </summary>
public sealed record ArticleView(
    string Id,
    string Url,
    string? Title,
    DateTimeOffset PublishedAt,
    DateTimeOffset RegisteredAt,
    IReadOnlyList<string> CitedClaimIds,
    IReadOnlyList<string> CitedUrls,
    IReadOnlyList<CitedSourceView> Sources);
