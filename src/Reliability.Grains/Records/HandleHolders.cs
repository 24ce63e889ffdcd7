using Marten;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace Reliability.Grains.Records;

/// <summary>
/// Who held each handle key and when, by the tracker's clock: a row per holding, from the recording
/// time of the event that gave the handle (<see cref="Domain.Events.SourceRegistered"/>,
/// <see cref="Domain.Events.SourceHandleAdded"/>, or the <see cref="Domain.Events.SourceMerged"/>
/// that handed it to a survivor) to that of the event that took it (a removal, or that merge), open
/// while the source still holds it. <see cref="HandleDocument"/> says who holds a handle now; a
/// lookup known at a past moment asks this instead, so a handle that moved since still finds the
/// source the tracker knew it as then.
/// </summary>
/// <remarks>
/// A table of its own rather than a list of past holders on <see cref="HandleDocument"/>: a removed
/// handle's document is deleted (its absence is what frees the handle, and every writer reads it so),
/// and the recording time must be the store's, which only the database knows as it commits. Each
/// row is written by SQL in the transaction that appends the event, stamped with the transaction's
/// time, the stamp the event rows appended to a source's stream get (<c>StreamAppends</c>' and the
/// quick append's): a removal, an added handle or a merge starts and ends its holdings exactly when
/// a read of the stream recorded by then first shows it. A new source's first events are stamped as
/// Marten starts its stream, not with the transaction's time: a moment after it began (observed), or
/// apart by however far the node's and the database's clocks are. A registration's holding can so
/// start a moment early or late. Early, a lookup known at a moment between asks the new source,
/// whose stream says it was not on record yet, and the handle is unknown, as the events have it;
/// late, it asks the handle's present source (see <see cref="RecordQueries.FindSourcesByHandleKnownAtAsync"/>),
/// which answers while it still holds the handle. Managed by
/// Marten beside the documents, so every store that applies its schema (a node at start-up, tests)
/// has it before the first write. Holdings changed before the table was kept are filled in from the
/// events at start-up (<see cref="HandleHolderHistory"/>).
/// </remarks>
public static class HandleHolders
{
    public const string TableName = "handle_holders";

    /// <summary>
    /// The table, for the store's schema. Its key serves the one read (a handle's holdings, by key);
    /// one source may hold a handle again after it was taken, from another time.
    /// </summary>
    public static Table Definition(string schema)
    {
        var table = new Table($"{schema}.{TableName}");
        table.AddColumn<string>("handle_key").AsPrimaryKey();
        table.AddColumn("held_from", "timestamp with time zone").AsPrimaryKey();
        table.AddColumn<string>("source_id").AsPrimaryKey();
        table.AddColumn("held_until", "timestamp with time zone").AllowNulls();
        return table;
    }

    public static string QualifiedName(IDocumentStore store) => $"{store.Options.DatabaseSchemaName}.{TableName}";

    /// <summary>
    /// Queues, in the session's transaction, the end of each holding taken and the start of each one
    /// given. A take names its source, so a handle taken from one source and given to another in
    /// the same transaction ends the right holding whichever statement runs first.
    /// </summary>
    internal static void Queue(IDocumentSession session, IReadOnlyCollection<Holding> taken, IReadOnlyCollection<Holding> given)
    {
        var table = QualifiedName(session.DocumentStore);
        if (taken.Count > 0)
        {
            session.QueueSqlCommand(
                $"""
                update {table} h set held_until = {RecordingTime.Now}
                from unnest(?::text[], ?::text[]) as t(handle_key, source_id)
                where h.handle_key = t.handle_key and h.source_id = t.source_id and h.held_until is null
                """,
                taken.Select(h => h.HandleKey).ToArray(), taken.Select(h => h.SourceId).ToArray());
        }

        if (given.Count > 0)
        {
            session.QueueSqlCommand(
                $"""
                insert into {table} (handle_key, held_from, source_id)
                select g.handle_key, {RecordingTime.Now}, g.source_id from unnest(?::text[], ?::text[]) as g(handle_key, source_id)
                on conflict do nothing
                """,
                given.Select(h => h.HandleKey).ToArray(), given.Select(h => h.SourceId).ToArray());
        }
    }

    /// <summary>
    /// The source that held each of these handle keys at <paramref name="knownAt"/>, by the store's
    /// recording times as a stream read recorded by then cuts them: a holding given at or before the
    /// moment and not taken by then. Should two holdings overlap (one taken by a copy of the previous
    /// version, which wrote no end), the later one.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> AtAsync(
        IDocumentStore store, IReadOnlyCollection<string> handleKeys, DateTimeOffset knownAt, CancellationToken cancellationToken)
    {
        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        if (handleKeys.Count == 0)
        {
            return held;
        }

        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        await using var read = new NpgsqlCommand(
            $"""
            select distinct on (handle_key) handle_key, source_id from {QualifiedName(store)}
            where handle_key = any($1) and held_from <= $2 and (held_until is null or held_until > $2)
            order by handle_key, held_from desc
            """, connection);
        read.Parameters.Add(new NpgsqlParameter { Value = handleKeys.ToArray() });
        read.Parameters.Add(new NpgsqlParameter { Value = knownAt.ToUniversalTime() });
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            held[reader.GetString(0)] = reader.GetString(1);
        }

        return held;
    }
}

/// <summary>A handle key and a source that holds it, was given it or had it taken.</summary>
internal sealed record Holding(string HandleKey, string SourceId);
