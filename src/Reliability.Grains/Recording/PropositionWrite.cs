using Marten;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Propositions;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Records;
using Reliability.Infrastructure.Webhooks;

namespace Reliability.Grains.Recording;

/// <summary>Opening propositions and recording resolution revisions.</summary>
internal static class PropositionWrite
{
    public static Dictionary<string, string[]> Problems(NewProposition proposition, string prefix = "")
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(proposition.Question))
        {
            errors[prefix + "question"] = ["A question is required."];
        }

        var options = proposition.Options ?? [];
        if (options.Count < 2 || options.Any(string.IsNullOrWhiteSpace) || options.Distinct(StringComparer.Ordinal).Count() != options.Count)
        {
            errors[prefix + "options"] = ["At least two distinct, non-blank options are required."];
        }

        return errors;
    }

    public static async Task<(LedgerOutcome<string> Outcome, Touched Touched)> OpenAsync(
        IDocumentSession session, NewProposition proposition, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var problems = Problems(proposition);
        if (problems.Count > 0)
        {
            return (LedgerOutcome<string>.Invalid(problems), Touched.None);
        }

        var transaction = new RecordTransaction(session, now, cancellationToken);
        var id = proposition.Id ?? StreamKeys.PropositionIdFor(proposition.Question, proposition.Options);
        if (await transaction.PropositionAsync(id) is not null)
        {
            return (LedgerOutcome<string>.Ok(id), Touched.None);
        }

        Open(transaction, id, proposition, now);
        transaction.Flush();
        return (LedgerOutcome<string>.Ok(id), transaction.Touched);
    }

    public static PropositionDocument Open(RecordTransaction transaction, string id, NewProposition proposition, DateTimeOffset openedAt)
    {
        var model = new Proposition(
            id, proposition.Question.Trim(), [.. proposition.Options],
            [.. (proposition.Topics ?? []).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal)],
            string.IsNullOrWhiteSpace(proposition.Region) ? null : proposition.Region.Trim());
        var document = new PropositionDocument { Id = id, Proposition = model, OpenedAt = openedAt };
        transaction.StartProposition(document, new PropositionOpened(model, openedAt));
        return document;
    }

    /// <summary>
    /// A new revision goes to the proposition's stream and to the stream of every source with a
    /// claim on it, in one transaction, so every affected score moves together.
    /// </summary>
    public static async Task<(LedgerOutcome<ResolutionView> Outcome, Touched Touched)> ResolveAsync(
        IDocumentSession session, string propositionId, ResolutionSubmission submission, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The stream's version is read before the proposition the revision number is decided from: a
        // revision committed after this read makes the append below a conflict, decided again on retry.
        // Read the other way round, a revision committed in between passed the version check with
        // a number decided from the proposition before it, and two editors got the same number.
        var state = await session.Events.FetchStreamStateAsync(StreamKeys.Proposition(propositionId), cancellationToken);
        var transaction = new RecordTransaction(session, now, cancellationToken);
        var proposition = await transaction.PropositionAsync(propositionId);
        if (proposition is null)
        {
            return (LedgerOutcome<ResolutionView>.NotFound($"No proposition has the id '{propositionId}'."), Touched.None);
        }

        var errors = new Dictionary<string, string[]>();
        if (submission.Unresolvable == (submission.Option is not null))
        {
            errors["option"] = ["Give either an option to confirm or unresolvable: true."];
        }
        else if (submission.Option is { } option && !proposition.Proposition.Options.Contains(option, StringComparer.Ordinal))
        {
            errors["option"] = [$"'{option}' is not an option of this proposition: {string.Join(", ", proposition.Proposition.Options)}."];
        }

        if (errors.Count > 0)
        {
            return (LedgerOutcome<ResolutionView>.Invalid(errors), Touched.None);
        }

        var resolution = new Resolution(
            propositionId, proposition.Resolutions.Count + 1,
            submission.Unresolvable ? Verdict.Unresolvable : Verdict.Confirmed,
            submission.Option, [.. submission.Evidence ?? []], submission.Editor, submission.Note, submission.At ?? now);
        var resolved = new PropositionResolved(resolution);
        // The expected version makes two editors resolving at once a conflict, decided again on retry,
        // instead of two revisions with the same number.
        session.Events.Append(StreamKeys.Proposition(propositionId), (state?.Version ?? 0) + 1, resolved);
        proposition.Resolutions.Add(resolution);
        proposition.Refresh();
        transaction.Changed(proposition);
        transaction.Touched.Propositions.Add(propositionId);

        var claims = await session.Query<ClaimDocument>()
            .Where(c => c.PropositionId == propositionId)
            .Select(c => new { c.Id, c.SourceId })
            .ToListAsync(cancellationToken);
        var claimants = claims.Select(c => c.SourceId).Distinct(StringComparer.Ordinal).ToList();
        await transaction.LoadSourcesAsync(claimants);
        foreach (var sourceId in claimants)
        {
            if (await transaction.SourceAsync(sourceId) is { } source)
            {
                transaction.AppendToSource(source, resolved);
            }
        }

        // The articles that cited any claim on it: a newsroom updates a story when its sources are settled.
        var citing = await ArticleWrite.ArticlesCitingAnyAsync(session, [.. claims.Select(c => c.Id)], cancellationToken);
        WebhookOutbox.Add(session, new WebhookEvent("proposition.resolved", new { propositionId, resolution = Views.Of(resolution) })
        {
            SourceIds = claimants,
            ArticleIds = citing,
            OccurredAt = resolution.At,
        }, now);
        transaction.Flush();
        return (LedgerOutcome<ResolutionView>.Ok(Views.Of(resolution)), transaction.Touched);
    }
}
