using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Reliability.Infrastructure.Watching;

/// <summary>
/// X/Twitter status URLs, asked through the public oEmbed endpoint, because the pages themselves
/// answer 200 to crawlers whether or not the post exists. Every spelling of a status (twitter.com or
/// x.com, www. or mobile., a photo or video of it, <c>/i/web/status/ID</c>) is the same post, asked
/// by its id. 200 live, 404 gone; 403 is no answer (<see cref="UnknownReason.NotPublic"/>).
/// </summary>
public sealed partial class XStatusAdapter(ResilientFetcher fetcher, IOptions<WatcherOptions> options, TimeProvider clock) : IPostStatusAdapter
{
    private static readonly HashSet<string> Hosts =
        ["x.com", "www.x.com", "mobile.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"];

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

    /// <summary>The status a URL names: its author when the URL says, and its id; null for anything else.</summary>
    public static (string? User, string Id)? StatusOf(Uri url)
    {
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https") || !Hosts.Contains(url.Host.ToLowerInvariant()))
        {
            return null;
        }

        var match = StatusPath().Match(url.AbsolutePath);
        return match.Success
            ? (match.Groups["user"].Success ? match.Groups["user"].Value : null, match.Groups["id"].Value)
            : null;
    }

    private static PostVerdict? Read(int status) => status switch
    {
        200 => PostVerdict.Live,
        404 => PostVerdict.Gone,
        _ => null,
    };

    // /{user}/status/{id}, with /photo/N or /video/N of it, and /i/web/status/{id} (links shared without an author).
    [GeneratedRegex(@"^/(?:i/web|(?<user>[A-Za-z0-9_]{1,15}))/status(?:es)?/(?<id>[0-9]{1,20})(?:/(?:photo|video)/[0-9]{1,2})?/?$")]
    private static partial Regex StatusPath();
}
