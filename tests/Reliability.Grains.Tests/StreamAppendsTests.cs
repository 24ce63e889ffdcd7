using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Recording;
using Reliability.Infrastructure.EventStore;

namespace Reliability.Grains.Tests;

/// <summary>
/// A commit's appends to existing streams are written by the ledger's own two statements, beside
/// Marten: the rows must be the ones Marten's quick append writes, and Marten must read them and
/// append after them as if it had written them.
/// </summary>
public sealed class StreamAppendsTests() : RecordStoreTests("stream_appends")
{
    private static readonly DateTimeOffset Published = new(2025, 3, 1, 12, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_event_row_is_the_one_Martens_quick_append_writes_and_Marten_appends_after_it()
    {
        await StartAsync("source:rows-marten", "source:rows-own");

        await using (var session = Store.LightweightSession())
        {
            session.Events.Append("source:rows-marten", Recorded("c1"));
            var own = new StreamAppends();
            own.Add(session, "source:rows-own", [Recorded("c1")]);
            await CommitAsync(session, own);
            Assert.Equal(2, own.Appended.Single().Events.Single().Version);
        }

        var rows = await EventRowsAsync("source:rows-marten", "source:rows-own");
        Assert.Equal(4, rows.Count);
        var (marten, ours) = (rows.Single(r => r.Stream == "source:rows-marten" && r.Version == 2), rows.Single(r => r.Stream == "source:rows-own" && r.Version == 2));
        Assert.Equal(marten.Columns, ours.Columns);
        Assert.Equal(marten.Data, ours.Data);
        Assert.NotEqual(marten.Id, ours.Id);
        Assert.Equal([2L, 2L], await StreamVersionsAsync("source:rows-marten", "source:rows-own"));

        // Marten reads the row back as its own event and numbers its next append after it.
        await using (var session = Store.LightweightSession())
        {
            session.Events.Append("source:rows-own", Recorded("c2"));
            await session.SaveChangesAsync();
        }

        await using var query = Store.QuerySession();
        var stream = await query.Events.FetchStreamAsync("source:rows-own");
        Assert.Equal([1L, 2L, 3L], stream.Select(e => e.Version));
        Assert.Equal(["c1", "c2"], stream.Skip(1).Select(e => ((ClaimRecorded)e.Data).Claim.Id));
        Assert.Equal(ours.Id, stream[1].Id);
        Assert.Equal(3, (await query.Events.FetchStreamStateAsync("source:rows-own"))!.Version);
    }

    [Fact]
    public async Task A_commits_events_are_numbered_after_each_streams_own_version_and_sequenced_in_the_order_appended()
    {
        await StartAsync("source:order-a", "source:order-b");
        await using (var session = Store.LightweightSession())
        {
            // Stream b is two events ahead of stream a before the commit.
            session.Events.Append("source:order-b", Recorded("b1"), Recorded("b2"));
            await session.SaveChangesAsync();
        }

        await using (var session = Store.LightweightSession())
        {
            var own = new StreamAppends();
            own.Add(session, "source:order-b", [Recorded("b3"), Recorded("b4")]);
            own.Add(session, "source:order-a", [Recorded("a1")]);
            own.Add(session, "source:order-a", [Recorded("a2")]);
            await CommitAsync(session, own);
        }

        var rows = (await EventRowsAsync("source:order-a", "source:order-b")).Where(r => r.Claim is not null).OrderBy(r => r.Sequence).ToList();
        Assert.Equal(
            [("source:order-b", 2L, "b1"), ("source:order-b", 3L, "b2"), ("source:order-a", 2L, "a1"), ("source:order-a", 3L, "a2"), ("source:order-b", 4L, "b3"), ("source:order-b", 5L, "b4")],
            rows.Select(r => (r.Stream, r.Version, r.Claim!)));
        Assert.Equal([3L, 5L], await StreamVersionsAsync("source:order-a", "source:order-b"));
    }

    [Fact]
    public async Task A_stream_appended_both_directly_and_through_Marten_in_one_commit_is_refused_before_anything_is_written()
    {
        await StartAsync("source:twice");
        await using var session = Store.LightweightSession();
        session.Events.Append("source:twice", Recorded("m1"));
        var own = new StreamAppends();
        own.Add(session, "source:twice", [Recorded("o1")]);

        Assert.Throws<InvalidOperationException>(() => StreamLocks.Of(own, session.PendingChanges.Streams()));
    }

    [Fact]
    public async Task A_stream_with_no_row_yet_is_started_beside_the_streams_that_exist_and_Marten_reads_it()
    {
        await StartAsync("source:existing");
        await using (var session = Store.LightweightSession())
        {
            var own = new StreamAppends();
            own.Add(session, "source:existing", [Recorded("e1")]);
            own.Add(session, "source:not-started", [Recorded("n1"), Recorded("n2")]);
            await CommitAsync(session, own);
        }

        Assert.Equal([2L, 2L], await StreamVersionsAsync("source:existing", "source:not-started"));
        await using var query = Store.QuerySession();
        Assert.Equal(["n1", "n2"], (await query.Events.FetchStreamAsync("source:not-started")).Select(e => ((ClaimRecorded)e.Data).Claim.Id));

        // A second writer starting the same stream from the same read is refused, as a conflict.
        await using var late = Store.LightweightSession();
        var again = new StreamAppends();
        again.Add(late, "source:not-started", [Recorded("n3")]);
        again.Queue(late, new Dictionary<string, long>());
        Assert.True(WriteConflicts.IsConflict(await Assert.ThrowsAnyAsync<Exception>(() => late.SaveChangesAsync())));
    }

    private static ClaimRecorded Recorded(string claimId) => new(new Claim(
        claimId, "rows", "rows-proposition", "yes", Published, $"https://x.com/a/status/{claimId}", "Le camp est tombé.", "fr",
        Hedge.Reported, null, ["https://example.org/photo"]));

    private async Task StartAsync(params string[] streams)
    {
        await using var session = Store.LightweightSession();
        foreach (var stream in streams)
        {
            session.Events.StartStream(stream, new SourceRegistered(new Source(stream, stream, SourceKind.Outlet, false, []), Published));
        }

        await session.SaveChangesAsync();
    }

    /// <summary>What the ledger does: lock, number, queue, save.</summary>
    private static async Task CommitAsync(IDocumentSession session, StreamAppends own)
    {
        var versions = await StreamLocks.TakeAsync(session, StreamLocks.Of(own, session.PendingChanges.Streams()), CancellationToken.None);
        own.Queue(session, versions);
        await session.SaveChangesAsync();
    }

    private async Task<List<(long Sequence, string Stream, long Version, Guid Id, string Columns, string Data, string? Claim)>> EventRowsAsync(params string[] streams)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        // Every column but those that differ between any two events by design: the sequence number,
        // the id, the stream and its version, and the server's time of the write.
        await using var command = new NpgsqlCommand(
            $"""
            select seq_id, stream_id, version, id, (to_jsonb(e) - 'seq_id' - 'id' - 'stream_id' - 'version' - 'timestamp' - 'data')::text,
                   data::text, data -> 'Claim' ->> 'Id'
            from {EventStoreRegistration.SchemaName}.mt_events e where stream_id = any(@streams)
            """, connection);
        command.Parameters.AddWithValue("streams", streams);
        var found = new List<(long, string, long, Guid, string, string, string?)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetGuid(3), reader.GetString(4), reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return found;
    }

    private async Task<List<long>> StreamVersionsAsync(params string[] streams)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select version from {EventStoreRegistration.SchemaName}.mt_streams where id = any(@streams) order by id", connection);
        command.Parameters.AddWithValue("streams", streams);
        var versions = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt64(0));
        }

        return versions;
    }
}
