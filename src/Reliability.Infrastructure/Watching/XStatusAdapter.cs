using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Reliability.Infrastructure.Watching;

/// <summary>
/// X/Twitter status URLs, asked through the public oEmbed endpoint, because the pages themselves
/// answer 200 to crawlers whether or not the post exists. 200 live, 404 gone, 403 withheld or protected.
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
        var canonical = $"https://twitter.com/{user}/status/{id}";
        var endpoint = new Uri($"{options.Value.XOEmbedBaseUrl}?url={Uri.EscapeDataString(canonical)}&omit_script=true");
        var outcome = await fetcher.GetAsync(endpoint, cancellationToken);
        return PostChecks.From(url, Name, outcome, clock.GetUtcNow(), Read);
    }

    public static (string User, string Id)? StatusOf(Uri url)
    {
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https") || !Hosts.Contains(url.Host.ToLowerInvariant()))
        {
            return null;
        }

        var match = StatusPath().Match(url.AbsolutePath);
        return match.Success ? (match.Groups["user"].Value, match.Groups["id"].Value) : null;
    }

    private static PostVerdict? Read(int status) => status switch
    {
        200 => PostVerdict.Live,
        404 => PostVerdict.Gone,
        403 => PostVerdict.Withheld,
        _ => null,
    };

    [GeneratedRegex(@"^/(?<user>[A-Za-z0-9_]{1,15})/status(?:es)?/(?<id>[0-9]{1,20})/?$")]
    private static partial Regex StatusPath();
}
