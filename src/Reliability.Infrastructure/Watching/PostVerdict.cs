namespace Reliability.Infrastructure.Watching;

/// <summary>What one check says about a post. Only Live, Gone and Withheld are definite answers.</summary>
public enum PostVerdict
{
    Live,
    Gone,
    Withheld,

    /// <summary>No answer this time (timeout, 5xx, 429, network, open circuit, refused URL, a redirect away from the post…): says nothing about the post.</summary>
    Unknown,
}

public enum UnknownReason
{
    None,
    Timeout,
    ServerError,
    RateLimited,
    NetworkError,
    CircuitOpen,
    Refused,
    UnexpectedStatus,

    /// <summary>The platform shows the post to nobody outside (a protected or suspended account): it may still exist.</summary>
    NotPublic,

    /// <summary>Sent elsewhere than the post (a regional edition, the home page, a login page): not about the post.</summary>
    Redirected,

    /// <summary>
    /// "Gone" again sooner after the last check than the schedule ever spaces checks: the same moment
    /// seen twice, which confirms nothing.
    /// </summary>
    TooSoon,
}

/// <summary>The outcome of one check of one post URL.</summary>
public sealed record PostCheck(Uri Url, string Adapter, PostVerdict Verdict, DateTimeOffset CheckedAt)
{
    public UnknownReason Reason { get; init; }
    public int? StatusCode { get; init; }
    public string? Detail { get; init; }
}
