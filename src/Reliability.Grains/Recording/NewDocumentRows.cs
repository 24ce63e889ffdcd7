using Marten;

namespace Reliability.Grains.Recording;

/// <summary>
/// A commit's new documents of one type, inserted by one statement in the session's batch. Marten
/// sends one INSERT per document, and a claim write inserts three documents per claim (the claim,
/// its archived text, its watch state): written the same way with PostgreSQL's own tools, a
/// claim's rows cost the database about a third less per claim when each table takes one multi-row
/// INSERT (see the benchmark README, "Ingest: the floor of a claim's writes"). Marten's own bulk
/// insert cannot stand in: it copies on a connection and transaction of its own, outside the
/// commit. The rows are what Marten writes for <c>Insert</c>, serialized by its serializer, in the
/// same transaction; a taken id is PostgreSQL's unique violation, which writers already treat as a
/// conflict to decide again. Only for document types whose table has no column beyond Marten's own
/// and the one named here; a test compares the rows with Marten's.
/// </summary>
/// <param name="idOf">The document's id.</param>
/// <param name="time">A timestamp column of the table (a duplicated field) and its value, if it has one.</param>
internal sealed class NewDocumentRows<T>(Func<T, string> idOf, (string Column, Func<T, DateTimeOffset> Of)? time = null)
    where T : notnull
{
    public void Queue(IDocumentSession session, IReadOnlyList<T> documents)
    {
        if (documents.Count == 0)
        {
            return;
        }

        var serializer = session.DocumentStore.Options.Serializer();
        var ids = new string[documents.Count];
        var data = new string[documents.Count];
        var versions = new Guid[documents.Count];
        var times = time is null ? null : new DateTimeOffset[documents.Count];
        for (var i = 0; i < documents.Count; i++)
        {
            ids[i] = idOf(documents[i]);
            data[i] = serializer.ToJson(documents[i]);
            // Marten's own insert gives every row a fresh version, which its optimistic checks compare later.
            versions[i] = Guid.CreateVersion7();
            if (times is not null)
            {
                times[i] = time!.Value.Of(documents[i]).ToUniversalTime();
            }
        }

        // The placeholders are numbered in the order they appear: the type's name comes first. The
        // statement is worked out per commit, not kept: stores in different schemas share this instance.
        object[] values = times is null ? [typeof(T).FullName!, ids, data, versions] : [typeof(T).FullName!, ids, data, versions, times];
        session.QueueSqlCommand(Sql(session), values);
    }

    private string Sql(IDocumentSession session)
    {
        var table = session.DocumentStore.Options.Schema.For<T>();
        return time is not { Column: var column }
            ? $"""
              insert into {table} (id, data, mt_version, mt_dotnet_type)
              select r.id, r.data::jsonb, r.version, ?::varchar
              from unnest(?::varchar[], ?::text[], ?::uuid[]) as r(id, data, version)
              """
            : $"""
              insert into {table} (id, data, mt_version, mt_dotnet_type, {column})
              select r.id, r.data::jsonb, r.version, ?::varchar, r.time
              from unnest(?::varchar[], ?::text[], ?::uuid[], ?::timestamptz[]) as r(id, data, version, time)
              """;
    }
}
