using JasperFx.Events;
using Marten;
using Reliability.Grains.Records;

namespace Reliability.Grains.Recording;

/// <summary>
/// A commit's events for streams that already exist, written by two statements for the whole commit:
/// one multi-row insert of the events and one update of the streams' versions. Marten's quick append
/// makes one call per stream to a PL/pgSQL function that reads the stream's version, inserts its
/// events one by one and updates the stream, and a group commit touches a stream per source: written
/// this way a claim cost the machine about 120 µs less in the service benchmark (its README, "Ingest:
/// a commit's appends in two statements"). The versions are read under
/// the row locks <see cref="StreamLocks"/> takes first, so they are exact; a stream-and-version key
/// taken meanwhile is still the unique violation writers decide again. The rows are those Marten's
/// function writes (its serializer, its type names; a test compares them column for column). The
/// record never archives a stream and has one tenant, the two checks the function makes besides.
/// Streams a command knows to be new still start through Marten (its insert of a stream's first
/// events is a plain one); one it expected to exist and finds without a row is started here.
/// </summary>
internal sealed class StreamAppends
{
    private readonly SortedDictionary<string, List<IEvent>> _streams = new(StringComparer.Ordinal);

    /// <summary>The streams appended to, in ordinal order: the order their events are sequenced in.</summary>
    public IReadOnlyCollection<string> Streams => _streams.Keys;

    public void Add(IDocumentSession session, string stream, IEnumerable<object> events)
    {
        if (!_streams.TryGetValue(stream, out var list))
        {
            _streams[stream] = list = [];
        }

        foreach (var data in events)
        {
            var e = session.Events.BuildEvent(data);
            // Time-ordered, as Marten's own ids for events are.
            e.Id = Guid.CreateVersion7();
            list.Add(e);
        }
    }

    /// <summary>
    /// Numbers every event after its stream's version, read under its lock in this transaction, and
    /// queues the statements on the session, to run in its transaction when it saves. A stream with
    /// no row yet is started, as Marten's append starts one; another writer starting it meanwhile is
    /// the unique violation writers decide again.
    /// </summary>
    public void Queue(IDocumentSession session, IReadOnlyDictionary<string, long> versions)
    {
        if (_streams.Count == 0)
        {
            return;
        }

        var serializer = session.DocumentStore.Options.Serializer();
        var total = _streams.Values.Sum(e => e.Count);
        var ids = new Guid[total];
        var streamIds = new string[total];
        var eventVersions = new long[total];
        var bodies = new string[total];
        var types = new string[total];
        var dotnetTypes = new string[total];
        var starting = new List<string>();
        var i = 0;
        foreach (var (stream, events) in _streams)
        {
            if (!versions.TryGetValue(stream, out var version))
            {
                starting.Add(stream);
            }

            foreach (var e in events)
            {
                e.Version = ++version;
                ids[i] = e.Id;
                streamIds[i] = stream;
                eventVersions[i] = e.Version;
                bodies[i] = serializer.ToJson(e.Data);
                types[i] = e.EventTypeName;
                dotnetTypes[i] = e.DotNetTypeName;
                i++;
            }
        }

        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        if (starting.Count > 0)
        {
            // Before the events, whose foreign key names the stream.
            session.QueueSqlCommand(
                $"""
                insert into {schema}.mt_streams (id, type, version, timestamp, tenant_id)
                select u.id, null, u.version, now(), ? from unnest(?::varchar[], ?::bigint[]) as u(id, version)
                """,
                session.TenantId, starting.ToArray(), starting.Select(LastVersion).ToArray());
        }

        // "with ordinality" and the order by give the events their sequence numbers in the order
        // they were appended, stream by stream, as the function's loop does.
        session.QueueSqlCommand(
            $"""
            insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived)
            select nextval('{schema}.mt_events_sequence'), e.id, e.stream_id, e.version, e.data::jsonb, e.type, ?, {RecordingTime.Now}, e.dotnet_type, false
            from unnest(?::uuid[], ?::varchar[], ?::bigint[], ?::text[], ?::varchar[], ?::varchar[])
                with ordinality as e(id, stream_id, version, data, type, dotnet_type, position)
            order by e.position
            """,
            session.TenantId, ids, streamIds, eventVersions, bodies, types, dotnetTypes);
        var existing = _streams.Keys.Where(versions.ContainsKey).ToArray();
        if (existing.Length > 0)
        {
            session.QueueSqlCommand(
                $"""
                update {schema}.mt_streams s set version = u.version, timestamp = now()
                from unnest(?::varchar[], ?::bigint[]) as u(id, version)
                where s.id = u.id
                """,
                existing, existing.Select(LastVersion).ToArray());
        }
    }

    private long LastVersion(string stream) => _streams[stream][^1].Version;

    /// <summary>Each stream's events, numbered once <see cref="Queue"/> has run.</summary>
    public IEnumerable<(string Stream, IReadOnlyList<IEvent> Events)> Appended =>
        _streams.Select(s => (s.Key, (IReadOnlyList<IEvent>)s.Value));
}
