using System.Text.Json;
using JasperFx.Events;
using Marten;

namespace Reliability.Grains.Recording;

/// <summary>
/// Locks the existing streams a commit appends to, in one order, on the commit's own transaction,
/// before anything is written, and reads their versions. Without the lock, two commits appending to
/// one stream at once numbered their events from the same version: the later one was refused at the
/// stream-and-version key and decided again as a whole (a busy source named by two feeds at once).
/// Holding the rows first makes the later commit wait and then number its events after the earlier
/// one's, from the version read here (<see cref="StreamAppends"/>). A waiting commit holds no lock
/// yet (this is its first statement), and every commit takes its streams in the same order, so the
/// wait cannot deadlock.
/// </summary>
/// <remarks>
/// A merge marks the absorbed source's stream row (its <c>type</c>, see <see cref="Merged"/>) in the
/// transaction that repoints the source's handles and claims. A commit that decided to append to
/// that stream before the merge committed reads the mark here, on the row it waited for (the row's
/// latest version, which a joined table would not give it), and is refused as a conflict: decided
/// again, it finds the survivor through the repointed handle or the absorbed source's document.
/// Without it the claim landed in a stream no source answers for any more.
/// </remarks>
internal static class StreamLocks
{
    /// <summary>The <c>type</c> of an absorbed source's stream row: nothing may be appended to it any more.</summary>
    public const string Merged = "merged-source";

    /// <summary>The streams a commit appends to: those it appends itself and those appended through Marten.</summary>
    public static string[] Of(StreamAppends own, IEnumerable<StreamAction> marten)
    {
        var throughMarten = marten
            .Where(a => a.ActionType == StreamActionType.Append && a.Key is not null)
            .Select(a => a.Key!)
            .ToHashSet(StringComparer.Ordinal);
        if (own.Streams.FirstOrDefault(throughMarten.Contains) is { } both)
        {
            // Two writers of one stream in one commit would number their events alike.
            throw new InvalidOperationException($"The stream '{both}' is appended to both through Marten and directly.");
        }

        return [.. throughMarten.Concat(own.Streams).Order(StringComparer.Ordinal)];
    }

    /// <summary>Locks the streams and returns the version each holds; a stream not stored yet is absent.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> TakeAsync(IDocumentSession session, string[] streams, CancellationToken cancellationToken)
    {
        if (streams.Length == 0)
        {
            return new Dictionary<string, long>();
        }

        // Everything after this, SaveChanges included, runs in the transaction that holds the locks.
        await session.BeginTransactionAsync(cancellationToken);
        // "No key update" is what the append's own update of the row takes; unlike "for update" it
        // does not block the events' foreign-key checks against the row.
        // Each row as one JSON text: Marten reads rows of several plain columns, or of JSON, as documents.
        var rows = await session.AdvancedSql.QueryAsync<string>(
            $"""
            select jsonb_build_object('Id', id, 'Version', version, 'Type', type)::text
            from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_streams where id = any(?) order by id for no key update
            """,
            cancellationToken,
            // One parameter, the array: passed bare, the ids would be taken as one parameter each.
            [streams]);
        var locked = rows.Select(r => JsonSerializer.Deserialize<LockedStream>(r)!).ToList();
        if (locked.FirstOrDefault(r => r.Type == Merged) is { } merged)
        {
            throw new StreamMergedException(merged.Id);
        }

        return locked.ToDictionary(r => r.Id, r => r.Version, StringComparer.Ordinal);
    }

    private sealed record LockedStream(string Id, long Version, string? Type);
}

/// <summary>
/// A commit meant to append to the stream of a source merged into another meanwhile: a conflict, so
/// the command is decided again on what is now stored (see <see cref="WriteConflicts"/>).
/// </summary>
public sealed class StreamMergedException(string stream) : Exception($"The stream '{stream}' belongs to a source merged into another.")
{
    public string Stream => stream;
}
