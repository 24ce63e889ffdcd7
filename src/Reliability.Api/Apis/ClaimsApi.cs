using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Reliability.Api.Security;
using Reliability.Contracts.Claims;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Sources;
using Reliability.Grains.Records;
using Reliability.Grains.Watching;

namespace Reliability.Api.Apis;

/// <summary>Ingesting claims and recording what happens to them.</summary>
internal static class ClaimsApi
{
    public const int MaxBatch = 1_000;

    public static IEndpointRouteBuilder MapClaimsApi(this IEndpointRouteBuilder app)
    {
        var claims = app.MapGroup("/v1/claims").WithTags("Claims");
        claims.MapPost("/", RecordAsync).RequireAuthorization(Roles.Contributor)
            .WithSummary("Record a batch of 1–1,000 claims; each item is accepted, a duplicate, or rejected");
        claims.MapGet("/{id}", GetAsync).RequireAuthorization(Roles.Reader).WithEntityTag()
            .WithSummary("A claim with its corrections and status");
        claims.MapPost("/{id}/corrections", CorrectAsync).RequireAuthorization(Roles.Contributor)
            .WithSummary("Record a deletion, retraction, reversal or amendment of a claim");
        claims.MapGet("/{id}/watch", WatchAsync).RequireAuthorization(Roles.Reader).WithEntityTag()
            .WithSummary("The deletion watcher's view of a claim's post, and the text archived when it was recorded");
        return app;
    }

    private static async Task<Results<Ok<ClaimWatchView>, ProblemHttpResult>> WatchAsync(
        string id, IDocumentStore store, CancellationToken cancellationToken) =>
        await ClaimWatchView.ReadAsync(store, id, cancellationToken) is { } view
            ? TypedResults.Ok(view)
            : Problems.NotFound($"No claim has the id '{id}'.");

    public sealed record ItemProblem(string Title, int Status, IReadOnlyDictionary<string, string[]> Errors);

    public sealed record ItemResult(string Id, string Status, string? SourceId, string? PropositionId, ItemProblem? Problem);

    /// <summary>Accepted items are durably stored when this answer is sent.</summary>
    public sealed record BatchResult(int Accepted, int Duplicates, int Rejected, IReadOnlyList<ItemResult> Items)
    {
        public static BatchResult Of(IReadOnlyList<ItemResult> items) =>
            new(items.Count(r => r.Status == "accepted"), items.Count(r => r.Status == "duplicate"), items.Count(r => r.Status == "rejected"), items);
    }

    private static async Task<Results<Ok<BatchResult>, ProblemHttpResult>> RecordAsync(
        ClaimBatchRequest batch, ILedger ledger, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (batch.Claims is not { Count: > 0 and <= MaxBatch } items)
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["claims"] = [$"Between 1 and {MaxBatch} claims."] });
        }

        var results = new ItemResult?[items.Count];
        var submissions = new List<(int Index, ClaimSubmission Submission)>();
        var now = clock.GetUtcNow();
        for (var i = 0; i < items.Count; i++)
        {
            var errors = new RequestErrors();
            var submission = errors.Claim("", items[i], now);
            if (submission is null)
            {
                results[i] = Rejected(items[i]?.Id ?? "", errors.ToDictionary());
            }
            else
            {
                submissions.Add((i, submission));
            }
        }

        var recorded = submissions.Count == 0 ? [] : await ledger.RecordClaimsAsync([.. submissions.Select(s => s.Submission)], cancellationToken);
        for (var j = 0; j < recorded.Count; j++)
        {
            var r = recorded[j];
            results[submissions[j].Index] = r.Status == SubmissionStatus.Rejected
                ? Rejected(r.Id, r.Errors ?? new Dictionary<string, string[]>())
                : new ItemResult(r.Id, r.Status == SubmissionStatus.Accepted ? "accepted" : "duplicate", r.SourceId, r.PropositionId, null);
        }

        return TypedResults.Ok(BatchResult.Of([.. results.Select(r => r!)]));
    }

    private static ItemResult Rejected(string id, IReadOnlyDictionary<string, string[]> errors) =>
        new(id, "rejected", null, null, new ItemProblem("The claim is not valid", StatusCodes.Status400BadRequest, errors));

    private static async Task<Results<Ok<ClaimView>, ProblemHttpResult>> GetAsync(
        string id, RecordQueries queries, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var claim = await queries.FindClaimAsync(id, cancellationToken);
        var view = claim is null ? null : await grains.GetGrain<ISourceGrain>(claim.SourceId).GetClaimAsync(id);
        return view is null ? Problems.NotFound($"No claim has the id '{id}'.") : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<ClaimView>, ProblemHttpResult>> CorrectAsync(
        string id, CorrectionRequest correction, ILedger ledger, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        var now = clock.GetUtcNow();
        errors.Required("kind", correction.Kind, 20);
        if (correction.At is null)
        {
            errors.Add("at", "This field is required (ISO-8601 with offset).");
        }

        errors.HasHappened("at", correction.At, now);
        errors.Url("url", correction.Url);
        errors.Optional("note", correction.Note, RequestErrors.MaxTextLength);
        errors.Optional("deletion", correction.Deletion, 20);
        var replacement = correction.Replacement is null ? null : errors.Claim("replacement.", correction.Replacement, now, isReplacement: true);
        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var outcome = await ledger.RecordCorrectionAsync(id, new CorrectionSubmission(
            correction.Kind!, correction.At!.Value, correction.Url, correction.Note, replacement, correction.Deletion), cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(outcome.Value!) : Problems.From(outcome);
    }
}
