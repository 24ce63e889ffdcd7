using Marten;

namespace Reliability.Infrastructure.Watching;

public sealed class ArchivedPostStore(IDocumentStore store, TimeProvider clock)
{
    /// <summary>
    /// Archives a claim's text. The first archive of a claim wins: a later call (a retried ingestion)
    /// returns the stored one instead of overwriting the evidence.
    /// </summary>
    public async Task<ArchivedPost> ArchiveAsync(string claimId, string url, string text, CancellationToken cancellationToken = default)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<ArchivedPost>(claimId, cancellationToken) is { } existing)
        {
            return existing;
        }

        var post = new ArchivedPost
        {
            Id = claimId,
            Url = url,
            Text = text,
            ContentHash = ArchivedPost.HashOf(text),
            ArchivedAt = clock.GetUtcNow(),
        };
        session.Insert(post);
        await session.SaveChangesAsync(cancellationToken);
        return post;
    }

    public async Task<ArchivedPost?> GetAsync(string claimId, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<ArchivedPost>(claimId, cancellationToken);
    }
}
