using Marten;
using Reliability.Contracts.Ledger;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Records;

namespace Reliability.Grains.Recording;

/// <summary>Records a batch of claims in one transaction; every item gets its own verdict.</summary>
internal static class ClaimBatch
{
    public static async Task<(IReadOnlyList<SubmissionResult> Results, Touched Touched)> WriteAsync(
        IDocumentSession session, IReadOnlyList<ClaimSubmission> claims, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var transaction = new RecordTransaction(session, now, cancellationToken);
        await PreloadAsync(transaction, claims);

        var results = new List<SubmissionResult>(claims.Count);
        foreach (var submission in claims)
        {
            results.Add(await RecordAsync(transaction, submission, replaces: null));
        }

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

        var proposition = await PropositionOfAsync(transaction, submission, replaces, errors);
        if (proposition is not null && !proposition.Proposition.Options.Contains(submission.Option, StringComparer.Ordinal))
        {
            errors["option"] = [$"'{submission.Option}' is not an option of proposition '{proposition.Id}': {string.Join(", ", proposition.Proposition.Options)}."];
        }

        if (replaces is not null && submission.Option == replaces.Option)
        {
            errors["replacement.option"] = ["A reversal asserts another option than the claim it reverses."];
        }

        var source = await SourceOfAsync(transaction, submission, replaces, errors);
        if (errors.Count > 0 || source is null || proposition is null)
        {
            return new SubmissionResult(submission.Id, SubmissionStatus.Rejected, source?.Id, proposition?.Id, errors);
        }

        var claim = new Claim(
            submission.Id, source.Id, proposition.Id, submission.Option, submission.PublishedAt, submission.Url?.Trim(),
            submission.Text, submission.Language, hedge, submission.RelayOf, [.. submission.Evidence ?? []]);
        transaction.Acquaint(source, proposition);
        var recorded = new ClaimRecorded(claim);
        transaction.AppendToSource(source, recorded);
        transaction.AppendToProposition(proposition, recorded);
        transaction.AddClaim(new ClaimDocument
        {
            Id = claim.Id,
            SourceId = source.Id,
            PropositionId = proposition.Id,
            Option = claim.Option,
            PublishedAt = claim.PublishedAt,
            Url = claim.Url,
            UrlKey = UrlKeys.Of(claim.Url),
            Hedge = hedge,
            RelayOf = claim.RelayOfClaimId,
        });
        source.ClaimCount++;
        proposition.ClaimCount++;
        if (!proposition.ClaimedOptions.Contains(claim.Option))
        {
            proposition.ClaimedOptions.Add(claim.Option);
            proposition.Refresh();
        }

        return new SubmissionResult(submission.Id, SubmissionStatus.Accepted, source.Id, proposition.Id);
    }

    /// <summary>One read per kind of document for the whole batch, not one per claim.</summary>
    private static async Task PreloadAsync(RecordTransaction transaction, IReadOnlyList<ClaimSubmission> claims)
    {
        await transaction.LoadClaimsAsync(claims.Select(c => c.Id).Concat(claims.Where(c => c.RelayOf is not null).Select(c => c.RelayOf!)));
        var handleKeys = claims.Where(c => c.Handle is not null).Select(c => StreamKeys.HandleKey(c.Handle!.Platform, c.Handle.Handle)).Distinct().ToArray();
        var handles = handleKeys.Length == 0 ? [] : await transaction.Session.LoadManyAsync<HandleDocument>(transaction.CancellationToken, handleKeys);
        await transaction.LoadSourcesAsync(claims.Where(c => c.SourceId is not null).Select(c => c.SourceId!)
            .Concat(handles.Select(h => h.SourceId))
            .Concat(handleKeys.Select(StreamKeys.SourceIdFor)));
        await transaction.LoadPropositionsAsync(claims.Select(c =>
            c.PropositionId ?? (c.Proposition is { } p ? p.Id ?? StreamKeys.PropositionIdFor(p.Question, p.Options) : null))
            .OfType<string>());
    }

    private static async Task<SourceDocument?> SourceOfAsync(
        RecordTransaction transaction, ClaimSubmission submission, ClaimDocument? replaces, Dictionary<string, string[]> errors)
    {
        if (replaces is not null)
        {
            return await transaction.SourceAsync(replaces.SourceId);
        }

        if (submission.SourceId is { } sourceId)
        {
            return await transaction.SourceAsync(sourceId)
                ?? SourceWrite.Register(transaction, sourceId, submission.SourceName ?? sourceId, SourceKind.Other, false, [],
                    Earliest(transaction.Now, submission.PublishedAt));
        }

        if (submission.Handle is not { } handle)
        {
            errors["sourceId"] = ["Name the source by sourceId or handle."];
            return null;
        }

        var key = StreamKeys.HandleKey(handle.Platform, handle.Handle);
        var known = await transaction.Session.LoadAsync<HandleDocument>(key, transaction.CancellationToken);
        var id = known?.SourceId ?? StreamKeys.SourceIdFor(key);
        return await transaction.SourceAsync(id)
            ?? SourceWrite.Register(transaction, id, submission.SourceName ?? "@" + handle.Handle.Trim().TrimStart('@'),
                SourceKind.SocialAccount, false, [handle], Earliest(transaction.Now, submission.PublishedAt));
    }

    private static async Task<PropositionDocument?> PropositionOfAsync(
        RecordTransaction transaction, ClaimSubmission submission, ClaimDocument? replaces, Dictionary<string, string[]> errors)
    {
        if (replaces is not null)
        {
            return await transaction.PropositionAsync(replaces.PropositionId);
        }

        if (submission.PropositionId is { } propositionId)
        {
            var known = await transaction.PropositionAsync(propositionId);
            if (known is null)
            {
                errors["propositionId"] = [$"No proposition has the id '{propositionId}'."];
            }

            return known;
        }

        if (submission.Proposition is not { } inline)
        {
            errors["propositionId"] = ["Name the proposition by propositionId or give a new proposition."];
            return null;
        }

        var problems = PropositionWrite.Problems(inline, "proposition.");
        if (problems.Count > 0)
        {
            foreach (var (field, messages) in problems)
            {
                errors[field] = messages;
            }

            return null;
        }

        var id = inline.Id ?? StreamKeys.PropositionIdFor(inline.Question, inline.Options);
        return await transaction.PropositionAsync(id)
            ?? PropositionWrite.Open(transaction, id, inline, Earliest(transaction.Now, submission.PublishedAt));
    }

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
