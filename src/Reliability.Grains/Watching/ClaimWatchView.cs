using Marten;
using Reliability.Grains.Records;
using Reliability.Infrastructure.Watching;

namespace Reliability.Grains.Watching;

/// <summary>
/// What the watcher knows of a claim's post: <c>GET /v1/claims/{id}/watch</c>. <see cref="DeletionRefused"/>
/// says why a deletion the watcher confirmed is not on record; <see cref="EndedBy"/>, which correction
/// ended the watch (there is no next check then).
/// </summary>
public sealed record ClaimWatchView(
    string ClaimId,
    string? Url,
    string State,
    int ConsecutiveGone,
    int Checks,
    DateTimeOffset? LastCheckedAt,
    string? LastVerdict,
    string? LastReason,
    int? LastStatus,
    DateTimeOffset? NextCheckAt,
    bool Watching,
    ArchiveView? Archive,
    string? DeletionRefused = null,
    WatchEnding? EndedBy = null)
{
    /// <summary>Null when the record has no such claim.</summary>
    public static async Task<ClaimWatchView?> ReadAsync(IDocumentStore store, string claimId, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var claim = await session.LoadAsync<ClaimDocument>(claimId, cancellationToken);
        if (claim is null)
        {
            return null;
        }

        var watch = await session.LoadAsync<ClaimWatch>(claimId, cancellationToken);
        var archived = await session.LoadAsync<ArchivedPost>(claimId, cancellationToken);
        var archive = archived is null ? null : new ArchiveView(archived.Text, archived.ContentHash, archived.ArchivedAt, archived.IsIntact);
        return watch is null
            ? new ClaimWatchView(claimId, claim.Url, "unwatched", 0, 0, null, null, null, null, null, false, archive)
            : new ClaimWatchView(
                claimId, watch.Url, Word(watch.State), watch.ConsecutiveGone, watch.Checks, watch.LastCheckedAt,
                watch.LastVerdict is { } verdict ? Word(verdict) : null, watch.LastReason is { } reason ? Word(reason) : null,
                watch.LastStatus, watch.Finished ? null : watch.NextCheckAt, !watch.Finished, archive, watch.DeletionRefused, watch.EndedBy);
    }

    private static string Word<T>(T value) where T : struct, Enum => Vocabulary.Word(value);
}

public sealed record ArchiveView(string Text, string ContentHash, DateTimeOffset ArchivedAt, bool Intact);
