using Marten;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Records;

namespace Reliability.Grains.Recording;

/// <summary>
/// A claim recorded at a URL a registered article cites is cited by that article, in the
/// transaction that records it, exactly as if the article had cited it when registered.
/// <para>
/// An article registered while such a claim is being recorded must link it once, by one path or
/// the other. Neither write touches a row the other writes (the claim is new, and so may be the
/// article), so versions alone would let both miss each other. One transaction-scoped advisory lock
/// orders them: a claim commit with a post URL holds it shared from before it looks for citing
/// articles until it commits (claim commits do not wait for each other), and an article's
/// registration holds it exclusively from before it looks for claims until it commits. Whichever
/// takes it second reads after the first committed and links the claim; the first read before the
/// second wrote anything. Two claim commits linking one article at once are caught by the article's
/// version and decided again. Both take the lock before their streams (<see cref="StreamLocks"/>),
/// so the waits cannot deadlock.
/// </para>
/// </summary>
internal static class ArticleLinks
{
    private const long LinkLock = 0x41525449434C45; // "ARTICLE"

    /// <summary>Taken by a claim commit before it looks for the articles citing its URLs.</summary>
    public static Task LockForClaimsAsync(IDocumentSession session, CancellationToken cancellationToken) =>
        LockAsync(session, "pg_advisory_xact_lock_shared", cancellationToken);

    /// <summary>Taken by an article's registration before it looks for the claims behind its URLs.</summary>
    public static Task LockForArticleAsync(IDocumentSession session, CancellationToken cancellationToken) =>
        LockAsync(session, "pg_advisory_xact_lock", cancellationToken);

    private static async Task LockAsync(IDocumentSession session, string function, CancellationToken cancellationToken)
    {
        // Everything after this, the commit included, runs in the transaction that holds the lock;
        // the reads that follow are statements of their own, so they see what committed before it.
        await session.BeginTransactionAsync(cancellationToken);
        await session.AdvancedSql.QueryAsync<int>($"select 1 from (select {function}(?)) taken", cancellationToken, LinkLock);
    }

    /// <summary>
    /// Links the claims this transaction records to the articles citing their URLs: one lock and one
    /// indexed query for the whole commit, none when no claim here has a post URL.
    /// </summary>
    public static async Task LinkAsync(RecordTransaction transaction)
    {
        var byKey = transaction.Touched.RecordedPosts
            .GroupBy(p => p.UrlKey, p => p.Claim, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        if (byKey.Count == 0)
        {
            return;
        }

        var (session, cancellationToken) = (transaction.Session, transaction.CancellationToken);
        await LockForClaimsAsync(session, cancellationToken);
        var keys = byKey.Keys.Order(StringComparer.Ordinal).ToArray();
        var citing = await session.QueryAsync<ArticleDocument>("where cited_url_keys && ?", cancellationToken, [keys]);
        foreach (var article in citing.OrderBy(a => a.Id, StringComparer.Ordinal))
        {
            var cited = article.CitedClaimIds.ToHashSet(StringComparer.Ordinal);
            var linked = (article.CitedUrlKeys ?? []).Where(byKey.ContainsKey).SelectMany(k => byKey[k])
                .Where(c => cited.Add(c.Id))
                .ToList();
            if (linked.Count > 0)
            {
                await CiteAsync(transaction, article, linked);
            }
        }
    }

    private static async Task CiteAsync(RecordTransaction transaction, ArticleDocument article, List<Claim> linked)
    {
        article.CitedClaimIds.AddRange(linked.Select(c => c.Id));
        foreach (var group in linked.GroupBy(c => c.SourceId, StringComparer.Ordinal))
        {
            var source = (await transaction.SourceAsync(group.Key))!;
            // The baseline is the source's band when the article came to cite it, as at registration;
            // here the listing's (the grains' live score is not read inside a commit), topics and regions included.
            if (article.Sources.Find(s => s.SourceId == source.Id) is not { } cited)
            {
                cited = new CitedSource { SourceId = source.Id, Band = source.Band, PolicyVersion = source.PolicyVersion, CitedAt = transaction.Now };
                article.Sources.Add(cited);
            }

            await ArticleWrite.CiteOnTagsAsync(transaction, cited, group.Select(c => c.PropositionId), ScoredBand.Listed(source));

            transaction.AppendToSource(source, new CitationRecorded(
                new Citation(article.Url, article.PublishedAt, [.. group.Select(c => c.Id)], article.CitedUrls)));
        }

        // A cited claim stays on the frequent deletion-check schedule; its watch is written here too.
        foreach (var claim in linked)
        {
            if (transaction.NewWatch(claim.Id) is { } watch)
            {
                watch.CitedAt = transaction.Now;
            }
        }

        transaction.Changed(article);
    }
}
