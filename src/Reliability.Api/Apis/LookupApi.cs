using Microsoft.AspNetCore.Http.HttpResults;
using Reliability.Api.Security;
using Reliability.Contracts.Claims;
using Reliability.Contracts.Sources;
using Reliability.Grains.Records;

namespace Reliability.Api.Apis;

/// <summary>The plugin's one call per page: every cited URL and handle, judged at once.</summary>
internal static class LookupApi
{
    public const int MaxItems = 200;

    public static IEndpointRouteBuilder MapLookupApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/lookup", LookupAsync).WithTags("Lookup").RequireAuthorization(Roles.Reader)
            .WithSummary("Sources and claim statuses for up to 200 cited URLs and handles");
        return app;
    }

    public sealed record SourceMatch(string Id, string Name, string Kind, bool InterestedParty, ScoreSummary Score);

    /// <summary>A replacement claim of a reversal: what the source now says, and where.</summary>
    public sealed record Replacement(string ClaimId, string Option, string? Url);

    /// <summary>
    /// Status: live, deleted, retracted, reversed, confirmed, refuted or open; Provisional marks an
    /// estimated probability, never a verdict.
    /// </summary>
    public sealed record ClaimMatch(
        string ClaimId, string PropositionId, string Option, string Status, string Outcome,
        double? ProvisionalProbability, bool Provisional, Replacement? Replacement);

    /// <summary>Kind: "post" (a URL of a recorded claim), "source" (a profile, outlet or handle) or "unknown".</summary>
    public sealed record LookupItem(string Input, string Kind, SourceMatch? Source, string? ClaimStatus, IReadOnlyList<ClaimMatch> Claims);

    public sealed record LookupResult(DateTimeOffset? AsOf, IReadOnlyList<LookupItem> Items);

    private static async Task<Results<Ok<LookupResult>, ProblemHttpResult>> LookupAsync(
        LookupRequest request, RecordQueries queries, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        var urls = request.Urls ?? [];
        var handles = request.Handles ?? [];
        if (urls.Count + handles.Count is 0 or > MaxItems)
        {
            errors.Add("urls", $"Between 1 and {MaxItems} URLs and handles in all.");
        }

        for (var i = 0; i < urls.Count; i++)
        {
            errors.Required($"urls[{i}]", urls[i], 2_000);
        }

        for (var i = 0; i < handles.Count; i++)
        {
            errors.Required($"handles[{i}].platform", handles[i]?.Platform, 50);
            errors.Required($"handles[{i}].handle", handles[i]?.Handle);
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var claimsByKey = (await queries.FindClaimsByUrlKeysAsync(
                [.. urls.Select(UrlKeys.Of).OfType<string>().Distinct(StringComparer.Ordinal)], cancellationToken))
            .ToLookup(c => c.UrlKey!, StringComparer.Ordinal);
        var handleKeys = urls.Select(CitedHandles.FromUrl).OfType<string>()
            .Concat(handles.Select(h => StreamKeys.HandleKey(h!.Platform!, h.Handle!)))
            .Distinct(StringComparer.Ordinal).ToList();
        var sourceByHandle = await queries.FindSourcesByHandleAsync(handleKeys, cancellationToken);
        var sources = new Dictionary<string, Task<SourceMatch?>>(StringComparer.Ordinal);
        Task<SourceMatch?> SourceAsync(string id) =>
            sources.TryGetValue(id, out var known) ? known : sources[id] = MatchAsync(grains, id, request.AsOf);

        var items = new List<LookupItem>();
        foreach (var url in urls)
        {
            var claims = UrlKeys.Of(url) is { } key ? claimsByKey[key].ToList() : [];
            if (claims.Count > 0)
            {
                var source = await SourceAsync(claims[0].SourceId);
                var views = await Task.WhenAll(claims.Select(c => grains.GetGrain<ISourceGrain>(c.SourceId).GetClaimAsync(c.Id)));
                var matches = await Task.WhenAll(views.OfType<ClaimView>().Select(v => ClaimMatchAsync(grains, v)));
                items.Add(new LookupItem(url, "post", source, Headline(matches), matches));
                continue;
            }

            var handleKey = CitedHandles.FromUrl(url);
            var sourceId = handleKey is null ? null : sourceByHandle.GetValueOrDefault(handleKey);
            items.Add(sourceId is null
                ? new LookupItem(url, "unknown", null, null, [])
                : new LookupItem(url, "source", await SourceAsync(sourceId), null, []));
        }

        foreach (var handle in handles)
        {
            var input = $"{handle!.Platform}:{handle.Handle}";
            var sourceId = sourceByHandle.GetValueOrDefault(StreamKeys.HandleKey(handle.Platform!, handle.Handle!));
            items.Add(sourceId is null
                ? new LookupItem(input, "unknown", null, null, [])
                : new LookupItem(input, "source", await SourceAsync(sourceId), null, []));
        }

        return TypedResults.Ok(new LookupResult(request.AsOf, items));
    }

    /// <summary>What a badge leads with when one post carries several claims: the gravest status.</summary>
    private static string? Headline(IReadOnlyList<ClaimMatch> claims)
    {
        string[] gravity = ["reversed", "deleted", "retracted", "refuted", "open", "confirmed", "live"];
        return claims.Select(c => c.Status).OrderBy(s => Array.IndexOf(gravity, s) is var i && i < 0 ? gravity.Length : i).FirstOrDefault();
    }

    private static async Task<ClaimMatch> ClaimMatchAsync(IGrainFactory grains, ClaimView claim)
    {
        Replacement? replacement = null;
        if (claim.ReplacementClaimId is { } replacementId
            && await grains.GetGrain<ISourceGrain>(claim.SourceId).GetClaimAsync(replacementId) is { } replacing)
        {
            replacement = new Replacement(replacing.Id, replacing.Option, replacing.Url);
        }

        return new ClaimMatch(claim.Id, claim.PropositionId, claim.Option, claim.Status, claim.Outcome,
            claim.ProvisionalProbability, claim.ProvisionalProbability is not null, replacement);
    }

    private static async Task<SourceMatch?> MatchAsync(IGrainFactory grains, string sourceId, DateTimeOffset? asOf)
    {
        var grain = grains.GetGrain<ISourceGrain>(sourceId);
        var profile = await grain.GetProfileAsync();
        if (profile is null)
        {
            return null;
        }

        var summary = asOf is null ? profile.Score : (await grain.GetScoreAsync(asOf, null))!.Summary;
        return new SourceMatch(profile.Id, profile.Name, profile.Kind, profile.InterestedParty, summary);
    }
}

/// <summary>The handle a cited URL names: a profile or post on a platform, or an outlet's domain.</summary>
internal static class CitedHandles
{
    private static readonly Dictionary<string, string> Platforms = new(StringComparer.Ordinal)
    {
        ["x.com"] = "x",
        ["t.me"] = "telegram",
        ["facebook.com"] = "facebook",
        ["instagram.com"] = "instagram",
        ["youtube.com"] = "youtube",
        ["tiktok.com"] = "tiktok",
    };

    private static readonly HashSet<string> NotHandles = new(StringComparer.OrdinalIgnoreCase)
    {
        "i", "intent", "search", "hashtag", "home", "share", "status", "watch", "s",
    };

    /// <returns>A handle key (see <see cref="StreamKeys.HandleKey"/>), or null.</returns>
    public static string? FromUrl(string url)
    {
        if (UrlKeys.Of(url) is not { } key)
        {
            return null;
        }

        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var host = slash < 0 ? key : key[..slash];
        var first = slash < 0 ? "" : key[(slash + 1)..].Split('/', '?')[0];
        if (!Platforms.TryGetValue(host, out var platform))
        {
            // An outlet: its domain is its handle on the web.
            return StreamKeys.HandleKey("web", host);
        }

        first = first.TrimStart('@');
        return first.Length == 0 || NotHandles.Contains(first) ? null : StreamKeys.HandleKey(platform, first);
    }
}
