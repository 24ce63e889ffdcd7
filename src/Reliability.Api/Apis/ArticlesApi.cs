using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Reliability.Api.Security;
using Reliability.Contracts.Articles;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Sources;
using Reliability.Domain.Scoring;
using Reliability.Grains.Records;

namespace Reliability.Api.Apis;

/// <summary>Articles a newsroom published, and what has since gone wrong with what they cite.</summary>
internal static class ArticlesApi
{
    public const int MaxCitations = 500;

    public static IEndpointRouteBuilder MapArticlesApi(this IEndpointRouteBuilder app)
    {
        var articles = app.MapGroup("/v1/articles").WithTags("Articles");
        articles.MapPost("/", RegisterAsync).RequireAuthorization(Roles.Contributor)
            .WithSummary("Register an article and what it cites (its URL names it: posting it again updates it)");
        articles.MapGet("/{id}", GetAsync).RequireAuthorization(Roles.Reader).WithEntityTag()
            .WithSummary("An article as registered, with the claims it cites now (those recorded later at its URLs included)");
        articles.MapGet("/{id}/alerts", AlertsAsync).RequireAuthorization(Roles.Reader).WithEntityTag()
            .WithSummary("Cited claims since deleted, retracted, reversed or refuted; cited sources whose band dropped or that an outside rater rates unreliable");
        app.MapGet("/v1/sources/{id}/articles", CitingSourceAsync).WithTags("Articles").RequireAuthorization(Roles.Reader).WithEntityTag()
            .WithSummary("The newsroom's articles citing the source's claims, newest first, a page at a time, with the source's band when each cited it");
        return app;
    }

    /// <summary>
    /// Kind is claim-deleted, claim-retracted, claim-reversed, claim-superseded (its source later claimed
    /// another option without withdrawing it), claim-refuted, source-band-dropped, source-topic-band-dropped
    /// or source-region-band-dropped (its band on a topic or region the article cites it on; Topic or
    /// Region names it) or source-rated-unreliable (an outside rater's words mean unreliable);
    /// ReplacementClaimId is what the source says now (a reversal's replacement, else its later claim of
    /// another option); From/To are the bands of a source whose band dropped, To the rater's words for a
    /// source rated unreliable.
    /// </summary>
    public sealed record ArticleAlert(
        string Kind, string SourceId, string? ClaimId, string? ReplacementClaimId, string? From, string? To, string Detail,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Topic = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Region = null);

    public sealed record ArticleAlerts(string ArticleId, string Url, IReadOnlyList<ArticleAlert> Alerts);

    /// <summary>
    /// An article citing a source: the source's claims it cites, and the source's band when the
    /// article came to cite it (null for an article registered before bands were kept with it), with
    /// the scoring policy that band was worked out under (left out where it was not kept): a band
    /// cited under another policy than today's is not comparable with today's band.
    /// </summary>
    public sealed record CitingArticle(
        string ArticleId, string Url, string? Title, DateTimeOffset PublishedAt, IReadOnlyList<string> ClaimIds, string? BandWhenCited, DateTimeOffset? CitedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PolicyWhenCited = null);

    /// <summary><c>Total</c> counts every article citing the source; <c>NextCursor</c> continues after this page.</summary>
    public sealed record CitingArticles(string SourceId, int Total, IReadOnlyList<CitingArticle> Articles, string? NextCursor);

    private static async Task<Results<Ok<CitingArticles>, ProblemHttpResult, RedirectHttpResult>> CitingSourceAsync(
        string id, RecordQueries queries, HttpRequest request, CancellationToken cancellationToken, string? cursor = null, int limit = 50)
    {
        if (limit is < 1 or > 500)
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["limit"] = ["Between 1 and 500."] });
        }

        if (await queries.ArticlesCitingSourceAsync(id, cancellationToken) is not { } found)
        {
            return Problems.NotFound($"No source has the id '{id}'.");
        }

        // As every read of a merged source: the articles citing its claims are the survivor's now.
        if (found.MergedInto is { } survivor)
        {
            return SourcesApi.Moved(survivor, request);
        }

        var citing = found.Articles;

        // Newest first; the cursor is the last article of the page before (as for a source's claims),
        // so a page does not shift when an older article comes to cite the source.
        var ordered = citing.OrderByDescending(c => c.Article.PublishedAt).ThenBy(c => c.Article.Id, StringComparer.Ordinal).ToList();
        var start = 0;
        if (cursor is not null)
        {
            var index = ordered.FindIndex(c => c.Article.Id == cursor);
            start = index < 0 ? ordered.Count : index + 1;
        }

        var page = ordered.Skip(start).Take(limit).ToList();
        var next = start + page.Count < ordered.Count && page.Count > 0 ? page[^1].Article.Id : null;
        return TypedResults.Ok(new CitingArticles(id, ordered.Count, [.. page.Select(c => ViewOf(c.Article, c.ClaimIds, id))], next));
    }

    private static CitingArticle ViewOf(ArticleDocument article, IReadOnlyList<string> claimIds, string sourceId)
    {
        var cited = article.Sources.Find(s => s.SourceId == sourceId);
        return new CitingArticle(article.Id, article.Url, article.Title, article.PublishedAt, claimIds, cited?.Band, cited?.CitedAt, cited?.PolicyVersion);
    }

    private static async Task<Results<Ok<ArticleView>, ProblemHttpResult>> RegisterAsync(
        ArticleRequest article, ILedger ledger, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        if (errors.Required("url", article.Url, 2_000) is not null)
        {
            errors.Url("url", article.Url);
        }

        if (article.PublishedAt is null)
        {
            errors.Add("publishedAt", "This field is required (ISO-8601 with offset).");
        }

        errors.Optional("title", article.Title, 1_000);
        var claimIds = article.ClaimIds ?? [];
        if (claimIds.Count > MaxCitations)
        {
            errors.Add("claimIds", $"At most {MaxCitations} claims.");
        }

        for (var i = 0; i < claimIds.Count; i++)
        {
            errors.Required($"claimIds[{i}]", claimIds[i]);
        }

        var urls = errors.Urls("urls", article.Urls, MaxCitations);
        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var outcome = await ledger.RegisterArticleAsync(
            new ArticleSubmission(article.Url!, article.PublishedAt!.Value, article.Title, claimIds, urls), cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(outcome.Value!) : Problems.From(outcome);
    }

    private static async Task<Results<Ok<ArticleView>, ProblemHttpResult>> GetAsync(string id, RecordQueries queries, CancellationToken cancellationToken) =>
        await queries.FindArticleViewAsync(id, cancellationToken) is { } article
            ? TypedResults.Ok(article)
            : Problems.NotFound($"No article has the id '{id}'.");

    private static async Task<Results<Ok<ArticleAlerts>, ProblemHttpResult>> AlertsAsync(
        string id, RecordQueries queries, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (await queries.FindArticleAsync(id, cancellationToken) is not { } article)
        {
            return Problems.NotFound($"No article has the id '{id}'.");
        }

        // Up to a thousand grain calls: made a few at a time, not one after another, each position's
        // alerts kept in place so the answer's order does not depend on which finished first. The
        // cited claims' documents, which name their sources, are read at once.
        var cited = await queries.FindClaimsAsync(article.CitedClaimIds, cancellationToken);
        var claimAlerts = new List<ArticleAlert>[article.CitedClaimIds.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, claimAlerts.Length), Bounded(cancellationToken), async (i, _) =>
            claimAlerts[i] = await ClaimAlertsAsync(article.CitedClaimIds[i], cited.GetValueOrDefault(article.CitedClaimIds[i]), grains));
        var sourceAlerts = new List<ArticleAlert>[article.Sources.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, sourceAlerts.Length), Bounded(cancellationToken), async (i, _) =>
            sourceAlerts[i] = await SourceAlertsAsync(article.Sources[i], grains));
        List<ArticleAlert> alerts = [.. claimAlerts.SelectMany(a => a), .. sourceAlerts.SelectMany(a => a)];
        return TypedResults.Ok(new ArticleAlerts(article.Id, article.Url, alerts));
    }

    private const int CallsAtOnce = 16;

    private static ParallelOptions Bounded(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = CallsAtOnce, CancellationToken = cancellationToken };

    private static async Task<List<ArticleAlert>> ClaimAlertsAsync(string claimId, ClaimDocument? document, IGrainFactory grains)
    {
        var alerts = new List<ArticleAlert>();
        if (document is null || await grains.GetGrain<ISourceGrain>(document.SourceId).GetClaimAsync(claimId) is not { } claim)
        {
            return alerts;
        }

        // A correction wins the claim's status, but a deleted claim that was also refuted says both.
        if (claim.Status is "deleted" or "retracted" or "reversed")
        {
            alerts.Add(new ArticleAlert("claim-" + claim.Status, claim.SourceId, claimId, claim.ReplacementClaimId ?? claim.SupersededBy, null, null,
                $"The cited claim was {claim.Status} by its source."));
        }
        else if (claim.Status == "superseded")
        {
            alerts.Add(new ArticleAlert("claim-superseded", claim.SourceId, claimId, claim.SupersededBy, null, null,
                "The cited claim's source has since claimed another option, without withdrawing this claim."));
        }

        if (claim.Outcome == "refuted")
        {
            alerts.Add(new ArticleAlert("claim-refuted", claim.SourceId, claimId, null, null, null,
                "The resolution in force refutes the cited claim."));
        }

        return alerts;
    }

    private static async Task<List<ArticleAlert>> SourceAlertsAsync(CitedSource cited, IGrainFactory grains)
    {
        var alerts = new List<ArticleAlert>();
        if (await grains.GetGrain<ISourceGrain>(cited.SourceId).GetProfileAsync() is not { } profile)
        {
            return alerts;
        }

        // A new scoring policy can move a band with no new evidence: the desk should know which it was.
        var policy = cited.PolicyVersion is { } then && then != profile.PolicyVersion
            ? $" (scored under {then} then and {profile.PolicyVersion} now)"
            : "";
        var dropped = Dropped(cited.Band, profile.Score.Band);
        if (dropped)
        {
            alerts.Add(new ArticleAlert("source-band-dropped", cited.SourceId, null, null, cited.Band, profile.Score.Band,
                $"The source was {cited.Band} when the article cited it and is {profile.Score.Band} now{policy}."));
        }

        // A story on casualty figures in Timbuktu leans on the source's record on casualties and in Timbuktu,
        // which can fall while the overall band holds. One that fell just as the overall band did says nothing more.
        bool Judged(TagKind kind) => cited.BandsOn(kind).Values.Any(band => Rank(band) > 0);
        if ((Judged(TagKind.Topic) || Judged(TagKind.Region)) && await grains.GetGrain<ISourceGrain>(cited.SourceId).GetScoreAsync(null, null) is { } score)
        {
            foreach (var (kind, now) in new[] { (TagKind.Topic, score.Topics), (TagKind.Region, score.Regions) })
            {
                var bandsNow = now.ToDictionary(t => t.Tag, t => t.Band, StringComparer.Ordinal);
                foreach (var (tag, bandThen) in cited.BandsOn(kind).OrderBy(t => t.Key, StringComparer.Ordinal))
                {
                    if (bandsNow.GetValueOrDefault(tag) is { } bandNow && Dropped(bandThen, bandNow)
                        && !(dropped && bandThen == cited.Band && bandNow == profile.Score.Band))
                    {
                        alerts.Add(kind == TagKind.Topic
                            ? new ArticleAlert("source-topic-band-dropped", cited.SourceId, null, null, bandThen, bandNow,
                                $"The source was {bandThen} on {tag} when the article cited it and is {bandNow} on it now{policy}.", Topic: tag)
                            : new ArticleAlert("source-region-band-dropped", cited.SourceId, null, null, bandThen, bandNow,
                                $"The source was {bandThen} in {tag} when the article cited it and is {bandNow} there now{policy}.", Region: tag));
                    }
                }
            }
        }

        // Whatever the record says: the desk should know its story leans on a source a list it trusts deems unreliable.
        foreach (var rating in profile.ExternalRatings.Where(r => r.ExpectedBand == "unreliable"))
        {
            alerts.Add(new ArticleAlert("source-rated-unreliable", cited.SourceId, null, null, null, rating.Rating,
                $"{rating.Rater} rates the source \u201c{rating.Rating}\u201d; the record's own band is {profile.Score.Band}."));
        }

        return alerts;
    }

    /// <summary>A judged band lower now than the judged band then.</summary>
    private static bool Dropped(string then, string now) => Rank(now) is > 0 and var rank && rank < Rank(then);

    /// <summary>Only the three judged bands are ordered; an insufficient record is no drop from anything.</summary>
    private static int Rank(string band) => band switch
    {
        "reliable" => 3,
        "mixed" => 2,
        "unreliable" => 1,
        _ => 0,
    };
}
