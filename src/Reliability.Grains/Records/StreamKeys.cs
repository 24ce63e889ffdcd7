using System.Security.Cryptography;
using System.Text;

namespace Reliability.Grains.Records;

/// <summary>Stream names and the ids the record derives itself, so retries land on the same ids.</summary>
public static class StreamKeys
{
    public static string Source(string sourceId) => "source:" + sourceId;

    public static string Proposition(string propositionId) => "proposition:" + propositionId;

    /// <summary>"twitter" and "x" are one platform; handles compare without '@' and case.</summary>
    public static string HandleKey(string platform, string handle)
    {
        var p = platform.Trim().ToLowerInvariant();
        p = p == "twitter" ? "x" : p;
        return p + ":" + handle.Trim().TrimStart('@').ToLowerInvariant();
    }

    /// <summary>
    /// A new source found by its handle is named after it: the same handle gives the same id, so
    /// retries and concurrent writers land on one source (unless that source had the handle removed:
    /// see <c>RecordTransaction.NewSourceIdForHandleAsync</c>).
    /// </summary>
    public static string SourceIdFor(string handleKey) => handleKey.Replace(':', '-');

    /// <summary>An inline proposition's id from its question and options, so a retried batch does not open it twice.</summary>
    public static string PropositionIdFor(string question, IEnumerable<string> options) =>
        "p-" + Digest(Normalise(question) + "\n" + string.Join("\n", options.Select(Normalise)))[..16];

    /// <summary>
    /// A new article is named by its URL's key, so every spelling of the URL is one article. An
    /// article registered before is found by its stored key instead: its id came from the key
    /// function of its day (<see cref="ArticleIdForVersion1"/>), and ids never change.
    /// </summary>
    public static string ArticleIdFor(string url) => "a-" + Digest(UrlKeys.Of(url) ?? url.Trim())[..16];

    /// <summary>The id an article registered under the first key function was given.</summary>
    internal static string ArticleIdForVersion1(string url) => "a-" + Digest(UrlKeysVersion1.Of(url) ?? url.Trim())[..16];

    public static string Digest(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Normalise(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
}
