namespace Reliability.Infrastructure.Watching;

/// <summary>
/// Which addresses are one post. A site's "www.", "m." and "mobile." names serve the same pages, so
/// they are one site; a path is the same whatever its case or a trailing slash; the query is not
/// compared, since tracking parameters come and go.
/// </summary>
public static class PostAddress
{
    private static readonly string[] SameSitePrefixes = ["www.", "m.", "mobile."];

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
}
