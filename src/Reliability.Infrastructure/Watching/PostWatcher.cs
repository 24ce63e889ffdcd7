using Microsoft.Extensions.Options;

namespace Reliability.Infrastructure.Watching;

/// <summary>
/// Checks one post URL once and returns the verdict. It keeps no state: the caller folds verdicts
/// into <see cref="DeletionEvidence"/> and schedules the next check with <see cref="WatchSchedule"/>.
/// </summary>
public sealed class PostWatcher(
    IEnumerable<IPostStatusAdapter> adapters, GenericHttpAdapter generic, ResilientFetcher fetcher, IOptions<WatcherOptions> options, TimeProvider clock)
{
    private const string ShortLinkAdapter = "short-link";

    private readonly IPostStatusAdapter[] _adapters = [.. adapters];

    public IPostStatusAdapter AdapterFor(Uri url) => _adapters.FirstOrDefault(a => a.CanHandle(url)) ?? generic;

    /// <summary>
    /// A short link (<see cref="WatcherOptions.ShortLinkSites"/>) names no post by itself: t.co goes on
    /// answering for a deleted post's link, and following it all the way to x.com would read a page
    /// that answers 200 whatever became of the post. So its one redirect is read for the post it leads
    /// to, and that post is checked by its own adapter; a link that leads nowhere is no answer.
    /// </summary>
    public async Task<PostCheck> CheckAsync(Uri url, CancellationToken cancellationToken = default)
    {
        if (!IsShortLink(url))
        {
            return await AdapterFor(url).CheckAsync(url, cancellationToken);
        }

        var outcome = await fetcher.GetAsync(url, cancellationToken);
        return outcome.Result?.RedirectedTo is { } post && !IsShortLink(post)
            ? await AdapterFor(post).CheckAsync(post, cancellationToken)
            : PostChecks.From(url, ShortLinkAdapter, outcome, clock.GetUtcNow(), _ => null);
    }

    /// <summary>For URLs as stored with claims: one that is not an absolute URL is refused, not thrown.</summary>
    public Task<PostCheck> CheckAsync(string url, CancellationToken cancellationToken = default) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed)
            ? CheckAsync(parsed, cancellationToken)
            : Task.FromResult(new PostCheck(new Uri("about:invalid"), generic.Name, PostVerdict.Unknown, clock.GetUtcNow())
            {
                Reason = UnknownReason.Refused,
                Detail = $"Not an absolute URL: {url}",
            });

    private bool IsShortLink(Uri url) =>
        url.IsAbsoluteUri && options.Value.ShortLinkSitesInForce.Contains(PostAddress.SiteOf(url), StringComparer.OrdinalIgnoreCase);
}
