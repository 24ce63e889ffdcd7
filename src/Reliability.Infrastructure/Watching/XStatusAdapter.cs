using Microsoft.Extensions.Options;

namespace Reliability.Infrastructure.Watching;

/// <summary>
/// X/Twitter status URLs, asked through the public oEmbed endpoint, because the pages themselves
/// answer 200 to crawlers whether or not the post exists. Every spelling of a status (twitter.com or
/// x.com, www. or mobile., a photo or video of it, <c>/i/web/status/ID</c>) is the same post, asked
/// by its id. 200 live, 404 gone; 403 is no answer (<see cref="UnknownReason.NotPublic"/>).
/// </summary>
public sealed class XStatusAdapter(ResilientFetcher fetcher, IOptions<WatcherOptions> options, TimeProvider clock) : IPostStatusAdapter
{
    public string Name => "x";

    public bool CanHandle(Uri url) => StatusOf(url) is not null;

    public async Task<PostCheck> CheckAsync(Uri url, CancellationToken cancellationToken)
    {
        var (user, id) = StatusOf(url) ?? throw new ArgumentException($"Not an X status URL: {url}", nameof(url));
        // X finds a status by its id whatever name stands before it; "i" is its own path for a status
        // whose author the URL does not name.
        var canonical = $"https://twitter.com/{user ?? "i"}/status/{id}";
        var endpoint = new Uri($"{options.Value.XOEmbedBaseUrl}?url={Uri.EscapeDataString(canonical)}&omit_script=true");
        var outcome = await fetcher.GetAsync(endpoint, cancellationToken);
        var check = PostChecks.From(url, Name, outcome, clock.GetUtcNow(), Read);
        // The endpoint refuses the posts of protected and of suspended accounts alike. Neither is
        // withholding in a country (which is the law's doing, and 451 elsewhere), and neither says the
        // post was deleted: it may be shown again when the account opens or returns.
        return check.StatusCode == 403 ? check with { Reason = UnknownReason.NotPublic } : check;
    }

    /// <summary>The status a URL names (see <see cref="PostAddress.XStatusOf"/>).</summary>
    public static (string? User, string Id)? StatusOf(Uri url) => PostAddress.XStatusOf(url);

    private static PostVerdict? Read(int status) => status switch
    {
        200 => PostVerdict.Live,
        404 => PostVerdict.Gone,
        _ => null,
    };
}
