using Marten;
using Reliability.Contracts.Articles;
using Reliability.Domain.Disputes;
using Reliability.Grains.Recording;

namespace Reliability.Grains.Records;

/// <summary>Queries over the read models: what lists, searches and page lookups need.</summary>
public sealed class RecordQueries(IDocumentStore store)
{
    /// <summary>How many confirmed propositions <see cref="DisputesOfAsync"/> reads the claims of at a time.</summary>
    public const int DisputePropositionsPerRead = 500;

    public async Task<ClaimDocument?> FindClaimAsync(string claimId, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<ClaimDocument>(claimId, cancellationToken);
    }

    /// <summary>The claims with these ids that exist, by id: one read for them all.</summary>
    public async Task<IReadOnlyDictionary<string, ClaimDocument>> FindClaimsAsync(IReadOnlyCollection<string> claimIds, CancellationToken cancellationToken = default)
    {
        if (claimIds.Count == 0)
        {
            return new Dictionary<string, ClaimDocument>(StringComparer.Ordinal);
        }

        await using var session = store.QuerySession();
        return (await session.LoadManyAsync<ClaimDocument>(cancellationToken, [.. claimIds.Distinct(StringComparer.Ordinal)]))
            .ToDictionary(c => c.Id, StringComparer.Ordinal);
    }

    public async Task<ArticleDocument?> FindArticleAsync(string articleId, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<ArticleDocument>(articleId, cancellationToken);
    }

    /// <summary>An article as the API shows it: what it cites now, claims linked since it was registered included.</summary>
    public async Task<ArticleView?> FindArticleViewAsync(string articleId, CancellationToken cancellationToken = default) =>
        await FindArticleAsync(articleId, cancellationToken) is { } article ? ArticleWrite.ViewOf(article) : null;

    /// <summary>
    /// The articles citing any of a source's claims, each with those claims, in no particular order;
    /// null when no source has the id. Two indexed reads: the source's claims, then the articles
    /// citing any of them (<see cref="ArticleDocument.CitedClaimIds"/>'s column). A source merged
    /// into another has no claims of its own any more: the answer names the survivor instead.
    /// </summary>
    public async Task<CitingArticlesOfSource?> ArticlesCitingSourceAsync(string sourceId, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        if (await session.LoadAsync<SourceDocument>(sourceId, cancellationToken) is not { } source)
        {
            return null;
        }

        if (source.MergedInto is not null)
        {
            return new CitingArticlesOfSource(await HolderAsync(session, source, cancellationToken), []);
        }

        var claims = (await session.Query<ClaimDocument>().Where(c => c.SourceId == sourceId).Select(c => c.Id).ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);
        var articles = await ArticleWrite.CitingAnyAsync(session, claims, cancellationToken);
        return new CitingArticlesOfSource(null, [.. articles.Select(a => (a, (IReadOnlyList<string>)[.. a.CitedClaimIds.Where(claims.Contains)]))]);
    }

    /// <summary>
    /// The source that holds a merged source's record now. A merge repoints the listings of the
    /// sources its absorbed source had taken over, so one step is the rule; the rest of the chain is
    /// followed for listings merged before merges did that.
    /// </summary>
    internal static async Task<string> HolderAsync(IQuerySession session, SourceDocument merged, CancellationToken cancellationToken)
    {
        var holder = merged.MergedInto!;
        for (var hops = 0; hops < RecordTransaction.MaxMergeHops && await session.LoadAsync<SourceDocument>(holder, cancellationToken) is { MergedInto: { } next }; hops++)
        {
            holder = next;
        }

        return holder;
    }

    /// <summary>
    /// The sources merged into each of these, directly or through a source merged in turn, by the
    /// source whose record they are in now: before its merge an absorbed source's claims and handles
    /// were its own, so a question about that time asks it too. One of these may itself be merged
    /// into another of them (a lookup known at a moment asks the handle's holder then beside the
    /// survivor a claim's document names now): it is listed under that one too.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, List<string>>> AbsorbedIntoAsync(IReadOnlyCollection<string> holders, CancellationToken cancellationToken = default)
    {
        var absorbed = holders.Distinct(StringComparer.Ordinal).ToDictionary(id => id, _ => new List<string>(), StringComparer.Ordinal);
        // Each source reached, with those of the asked ones whose record it is in.
        var holdersOf = absorbed.Keys.ToDictionary(id => id, id => new List<string> { id }, StringComparer.Ordinal);
        await using var session = store.QuerySession();
        var reached = absorbed.Keys.ToArray();
        for (var hops = 0; reached.Length > 0 && hops < RecordTransaction.MaxMergeHops; hops++)
        {
            var merged = await session.Query<SourceDocument>().Where(s => reached.Contains(s.MergedInto!)).ToListAsync(cancellationToken);
            var next = new List<string>();
            // Asked ones first: what was merged into one of them is then counted under its survivor too.
            foreach (var source in merged.OrderBy(s => absorbed.ContainsKey(s.Id) ? 0 : 1))
            {
                if (!holdersOf.TryGetValue(source.Id, out var mine))
                {
                    holdersOf[source.Id] = mine = [];
                    next.Add(source.Id);
                }

                foreach (var holder in holdersOf[source.MergedInto!].Where(h => h != source.Id && !mine.Contains(h)).ToList())
                {
                    mine.Add(holder);
                    absorbed[holder].Add(source.Id);
                }
            }

            reached = [.. next];
        }

        return absorbed;
    }

    /// <summary>
    /// Every source that may have claimed on these propositions by some past moment, in id order: those
    /// whose claims they are now, and the sources merged into those since (a claim's document names the
    /// source that holds it now; before the merge it was the absorbed source's, in its own stream).
    /// </summary>
    public async Task<IReadOnlyList<string>> ClaimantsAsync(IReadOnlyCollection<string> propositionIds, CancellationToken cancellationToken = default)
    {
        var wanted = propositionIds.ToArray();
        List<string> holders;
        await using (var session = store.QuerySession())
        {
            holders = [.. await session.Query<ClaimDocument>().Where(c => wanted.Contains(c.PropositionId))
                .Select(c => c.SourceId).Distinct().ToListAsync(cancellationToken)];
        }

        var absorbed = await AbsorbedIntoAsync(holders, cancellationToken);
        return [.. absorbed.Keys.Concat(absorbed.Values.SelectMany(merged => merged)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>Claims whose URL has one of these keys (see <see cref="UrlKeys"/>).</summary>
    public async Task<IReadOnlyList<ClaimDocument>> FindClaimsByUrlKeysAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        await using var session = store.QuerySession();
        var wanted = keys.ToArray();
        return await session.Query<ClaimDocument>().Where(c => wanted.Contains(c.UrlKey)).ToListAsync(cancellationToken);
    }

    /// <summary>Every claim on a proposition (the documents' proposition index).</summary>
    public async Task<IReadOnlyList<ClaimDocument>> ClaimsOnPropositionAsync(string propositionId, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        return await session.Query<ClaimDocument>().Where(c => c.PropositionId == propositionId).ToListAsync(cancellationToken);
    }

    /// <summary>Sources by handle key (see <see cref="StreamKeys.HandleKey"/>), as handle key → source id.</summary>
    public async Task<IReadOnlyDictionary<string, string>> FindSourcesByHandleAsync(IReadOnlyCollection<string> handleKeys, CancellationToken cancellationToken = default)
    {
        if (handleKeys.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        await using var session = store.QuerySession();
        var handles = await session.LoadManyAsync<HandleDocument>(cancellationToken, [.. handleKeys]);
        return handles.ToDictionary(h => h.Id, h => h.SourceId, StringComparer.Ordinal);
    }

    /// <summary>
    /// Sources by handle key as the tracker knew them at <paramref name="knownAt"/>: the source that
    /// held each handle then (<see cref="HandleHolders"/>), though it has moved to another since. A
    /// handle with no holding then is given its present source, which the caller still checks had it
    /// by then: none, where the history is whole, and the answer every such lookup gave before it was
    /// kept, where a copy of the previous version changed the handle after the start-up pass.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> FindSourcesByHandleKnownAtAsync(
        IReadOnlyCollection<string> handleKeys, DateTimeOffset knownAt, CancellationToken cancellationToken = default)
    {
        var held = new Dictionary<string, string>(await HandleHolders.AtAsync(store, handleKeys, knownAt, cancellationToken), StringComparer.Ordinal);
        var unheld = handleKeys.Where(key => !held.ContainsKey(key)).ToList();
        foreach (var (key, sourceId) in await FindSourcesByHandleAsync(unheld, cancellationToken))
        {
            held[key] = sourceId;
        }

        return held;
    }

    public async Task<IReadOnlyList<SourceDocument>> AllSourcesAsync(CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        return await session.Query<SourceDocument>().OrderBy(s => s.Id).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<SourceDocument>> SearchSourcesAsync(
        string? query, string? band, string? topic, int limit, CancellationToken cancellationToken = default, bool ratedOtherwise = false,
        string? region = null)
    {
        await using var session = store.QuerySession();
        // A source merged into another is listed as that one.
        IQueryable<SourceDocument> sources = session.Query<SourceDocument>().Where(s => s.MergedInto == null);
        if (!string.IsNullOrWhiteSpace(query))
        {
            var needle = query.Trim().ToLowerInvariant();
            sources = sources.Where(s => s.SearchText.Contains(needle));
        }

        // A band asked for with a topic or region is the band on it: who is reliable on casualty figures,
        // who is unreliable in Kidal; with both, on each.
        var banded = !string.IsNullOrWhiteSpace(band);
        if (!string.IsNullOrWhiteSpace(topic))
        {
            var topicBand = banded ? SourceDocument.TagBand(topic, band!) : null;
            sources = banded ? sources.Where(s => s.TopicBands.Contains(topicBand!)) : sources.Where(s => s.Topics.Contains(topic));
        }

        if (!string.IsNullOrWhiteSpace(region))
        {
            var regionBand = banded ? SourceDocument.TagBand(region, band!) : null;
            sources = banded ? sources.Where(s => s.RegionBands.Contains(regionBand!)) : sources.Where(s => s.Regions.Contains(region));
        }

        if (banded && string.IsNullOrWhiteSpace(topic) && string.IsNullOrWhiteSpace(region))
        {
            sources = sources.Where(s => s.Band == band);
        }

        if (ratedOtherwise)
        {
            sources = sources.Where(s => s.RatedOtherwise);
        }

        return await sources.OrderBy(s => s.Name).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>How many claims each of these sources has recorded; a source with none is absent.</summary>
    public async Task<IReadOnlyDictionary<string, int>> ClaimCountsAsync(IReadOnlyCollection<string> sourceIds, CancellationToken cancellationToken = default)
    {
        if (sourceIds.Count == 0)
        {
            return new Dictionary<string, int>();
        }

        await using var session = store.QuerySession();
        var wanted = sourceIds.ToArray();
        var counts = await session.Query<ClaimDocument>()
            .Where(c => wanted.Contains(c.SourceId))
            .GroupBy(c => c.SourceId)
            .Select(g => new SourceClaimCount(g.Key, g.Count()))
            .ToListAsync(cancellationToken);
        return counts.ToDictionary(c => c.SourceId, c => c.Claims, StringComparer.Ordinal);
    }

    /// <summary>
    /// A source's disputes on confirmed propositions (<see cref="DisputeRecord"/>) and the
    /// documents of the sources it disputed with; null when no source has this id.
    /// </summary>
    /// <param name="sourceId">The source whose record this is.</param>
    /// <param name="cancellationToken">Stops the reads.</param>
    /// <param name="propositionsPerRead">
    /// Confirmed propositions whose claims are read and weighed at a time: a source that spoke to
    /// thousands of busy propositions would otherwise have every claim on all of them in memory at once.
    /// </param>
    /// <param name="asOf">
    /// The record as it stood then (<see cref="StandingAt"/>): the claims standing then, each
    /// proposition as the revision in force then decided it. Null: as it stands now.
    /// </param>
    public async Task<SourceDisputes?> DisputesOfAsync(
        string sourceId, CancellationToken cancellationToken = default, int propositionsPerRead = DisputePropositionsPerRead, DateTimeOffset? asOf = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(propositionsPerRead, 1);
        await using var session = store.QuerySession();
        if (await session.LoadAsync<SourceDocument>(sourceId, cancellationToken) is not { } source)
        {
            return null;
        }

        // Its claims are the survivor's now: it has no record of its own to weigh.
        if (source.MergedInto is not null)
        {
            return new SourceDisputes(0, [], new Dictionary<string, SourceDocument>(StringComparer.Ordinal))
            {
                MergedInto = await HolderAsync(session, source, cancellationToken),
            };
        }

        // Before its registration (its stream's first event) the source was not on record: its
        // profile as of then is not found, and neither is its record against others.
        if (asOf < source.RegisteredAt)
        {
            return new SourceDisputes(0, [], new Dictionary<string, SourceDocument>(StringComparer.Ordinal)) { NotYetOnRecord = true };
        }

        // Only the fields a dispute needs come back: a source's claims can number tens of thousands.
        var own = await ClaimForDispute.Select(session.Query<ClaimDocument>().Where(c => c.SourceId == sourceId)).ToListAsync(cancellationToken);
        var claimedOn = own.Where(c => StandingAt.Asserts(c.Times, asOf)).Select(c => c.PropositionId).Distinct().ToArray();
        var resolved = claimedOn.Length == 0
            ? []
            : await session.Query<PropositionDocument>().Where(p => p.State == "resolved" && claimedOn.Contains(p.Id)).ToListAsync(cancellationToken);
        var confirmed = new Dictionary<string, ConfirmedProposition>(StringComparer.Ordinal);
        foreach (var proposition in resolved)
        {
            if (StandingAt.Confirmed(proposition.Proposition.Question, proposition.Resolutions, asOf) is { } then)
            {
                confirmed[proposition.Id] = then;
            }
        }

        if (confirmed.Count == 0)
        {
            return new SourceDisputes(0, [], new Dictionary<string, SourceDocument>(StringComparer.Ordinal));
        }

        var parts = new List<IReadOnlyList<OpponentRecord>>();
        foreach (var part in confirmed.Keys.Order(StringComparer.Ordinal).Chunk(propositionsPerRead))
        {
            var claims = await ClaimForDispute.Select(session.Query<ClaimDocument>().Where(c => part.Contains(c.PropositionId)))
                .ToListAsync(cancellationToken);
            // A source is counted on what it said then (now, by default): a claim it had withdrawn or
            // since contradicted is left out, as the truth estimate leaves it out. The parts hold whole
            // propositions, so every claim that could supersede another is in the same part.
            parts.Add(DisputeRecord.Of(
                sourceId,
                StandingAt.Claims(claims, c => c.Times, asOf).Select(c => new StandingClaim(c.SourceId, c.PropositionId, c.Option)),
                confirmed));
        }

        var opponents = DisputeRecord.Merge(parts);
        var documents = opponents.Count == 0
            ? []
            : await session.LoadManyAsync<SourceDocument>(cancellationToken, [.. opponents.Select(o => o.OpponentId)]);
        return new SourceDisputes(confirmed.Count, opponents, documents.ToDictionary(d => d.Id, StringComparer.Ordinal));
    }

    public async Task<IReadOnlyList<PropositionDocument>> ListPropositionsAsync(string? state, int limit, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        IQueryable<PropositionDocument> propositions = session.Query<PropositionDocument>();
        if (!string.IsNullOrWhiteSpace(state))
        {
            propositions = propositions.Where(p => p.State == state);
        }

        return await propositions.OrderByDescending(p => p.OpenedAt).Take(limit).ToListAsync(cancellationToken);
    }
}

/// <summary>A row of <see cref="RecordQueries.ClaimCountsAsync"/>.</summary>
public sealed record SourceClaimCount(string SourceId, int Claims);

/// <summary>
/// What <see cref="RecordQueries.DisputesOfAsync"/> found: how many confirmed propositions the source
/// still stands on, its record against each source it disputed with, and those sources' documents.
/// </summary>
public sealed record SourceDisputes(
    int ConfirmedPropositions, IReadOnlyList<OpponentRecord> Opponents, IReadOnlyDictionary<string, SourceDocument> OpponentDocuments)
{
    /// <summary>The source it was merged into, when it was: then it has no disputes of its own.</summary>
    public string? MergedInto { get; init; }

    /// <summary>Asked as of a moment before the source was registered: it had no record then.</summary>
    public bool NotYetOnRecord { get; init; }

    /// <summary>Asked as known at a moment before anything of the source was recorded (<see cref="KnownDisputes"/>).</summary>
    public bool NothingRecorded { get; init; }
}

/// <summary>The articles citing a source's claims, with those claims; or the source it was merged into.</summary>
public sealed record CitingArticlesOfSource(string? MergedInto, IReadOnlyList<(ArticleDocument Article, IReadOnlyList<string> ClaimIds)> Articles);

/// <summary>
/// The fields of a claim document a dispute reads, selected by the query itself (a source's claims
/// can number tens of thousands; their text stays in the store).
/// </summary>
public sealed class ClaimForDispute
{
    public required string Id { get; init; }
    public required string SourceId { get; init; }
    public required string PropositionId { get; init; }
    public required string Option { get; init; }
    public string CorrectionStatus { get; init; } = "live";
    public DateTimeOffset PublishedAt { get; init; }
    public DateTimeOffset? WithdrawnAt { get; init; }

    /// <summary>What <see cref="StandingAt"/> decides on.</summary>
    public StandingAt.ClaimTimes Times =>
        new(Id, SourceId, PropositionId, Option, PublishedAt, !ClaimDocument.StillAsserts(CorrectionStatus), WithdrawnAt);

    /// <summary>The query's selection, run by the database.</summary>
    public static IQueryable<ClaimForDispute> Select(IQueryable<ClaimDocument> claims) => claims.Select(c => new ClaimForDispute
    {
        Id = c.Id, SourceId = c.SourceId, PropositionId = c.PropositionId, Option = c.Option,
        CorrectionStatus = c.CorrectionStatus, PublishedAt = c.PublishedAt, WithdrawnAt = c.WithdrawnAt,
    });
}
