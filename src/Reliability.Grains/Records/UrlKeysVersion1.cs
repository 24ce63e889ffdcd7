namespace Reliability.Grains.Records;

/// <summary>
/// The first key function, frozen as it was: documents stored before <see cref="UrlKeys.Version"/> 2
/// carry its keys, and an article registered then is named after one (<see cref="StreamKeys.ArticleIdFor"/>).
/// Kept only to find those again; never change it.
/// </summary>
internal static class UrlKeysVersion1
{
    private static readonly Dictionary<string, string> HostAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["twitter.com"] = "x.com",
        ["mobile.twitter.com"] = "x.com",
        ["www.twitter.com"] = "x.com",
        ["mobile.x.com"] = "x.com",
        ["www.x.com"] = "x.com",
        ["m.facebook.com"] = "facebook.com",
        ["www.facebook.com"] = "facebook.com",
        ["www.instagram.com"] = "instagram.com",
        ["www.youtube.com"] = "youtube.com",
        ["m.youtube.com"] = "youtube.com",
        ["t.me"] = "t.me",
        ["www.t.me"] = "t.me",
    };

    public static string? Of(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }

        string host;
        try
        {
            host = uri.IdnHost.ToLowerInvariant();
        }
        catch (UriFormatException)
        {
            // The parser checks a Unicode host label by label; the whole name can still be no valid
            // IDN (too long once encoded). No post lives there.
            return null;
        }

        host = HostAliases.GetValueOrDefault(host, host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host);
        var path = uri.AbsolutePath.TrimEnd('/');
        if (host == "x.com")
        {
            // Handles on X are case-insensitive; the same post is linked as /War_Noir/ and /war_noir/.
            path = path.ToLowerInvariant();
        }

        // Only X status paths drop their query: elsewhere the query may be what names the post.
        var keepQuery = host != "x.com" && uri.Query.Length > 1 && !uri.Query.StartsWith("?utm_", StringComparison.Ordinal);
        return host + path + (keepQuery ? uri.Query : "");
    }
}
