using JasperFx.Events;
using Marten;

namespace Reliability.Grains.Recording;

/// <summary>
/// Locks the existing streams a commit appends to, in one order, on the commit's own transaction,
/// before anything is written. Marten's quick append reads a stream's version without a lock, so
/// two commits appending to one stream at once numbered their events from the same version: the
/// later one was refused at the stream-and-version key and decided again as a whole (a busy source
/// named by two feeds at once). Holding the rows first makes the later commit wait and then number
/// its events after the earlier one's. A waiting commit holds no lock yet (this is its first
/// statement), and every commit takes its streams in the same order, so the wait cannot deadlock.
/// </summary>
internal static class StreamLocks
{
    public static async Task TakeAsync(IDocumentSession session, IEnumerable<StreamAction> appends, CancellationToken cancellationToken)
    {
        var streams = appends
            .Where(a => a.ActionType == StreamActionType.Append && a.Key is not null)
            .Select(a => a.Key!)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        if (streams.Length == 0)
        {
            return;
        }

        // Everything after this, SaveChanges included, runs in the transaction that holds the locks.
        await session.BeginTransactionAsync(cancellationToken);
        // "No key update" is what the append's own update of the row takes; unlike "for update" it
        // does not block the events' foreign-key checks against the row.
        await session.AdvancedSql.QueryAsync<string>(
            $"select id from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_streams where id = any(?) order by id for no key update",
            cancellationToken,
            // One parameter, the array: passed bare, the ids would be taken as one parameter each.
            [streams]);
    }
}
