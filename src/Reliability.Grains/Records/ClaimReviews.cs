using Marten;

namespace Reliability.Grains.Records;

/// <summary>
/// A schema.org ClaimReview as imported, keeping the reviewer's own rating scale (the resolution
/// only says which option it confirmed), so it can be published back as it came.
/// </summary>
public sealed class ClaimReviewDocument
{
    public required string Id { get; set; }
    public required string PropositionId { get; set; }
    public required string ClaimId { get; set; }
    public required string SourceId { get; set; }
    public required string ClaimReviewed { get; set; }
    public string? ReviewUrl { get; set; }
    public DateTimeOffset? ReviewDate { get; set; }
    public string? ReviewerName { get; set; }
    public string? ReviewerUrl { get; set; }
    public required string AuthorName { get; set; }
    public string? AuthorUrl { get; set; }
    public DateTimeOffset ClaimDate { get; set; }
    public string? AppearanceUrl { get; set; }
    public required string AlternateName { get; set; }
    public string? RatingValue { get; set; }
    public string? BestRating { get; set; }
    public string? WorstRating { get; set; }
    public DateTimeOffset ImportedAt { get; set; }
}

/// <summary>Imported ClaimReviews, by review and by proposition.</summary>
public sealed class ClaimReviews(IDocumentStore store)
{
    public async Task<ClaimReviewDocument?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<ClaimReviewDocument>(id, cancellationToken);
    }

    /// <summary>The latest review imported for the proposition.</summary>
    public async Task<ClaimReviewDocument?> ForPropositionAsync(string propositionId, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        return await session.Query<ClaimReviewDocument>().Where(r => r.PropositionId == propositionId)
            .OrderByDescending(r => r.ImportedAt).FirstOrDefaultAsync(cancellationToken);
    }

    public async Task SaveAsync(ClaimReviewDocument review, CancellationToken cancellationToken = default)
    {
        await using var session = store.LightweightSession();
        session.Store(review);
        await session.SaveChangesAsync(cancellationToken);
    }
}
