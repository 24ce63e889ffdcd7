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
internal static class StreamLocks
{
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
            select jsonb_build_object('Id', id, 'Version', version)::text
            from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_streams where id = any(?) order by id for no key update
            """,
            cancellationToken,
            // One parameter, the array: passed bare, the ids would be taken as one parameter each.
            [streams]);
        return rows.Select(r => JsonSerializer.Deserialize<LockedStream>(r)!).ToDictionary(r => r.Id, r => r.Version, StringComparer.Ordinal);
    }

    private sealed record LockedStream(string Id, long Version);
}
