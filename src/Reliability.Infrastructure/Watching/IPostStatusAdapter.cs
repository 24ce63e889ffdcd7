namespace Reliability.Infrastructure.Watching;

/// <summary>
/// Knows how to ask one platform whether a post still exists. Register more with
/// <c>services.AddSingleton&lt;IPostStatusAdapter, MyAdapter&gt;()</c>; the first that handles a URL
/// is used, and the generic HTTP adapter takes whatever none handles.
/// </summary>
public interface IPostStatusAdapter
{
    string Name { get; }

    bool CanHandle(Uri url);

    Task<PostCheck> CheckAsync(Uri url, CancellationToken cancellationToken);
}

/// <summary>Turns a fetch outcome into a check, given how a platform's status codes read.</summary>
public static class PostChecks
{
    public static PostCheck From(Uri url, string adapter, FetchOutcome outcome, DateTimeOffset checkedAt, Func<int, PostVerdict?> definite)
    {
        if (outcome.Result is not { } result)
        {
            return new PostCheck(url, adapter, PostVerdict.Unknown, checkedAt) { Reason = outcome.Failure, Detail = outcome.Detail };
        }

        var status = result.StatusCode;
        if (result.RedirectedTo is { } target)
        {
            // Whatever answers there (a 404 of another edition, a 200 home or login page) is not the post's answer.
            return new PostCheck(url, adapter, PostVerdict.Unknown, checkedAt)
            {
                Reason = UnknownReason.Redirected,
                StatusCode = status,
                Detail = $"Redirected to {target}, not the post's own address.",
            };
        }

        var verdict = definite(status);
        var reason = verdict is not null ? UnknownReason.None
            : status >= 500 ? UnknownReason.ServerError
            : status == 429 ? UnknownReason.RateLimited
            : status == 408 ? UnknownReason.Timeout
            : UnknownReason.UnexpectedStatus;
        return new PostCheck(url, adapter, verdict ?? PostVerdict.Unknown, checkedAt) { Reason = reason, StatusCode = status };
    }
}
