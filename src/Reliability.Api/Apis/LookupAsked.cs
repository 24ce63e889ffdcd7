using Reliability.Grains.Records;

namespace Reliability.Api.Apis;

/// <summary>What a lookup was asked about: a URL (with its key, when it parses) or a handle.</summary>
internal sealed class Asked
{
    /// <summary>A bound on memory, as for the read cache: past it the URLs known are forgotten at once.</summary>
    public const int MaxKnownUrls = ReadCache.MaxEntries;

    private Asked(string input, string? urlKey, string? handleKey, string? urlHandleKey)
    {
        Input = input;
        UrlKey = urlKey;
        HandleKey = handleKey;
        UrlHandleKey = urlHandleKey;
        // A post the record does not know is answered with the source of the handle its URL names,
        // and an X status's key leaves the author out: the handle is part of what the answer is kept under.
        CacheKey = urlKey is { } url ? "url:" + url + "\n" + urlHandleKey : handleKey is { } handle ? "handle:" + handle : null;
    }

    public string Input { get; }

    public string? UrlKey { get; }

    public string? HandleKey { get; }

    /// <summary>The handle the URL names (see <see cref="CitedHandles.FromUrl"/>).</summary>
    public string? UrlHandleKey { get; }

    /// <summary>Every spelling of the same post or handle shares this key, and its item but for the input.</summary>
    public string? CacheKey { get; }

    /// <summary>
    /// The answer last served for this URL, with its JSON under this very input. Shared by every
    /// request that asks with the same text; a stale one is only ever replaced.
    /// </summary>
    public ServedItem? LastServed { get; set; }

    /// <summary>The handle asked for, or the one the URL names.</summary>
    public string? HandleKeyOfInput => HandleKey ?? UrlHandleKey;

    public static Asked Handle(string platform, string handle) =>
        new($"{platform}:{handle}", null, StreamKeys.HandleKey(platform, handle), null);

    public static Asked OfUrl(string url) =>
        UrlKeys.Of(url) is { } key ? new Asked(url, key, null, CitedHandles.FromUrl(url, key)) : new Asked(url, null, null, null);
}

/// <summary>
/// The URLs this service has been asked about. The plugin cites the same URLs on every page view, and
/// parsing each (System.Uri) was a large part of the CPU and allocations of a lookup answered from the
/// read cache. A URL's key is a pure function of its text, so that part is never stale; what each URL
/// was last served with belongs to this service's read cache, so the table is the service's own, not
/// the process's (two services in one process, as the tests run them, answered from each other's).
/// </summary>
internal sealed class AskedUrls
{
    private readonly UrlTable<Asked> _known = new(Asked.MaxKnownUrls, Asked.OfUrl);

    /// <summary>What each URL asks, all found at once (see <see cref="UrlTable{T}"/>).</summary>
    public void Find(IReadOnlyList<string> urls, Span<Asked> asked) => _known.Find(urls, asked);
}

/// <summary>
/// An item as last served for one spelling of a URL: the read cache's answer (which says whether it
/// may be served again, see <see cref="ReadCache.IsServable(ReadCache.Kept, long, long)"/>), the item, and
/// the item's whole JSON under that spelling. An answer from the cache otherwise took a look at five
/// objects per item (the answer, the item, its input, its JSON and its parts), each one a miss of the
/// processor's caches among the tens of thousands of URLs a node is asked about: that, more than any
/// computing, was the handler's own cost (`perf`).
/// </summary>
internal sealed class ServedItem(ReadCache.Kept kept, LookupApi.LookupItem item, byte[] json)
{
    public ReadCache.Kept Kept { get; } = kept;

    public LookupApi.LookupItem Item { get; } = item;

    /// <summary>The item's JSON as written in an answer, its input included (see <see cref="LookupJson.Whole"/>).</summary>
    public byte[] Json { get; } = json;
}
