namespace Reliability.Domain.Model;

/// <summary>An article citing claims, so its owners can hear when a cited claim goes bad.</summary>
public sealed record Citation(
    string ArticleUrl,
    DateTimeOffset PublishedAt,
    IReadOnlyList<string> CitedClaimIds,
    IReadOnlyList<string> CitedUrls);
