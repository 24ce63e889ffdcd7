using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Reliability.Api.Security;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Propositions;
using Reliability.Grains.Records;

namespace Reliability.Api.Apis;

/// <summary>
/// schema.org ClaimReview in and out. A review becomes a claimant source, its claim (option "true"
/// of "Is it true that …?") and a resolution; the reviewer's own scale is kept beside it.
/// </summary>
internal static class ClaimReviewApi
{
    public static readonly string[] Options = ["true", "false"];

    public static IEndpointRouteBuilder MapClaimReviewApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/import/claimreview", ImportAsync).WithTags("ClaimReview").RequireAuthorization(Roles.Editor)
            .WithSummary("Import schema.org ClaimReview JSON-LD (one object or an array); importing a review again changes nothing");
        app.MapGet("/v1/propositions/{id}/claimreview", ExportAsync).WithTags("ClaimReview").RequireAuthorization(Roles.Reader).WithEntityTag()
            .WithSummary("A resolved proposition as schema.org ClaimReview JSON-LD, with the original rating scale when imported");
        return app;
    }

    /// <summary>Status is "imported", "duplicate" (seen before: nothing changed) or "rejected" (the record refused the claim).</summary>
    public sealed record ImportedReview(string ReviewId, string Status, string ClaimId, string? SourceId, string? PropositionId, string? Verdict,
        IReadOnlyDictionary<string, string[]>? Errors);

    public sealed record ImportResult(int Imported, int Duplicates, int Rejected, IReadOnlyList<ImportedReview> Reviews);

    private static async Task<Results<Ok<ImportResult>, ProblemHttpResult>> ImportAsync(
        JsonElement body, ClaimsPrincipal user, ILedger ledger, ClaimReviews reviews, IGrainFactory grains, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        // Every review is read before anything is written, so one bad review rejects the request whole.
        var errors = new RequestErrors();
        var parsed = ClaimReviewReader.Read(body, errors, clock.GetUtcNow());
        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var items = parsed.Select(p => p!).ToList();
        var ids = items.Select(ReviewIdOf).ToList();
        var submissions = items.Select((review, i) => new ClaimSubmission(
            ClaimIdOf(review), review.AuthorHandle is null ? "cr-" + StreamKeys.Digest(review.AuthorName.ToLowerInvariant())[..12] : null,
            review.AuthorHandle, review.AuthorName, null, new NewProposition(QuestionOf(review.ClaimReviewed), Options, null, null),
            "true", review.ClaimDate, review.AppearanceUrl, review.ClaimReviewed, null, null, null, null)).ToList();
        var recorded = await ledger.RecordClaimsAsync(submissions, cancellationToken);

        var results = new List<ImportedReview>();
        for (var i = 0; i < items.Count; i++)
        {
            var (review, claim, reviewId) = (items[i], recorded[i], ids[i]);
            var verdict = ClaimReviewReader.Verdict(review);
            if (claim.Status == SubmissionStatus.Rejected)
            {
                results.Add(new ImportedReview(reviewId, "rejected", claim.Id, null, null, verdict, claim.Errors));
                continue;
            }

            var seen = await reviews.FindAsync(reviewId, cancellationToken) is not null;
            if (!seen && !await AlreadyResolvedByAsync(grains, claim.PropositionId!, reviewId))
            {
                var editor = $"ClaimReview: {review.ReviewerName ?? user.FindFirstValue(ClaimTypes.Name) ?? "unknown"}";
                var resolved = await ledger.ResolveAsync(claim.PropositionId!, new ResolutionSubmission(
                    verdict, verdict is null, review.ReviewUrl is { } url ? [url] : [], NoteOf(reviewId, review), editor,
                    review.ReviewDate), cancellationToken);
                if (!resolved.Succeeded)
                {
                    results.Add(new ImportedReview(reviewId, "rejected", claim.Id, claim.SourceId, claim.PropositionId, verdict, resolved.Errors));
                    continue;
                }
            }

            if (!seen)
            {
                await reviews.SaveAsync(new ClaimReviewDocument
                {
                    Id = reviewId, PropositionId = claim.PropositionId!, ClaimId = claim.Id, SourceId = claim.SourceId!,
                    ClaimReviewed = review.ClaimReviewed, ReviewUrl = review.ReviewUrl, ReviewDate = review.ReviewDate,
                    ReviewerName = review.ReviewerName, ReviewerUrl = review.ReviewerUrl, AuthorName = review.AuthorName,
                    AuthorUrl = review.AuthorUrl, ClaimDate = review.ClaimDate, AppearanceUrl = review.AppearanceUrl,
                    AlternateName = review.AlternateName, RatingValue = review.RatingValue, BestRating = review.BestRating,
                    WorstRating = review.WorstRating, ImportedAt = clock.GetUtcNow(),
                }, cancellationToken);
            }

            results.Add(new ImportedReview(reviewId, seen ? "duplicate" : "imported", claim.Id, claim.SourceId, claim.PropositionId, verdict, null));
        }

        return TypedResults.Ok(new ImportResult(
            results.Count(r => r.Status == "imported"), results.Count(r => r.Status == "duplicate"), results.Count(r => r.Status == "rejected"), results));
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> ExportAsync(
        string id, IGrainFactory grains, ClaimReviews reviews, CancellationToken cancellationToken)
    {
        if (await grains.GetGrain<IPropositionGrain>(id).GetAsync() is not { } proposition)
        {
            return Problems.NotFound($"No proposition has the id '{id}'.");
        }

        if (proposition.Resolution is not { } resolution)
        {
            return Problems.NotFound($"The proposition '{id}' is not resolved, so there is no review to publish.");
        }

        var imported = await reviews.ForPropositionAsync(id, cancellationToken);
        var claimant = proposition.Claims.FirstOrDefault();
        var review = new JsonObject
        {
            ["@context"] = "https://schema.org",
            ["@type"] = "ClaimReview",
            ["claimReviewed"] = imported?.ClaimReviewed ?? proposition.Question,
            ["datePublished"] = (imported?.ReviewDate ?? resolution.At).ToString("O"),
            ["author"] = new JsonObject { ["@type"] = "Organization", ["name"] = imported?.ReviewerName ?? resolution.Editor },
            ["reviewRating"] = imported is null
                ? new JsonObject { ["@type"] = "Rating", ["alternateName"] = resolution.Option ?? resolution.Verdict }
                : new JsonObject
                {
                    ["@type"] = "Rating",
                    ["alternateName"] = imported.AlternateName,
                    ["ratingValue"] = imported.RatingValue,
                    ["bestRating"] = imported.BestRating,
                    ["worstRating"] = imported.WorstRating,
                },
            ["itemReviewed"] = new JsonObject
            {
                ["@type"] = "Claim",
                ["datePublished"] = (imported?.ClaimDate ?? claimant?.PublishedAt)?.ToString("O"),
                ["author"] = new JsonObject
                {
                    ["@type"] = "Person",
                    ["name"] = imported?.AuthorName ?? claimant?.SourceId,
                    ["url"] = imported?.AuthorUrl,
                },
                ["appearance"] = (imported?.AppearanceUrl ?? claimant?.Url) is { } appearance
                    ? new JsonObject { ["@type"] = "CreativeWork", ["url"] = appearance }
                    : null,
            },
        };
        if ((imported?.ReviewUrl ?? resolution.Evidence.FirstOrDefault()) is { } url)
        {
            review["url"] = url;
        }

        return TypedResults.Content(review.ToJsonString(), "application/ld+json");
    }

    public static string QuestionOf(string claimReviewed) => $"Is it true that {claimReviewed.TrimEnd('.', ' ')}?";

    /// <summary>The claim is the claimant's statement on its date: two reviewers of it review one claim.</summary>
    private static string ClaimIdOf(ParsedReview review) =>
        "cr-" + StreamKeys.Digest(string.Join('\n', review.AuthorName.ToLowerInvariant(), review.ClaimReviewed.ToLowerInvariant(),
            review.ClaimDate.UtcDateTime.ToString("O")))[..20];

    /// <summary>The same review (same claim and reviewer) has the same id whatever its URL's spelling.</summary>
    private static string ReviewIdOf(ParsedReview review) =>
        "rv-" + StreamKeys.Digest(ClaimIdOf(review) + "\n" + (review.ReviewerName ?? "").ToLowerInvariant())[..20];

    private static string NoteOf(string reviewId, ParsedReview review) =>
        $"ClaimReview {reviewId}: \"{review.AlternateName}\"" + (review.RatingValue is { } value
            ? $" ({value} on a scale from {review.WorstRating ?? "?"} to {review.BestRating ?? "?"})"
            : "");

    /// <summary>
    /// A resolution whose note names this review means an earlier import got that far before it was
    /// cut short; resolving again would add a second revision for one review.
    /// </summary>
    private static async Task<bool> AlreadyResolvedByAsync(IGrainFactory grains, string propositionId, string reviewId) =>
        (await grains.GetGrain<IPropositionGrain>(propositionId).GetResolutionsAsync() ?? [])
            .Any(r => r.Note?.StartsWith($"ClaimReview {reviewId}:", StringComparison.Ordinal) == true);
}
