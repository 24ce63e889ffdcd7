using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Reliability.Api.Security;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Sources;
using Reliability.Domain.Scoring;
using Reliability.Grains.Propositions;
using Reliability.Grains.Records;

namespace Reliability.Api.Apis;

/// <summary>Sources, their scores, explanations, histories and claims.</summary>
internal static class SourcesApi
{
    public static IEndpointRouteBuilder MapSourcesApi(this IEndpointRouteBuilder app)
    {
        var sources = app.MapGroup("/v1/sources").WithTags("Sources").RequireAuthorization(Roles.Reader);
        sources.MapPost("/", RegisterAsync).RequireAuthorization(Roles.Contributor)
            .WithSummary("Register a source with its kind and handles (a known handle returns its source)");
        sources.MapPost("/{id}/handles", AddHandlesAsync).RequireAuthorization(Roles.Contributor)
            .WithSummary("Add handles on other platforms to a source (a handle belongs to one source: another source's is a conflict)");
        sources.MapDelete("/{id}/handles/{platform}/{handle}", RemoveHandleAsync).RequireAuthorization(Roles.Editor)
            .WithSummary("Take a handle from a source (the account changed hands, or was given to the wrong source): its claims stay the source's, and the handle is free for another source");
        sources.MapPost("/{id}/merge", MergeAsync).RequireAuthorization(Roles.Editor)
            .WithSummary("The source takes another over (the same source on record twice): the other's claims, handles and outside ratings are its own from now on, and the other's reads are redirected to it");
        sources.MapPatch("/{id}", AmendAsync).RequireAuthorization(Roles.Contributor)
            .WithSummary("Change a source's name, kind or interested-party flag (a field left out is kept)");
        sources.MapPut("/{id}/external-ratings/{rater}", RateAsync).RequireAuthorization(Roles.Contributor)
            .WithSummary("Record what a rater outside the newsroom says of the source, in its words; shown beside the score, flagged where the record disagrees");
        sources.MapDelete("/{id}/external-ratings/{rater}", WithdrawRatingAsync).RequireAuthorization(Roles.Contributor)
            .WithSummary("The rater no longer rates the source (its past words stay in the history)");
        sources.MapGet("/", SearchAsync).WithEntityTag().WithSummary("Search sources by name or handle, band, topic and region (a band with a topic or region: the band on it); `ratedOtherwise=true`: those an outside rater rates otherwise");
        sources.MapGet("/{id}", GetAsync).WithEntityTag().WithSummary("A source with its handles and score at a glance, now or as of a time; with `knownAt`, from what the tracker had recorded by then");
        sources.MapGet("/{id}/score", ScoreAsync).WithEntityTag()
            .WithSummary("Score, 90% interval, band, Admiralty grade, evidence and correction metrics, now or as of a time; with `knownAt`, from what the tracker had recorded by then");
        sources.MapGet("/{id}/explanation", ExplainAsync).WithEntityTag()
            .WithSummary("The per-claim contributions that add up to the score; with `top`, the heaviest ones and the sum of the rest; with `knownAt`, from what the tracker had recorded by then");
        sources.MapGet("/{id}/history", HistoryAsync).WithEntityTag()
            .WithSummary("The score after each event: a series a chart can draw, cut down to at most `points` points when asked, now or ending at a time; with `topic` or `region`, that topic's or region's series; with `knownAt`, from what the tracker had recorded by then");
        sources.MapGet("/{id}/claims", ClaimsAsync).WithEntityTag()
            .WithSummary("The source's claims, newest first, a page at a time, now or as they stood at a time (those published by then, with the corrections and verdicts of then); with `knownAt`, from what the tracker had recorded by then");
        sources.MapGet("/{id}/disputes", DisputesAsync).WithEntityTag()
            .WithSummary("Who turned out right when this source and another said different things on a proposition since confirmed, now or as of a time; with `knownAt`, from what the tracker had recorded by then");
        app.MapPost("/v1/import/external-ratings", ImportRatingsAsync).WithTags("Sources").RequireAuthorization(Roles.Contributor)
            .WithSummary("Record outside ratings in bulk (a list such as Wikipedia's perennial sources), registering sources by handle where needed");
        return app;
    }

    /// <summary>The most ratings one import request carries.</summary>
    public const int MaxImportedRatings = 1_000;

    /// <summary>
    /// A source as listed; its band and outside ratings' <c>disagrees</c> are as of the last time its
    /// score was read, its band worked out under <c>PolicyVersion</c> (left out for a source not scored since policies were kept with the listing).
    /// </summary>
    public sealed record SourceListItem(
        string Id, string Name, string Kind, IReadOnlyList<HandleView> Handles, IReadOnlyList<string> Topics, int ClaimCount,
        double Score, double Lower, double Upper, string Band, string Grade, IReadOnlyList<ExternalRatingView> ExternalRatings,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        string? PolicyVersion = null,
        IReadOnlyDictionary<string, string>? TopicBands = null,
        IReadOnlyDictionary<string, string>? RegionBands = null,
        IReadOnlyList<string>? Regions = null);

    /// <summary>
    /// A source's record against the sources it contradicted on confirmed propositions. Counts are
    /// over every opponent and dispute; <c>Opponents</c> lists the <c>limit</c> with the most disputes.
    /// <c>AsOf</c>: the moment the record is as of, when asked for one; null for the record now.
    /// <c>KnownAt</c>: when asked "what did the tracker know then", the recording time the record
    /// stops at; left out of the JSON otherwise.
    /// </summary>
    public sealed record DisputesView(
        string SourceId, int ConfirmedPropositions, int OpponentCount, int Disputes, int Won, int Lost, int NeitherRight, IReadOnlyList<OpponentView> Opponents,
        DateTimeOffset? AsOf = null,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        DateTimeOffset? KnownAt = null);

    /// <summary>The record against one source; <c>Propositions</c> holds the latest <c>perOpponent</c> of its disputes.</summary>
    public sealed record OpponentView(
        string SourceId, string Name, string Kind, bool InterestedParty, int Disputes, int Won, int Lost, int NeitherRight, IReadOnlyList<DisputeView> Propositions);

    /// <summary>Outcome: "won", "lost" or "neither-right", for the source whose record this is.</summary>
    public sealed record DisputeView(
        string PropositionId, string Question, IReadOnlyList<string> Options, IReadOnlyList<string> OpponentOptions, string ConfirmedOption,
        DateTimeOffset ResolvedAt, string Outcome);

    public sealed record SourceRequest(string? Id, string? Name, string? Kind, bool? InterestedParty, List<HandleRequest?>? Handles);

    public sealed record HandlesRequest(List<HandleRequest?>? Handles);

    /// <summary>The longest reason a merge may give.</summary>
    public const int MaxMergeReason = 500;

    /// <summary>A merge: <c>absorb</c> names the source taken over, <c>reason</c> says why (optional).</summary>
    public sealed record MergeRequest(string? Absorb, string? Reason);

    public sealed record SourceAmendment(string? Name, string? Kind, bool? InterestedParty);

    public sealed record ExternalRatingRequest(string? Rating, string? Url, DateTimeOffset? At);

    /// <summary>One rating of an import: the source by <c>sourceId</c> or <c>handle</c> (an unknown handle registers it, with <c>name</c> and <c>kind</c>).</summary>
    public sealed record ImportedRatingRequest(
        string? SourceId, HandleRequest? Handle, string? Name, string? Kind, string? Rater, string? Rating, string? Url, DateTimeOffset? At);

    public sealed record RatingsImportRequest(List<ImportedRatingRequest?>? Ratings);

    private static async Task<Results<Ok<SourceProfile>, ProblemHttpResult>> RegisterAsync(
        SourceRequest source, ILedger ledger, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        errors.OptionalNonBlank("id", source.Id);
        errors.Required("name", source.Name, 500);
        errors.Optional("kind", source.Kind, 50);
        var handles = CheckHandles(source.Handles ?? [], errors);
        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var outcome = await ledger.RegisterSourceAsync(source.Name!.Trim(), source.Kind ?? "other", source.InterestedParty is true,
            handles, cancellationToken, source.Id);
        return outcome.Succeeded ? TypedResults.Ok(outcome.Value!) : Problems.From(outcome);
    }

    private static async Task<Results<Ok<SourceProfile>, ProblemHttpResult>> AddHandlesAsync(
        string id, HandlesRequest request, ILedger ledger, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        var handles = CheckHandles(request.Handles ?? [], errors);
        if (handles.Count == 0 && !errors.Any)
        {
            errors.Add("handles", "Name at least one handle.");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var outcome = await ledger.AddHandlesAsync(id, handles, cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(outcome.Value!) : Problems.From(outcome);
    }

    private static async Task<Results<Ok<SourceProfile>, ProblemHttpResult>> AmendAsync(
        string id, SourceAmendment amendment, ILedger ledger, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        if (amendment.Name is not null)
        {
            errors.Required("name", amendment.Name, 500);
        }

        errors.Optional("kind", amendment.Kind, 50);
        if (amendment is { Name: null, Kind: null, InterestedParty: null })
        {
            errors.Add("name", "Name at least one of name, kind and interestedParty.");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var outcome = await ledger.AmendSourceAsync(id, amendment.Name?.Trim(), amendment.Kind, amendment.InterestedParty, cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(outcome.Value!) : Problems.From(outcome);
    }

    private static async Task<Results<Ok<SourceProfile>, ProblemHttpResult>> RateAsync(
        string id, string rater, ExternalRatingRequest request, ILedger ledger, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        CheckRater(rater, errors);
        var rating = errors.Required("rating", request.Rating, 200);
        var url = errors.Url("url", request.Url);
        errors.HasHappened("at", request.At, clock.GetUtcNow());
        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var outcome = await ledger.RecordExternalRatingAsync(id, rater.Trim(), rating!.Trim(), url, request.At, cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(outcome.Value!) : Problems.From(outcome);
    }

    private static async Task<Results<Ok<SourceProfile>, ProblemHttpResult>> WithdrawRatingAsync(
        string id, string rater, ILedger ledger, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        CheckRater(rater, errors);
        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var outcome = await ledger.RecordExternalRatingAsync(id, rater.Trim(), null, null, null, cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(outcome.Value!) : Problems.From(outcome);
    }

    private static async Task<Results<Ok<SourceProfile>, ProblemHttpResult>> RemoveHandleAsync(
        string id, string platform, string handle, ILedger ledger, CancellationToken cancellationToken, string? reason = null)
    {
        var errors = new RequestErrors();
        errors.Handle("handle", new HandleRequest(platform, handle));
        errors.Optional("reason", reason, 500);
        if (errors.Any)
        {
            // Named as the path names them: the route's segments, not a body's fields.
            return Problems.Invalid(errors.ToDictionary().ToDictionary(e => e.Key.Replace("handle.", "", StringComparison.Ordinal), e => e.Value));
        }

        var outcome = await ledger.RemoveHandleAsync(id, new HandleView(platform, handle), string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(), cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(outcome.Value!) : Problems.From(outcome);
    }

    private static async Task<Results<Ok<SourceProfile>, ProblemHttpResult>> MergeAsync(
        string id, MergeRequest request, ILedger ledger, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        errors.Required("absorb", request.Absorb, 500);
        errors.Optional("reason", request.Reason, MaxMergeReason);
        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var outcome = await ledger.MergeSourcesAsync(
            id, request.Absorb!.Trim(), string.IsNullOrWhiteSpace(request.Reason) ? null : request.Reason.Trim(), cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(outcome.Value!) : Problems.From(outcome);
    }

    private static async Task<Results<Ok<ClaimsApi.BatchResult>, ProblemHttpResult>> ImportRatingsAsync(
        RatingsImportRequest request, ILedger ledger, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request.Ratings is not { Count: > 0 and <= MaxImportedRatings } items)
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["ratings"] = [$"Between 1 and {MaxImportedRatings} ratings."] });
        }

        var now = clock.GetUtcNow();
        var results = new ClaimsApi.ItemResult?[items.Count];
        var submissions = new List<(int Index, ExternalRatingSubmission Submission)>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var errors = new RequestErrors();
            var id = $"{item?.Rater}@{item?.SourceId ?? (item?.Handle is { } h ? $"{h.Platform}:{h.Handle}" : "")}";
            if (item is null)
            {
                errors.Add("", "A rating is an object.");
            }
            else
            {
                errors.OptionalNonBlank("sourceId", item.SourceId);
                if ((item.SourceId is null) == (item.Handle is null))
                {
                    errors.Add("sourceId", "Name the source by sourceId or by handle, not both.");
                }
                else if (item.Handle is not null)
                {
                    errors.Handle("handle", item.Handle);
                }

                errors.OptionalNonBlank("name", item.Name, 500);
                errors.Optional("kind", item.Kind, 50);
                errors.Required("rater", item.Rater, 100);
                errors.Required("rating", item.Rating, 200);
                errors.Url("url", item.Url);
                errors.HasHappened("at", item.At, now);
            }

            if (errors.Any)
            {
                results[i] = new ClaimsApi.ItemResult(id, "rejected", null, null, RatingProblem(errors.ToDictionary()));
                continue;
            }

            submissions.Add((i, new ExternalRatingSubmission(
                id, item!.SourceId, item.Handle is { } handle ? new HandleView(handle.Platform!, handle.Handle!) : null, item.Name?.Trim(), item.Kind,
                item.Rater!.Trim(), item.Rating!.Trim(), item.Url, item.At)));
        }

        var recorded = submissions.Count == 0 ? [] : await ledger.ImportExternalRatingsAsync([.. submissions.Select(s => s.Submission)], cancellationToken);
        for (var j = 0; j < recorded.Count; j++)
        {
            var r = recorded[j];
            results[submissions[j].Index] = r.Status == SubmissionStatus.Rejected
                ? new ClaimsApi.ItemResult(r.Id, "rejected", null, null, RatingProblem(r.Errors ?? new Dictionary<string, string[]>()))
                : new ClaimsApi.ItemResult(r.Id, r.Status == SubmissionStatus.Accepted ? "accepted" : "duplicate", r.SourceId, null, null);
        }

        return TypedResults.Ok(ClaimsApi.BatchResult.Of([.. results.Select(r => r!)]));

        static ClaimsApi.ItemProblem RatingProblem(IReadOnlyDictionary<string, string[]> errors) =>
            new("The rating is not valid", StatusCodes.Status400BadRequest, errors);
    }

    // The rater is named in the path: a short name, the same each time ("wikipedia-rsp", "mbfc").
    private static void CheckRater(string rater, RequestErrors errors) => errors.Required("rater", rater, 100);

    private static List<HandleView> CheckHandles(List<HandleRequest?> handles, RequestErrors errors)
    {
        if (handles.Count > 50)
        {
            errors.Add("handles", "At most 50 handles.");
        }

        for (var i = 0; i < handles.Count; i++)
        {
            errors.Handle($"handles[{i}]", handles[i]);
        }

        return errors.Any ? [] : [.. handles.Select(h => new HandleView(h!.Platform!, h.Handle!))];
    }

    private static async Task<Results<Ok<SourceListItem[]>, ProblemHttpResult>> SearchAsync(
        RecordQueries queries, CancellationToken cancellationToken, string? query = null, string? band = null, string? topic = null, int limit = 100,
        bool ratedOtherwise = false, string? region = null)
    {
        if (band is not (null or "reliable" or "mixed" or "unreliable" or "insufficient-record"))
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["band"] = ["One of: reliable, mixed, unreliable, insufficient-record."] });
        }

        if (limit is < 1 or > 1_000)
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["limit"] = ["Between 1 and 1000."] });
        }

        // The words go to PostgreSQL, which refuses a NUL in text outright.
        var errors = new RequestErrors();
        errors.Optional("query", query, 500);
        errors.Optional("topic", topic, 200);
        errors.Optional("region", region, 200);
        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var found = await queries.SearchSourcesAsync(query, band, topic, limit, cancellationToken, ratedOtherwise, region);
        var claims = await queries.ClaimCountsAsync([.. found.Select(s => s.Id)], cancellationToken);
        return TypedResults.Ok(found.Select(s => new SourceListItem(
            s.Id, s.Name, Vocabulary.Word(s.Kind), s.Handles, s.Topics, claims.GetValueOrDefault(s.Id), s.Score, s.Lower, s.Upper, s.Band, s.Grade,
            [.. s.StandingRatings().Select(r => Views.Of(r, s.ListedBand))], s.PolicyVersion, s.BandsByTopic(), s.BandsByRegion(), s.Regions)).ToArray());
    }

    private static async Task<Results<Ok<SourceProfile>, ProblemHttpResult, RedirectHttpResult>> GetAsync(
        string id, IGrainFactory grains, TimeProvider clock, HttpRequest request, string? asOf = null, string? knownAt = null)
    {
        if (!TryAsOf(asOf, clock.GetUtcNow(), out var at, out var problem)
            || !TryKnownAt(knownAt, at, clock.GetUtcNow(), out var recorded, out problem))
        {
            return problem;
        }

        var source = grains.GetGrain<ISourceGrain>(id);
        if (recorded is { } recordedBy)
        {
            return await source.GetProfileKnownAtAsync(recordedBy, at ?? recordedBy) is { } asKnown
                ? TypedResults.Ok(asKnown)
                : await NotKnownAtAsync<Ok<SourceProfile>>(grains, id, request, recordedBy, at);
        }

        if (at is { } then)
        {
            return await source.GetProfileAsOfAsync(then) is { } past
                ? TypedResults.Ok(past)
                : await NotYetOnRecordAsync<Ok<SourceProfile>>(grains, id, request, then);
        }

        return await source.GetProfileAsync() is { } profile ? TypedResults.Ok(profile) : await UnknownOrMovedAsync<Ok<SourceProfile>>(grains, id, request);
    }

    private static async Task<Results<KeptJson<ScoreView>, ProblemHttpResult, RedirectHttpResult>> ScoreAsync(
        string id, IGrainFactory grains, ReadCache cache, TruthEstimates truth, IOptions<JsonOptions> json, TimeProvider clock, HttpRequest request,
        string? asOf = null, string? topic = null, string? knownAt = null)
    {
        if (!TryAsOf(asOf, clock.GetUtcNow(), out var at, out var problem)
            || !TryKnownAt(knownAt, at, clock.GetUtcNow(), out var recorded, out problem))
        {
            return problem;
        }

        topic = string.IsNullOrWhiteSpace(topic) ? null : topic;
        if (recorded is { } recordedBy)
        {
            return await grains.GetGrain<ISourceGrain>(id).GetScoreKnownAtAsync(recordedBy, at ?? recordedBy, topic) is { } then
                ? KeptJson<ScoreView>.Of(then, json.Value.SerializerOptions)
                : await NotKnownAtAsync<KeptJson<ScoreView>>(grains, id, request, recordedBy, at);
        }

        if (at is not null || topic is not null)
        {
            return await grains.GetGrain<ISourceGrain>(id).GetScoreAsync(at, topic) is { } past
                ? KeptJson<ScoreView>.Of(past, json.Value.SerializerOptions)
                : await UnknownOrMovedAsync<KeptJson<ScoreView>>(grains, id, request);
        }

        // The live score is what badges poll; this node serves it again, JSON and all, until the
        // source or the truth estimate moves.
        var key = "score:" + id;
        var truthVersion = (await truth.CurrentAsync()).Version;
        if (cache.TryGet<KeptJson<ScoreView>>(key, truthVersion, out var known))
        {
            return known;
        }

        var dependency = ReadCache.SourceKey(id);
        var changes = cache.ChangesOf(dependency);
        if (await grains.GetGrain<ISourceGrain>(id).GetScoreAsync(null, null) is not { } score)
        {
            return await UnknownOrMovedAsync<KeptJson<ScoreView>>(grains, id, request);
        }

        var kept = KeptJson<ScoreView>.Of(score, json.Value.SerializerOptions);
        cache.Keep(key, kept, truthVersion, [(dependency, changes)], score.AsOf, score.TruthVersion);
        return kept;
    }

    /// <summary>The most contributions an explanation cut to its heaviest may ask for; every one comes without <c>top</c>.</summary>
    public const int MaxTopContributions = 10_000;

    private static async Task<Results<Ok<ExplanationView>, ProblemHttpResult, RedirectHttpResult>> ExplainAsync(
        string id, IGrainFactory grains, TimeProvider clock, HttpRequest request, string? asOf = null, int? top = null, string? knownAt = null)
    {
        if (!TryAsOf(asOf, clock.GetUtcNow(), out var at, out var problem)
            || !TryKnownAt(knownAt, at, clock.GetUtcNow(), out var recorded, out problem))
        {
            return problem;
        }

        if (top is < 1 or > MaxTopContributions)
        {
            return Problems.Invalid(new Dictionary<string, string[]>
            {
                ["top"] = [$"Between 1 and {MaxTopContributions}, or left out for every contribution."],
            });
        }

        if (recorded is { } recordedBy)
        {
            return await grains.GetGrain<ISourceGrain>(id).ExplainKnownAtAsync(recordedBy, at ?? recordedBy, top) is { } then
                ? TypedResults.Ok(then)
                : await NotKnownAtAsync<Ok<ExplanationView>>(grains, id, request, recordedBy, at);
        }

        return await grains.GetGrain<ISourceGrain>(id).ExplainAsync(at, top) is { } explanation
            ? TypedResults.Ok(explanation)
            : await UnknownOrMovedAsync<Ok<ExplanationView>>(grains, id, request);
    }

    /// <summary>The most points a thinned history may ask for; a client that wants every point leaves <c>points</c> out.</summary>
    public const int MaxHistoryPoints = 10_000;

    private static async Task<Results<Ok<ScoreHistoryView>, ProblemHttpResult, RedirectHttpResult>> HistoryAsync(
        string id, IGrainFactory grains, TimeProvider clock, HttpRequest request, int? points = null, string? asOf = null, string? knownAt = null,
        string? topic = null, string? region = null)
    {
        if (!TryAsOf(asOf, clock.GetUtcNow(), out var at, out var problem)
            || !TryKnownAt(knownAt, at, clock.GetUtcNow(), out var recorded, out problem))
        {
            return problem;
        }

        var errors = new RequestErrors();
        if (points is < ScoreHistoryThinning.MinimumPoints or > MaxHistoryPoints)
        {
            errors.Add("points", $"Between {ScoreHistoryThinning.MinimumPoints} and {MaxHistoryPoints}, or left out for every point.");
        }

        errors.Optional("topic", topic, 200);
        errors.Optional("region", region, 200);
        if (!string.IsNullOrWhiteSpace(topic) && !string.IsNullOrWhiteSpace(region))
        {
            errors.Add("region", "A topic's series or a region's, not both.");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var source = grains.GetGrain<ISourceGrain>(id);
        if (!string.IsNullOrWhiteSpace(topic) || !string.IsNullOrWhiteSpace(region))
        {
            var tagged = string.IsNullOrWhiteSpace(topic)
                ? await source.GetRegionHistoryAsync(region!, at, recorded, points)
                : await source.GetTopicHistoryAsync(topic, at, recorded, points);
            return tagged is { } series
                ? TypedResults.Ok(series)
                : recorded is { } by
                    ? await NotKnownAtAsync<Ok<ScoreHistoryView>>(grains, id, request, by, at)
                    : await UnknownOrMovedAsync<Ok<ScoreHistoryView>>(grains, id, request);
        }

        if (recorded is { } recordedBy)
        {
            return await source.GetHistoryKnownAtAsync(recordedBy, at ?? recordedBy, points) is { } then
                ? TypedResults.Ok(then)
                : await NotKnownAtAsync<Ok<ScoreHistoryView>>(grains, id, request, recordedBy, at);
        }

        var history = at is { } past ? await source.GetHistoryAsOfAsync(past, points) : await source.GetHistoryAsync(points);
        return history is not null ? TypedResults.Ok(history) : await UnknownOrMovedAsync<Ok<ScoreHistoryView>>(grains, id, request);
    }

    private static async Task<Results<Ok<ClaimPage>, ProblemHttpResult, RedirectHttpResult>> ClaimsAsync(
        string id, IGrainFactory grains, TimeProvider clock, HttpRequest request, string? cursor = null, int limit = 50,
        string? asOf = null, string? knownAt = null)
    {
        if (!TryAsOf(asOf, clock.GetUtcNow(), out var at, out var problem)
            || !TryKnownAt(knownAt, at, clock.GetUtcNow(), out var recorded, out problem))
        {
            return problem;
        }

        if (limit is < 1 or > 500)
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["limit"] = ["Between 1 and 500."] });
        }

        var source = grains.GetGrain<ISourceGrain>(id);
        if (recorded is { } recordedBy)
        {
            return await source.GetClaimsKnownAtAsync(recordedBy, at ?? recordedBy, cursor, limit) is { } asKnown
                ? TypedResults.Ok(asKnown)
                : await NotKnownAtAsync<Ok<ClaimPage>>(grains, id, request, recordedBy, at);
        }

        if (at is { } then)
        {
            return await source.GetClaimsAsOfAsync(then, cursor, limit) is { } past
                ? TypedResults.Ok(past)
                : await NotYetOnRecordAsync<Ok<ClaimPage>>(grains, id, request, then);
        }

        return await source.GetClaimsAsync(cursor, limit) is { } page
            ? TypedResults.Ok(page)
            : await UnknownOrMovedAsync<Ok<ClaimPage>>(grains, id, request);
    }

    public const int MaxDisputeOpponents = 500;
    public const int MaxDisputesPerOpponent = 1_000;

    private static async Task<Results<Ok<DisputesView>, ProblemHttpResult, RedirectHttpResult>> DisputesAsync(
        string id, RecordQueries queries, KnownDisputes known, TimeProvider clock, HttpRequest request, CancellationToken cancellationToken,
        int limit = 50, int perOpponent = 20, string? asOf = null, string? knownAt = null)
    {
        if (!TryAsOf(asOf, clock.GetUtcNow(), out var at, out var problem)
            || !TryKnownAt(knownAt, at, clock.GetUtcNow(), out var recorded, out problem))
        {
            return problem;
        }

        var errors = new RequestErrors();
        if (limit is < 1 or > MaxDisputeOpponents)
        {
            errors.Add("limit", $"Between 1 and {MaxDisputeOpponents}.");
        }

        if (perOpponent is < 1 or > MaxDisputesPerOpponent)
        {
            errors.Add("perOpponent", $"Between 1 and {MaxDisputesPerOpponent}.");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        // Known at a moment, the record is replayed from the events recorded by then, as of that
        // moment unless asked otherwise; the claim documents only say what is known now.
        at ??= recorded;
        var found = recorded is { } recordedBy && at is { } knownAsOf
            ? await known.OfAsync(id, recordedBy, knownAsOf, cancellationToken)
            : await queries.DisputesOfAsync(id, cancellationToken, asOf: at);
        if (found is null)
        {
            return Unknown(id);
        }

        // The disputes are read from the claims, which a merge gave the survivor: the absorbed source
        // is sent to the survivor as its other reads are (known at a moment, once merged by then).
        if (found.MergedInto is { } survivor)
        {
            return Moved(survivor, request);
        }

        if (found.NothingRecorded && recorded is { } nothingBy)
        {
            return NotKnownAt(id, nothingBy);
        }

        if (found.NotYetOnRecord && at is { } then)
        {
            return Problems.NotFound($"The source '{id}' was not yet on record at {then:O}.");
        }

        var all = found.Opponents;
        var opponents = all.Take(limit).Select(o =>
        {
            var document = found.OpponentDocuments.GetValueOrDefault(o.OpponentId);
            return new OpponentView(
                o.OpponentId, document?.Name ?? o.OpponentId, document is null ? "other" : Vocabulary.Word(document.Kind), document?.InterestedParty ?? false,
                o.Disputes.Count, o.Won, o.Lost, o.NeitherRight,
                [.. o.Disputes.Take(perOpponent).Select(d => new DisputeView(
                    d.Proposition.PropositionId, d.Proposition.Question, d.Options, d.OpponentOptions, d.Proposition.ConfirmedOption,
                    d.Proposition.ResolvedAt, Vocabulary.Word(d.Outcome)))]);
        });
        return TypedResults.Ok(new DisputesView(
            id, found.ConfirmedPropositions, all.Count, all.Sum(o => o.Disputes.Count), all.Sum(o => o.Won), all.Sum(o => o.Lost),
            all.Sum(o => o.NeitherRight), [.. opponents], at, recorded));
    }

    /// <summary>
    /// Reads an as-of time: a past moment, replayed. A later one than now (beyond the clock tolerance
    /// of <see cref="RequestErrors.ClockTolerance"/>) is refused: what will have been recorded by then is
    /// not known, so no score can stand for it.
    /// </summary>
    internal static bool TryAsOf(string? text, DateTimeOffset now, out DateTimeOffset? asOf, out ProblemHttpResult problem)
    {
        asOf = null;
        problem = null!;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (Hosting.StrictJson.TryParseTimestamp(text, out var parsed))
        {
            var errors = new RequestErrors();
            errors.AsOfNotLaterThan(parsed, now);
            if (errors.Any)
            {
                problem = Problems.Invalid(errors.ToDictionary());
                return false;
            }

            asOf = parsed;
            return true;
        }

        problem = Problems.Invalid(new Dictionary<string, string[]> { ["asOf"] = ["ISO-8601 with an offset, e.g. 2023-09-29T00:00:00Z."] });
        return false;
    }

    /// <summary>
    /// Reads a known-at time: what the tracker had recorded by then, whatever time the events speak
    /// of. It is refused when still to come, as an as-of time is, and when it is earlier than the
    /// as-of time asked with it: what was recorded by then cannot say how things stood later.
    /// </summary>
    internal static bool TryKnownAt(string? text, DateTimeOffset? asOf, DateTimeOffset now, out DateTimeOffset? knownAt, out ProblemHttpResult problem)
    {
        knownAt = null;
        problem = null!;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (!Hosting.StrictJson.TryParseTimestamp(text, out var parsed))
        {
            problem = Problems.Invalid(new Dictionary<string, string[]> { ["knownAt"] = ["ISO-8601 with an offset, e.g. 2023-09-29T00:00:00Z."] });
            return false;
        }

        var errors = new RequestErrors();
        errors.KnownAtNotLaterThan(parsed, asOf, now);

        if (errors.Any)
        {
            problem = Problems.Invalid(errors.ToDictionary());
            return false;
        }

        knownAt = parsed;
        return true;
    }

    /// <summary>
    /// A source that stands now but of which nothing was recorded by <paramref name="knownAt"/> is a
    /// 404 saying so; otherwise as <see cref="UnknownOrMovedAsync"/>: a source merged by then sends the
    /// same read, knownAt and all, to the survivor (whose stream holds the absorbed record from the
    /// merge on). Before its merge, a merged source answers for itself, as it did then.
    /// </summary>
    /// <summary>
    /// Nothing of a source that stands now as the tracker knew it at <paramref name="knownAt"/>, as of
    /// <paramref name="asOf"/>: a 404 that says which of the two it was not on record by (the tracker
    /// had the source at that moment but not yet registered as of the earlier one, or had nothing of it
    /// yet); otherwise as <see cref="UnknownOrMovedAsync"/>.
    /// </summary>
    private static async Task<Results<TFound, ProblemHttpResult, RedirectHttpResult>> NotKnownAtAsync<TFound>(
        IGrainFactory grains, string id, HttpRequest request, DateTimeOffset knownAt, DateTimeOffset? asOf = null)
        where TFound : IResult
    {
        var source = grains.GetGrain<ISourceGrain>(id);
        if (await source.GetProfileAsync() is null)
        {
            return await UnknownOrMovedAsync<TFound>(grains, id, request);
        }

        return asOf is { } then && then < knownAt && await source.GetProfileKnownAtAsync(knownAt, knownAt) is not null
            ? Problems.NotFound($"The source '{id}' was not yet on record at {then:O}, as the tracker knew it at {knownAt:O}.")
            : NotKnownAt(id, knownAt);
    }

    /// <summary>
    /// A source that stands now but was not yet registered at <paramref name="asOf"/> is a 404 saying
    /// so; otherwise as <see cref="UnknownOrMovedAsync"/>.
    /// </summary>
    private static async Task<Results<TFound, ProblemHttpResult, RedirectHttpResult>> NotYetOnRecordAsync<TFound>(
        IGrainFactory grains, string id, HttpRequest request, DateTimeOffset asOf)
        where TFound : IResult =>
        await grains.GetGrain<ISourceGrain>(id).GetProfileAsync() is null
            ? await UnknownOrMovedAsync<TFound>(grains, id, request)
            : Problems.NotFound($"The source '{id}' was not yet on record at {asOf:O}.");

    private static ProblemHttpResult NotKnownAt(string id, DateTimeOffset knownAt) =>
        Problems.NotFound($"The source '{id}' was not on record as the tracker knew it at {knownAt:O}.");

    private static ProblemHttpResult Unknown(string id) => Problems.NotFound($"No source has the id '{id}'.");

    /// <summary>
    /// A source merged into another answers with <c>308 Permanent Redirect</c> to the same read of the
    /// source that holds its record now (its survivor, or the survivor's own survivor when that was
    /// merged in turn: one redirect, not one per merge), path and query kept; any other unknown
    /// source is a 404. Asked only once the source's grain has found no source, so reads of a source
    /// on record pay nothing for it.
    /// </summary>
    private static async Task<Results<TFound, ProblemHttpResult, RedirectHttpResult>> UnknownOrMovedAsync<TFound>(IGrainFactory grains, string id, HttpRequest request)
        where TFound : IResult =>
        await grains.GetGrain<ISourceGrain>(id).GetMergedIntoAsync() is { } survivor ? Moved(survivor, request) : Unknown(id);

    /// <summary>The same read of the survivor: the request's path with the source's id replaced, and its query.</summary>
    internal static RedirectHttpResult Moved(string survivor, HttpRequest request)
    {
        const string prefix = "/v1/sources/";
        var path = request.Path.Value ?? "";
        var rest = path.StartsWith(prefix, StringComparison.Ordinal) && path.IndexOf('/', prefix.Length) is var end and >= 0 ? path[end..] : "";
        return TypedResults.Redirect(
            $"{request.PathBase}{prefix}{Uri.EscapeDataString(survivor)}{rest}{request.QueryString}", permanent: true, preserveMethod: true);
    }
}
