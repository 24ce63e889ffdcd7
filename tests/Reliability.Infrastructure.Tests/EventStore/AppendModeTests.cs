using JasperFx.Events;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Reliability.Infrastructure.Tests.EventStore;

/// <summary>
/// The store appends in Marten's quick mode; what the record relies on must hold there too: an
/// append with an expected version fails when another writer moved the stream meanwhile, and a
/// committed append knows the versions the server gave its events.
/// </summary>
public sealed class AppendModeTests
{
    private sealed record Noted(string Text);

    [Fact]
    public async Task An_append_expecting_a_version_another_writer_moved_on_is_refused_and_changes_nothing()
    {
        await using var services = await StoreHost.CreateAsync("append_mode_stale", (_, _) => { });
        var store = services.GetRequiredService<IDocumentStore>();
        const string stream = "stale-stream";
        await using (var session = store.LightweightSession())
        {
            session.Events.StartStream(stream, new Noted("first"));
            await session.SaveChangesAsync();
        }

        // Both writers read version 1; the first to commit wins.
        await using (var winner = store.LightweightSession())
        {
            winner.Events.Append(stream, 2, new Noted("winner"));
            await winner.SaveChangesAsync();
        }

        await using (var loser = store.LightweightSession())
        {
            loser.Events.Append(stream, 2, new Noted("loser"));
            await Assert.ThrowsAsync<EventStreamUnexpectedMaxEventIdException>(() => loser.SaveChangesAsync());
        }

        await using var query = store.QuerySession();
        var events = await query.Events.FetchStreamAsync(stream);
        Assert.Equal(["first", "winner"], events.Select(e => ((Noted)e.Data).Text));
        Assert.Equal([1L, 2L], events.Select(e => e.Version));
    }

    [Fact]
    public async Task A_committed_append_carries_the_versions_the_server_gave_its_events()
    {
        await using var services = await StoreHost.CreateAsync("append_mode_versions", (_, _) => { });
        var store = services.GetRequiredService<IDocumentStore>();
        const string stream = "numbered-stream";
        await using (var session = store.LightweightSession())
        {
            session.Events.StartStream(stream, new Noted("a"), new Noted("b"));
            await session.SaveChangesAsync();
        }

        await using var append = store.LightweightSession();
        append.Events.Append(stream, new Noted("c"), new Noted("d"));
        var pending = append.PendingChanges.Streams().Single();
        await append.SaveChangesAsync();

        Assert.Equal([3L, 4L], pending.Events.Select(e => e.Version));
    }
}
