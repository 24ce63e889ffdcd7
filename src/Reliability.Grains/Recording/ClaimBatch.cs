using Marten;
using Reliability.Contracts.Ledger;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Records;
using Reliability.Infrastructure.Watching;
using Reliability.Infrastructure.Webhooks;

namespace Reliability.Grains.Recording;

/// <summary>Records a batch of claims in one transaction; every item gets its own verdict.</summary>
internal static class ClaimBatch
{
    public const string ReversalKeepsOption = "A reversal asserts another option than the claim it reverses.";

    public static async Task<(IReadOnlyList<SubmissionResult> Results, Touched Touched)> WriteAsync(
        IDocumentSession session, IReadOnlyList<ClaimSubmission> claims, DateTimeOffset now, WatchSchedule schedule, CancellationToken cancellationToken)
    {
        var transaction = new RecordTransaction(session, now, cancellationToken) { Schedule = schedule };
        await PreloadAsync(transaction, claims);

        var results = new List<SubmissionResult>(claims.Count);
        foreach (var submission in claims)
        {
            results.Add(await RecordAsync(transaction, submission, replaces: null));
        }

        await AnnounceChangesOfMindAsync(transaction);
        await ArticleLinks.LinkAsync(transaction);
        transaction.Flush();
        return (results, transaction.Touched);
    }

    /// <summary>
    /// Records one claim into the transaction. <paramref name="replaces"/> is the claim a reversal
    /// replaces: the replacement must come from the same source, on the same proposition.
    /// </summary>
    public static async Task<SubmissionResult> RecordAsync(RecordTransaction transaction, ClaimSubmission submission, ClaimDocument? replaces)
    {
        var errors = new Dictionary<string, string[]>();
        if (await transaction.ClaimAsync(submission.Id) is { } existing)
        {
            return new SubmissionResult(submission.Id, SubmissionStatus.Duplicate, existing.SourceId, existing.PropositionId);
        }

        if (!Vocabulary.TryHedge(submission.Hedge, out var hedge))
        {
            errors["hedge"] = ["The hedge must be one of: asserted, reported, speculative."];
        }

        ClaimDocument? relayed = null;
        if (submission.RelayOf is { } relayOf)
        {
            relayed = await transaction.ClaimAsync(relayOf);
            if (relayed is null)
            {
                errors["relayOf"] = [$"No claim has the id '{relayOf}'."];
            }
        }

        // Decide first, create after: a rejected claim must not leave a new source or proposition behind.
        var (proposition, newProposition) = await PropositionOfAsync(transaction, submission, replaces, errors);
        var options = proposition?.Proposition.Options ?? newProposition?.Options;
        if (options is not null && !options.Contains(submission.Option, StringComparer.Ordinal))
        {
            errors["option"] = [$"'{submission.Option}' is not an option of the proposition: {string.Join(", ", options)}."];
        }

        if (replaces is not null && submission.Option == replaces.Option)
        {
            errors["replacement.option"] = [ReversalKeepsOption];
        }

        var (source, sourceId) = await SourceOfAsync(transaction, submission, replaces, errors);
        if (errors.Count > 0 || (source is null && sourceId is null) || (proposition is null && newProposition is null))
        {
            return new SubmissionResult(submission.Id, SubmissionStatus.Rejected, source?.Id, proposition?.Id, errors);
        }

        proposition ??= PropositionWrite.Open(transaction, newProposition!.Id!, newProposition, Earliest(transaction.Now, submission.PublishedAt));
        source ??= RegisterFor(transaction, submission, sourceId!);

        var claim = new Claim(
            submission.Id, source.Id, proposition.Id, submission.Option, submission.PublishedAt, submission.Url?.Trim(),
            submission.Text, submission.Language, hedge, submission.RelayOf, [.. submission.Evidence ?? []]);
        var firstOnProposition = await transaction.AcquaintAsync(source, proposition);
        if (firstOnProposition is null)
        {
            transaction.RepeatedOnProposition.Add(claim);
        }

        transaction.RecordedClaims.Add(claim);

        // The claim's one event is in its source's stream; the proposition's view reads the claim's
        // document, written in the same transaction (copying the claim into the proposition's stream,
        // and the proposition into the source's as an event of its own, took about a fifth of the
        // claim write's time).
        transaction.AppendToSource(source, new ClaimRecorded(claim, firstOnProposition));
        var document = ClaimDocument.Of(claim);
        transaction.AddClaim(document);
        if (document.UrlKey is { } urlKey)
        {
            transaction.Touched.RecordedPosts.Add(new RecordedPost(claim, urlKey));
        }

        transaction.Archive(claim);
        // Stored (versioned) with the claim count: a concurrent writer on the proposition decides again.
        transaction.Changed(proposition);
        proposition.ClaimCount++;
        if (!proposition.ClaimedOptions.Contains(claim.Option))
        {
            proposition.ClaimedOptions.Add(claim.Option);
            proposition.Refresh();
        }

        return new SubmissionResult(submission.Id, SubmissionStatus.Accepted, source.Id, proposition.Id);
    }

    /// <summary>
    /// A claim by a source already on record on the proposition may contradict what it said there
    /// before, without a word about the earlier post. Each claim it supersedes that way (see
    /// <see cref="ChangesOfMind"/>) is announced as <c>claim.superseded</c> to the subscribers of its
    /// source and of the articles citing it, in this transaction, as a correction is. Only these
    /// claims need reads, one for the batch's stored claims and one for the articles citing those it
    /// supersedes: a source's first claim on a proposition contradicts nothing of its own.
    /// </summary>
    /// <param name="transaction">The transaction that records the later claims.</param>
    /// <param name="withdrawn">A claim this transaction withdraws (the one a reversal reverses): announced as reversed, not superseded.</param>
    public static async Task AnnounceChangesOfMindAsync(RecordTransaction transaction, string? withdrawn = null)
    {
        var repeated = transaction.RepeatedOnProposition;
        if (repeated.Count == 0)
        {
            return;
        }

        var (session, cancellationToken) = (transaction.Session, transaction.CancellationToken);
        var pairs = repeated.Select(c => (c.SourceId, c.PropositionId)).ToHashSet();
        var sourceIds = pairs.Select(p => p.SourceId).Distinct(StringComparer.Ordinal).ToArray();
        var propositionIds = pairs.Select(p => p.PropositionId).Distinct(StringComparer.Ordinal).ToArray();
        // The claims of this transaction on those pairs: a group commit holds many callers' batches,
        // and a source's first claim on a proposition may be in it beside the one that contradicts it.
        var here = transaction.RecordedClaims.Where(c => pairs.Contains((c.SourceId, c.PropositionId))).ToList();
        var recorded = here.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        // Every source named with every proposition named: a superset of the pairs, kept small by the
        // (source, proposition) index, and cut down to the pairs here.
        var stored = await session.Query<ClaimDocument>()
            .Where(d => sourceIds.Contains(d.SourceId) && propositionIds.Contains(d.PropositionId))
            .ToListAsync(cancellationToken);
        var before = stored
            .Where(d => pairs.Contains((d.SourceId, d.PropositionId)) && ClaimDocument.StillAsserts(d.CorrectionStatus) && !recorded.Contains(d.Id))
            .Select(d => d.ToClaim()).ToList();
        // What stood before this transaction, against what stands after it: the withdrawn claim no longer does.
        var supersededBefore = ChangesOfMind.Superseded(before);
        before.RemoveAll(c => c.Id == withdrawn);
        var supersededNow = ChangesOfMind.Superseded([.. before, .. here]);
        // A claim recorded here that a stored later one already contradicts was never news: only
        // what this transaction's claims contradict is announced.
        var newly = before.Where(c => supersededNow.ContainsKey(c.Id) && !supersededBefore.ContainsKey(c.Id))
            .Concat(here.Where(c => supersededNow.TryGetValue(c.Id, out var later) && recorded.Contains(later.Id)))
            .ToList();
        if (newly.Count == 0)
        {
            return;
        }

        var ids = newly.Select(c => c.Id).ToArray();
        var citing = await ArticleWrite.CitingAnyAsync(session, ids, cancellationToken);
        foreach (var claim in newly)
        {
            var later = supersededNow[claim.Id];
            var announced = new
            {
                claimId = claim.Id, sourceId = claim.SourceId, propositionId = claim.PropositionId, option = claim.Option,
                supersededBy = new { claimId = later.Id, option = later.Option, url = later.Url, publishedAt = later.PublishedAt },
            };
            WebhookOutbox.Add(session, new WebhookEvent("claim.superseded", announced)
            {
                SourceId = claim.SourceId,
                ArticleIds = [.. citing.Where(a => a.CitedClaimIds.Contains(claim.Id)).Select(a => a.Id).Order(StringComparer.Ordinal)],
                OccurredAt = later.PublishedAt,
            }, transaction.Now);
        }
    }

    /// <summary>One read per kind of document for the whole batch, not one per claim.</summary>
    private static async Task PreloadAsync(RecordTransaction transaction, IReadOnlyList<ClaimSubmission> claims)
    {
        await transaction.LoadClaimsAsync(claims.Select(c => c.Id).Concat(claims.Where(c => c.RelayOf is not null).Select(c => c.RelayOf!)));
        var handleKeys = claims.Where(c => c.Handle is not null).Select(c => StreamKeys.HandleKey(c.Handle!.Platform, c.Handle.Handle)).ToList();
        await transaction.LoadHandlesAsync(handleKeys);
        await transaction.LoadSourcesNamedAfterAsync(handleKeys);
        var sourceIds = new string?[claims.Count];
        for (var i = 0; i < claims.Count; i++)
        {
            sourceIds[i] = claims[i].SourceId ?? (claims[i].Handle is { } handle ? await transaction.SourceIdOfHandleAsync(handle) : null);
        }

        // An inline proposition's id is a hash of its question and options: worked out once per claim.
        var propositionIds = claims.Select(PropositionIdOf).ToArray();
        await transaction.LoadSourcesAsync(sourceIds.OfType<string>());
        await transaction.LoadPropositionsAsync(propositionIds.OfType<string>());
        await transaction.LoadAcquaintancesAsync([.. sourceIds
            .Zip(propositionIds, (source, proposition) => (Source: source, Proposition: proposition))
            .Where(p => p.Source is not null && p.Proposition is not null)
            .Select(p => (p.Source!, p.Proposition!))]);
    }

    private static string? PropositionIdOf(ClaimSubmission claim) =>
        claim.PropositionId ?? (claim.Proposition is { } p ? p.Id ?? StreamKeys.PropositionIdFor(p.Question, p.Options) : null);

    /// <returns>The source, or the id a new one will get when the claim is accepted.</returns>
    private static async Task<(SourceDocument? Source, string? NewId)> SourceOfAsync(
        RecordTransaction transaction, ClaimSubmission submission, ClaimDocument? replaces, Dictionary<string, string[]> errors)
    {
        if (replaces is not null)
        {
            return (await transaction.SourceAsync(replaces.SourceId), null);
        }

        if (submission.SourceId is { } sourceId)
        {
            return (await transaction.SourceAsync(sourceId), sourceId);
        }

        if (submission.Handle is not { } handle)
        {
            errors["sourceId"] = ["Name the source by sourceId or handle."];
            return (null, null);
        }

        var id = await transaction.SourceIdOfHandleAsync(handle);
        return (await transaction.SourceAsync(id), id);
    }

    private static SourceDocument RegisterFor(RecordTransaction transaction, ClaimSubmission submission, string id)
    {
        var registeredAt = Earliest(transaction.Now, submission.PublishedAt);
        return submission.Handle is { } handle
            ? SourceWrite.Register(transaction, id, submission.SourceName ?? "@" + handle.Handle.Trim().TrimStart('@'),
                SourceKind.SocialAccount, false, [handle], registeredAt)
            : SourceWrite.Register(transaction, id, submission.SourceName ?? id, SourceKind.Other, false, [], registeredAt);
    }

    /// <returns>The proposition, or the one a new claim opens inline (with its id) when accepted.</returns>
    private static async Task<(PropositionDocument? Existing, NewProposition? New)> PropositionOfAsync(
        RecordTransaction transaction, ClaimSubmission submission, ClaimDocument? replaces, Dictionary<string, string[]> errors)
    {
        if (replaces is not null)
        {
            return (await transaction.PropositionAsync(replaces.PropositionId), null);
        }

        if (submission.PropositionId is { } propositionId)
        {
            var known = await transaction.PropositionAsync(propositionId);
            if (known is null)
            {
                errors["propositionId"] = [$"No proposition has the id '{propositionId}'."];
            }

            return (known, null);
        }

        if (submission.Proposition is not { } inline)
        {
            errors["propositionId"] = ["Name the proposition by propositionId or give a new proposition."];
            return (null, null);
        }

        var problems = PropositionWrite.Problems(inline, "proposition.");
        foreach (var (field, messages) in problems)
        {
            errors[field] = messages;
        }

        if (problems.Count > 0)
        {
            return (null, null);
        }

        var id = inline.Id ?? StreamKeys.PropositionIdFor(inline.Question, inline.Options);
        return await transaction.PropositionAsync(id) is { } existing ? (existing, null) : (null, inline with { Id = id });
    }

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
