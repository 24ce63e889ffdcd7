using Marten;
using Reliability.Contracts.Articles;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Sources;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Domain.Scoring;
using Reliability.Grains.Records;
using Reliability.Grains.Watching;

namespace Reliability.Grains.Recording;

/// <summary>Registering an article: the article document and a citation in each newly cited source's stream.</summary>
internal static class ArticleWrite
{
    /// <summary>The claims an article cites: by id, and behind any cited URL the record knows.</summary>
    public static async Task<(List<ClaimDocument> Claims, Dictionary<string, string[]> Errors)> CitedClaimsAsync(
        IQuerySession session, ArticleSubmission article, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var byId = (await session.LoadManyAsync<ClaimDocument>(cancellationToken, [.. article.ClaimIds.Distinct(StringComparer.Ordinal)]))
            .ToDictionary(c => c.Id, StringComparer.Ordinal);
        for (var i = 0; i < article.ClaimIds.Count; i++)
        {
            if (!byId.ContainsKey(article.ClaimIds[i]))
            {
                errors[$"claimIds[{i}]"] = [$"No claim has the id '{article.ClaimIds[i]}'."];
            }
        }

        var keys = ArticleDocument.KeysOf(article.Urls).ToArray();
        var byUrl = keys.Length == 0 ? [] : await session.Query<ClaimDocument>().Where(c => keys.Contains(c.UrlKey)).ToListAsync(cancellationToken);
        var claims = byId.Values.Concat(byUrl).DistinctBy(c => c.Id).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        return (claims, errors);
    }

    /// <summary>Ids of the articles citing a claim: whom a change to it concerns.</summary>
    public static Task<IReadOnlyList<string>> ArticlesCitingAsync(IQuerySession session, string claimId, CancellationToken cancellationToken) =>
        ArticlesCitingAnyAsync(session, [claimId], cancellationToken);

    /// <summary>The articles that cite any of these claims, in id order.</summary>
    public static async Task<IReadOnlyList<string>> ArticlesCitingAnyAsync(IQuerySession session, IReadOnlyList<string> claimIds, CancellationToken cancellationToken) =>
        [.. (await CitingAnyAsync(session, claimIds, cancellationToken)).Select(a => a.Id).Order(StringComparer.Ordinal)];

    /// <summary>The articles citing any of these claims, read through the cited claims' GIN-indexed column.</summary>
    public static async Task<IReadOnlyList<ArticleDocument>> CitingAnyAsync(IQuerySession session, IReadOnlyCollection<string> claimIds, CancellationToken cancellationToken) =>
        claimIds.Count == 0 ? [] : await session.QueryAsync<ArticleDocument>("where cited_claim_ids && ?", cancellationToken, [claimIds.ToArray()]);

    public static async Task<(LedgerOutcome<ArticleView> Outcome, Touched Touched)> WriteAsync(
        IDocumentSession session, ArticleSubmission submission, IReadOnlyDictionary<string, ScoredBand> bands, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        // Before reading the claims: a claim at a cited URL committed meanwhile is either read here
        // or links this article itself (see ArticleLinks).
        await ArticleLinks.LockForArticleAsync(session, cancellationToken);
        var (claims, errors) = await CitedClaimsAsync(session, submission, cancellationToken);
        if (errors.Count > 0)
        {
            return (LedgerOutcome<ArticleView>.Invalid(errors), Touched.None);
        }

        var transaction = new RecordTransaction(session, now, cancellationToken);
        var urlKey = UrlKeys.Of(submission.Url);
        var article = await ArticleAtAsync(session, submission.Url, urlKey, cancellationToken);
        var previouslyCited = article.CitedClaimIds.ToHashSet(StringComparer.Ordinal);
        article.Url = submission.Url;
        article.UrlKey = urlKey;
        if (article.RegisteredAt == default)
        {
            article.RegisteredAt = now;
        }

        article.Title = submission.Title;
        article.PublishedAt = submission.PublishedAt;
        article.CitedClaimIds = [.. claims.Select(c => c.Id)];
        article.CitedUrls = [.. submission.Urls.Distinct(StringComparer.Ordinal)];
        article.CitedUrlKeys = ArticleDocument.KeysOf(article.CitedUrls);

        // A source keeps the band it had when the article first cited it, and on each topic and region the
        // band it had when the article first cited it there; re-posting does not move a baseline, and drops
        // those of the topics and regions the article no longer cites it on.
        var baselines = article.Sources.ToDictionary(s => s.SourceId, StringComparer.Ordinal);
        await transaction.LoadPropositionsAsync(claims.Select(c => c.PropositionId).Distinct(StringComparer.Ordinal));
        article.Sources = [];
        foreach (var cites in claims.GroupBy(c => c.SourceId, StringComparer.Ordinal))
        {
            var band = bands.GetValueOrDefault(cites.Key)
                ?? ((await transaction.SourceAsync(cites.Key)) is { } listed ? ScoredBand.Listed(listed) : ScoredBand.Unknown);
            if (!baselines.TryGetValue(cites.Key, out var cited))
            {
                cited = new CitedSource { SourceId = cites.Key, Band = band.Band, PolicyVersion = band.PolicyVersion, CitedAt = now };
            }

            await CiteOnTagsAsync(transaction, cited, cites.Select(c => c.PropositionId), band, onlyThese: true);
            article.Sources.Add(cited);
        }

        // Only what is newly cited goes into the sources' streams, so a re-posted article adds nothing twice.
        foreach (var group in claims.Where(c => !previouslyCited.Contains(c.Id)).GroupBy(c => c.SourceId, StringComparer.Ordinal))
        {
            if (await transaction.SourceAsync(group.Key) is { } source)
            {
                transaction.AppendToSource(source, new CitationRecorded(
                    new Citation(submission.Url, submission.PublishedAt, [.. group.Select(c => c.Id)], article.CitedUrls)));
                // Versioned: the same article registered twice at once conflicts instead of citing twice.
                transaction.Changed(source);
            }
        }

        // Newly cited claims stay on the frequent deletion-check schedule.
        var newlyCited = claims.Where(c => !previouslyCited.Contains(c.Id)).Select(c => c.Id).ToArray();
        foreach (var watch in newlyCited.Length == 0 ? [] : await session.LoadManyAsync<ClaimWatch>(cancellationToken, newlyCited))
        {
            watch.CitedAt = now;
            session.Store(watch);
        }

        transaction.Flush();
        session.Store(article);
        return (LedgerOutcome<ArticleView>.Ok(ViewOf(article)), transaction.Touched);
    }

    /// <summary>
    /// The article registered at this URL, or a new one. Ids are never derived again from the URL:
    /// clients keep them, and one derived from an earlier key function (<see cref="UrlKeys.Version"/>)
    /// would name another article. So an article is found by its stored key; one stored by a node
    /// that did not store keys yet is found under the id either function gives, if its URL has this
    /// key. A new article takes the id of its key, or, should that id be an older article's of
    /// another key (the first function keyed some URLs alike that are apart now), one of its own.
    /// </summary>
    private static async Task<ArticleDocument> ArticleAtAsync(IQuerySession session, string url, string? urlKey, CancellationToken cancellationToken)
    {
        if (urlKey is not null && await session.Query<ArticleDocument>().Where(a => a.UrlKey == urlKey)
                .OrderBy(a => a.RegisteredAt).ThenBy(a => a.Id).FirstOrDefaultAsync(cancellationToken) is { } keyed)
        {
            return keyed;
        }

        var id = StreamKeys.ArticleIdFor(url);
        string[] ids = [id, StreamKeys.ArticleIdForVersion1(url)];
        var found = await session.LoadManyAsync<ArticleDocument>(cancellationToken, [.. ids.Distinct(StringComparer.Ordinal)]);
        if (found.FirstOrDefault(a => a.UrlKey is null && UrlKeys.Of(a.Url) == urlKey) is { } unkeyed)
        {
            return unkeyed;
        }

        if (found.Any(a => a.Id == id))
        {
            id = "a-" + StreamKeys.Digest($"{UrlKeys.Version}\n{urlKey ?? url.Trim()}")[..16];
        }

        return new ArticleDocument { Id = id, Url = url };
    }

    /// <summary>
    /// Keeps the source's band on each topic and region of these questions, where the article did not
    /// cite it on that topic or region before, as <paramref name="band"/> gives it; with
    /// <paramref name="onlyThese"/>, these are every question the article cites the source on, and the
    /// bands of other topics and regions are dropped.
    /// </summary>
    public static async Task CiteOnTagsAsync(
        RecordTransaction transaction, CitedSource cited, IEnumerable<string> propositionIds, ScoredBand band, bool onlyThese = false)
    {
        var topics = new SortedSet<string>(StringComparer.Ordinal);
        var regions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var propositionId in propositionIds.Distinct(StringComparer.Ordinal))
        {
            if (await transaction.PropositionAsync(propositionId) is { } proposition)
            {
                topics.UnionWith(proposition.Proposition.Topics);
                if (proposition.Proposition.Region is { } region)
                {
                    regions.Add(region);
                }
            }
        }

        if (onlyThese)
        {
            cited.CitedOnlyOn(TagKind.Topic, topics);
            cited.CitedOnlyOn(TagKind.Region, regions);
        }

        cited.CiteOn(TagKind.Topic, topics, topic => band.On(TagKind.Topic, topic));
        cited.CiteOn(TagKind.Region, regions, region => band.On(TagKind.Region, region));
    }

    public static ArticleView ViewOf(ArticleDocument article) =>
        new(article.Id, article.Url, article.Title, article.PublishedAt, article.RegisteredAt, article.CitedClaimIds, article.CitedUrls,
            [.. article.Sources.Select(s => new CitedSourceView(s.SourceId, s.Band, s.CitedAt, s.PolicyVersion, s.TopicBands, s.RegionBands))]);
}

/// <summary>
/// A cited source's band, the scoring policy it was worked out under (null: not known), and its band on
/// each topic and region it has a record on, kept with the article.
/// </summary>
internal sealed record ScoredBand(string Band, string? PolicyVersion, IReadOnlyDictionary<string, string> Topics, IReadOnlyDictionary<string, string> Regions)
{
    /// <summary>As the source's live score shows it.</summary>
    public static ScoredBand Live(ScoreView score) =>
        new(score.Summary.Band, score.PolicyVersion, ByTag(score.Topics), ByTag(score.Regions));

    /// <summary>As the source's listing shows it, for a source no live score was read of.</summary>
    public static ScoredBand Listed(SourceDocument listed) => new(listed.Band, listed.PolicyVersion, listed.BandsByTopic(), listed.BandsByRegion());

    /// <summary>A source neither scored nor listed: too little record, under no known policy.</summary>
    public static ScoredBand Unknown { get; } = new(
        Vocabulary.Band(ReliabilityBand.InsufficientRecord), null, new Dictionary<string, string>(), new Dictionary<string, string>());

    private static Dictionary<string, string> ByTag(IReadOnlyList<TagScoreView> tags) =>
        tags.ToDictionary(t => t.Tag, t => t.Band, StringComparer.Ordinal);

    /// <summary>A topic or region the source has no record on yet reads as too little record, as any new tag's score does.</summary>
    public string On(TagKind kind, string tag) =>
        (kind == TagKind.Topic ? Topics : Regions).GetValueOrDefault(tag) ?? Vocabulary.Band(ReliabilityBand.InsufficientRecord);
}
