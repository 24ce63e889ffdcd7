namespace Reliability.Infrastructure.Webhooks;

/// <summary>
/// A receiver of events. Empty filters match everything; a non-empty filter must contain the event's
/// value. The secret is stored sealed when a key is configured (<see cref="WebhookSecrets"/>); endpoints
/// show it only on creation.
/// </summary>
public sealed record WebhookSubscription
{
    public required string Id { get; init; }
    public required string TargetUrl { get; init; }
    public required string Secret { get; init; }
    public IReadOnlyList<string> SourceIds { get; init; } = [];
    public IReadOnlyList<string> ArticleIds { get; init; } = [];
    public IReadOnlyList<string> EventKinds { get; init; } = [];
    public required DateTimeOffset CreatedAt { get; init; }

    public bool Matches(WebhookEvent e) =>
        Admits(EventKinds, [e.Kind]) && Admits(SourceIds, e.AllSourceIds) && Admits(ArticleIds, e.AllArticleIds);

    private static bool Admits(IReadOnlyList<string> filter, IEnumerable<string> values) =>
        filter.Count == 0 || values.Any(v => filter.Contains(v, StringComparer.Ordinal));
}

/// <summary>What a client asks for; the secret is generated when not given.</summary>
public sealed record NewWebhookSubscription(string TargetUrl)
{
    public string? Secret { get; init; }
    public IReadOnlyList<string> SourceIds { get; init; } = [];
    public IReadOnlyList<string> ArticleIds { get; init; } = [];
    public IReadOnlyList<string> EventKinds { get; init; } = [];
}

/// <summary>
/// An event as the rest of the system publishes it. <see cref="Data"/> is serialized as JSON. An event
/// can concern several sources (a resolution concerns every claimant) and several articles (every
/// article citing a corrected claim): a filter matches when it names any of them.
/// </summary>
public sealed record WebhookEvent(string Kind, object? Data)
{
    public string? SourceId { get; init; }
    public string? ArticleId { get; init; }
    public IReadOnlyList<string> SourceIds { get; init; } = [];
    public IReadOnlyList<string> ArticleIds { get; init; } = [];
    public DateTimeOffset? OccurredAt { get; init; }

    public IEnumerable<string> AllSourceIds => SourceId is null ? SourceIds : SourceIds.Prepend(SourceId);

    public IEnumerable<string> AllArticleIds => ArticleId is null ? ArticleIds : ArticleIds.Prepend(ArticleId);
}
