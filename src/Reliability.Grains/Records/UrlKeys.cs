using System.Text.RegularExpressions;
using Reliability.Infrastructure.Watching;

namespace Reliability.Grains.Records;

/// <summary>
/// A post is cited under many spellings of its URL (twitter.com or x.com, www., m. and mobile. hosts,
/// tracking parameters, parameters in another order, trailing slashes, fragments); its key is the
/// same for all of them, and two posts never share one. The one place keys are made: every stored
/// key (<see cref="ClaimDocument.UrlKey"/>, <see cref="ArticleDocument.UrlKey"/>) comes from here,
/// and <see cref="UrlKeyMigration"/> re-keys what was stored under an earlier <see cref="Version"/>.
/// </summary>
public static partial class UrlKeys
{
    /// <summary>
    /// Raised whenever <see cref="Of"/> gives any URL another key than before; keep the previous
    /// function (as <see cref="UrlKeysVersion1"/> is kept) wherever stored ids were derived from it.
    /// </summary>
    public const int Version = 2;

    private static readonly Dictionary<string, string> SiteAliases = new(StringComparer.Ordinal)
    {
        ["twitter.com"] = "x.com",
        ["telegram.me"] = "t.me",
    };

    /// <summary>
    /// Parameters that only say how a reader came to a page, dropped wherever they stand in the query;
    /// any other parameter may be what names the post (<c>article.php?id=42</c>), so it is kept. The
    /// list is short on purpose: a parameter wrongly dropped merges two posts, one wrongly kept only
    /// misses a match.
    /// </summary>
    private static readonly HashSet<string> TrackingParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "twclid", "yclid", // ad and social click ids
        "igsh", "igshid", // Instagram's share ids
        "mc_cid", "mc_eid", // Mailchimp campaign and reader
        "_ga", "_gl", // Google Analytics' cross-site ids
        "ref_src", "ref_url", // X's embeds, on the pages that embed a post too
        "mibextid", // Facebook's share id
    };

    /// <summary>Sites where "si" is a share id (YouTube, Spotify) and "feature" says which button shared the link.</summary>
    private static readonly HashSet<string> ShareIdSites = new(StringComparer.Ordinal) { "youtube.com", "youtu.be", "open.spotify.com" };

    /// <summary>The key of a post's URL; null for anything that is not an absolute http(s) URL.</summary>
    /// <param name="url">A URL as cited.</param>
    public static string? Of(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }

        string site;
        try
        {
            site = PostAddress.SiteOf(uri);
        }
        catch (UriFormatException)
        {
            // The parser checks a Unicode host label by label; the whole name can still be no valid
            // IDN (too long once encoded). No post lives there.
            return null;
        }

        site = SiteAliases.GetValueOrDefault(site, site);
        return site switch
        {
            "x.com" => XKey(uri),
            "youtube.com" or "youtu.be" when YouTubeVideo(uri, site) is { } video => "youtube.com/watch?v=" + video,
            "t.me" => "t.me" + TelegramPath(uri) + QueryOf(uri.Query, site),
            _ => site + uri.AbsolutePath.TrimEnd('/') + QueryOf(uri.Query, site),
        };
    }

    /// <summary>
    /// A status by its id alone: the id is unique on X, while the name before it can be another
    /// spelling, the author's later name, or none (<c>/i/web/status/ID</c>). The cited author, where
    /// a lookup needs it, is read from the URL itself (<c>CitedHandles</c>). Other X paths (profiles)
    /// compare without case, as handles do, and without their query.
    /// </summary>
    private static string XKey(Uri uri)
    {
        // Links from before 2012 carry the path in a "#!" fragment.
        if (uri.Fragment.StartsWith("#!/", StringComparison.Ordinal) && uri.AbsolutePath is "/" or ""
            && Uri.TryCreate("https://x.com" + uri.Fragment[2..], UriKind.Absolute, out var bang))
        {
            uri = bang;
        }

        return PostAddress.XStatusOf(uri) is { } status
            ? "x.com/status/" + status.Id
            : "x.com" + uri.AbsolutePath.TrimEnd('/').ToLowerInvariant();
    }

    /// <summary>The video a YouTube URL shows (watch, youtu.be, shorts, live, embed); null for other pages.</summary>
    private static string? YouTubeVideo(Uri uri, string site)
    {
        var path = uri.AbsolutePath.TrimEnd('/');
        if (site == "youtu.be")
        {
            return VideoId().IsMatch(path[1..]) ? path[1..] : null;
        }

        if (path == "/watch")
        {
            var v = Parameters(uri.Query).FirstOrDefault(p => NameOf(p) == "v");
            var id = v is null ? null : Uri.UnescapeDataString(v[2..]);
            return id is not null && VideoId().IsMatch(id) ? id : null;
        }

        var match = VideoPath().Match(path);
        return match.Success ? match.Groups["id"].Value : null;
    }

    /// <summary>
    /// A channel's name compares without case (<c>t.me/Channel/123</c> is <c>t.me/channel/123</c>), and
    /// <c>/s/</c> before it is the web preview of the same post. An invite link (<c>+hash</c>,
    /// <c>joinchat/hash</c>) keeps its case: its hash is case-sensitive.
    /// </summary>
    private static string TelegramPath(Uri uri)
    {
        var segments = uri.AbsolutePath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (segments.Count > 1 && segments[0] == "s")
        {
            segments.RemoveAt(0);
        }

        if (segments.Count > 0 && !segments[0].StartsWith('+'))
        {
            segments[0] = segments[0].ToLowerInvariant();
        }

        return segments.Count == 0 ? "" : "/" + string.Join('/', segments);
    }

    /// <summary>
    /// The query without tracking parameters, the rest sorted by name. Sorting is safe because a site
    /// reads a parameter by its name, not its place, and the same post is linked with its parameters in
    /// any order; a name given several times keeps its values' order (the sort is stable), since
    /// those values can be a list whose order means something.
    /// </summary>
    private static string QueryOf(string query, string site)
    {
        var kept = Parameters(query).Where(p => !IsTracking(NameOf(p), site)).OrderBy(NameOf, StringComparer.Ordinal).ToList();
        return kept.Count == 0 ? "" : "?" + string.Join('&', kept);
    }

    private static bool IsTracking(string name, string site) =>
        name.StartsWith("utm_", StringComparison.OrdinalIgnoreCase)
        || TrackingParameters.Contains(name)
        || (ShareIdSites.Contains(site) && (name is "si" or "feature"))
        || (site == "t.me" && name == "single");

    private static IEnumerable<string> Parameters(string query) =>
        query.Length <= 1 ? [] : query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries);

    private static string NameOf(string parameter) => parameter.IndexOf('=', StringComparison.Ordinal) is var equals and >= 0 ? parameter[..equals] : parameter;

    [GeneratedRegex("^[A-Za-z0-9_-]{6,64}$")]
    private static partial Regex VideoId();

    [GeneratedRegex("^/(?:shorts|live|embed|v)/(?<id>[A-Za-z0-9_-]{6,64})$")]
    private static partial Regex VideoPath();
}
