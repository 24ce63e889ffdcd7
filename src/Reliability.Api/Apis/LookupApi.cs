using Microsoft.AspNetCore.Http.HttpResults;
using Reliability.Api.Security;
using Reliability.Contracts.Claims;
using Reliability.Contracts.Sources;
using Reliability.Grains.Propositions;
using Reliability.Grains.Records;
using Reliability.Infrastructure.Watching;

namespace Reliability.Api.Apis;

/// <summary>The plugin's one call per page: every cited URL and handle, judged at once.</summary>
internal static class LookupApi
{
    public const int MaxItems = 200;

    /// <summary>A source with at most this many claims is fetched whole for a lookup (see <see cref="ReadCache"/>).</summary>
    private const int EveryClaimUpTo = 200;

    public static IEndpointRouteBuilder MapLookupApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/lookup", LookupAsync).WithTags("Lookup").RequireAuthorization(Roles.Reader)
            .WithSummary("Sources and claim statuses for up to 200 cited URLs and handles");
        return app;
    }

    public sealed record SourceMatch(string Id, string Name, string Kind, bool InterestedParty, ScoreSummary Score, IReadOnlyList<ExternalRatingView> ExternalRatings);

    /// <summary>What the source now says, and where: the replacement claim of a reversal, or the later claim that superseded one.</summary>
    public sealed record Replacement(string ClaimId, string Option, string? Url);

    /// <summary>
    /// Status: live, deleted, retracted, reversed, superseded, confirmed, refuted or open; Provisional
    /// marks an estimated probability, never a verdict; Contested, an open proposition that other
    /// standing claims answer otherwise; Uncorroborated, an open proposition no other source's standing
    /// claim speaks to, whose estimate is this source's own record restated. SupersededBy: the source's
    /// later claim of another option, made without withdrawing this one (the status reads superseded
    /// unless a correction says more).
    /// </summary>
    public sealed record ClaimMatch(
        string ClaimId, string PropositionId, string Option, string Status, string Outcome,
        double? ProvisionalProbability, bool Provisional, bool Contested, bool Uncorroborated, Replacement? Replacement,
        Replacement? SupersededBy,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        IReadOnlyList<TagScoreView>? Topics = null,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        IReadOnlyList<TagScoreView>? Regions = null);

    /// <summary>Kind: "post" (a URL of a recorded claim), "source" (a profile, outlet or handle) or "unknown".</summary>
    public sealed record LookupItem(string Input, string Kind, SourceMatch? Source, string? ClaimStatus, IReadOnlyList<ClaimMatch> Claims);

    /// <summary>KnownAt: when asked what the tracker knew then, the recording time the answer stops at (AsOf is then at most it).</summary>
    public sealed record LookupResult(
        DateTimeOffset? AsOf, IReadOnlyList<LookupItem> Items,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        DateTimeOffset? KnownAt = null);

    private static async Task<Results<LookupAnswer, ProblemHttpResult>> LookupAsync(
        LookupRequest request, RecordQueries queries, IGrainFactory grains, ReadCache cache, TruthEstimates truth, LookupJson json, AskedUrls askedUrls,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        errors.AsOfNotLaterThan(request.AsOf, clock.GetUtcNow());
        errors.KnownAtNotLaterThan(request.KnownAt, request.AsOf, clock.GetUtcNow());
        var urls = request.Urls ?? [];
        var handles = request.Handles ?? [];
        if (urls.Count + handles.Count is 0 or > MaxItems)
        {
            errors.Add("urls", $"Between 1 and {MaxItems} URLs and handles in all.");
        }

        for (var i = 0; i < urls.Count; i++)
        {
            if (!RequestErrors.IsAcceptedRequired(urls[i], 2_000))
            {
                errors.Required($"urls[{i}]", urls[i], 2_000);
            }
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

        var asked = new Asked[urls.Count + handles.Count];
        var inputs = new string[asked.Length];
        askedUrls.Find(urls, asked.AsSpan(0, urls.Count));
        for (var i = 0; i < handles.Count; i++)
        {
            asked[urls.Count + i] = Asked.Handle(handles[i]!.Platform!, handles[i]!.Handle!);
        }

        // Answers as of a past time, or as known at one, are worked out afresh and never kept: the
        // read cache holds present answers only, which may have been worked out moments ago.
        var past = Past.Of(request.AsOf, request.KnownAt);
        var truthVersion = past is null ? (await truth.CurrentAsync()).Version : -1;
        var items = new LookupItem?[asked.Length];
        var itemJson = new ItemJson?[asked.Length];
        var served = new byte[]?[asked.Length];
        var lastServed = LastServed(asked, truthVersion, cache);
        var missing = new List<int>();
        Dictionary<string, int>? firstAsked = null;
        List<(int Index, int Same)>? repeated = null;
        for (var i = 0; i < asked.Length; i++)
        {
            inputs[i] = asked[i].Input;
            if (asked[i].CacheKey is not { } key)
            {
                items[i] = LookupJson.Unknown(asked[i].Input);
                itemJson[i] = json.OfUnknown(asked[i].Input);
            }
            else if (truthVersion >= 0 && (lastServed[i] ?? KeptFor(asked[i], key, truthVersion, cache, json)) is { } known)
            {
                items[i] = known.Item;
                served[i] = known.Json;
            }
            else if ((firstAsked ??= new Dictionary<string, int>(StringComparer.Ordinal)).TryAdd(key, i))
            {
                missing.Add(i);
            }
            else
            {
                // The same post or handle asked again in one request: its item is worked out once.
                (repeated ??= []).Add((i, firstAsked[key]));
            }
        }

        if (missing.Count > 0)
        {
            await WorkOutAsync(asked, missing, items, itemJson, past, truthVersion, queries, grains, cache, json, cancellationToken);
        }

        foreach (var (i, same) in repeated ?? [])
        {
            items[i] = items[same];
            itemJson[i] = itemJson[same];
        }

        return new LookupAnswer(json, past?.AsOf, inputs, items!, itemJson, served, past?.KnownAt);
    }

    /// <summary>
    /// The past moment a lookup is asked about: as of a time (world time), and known at a time (the
    /// tracker's); as of the known-at time unless asked otherwise.
    /// </summary>
    internal sealed record Past(DateTimeOffset AsOf, DateTimeOffset? KnownAt)
    {
        public static Past? Of(DateTimeOffset? asOf, DateTimeOffset? knownAt) =>
            (asOf ?? knownAt) is { } at ? new Past(at, knownAt) : null;
    }

    /// <summary>A worked-out item kept in the read cache, with its JSON (see <see cref="LookupJson"/>).</summary>
    private sealed record KeptItem(LookupItem Item, ItemJson Json);

    /// <summary>
    /// For each item, what it was last served with if that still stands. Each is a chain of objects
    /// scattered over a large heap (the URL's entry, its served item, the cache's answer), and
    /// following one item's chain after another waited out each miss of the processor's caches in
    /// turn (`perf`: most of the handler's own time). Following one link of every item's chain before
    /// the next lets the processor fetch the items' links together.
    /// </summary>
    private static ServedItem?[] LastServed(Asked[] asked, long truthVersion, ReadCache cache)
    {
        var served = new ServedItem?[asked.Length];
        if (truthVersion < 0)
        {
            return served;
        }

        for (var i = 0; i < asked.Length; i++)
        {
            served[i] = asked[i].LastServed;
        }

        var kept = new ReadCache.Kept?[asked.Length];
        for (var i = 0; i < asked.Length; i++)
        {
            kept[i] = served[i]?.Kept;
        }

        var now = cache.Now;
        for (var i = 0; i < asked.Length; i++)
        {
            if (kept[i] is not { } answer || !cache.IsServable(answer, truthVersion, now))
            {
                served[i] = null;
            }
        }

        return served;
    }

    /// <summary>The read cache's item for what was asked, kept with its JSON under this input for the next time it is asked.</summary>
    private static ServedItem? KeptFor(Asked asked, string key, long truthVersion, ReadCache cache, LookupJson json)
    {
        if (!cache.TryGetKept(key, truthVersion, out var kept) || kept.Value is not KeptItem item)
        {
            return null;
        }

        return asked.LastServed = new ServedItem(kept, item.Item, json.Whole(asked.Input, item.Json));
    }

    /// <summary>
    /// At most two queries for the whole request (claims at the URLs this node has not seen, sources
    /// by handle), then one call per cited source not kept here, all at once; each answer is kept
    /// with the sources it came from.
    /// </summary>
    private static async Task WorkOutAsync(
        Asked[] asked, List<int> missing, LookupItem?[] items, ItemJson?[] itemJson, Past? past, long truthVersion,
        RecordQueries queries, IGrainFactory grains, ReadCache cache, LookupJson json, CancellationToken cancellationToken)
    {
        var urlKeys = missing.Select(i => asked[i].UrlKey).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        // Read before the URLs' claims: a claim recorded at one meanwhile, here or through a node that
        // tells this one, makes what is kept from them stale at once.
        var changes = urlKeys.Select(ReadCache.PostKey).ToDictionary(key => key, cache.ChangesOf, StringComparer.Ordinal);
        var claimsByKey = new Dictionary<string, IReadOnlyList<PostClaim>>(StringComparer.Ordinal);
        var unknownKeys = new List<string>();
        foreach (var key in urlKeys)
        {
            if (cache.TryGetPost(key, out var known))
            {
                claimsByKey[key] = known;
            }
            else
            {
                unknownKeys.Add(key);
            }
        }

        foreach (var post in (await queries.FindClaimsByUrlKeysAsync(unknownKeys, cancellationToken)).GroupBy(c => c.UrlKey!, StringComparer.Ordinal))
        {
            IReadOnlyList<PostClaim> claims = [.. post.Select(c => new PostClaim(c.Id, c.SourceId))];
            claimsByKey[post.Key] = claims;
            cache.KeepPost(post.Key, claims, changes[ReadCache.PostKey(post.Key)]);
        }

        // Known at a moment, a post may carry no claim the tracker had recorded by then: it is answered
        // by the handle its URL names, as the tracker would have answered then, so that handle is read too:
        // by the source that held it then, which may not be the one that holds it now.
        var knownAt = past?.KnownAt;
        List<string> handleKeys = [.. missing.Where(i => knownAt is not null || asked[i].UrlKey is null || !claimsByKey.ContainsKey(asked[i].UrlKey!))
            .Select(i => asked[i].HandleKeyOfInput).OfType<string>().Distinct(StringComparer.Ordinal)];
        var sourceByHandle = knownAt is { } heldAt
            ? await queries.FindSourcesByHandleKnownAtAsync(handleKeys, heldAt, cancellationToken)
            : await queries.FindSourcesByHandleAsync(handleKeys, cancellationToken);

        var wanted = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        HashSet<string> Wanted(string sourceId) =>
            wanted.TryGetValue(sourceId, out var ids) ? ids : wanted[sourceId] = new HashSet<string>(StringComparer.Ordinal);
        var plans = new Dictionary<int, Plan>();
        foreach (var i in missing)
        {
            var claims = asked[i].UrlKey is { } key ? claimsByKey.GetValueOrDefault(key) ?? [] : [];
            var byHandle = asked[i].HandleKeyOfInput is { } handle ? sourceByHandle.GetValueOrDefault(handle) : null;
            if (claims.Count > 0)
            {
                foreach (var claim in claims)
                {
                    Wanted(claim.SourceId).Add(claim.ClaimId);
                }

                if (knownAt is not null && byHandle is not null)
                {
                    Wanted(byHandle);
                }

                plans[i] = new Plan(claims[0].SourceId, [.. claims.Select(c => (c.SourceId, c.ClaimId))], knownAt is null ? null : byHandle);
            }
            else if (byHandle is not null)
            {
                Wanted(byHandle);
                plans[i] = new Plan(byHandle, []);
            }
            else
            {
                items[i] = LookupJson.Unknown(asked[i].Input);
                itemJson[i] = json.OfUnknown(asked[i].Input);
            }
        }

        // Known at a moment before a merge, the absorbed source answered for its own claims and handles.
        var absorbed = knownAt is null ? null : await queries.AbsorbedIntoAsync([.. wanted.Keys], cancellationToken);
        foreach (var (holder, merged) in absorbed ?? new Dictionary<string, List<string>>())
        {
            foreach (var id in merged)
            {
                Wanted(id).UnionWith(wanted[holder]);
            }
        }

        IEnumerable<string> Holders(string sourceId) =>
            absorbed?.GetValueOrDefault(sourceId) is { Count: > 0 } before ? [sourceId, .. before] : [sourceId];

        // Read before the grains are asked: a change committed meanwhile makes what is kept stale at once.
        foreach (var key in wanted.Keys.Select(ReadCache.SourceKey))
        {
            changes[key] = cache.ChangesOf(key);
        }
        var answers = await Task.WhenAll(wanted.Select(async w =>
        {
            var key = "source:" + w.Key;
            if (truthVersion >= 0 && cache.TryGet<SourceLookup>(key, truthVersion, out var known)
                && (known.EveryClaim || w.Value.All(id => known.Claims.Any(c => c.Id == id))))
            {
                return (Id: w.Key, Lookup: (SourceLookup?)known);
            }

            // A small source comes with all its claims, so the next post of it asked about needs no call.
            var source = grains.GetGrain<ISourceGrain>(w.Key);
            var lookup = knownAt is { } recordedBy
                ? await source.LookupKnownAtAsync([.. w.Value], EveryClaimUpTo, recordedBy, past!.AsOf)
                : await source.LookupAsync([.. w.Value], EveryClaimUpTo, past?.AsOf);
            if (truthVersion >= 0 && lookup is not null)
            {
                var dependency = ReadCache.SourceKey(w.Key);
                cache.Keep(key, lookup, truthVersion, [(dependency, changes[dependency])], lookup.ScoredAt, lookup.TruthVersion);
            }

            return (Id: w.Key, Lookup: lookup);
        }));
        var bySource = answers.ToDictionary(a => a.Id, a => a.Lookup, StringComparer.Ordinal);

        foreach (var (i, plan) in plans)
        {
            var item = knownAt is null ? ItemOf(asked[i], plan, bySource) : KnownItemOf(asked[i], plan, bySource, Holders);
            var match = item.Source;
            items[i] = item;
            if (truthVersion >= 0 && match is not null)
            {
                var dependsOn = plan.Claims.Select(c => c.SourceId).Append(plan.SourceId).Select(ReadCache.SourceKey)
                    .Concat(asked[i].UrlKey is { } urlKey ? [ReadCache.PostKey(urlKey)] : [])
                    .Distinct(StringComparer.Ordinal).Select(key => (key, changes[key])).ToList();
                itemJson[i] = json.Of(item);
                // As old as the oldest score it shows, and the oldest estimate.
                var shown = plan.Claims.Select(c => c.SourceId).Append(plan.SourceId).Select(id => bySource[id]).OfType<SourceLookup>().ToList();
                var scoredAt = shown.Select(l => l.ScoredAt).OfType<DateTimeOffset>().DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
                if (cache.Keep(asked[i].CacheKey!, new KeptItem(item, itemJson[i]!), truthVersion, dependsOn,
                        scoredAt == DateTimeOffset.MaxValue ? null : scoredAt, shown.Min(l => l.TruthVersion)) is { } kept)
                {
                    asked[i].LastServed = new ServedItem(kept, item, json.Whole(asked[i].Input, itemJson[i]!));
                }
            }
        }
    }

    /// <summary>
    /// The source a cited item is shown with, the claims (source, claim id) recorded at its URL, and,
    /// known at a moment, the source of the handle its URL names, should none of those claims have
    /// been recorded by then.
    /// </summary>
    private sealed record Plan(string SourceId, IReadOnlyList<(string SourceId, string ClaimId)> Claims, string? ByHandle = null);

    private static LookupItem ItemOf(Asked asked, Plan plan, Dictionary<string, SourceLookup?> bySource)
    {
        var match = MatchOf(bySource[plan.SourceId]);
        if (plan.Claims.Count > 0)
        {
            List<ClaimMatch> matches = [.. ClaimsShown(plan, bySource, id => [id]).Select(c => c.Match)];
            return new LookupItem(asked.Input, "post", match, Headline(matches), matches);
        }

        return match is null ? LookupJson.Unknown(asked.Input) : new LookupItem(asked.Input, "source", match, null, []);
    }

    /// <summary>
    /// An item as the tracker would have answered it at the moment: a post by the claims at its URL
    /// recorded by then (shown with the source of the first), else by the handle asked or named, as
    /// long as the source had that handle then. <paramref name="holders"/>: a source and those merged
    /// into it since, whichever of them held a claim or handle then.
    /// </summary>
    private static LookupItem KnownItemOf(
        Asked asked, Plan plan, Dictionary<string, SourceLookup?> bySource, Func<string, IEnumerable<string>> holders)
    {
        var shown = ClaimsShown(plan, bySource, holders);
        if (shown.Count > 0)
        {
            List<ClaimMatch> matches = [.. shown.Select(c => c.Match)];
            return new LookupItem(asked.Input, "post", MatchOf(bySource[shown[0].SourceId]), Headline(matches), matches);
        }

        var handleSource = plan.Claims.Count > 0 ? plan.ByHandle : plan.SourceId;
        var had = handleSource is null || asked.HandleKeyOfInput is not { } handle
            ? null
            : holders(handleSource).Select(id => bySource[id])
                .FirstOrDefault(l => l is not null && l.Profile.Handles.Any(h => StreamKeys.HandleKey(h.Platform, h.Handle) == handle));
        return had is null ? LookupJson.Unknown(asked.Input) : new LookupItem(asked.Input, "source", MatchOf(had), null, []);
    }

    private static SourceMatch? MatchOf(SourceLookup? lookup) =>
        lookup is null
            ? null
            : new SourceMatch(lookup.Profile.Id, lookup.Profile.Name, lookup.Profile.Kind, lookup.Profile.InterestedParty, lookup.Score, lookup.ExternalRatings);

    /// <summary>
    /// The claims at a post's URL that the sources' lookups show, in the order recorded, each with the
    /// source that shows it: the one the claim is recorded under, or another of its <paramref name="holders"/>.
    /// </summary>
    private static List<(string SourceId, ClaimMatch Match)> ClaimsShown(
        Plan plan, Dictionary<string, SourceLookup?> bySource, Func<string, IEnumerable<string>> holders)
    {
        var shown = new List<(string, ClaimMatch)>();
        foreach (var (sourceId, claimId) in plan.Claims)
        {
            foreach (var holder in holders(sourceId))
            {
                if (bySource[holder] is { } lookup && lookup.Claims.FirstOrDefault(v => v.Id == claimId) is { } view)
                {
                    shown.Add((holder, MatchOf(view, lookup)));
                    break;
                }
            }
        }

        return shown;
    }

    private static ClaimMatch MatchOf(ClaimView claim, SourceLookup lookup)
    {
        // The source's record on the claim's topics and region: an army right overall can be wrong on casualty figures, or in Kidal.
        List<TagScoreView>? topics = claim.Topics is { } named && lookup.Topics is { } scored
            ? [.. scored.Where(t => named.Contains(t.Tag))]
            : null;
        List<TagScoreView>? regions = claim.Region is { } region && lookup.Regions is { } inRegions
            ? [.. inRegions.Where(t => t.Tag == region)]
            : null;
        return new ClaimMatch(claim.Id, claim.PropositionId, claim.Option, claim.Status, claim.Outcome,
            claim.ProvisionalProbability, claim.ProvisionalProbability is not null, claim.Contested, claim.Uncorroborated,
            NamedIn(lookup, claim.ReplacementClaimId), NamedIn(lookup, claim.SupersededBy), topics is { Count: > 0 } ? topics : null,
            regions is { Count: > 0 } ? regions : null);
    }

    private static Replacement? NamedIn(SourceLookup lookup, string? claimId) =>
        claimId is not null && lookup.Replacements.FirstOrDefault(r => r.Id == claimId) is { } later
            ? new Replacement(later.Id, later.Option, later.Url)
            : null;

    /// <summary>What a badge leads with when one post carries several claims: the gravest status.</summary>
    private static string? Headline(IReadOnlyList<ClaimMatch> claims)
    {
        string[] gravity = ["reversed", "deleted", "retracted", "superseded", "refuted", "open", "confirmed", "live"];
        return claims.Select(c => c.Status).OrderBy(s => Array.IndexOf(gravity, s) is var i && i < 0 ? gravity.Length : i).FirstOrDefault();
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

    /// <summary>
    /// An X status is keyed by its id alone (<see cref="UrlKeys"/>), so its author is read from the
    /// URL as cited; any other handle from the key, where spellings are already made one.
    /// </summary>
    /// <param name="url">The URL as cited.</param>
    /// <param name="key">Its key (see <see cref="UrlKeys.Of"/>).</param>
    /// <returns>A handle key (see <see cref="StreamKeys.HandleKey"/>), or null.</returns>
    public static string? FromUrl(string url, string key)
    {
        if (!key.StartsWith(XStatusKeyPrefix, StringComparison.Ordinal))
        {
            return FromUrlKey(key);
        }

        return Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && PostAddress.XStatusOf(uri) is { User: { } user }
            && !NotHandles.Contains(user)
            ? StreamKeys.HandleKey("x", user)
            : null;
    }

    private const string XStatusKeyPrefix = "x.com/status/";

    /// <param name="key">A cited URL's key (see <see cref="UrlKeys.Of"/>).</param>
    /// <returns>A handle key (see <see cref="StreamKeys.HandleKey"/>), or null.</returns>
    public static string? FromUrlKey(string key)
    {
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
