using System.Text.RegularExpressions;

namespace Reliability.Infrastructure.Watching;

/// <summary>
/// Which addresses are one post. A site's "www.", "m." and "mobile." names serve the same pages, so
/// they are one site; a path is the same whatever its case or a trailing slash; the query is not
/// compared, since tracking parameters come and go.
/// </summary>
public static partial class PostAddress
{
    private static readonly string[] SameSitePrefixes = ["www.", "m.", "mobile."];

    private static readonly HashSet<string> XHosts =
        ["x.com", "www.x.com", "mobile.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"];

    /// <summary>
    /// The X/Twitter status a URL names: its author when the URL says, and its id; null for anything
    /// else. Every spelling of a status is the same post: twitter.com or x.com, www. or mobile., a
    /// photo or video of it, and <c>/i/web/status/ID</c> or <c>/i/status/ID</c> (links shared without
    /// an author). The deletion watcher asks X by this id, and a cited post is keyed by it.
    /// </summary>
    public static (string? User, string Id)? XStatusOf(Uri url)
    {
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https") || !XHosts.Contains(url.Host.ToLowerInvariant()))
        {
            return null;
        }

        var match = XStatusPath().Match(url.AbsolutePath);
        return match.Success
            ? (match.Groups["user"].Success ? match.Groups["user"].Value : null, match.Groups["id"].Value)
            : null;
    }

    /// <summary>The site a URL belongs to (its host without those prefixes, and a port other than the scheme's).</summary>
    public static string SiteOf(Uri url)
    {
        var host = url.IdnHost.ToLowerInvariant();
        // Only when a name with a dot is left: "m.co" is a site of its own, not "co".
        var prefix = SameSitePrefixes.FirstOrDefault(p => host.StartsWith(p, StringComparison.Ordinal) && host.IndexOf('.', p.Length) > 0);
        var site = prefix is null ? host : host[prefix.Length..];
        return url.IsDefaultPort ? site : $"{site}:{url.Port}";
    }

    /// <summary>
    /// Whether a redirect from a post to <paramref name="target"/> still shows that post (a move to
    /// https, to the "www." name, to the path with a trailing slash), rather than a regional edition,
    /// a home page or a login page, which say nothing about the post itself.
    /// </summary>
    /// <param name="post">The post's address as recorded.</param>
    /// <param name="target">Where the site sends a request for it.</param>
    public static bool IsSamePost(Uri post, Uri target) =>
        SiteOf(post) == SiteOf(target) && string.Equals(PathOf(post), PathOf(target), StringComparison.OrdinalIgnoreCase);

    private static string PathOf(Uri url) => Uri.UnescapeDataString(url.AbsolutePath).TrimEnd('/');

    // /{user}/status/{id}, with /photo/N or /video/N of it, /i/web/status/{id} and /i/status/{id}.
    // "i" is X's own route, not an author: /i/status/{id} names no one.
    [GeneratedRegex(@"^/(?:i/web|i|(?<user>[A-Za-z0-9_]{1,15}))/status(?:es)?/(?<id>[0-9]{1,20})(?:/(?:photo|video)/[0-9]{1,2})?/?$")]
    private static partial Regex XStatusPath();
}
