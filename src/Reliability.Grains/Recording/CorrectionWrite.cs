using Marten;
using Reliability.Contracts.Ledger;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Records;
using Reliability.Grains.Watching;
using Reliability.Infrastructure.Watching;
using Reliability.Infrastructure.Webhooks;

namespace Reliability.Grains.Recording;

/// <summary>Recording what happened to a claim after it was made.</summary>
internal static class CorrectionWrite
{
    /// <returns>The claim's source id on success.</returns>
    public static async Task<(LedgerOutcome<string> Outcome, Touched Touched)> WriteAsync(
        IDocumentSession session, string claimId, CorrectionSubmission submission, DateTimeOffset now, WatchSchedule schedule,
        CancellationToken cancellationToken)
    {
        var transaction = new RecordTransaction(session, now, cancellationToken) { Schedule = schedule };
        var claim = await transaction.ClaimAsync(claimId);
        if (claim is null)
        {
            return (LedgerOutcome<string>.NotFound($"No claim has the id '{claimId}'."), Touched.None);
        }

        var errors = new Dictionary<string, string[]>();
        if (!Vocabulary.TryCorrectionKind(submission.Kind, out var kind))
        {
            errors["kind"] = ["The kind must be one of: deleted, retracted, reversed, amended."];
        }

        DeletionNotice? notice = null;
        if (kind == CorrectionKind.Deleted)
        {
            if (Vocabulary.TryDeletionNotice(submission.Deletion, out var parsed))
            {
                notice = parsed;
            }
            else
            {
                errors["deletion"] = ["The deletion must be 'observed' or 'announced'."];
            }
        }

        if (submission.At < claim.PublishedAt)
        {
            errors["at"] = ["A correction cannot come before the claim it corrects."];
        }

        if (kind == CorrectionKind.Reversed && submission.Replacement is null)
        {
            errors["replacement"] = ["A reversal names the claim that replaces this one."];
        }
        else if (kind != CorrectionKind.Reversed && submission.Replacement is not null)
        {
            errors["replacement"] = ["Only a reversal has a replacement claim."];
        }

        if (errors.Count > 0)
        {
            return (LedgerOutcome<string>.Invalid(errors), Touched.None);
        }

        // The same correction sent again (a client retry) gets the same id, which the record ignores.
        var id = submission.Id ?? "c-" + StreamKeys.Digest($"{claimId}\n{kind}\n{submission.At.UtcTicks}\n{submission.Replacement?.Id}")[..16];
        if (claim.CorrectionIds.Contains(id))
        {
            return (LedgerOutcome<string>.Ok(claim.SourceId), Touched.None);
        }

        if (submission.Replacement is { } replacement)
        {
            var result = await ClaimBatch.RecordAsync(transaction, replacement with { SourceId = null, Handle = null, PropositionId = null, Proposition = null }, claim);
            if (result.Status == SubmissionStatus.Rejected)
            {
                return (LedgerOutcome<string>.Invalid(result.Errors!.ToDictionary(e => "replacement." + e.Key, e => e.Value)), Touched.None);
            }

            // A new replacement can contradict another claim the source left standing on the question.
            if (result.Status == SubmissionStatus.Accepted)
            {
                await ClaimBatch.AnnounceChangesOfMindAsync(transaction, withdrawn: claimId);
                // An article citing the replacement's URL cites the replacement, as any claim recorded there.
                await ArticleLinks.LinkAsync(transaction);
            }

            // A replacement already on record (the source's new post, ingested first) is held to
            // what a new one would be: else a claim on another question could earn the reversal credit.
            if (result.Status == SubmissionStatus.Duplicate
                && ReplacementProblem((await transaction.ClaimAsync(replacement.Id))!, claim) is { } problem)
            {
                return (LedgerOutcome<string>.Invalid(new Dictionary<string, string[]> { ["replacement.id"] = [problem] }), Touched.None);
            }
        }

        var source = (await transaction.SourceAsync(claim.SourceId))!;
        var proposition = (await transaction.PropositionAsync(claim.PropositionId))!;
        var correction = new Correction(id, claimId, kind, submission.At, submission.Url, submission.Note, notice, submission.Replacement?.Id);
        var recorded = new CorrectionRecorded(correction);
        transaction.AppendToSource(source, recorded);
        transaction.AppendToProposition(proposition, recorded);
        // The source's versioned document makes a second correction of its claims, committed
        // meanwhile, a conflict: the claim's list of correction ids must not lose either.
        transaction.Changed(source);

        claim.CorrectionIds.Add(id);
        if (correction.EndsAssertion)
        {
            claim.WithdrawnAt = await WithdrawnAtAsync(session, claim, correction, cancellationToken);
        }

        claim.CorrectionStatus = StatusAfter(claim.CorrectionStatus, kind);
        claim.ReplacementClaimId ??= correction.ReplacementClaimId;
        transaction.Changed(claim);

        // A withdrawn claim's post needs no more checks: the watch ends in this commit. The watch is
        // versioned, so a check that loaded it before this commit cannot store it back as watched
        // (its save is a conflict and the check counts for nothing), and a check saved first makes
        // this commit the conflict, decided again on a fresh read. An amendment leaves the claim
        // standing, and its post watched.
        if (ClaimWatch.EndsWatch(kind) && await session.LoadAsync<ClaimWatch>(claimId, cancellationToken) is { Finished: false } watch)
        {
            watch.End(new WatchEnding(Vocabulary.Word(kind), notice is { } n ? Vocabulary.Word(n) : null, id, correction.At, now));
            transaction.Changed(watch);
        }

        var citing = await ArticleWrite.ArticlesCitingAsync(session, claimId, cancellationToken);
        var announced = new { claimId, sourceId = claim.SourceId, propositionId = claim.PropositionId, status = claim.CorrectionStatus, correction = Views.Of(correction) };
        WebhookOutbox.Add(session, new WebhookEvent("claim." + Vocabulary.Word(kind), announced)
        {
            SourceId = claim.SourceId,
            ArticleIds = [.. citing],
            OccurredAt = correction.At,
        }, now);
        transaction.Flush();
        return (LedgerOutcome<string>.Ok(claim.SourceId), transaction.Touched);
    }

    /// <summary>
    /// When the claim stopped asserting its option: this correction's time, or an earlier withdrawal's
    /// (a correction may be dated before one recorded earlier). A claim withdrawn before its document
    /// kept the time has it read from its proposition's stream here, as the start-up pass would
    /// (<see cref="ClaimWithdrawalTimes"/>): this document, stored whole, replaces whatever that pass wrote.
    /// </summary>
    private static async Task<DateTimeOffset> WithdrawnAtAsync(
        IDocumentSession session, ClaimDocument claim, Correction correction, CancellationToken cancellationToken)
    {
        var earlier = claim.WithdrawnAt;
        if (earlier is null && !ClaimDocument.StillAsserts(claim.CorrectionStatus))
        {
            earlier = (await ClaimWithdrawalTimes.FromStreamAsync(session, claim.PropositionId, cancellationToken))
                .TryGetValue(claim.Id, out var read) ? read : null;
        }

        return earlier is { } before && before < correction.At ? before : correction.At;
    }

    private static string? ReplacementProblem(ClaimDocument existing, ClaimDocument reversed) =>
        existing.Id == reversed.Id ? "A claim cannot replace itself."
        : existing.SourceId != reversed.SourceId ? $"The claim '{existing.Id}' is another source's; a reversal's replacement is the same source's."
        : existing.PropositionId != reversed.PropositionId ? $"The claim '{existing.Id}' answers another proposition; a reversal's replacement answers the same one."
        : existing.Option == reversed.Option ? ClaimBatch.ReversalKeepsOption
        : null;

    /// <summary>The strongest thing the source did to the claim wins: reversed over retracted over deleted.</summary>
    private static string StatusAfter(string current, CorrectionKind kind)
    {
        string[] strength = ["live", "deleted", "retracted", "reversed"];
        var next = kind switch
        {
            CorrectionKind.Deleted => "deleted",
            CorrectionKind.Retracted => "retracted",
            CorrectionKind.Reversed => "reversed",
            _ => "live",
        };
        return Array.IndexOf(strength, next) > Array.IndexOf(strength, current) ? next : current;
    }
}
