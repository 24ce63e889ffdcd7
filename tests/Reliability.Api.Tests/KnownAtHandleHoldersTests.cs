using System.Net;
using System.Net.Http.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Reliability.Grains.Records;

namespace Reliability.Api.Tests;

/// <summary>
/// A handle that moved from one source to another: a lookup known at a moment names the source
/// that held it then, by the history of its holders, and a live lookup the one that holds it now.
/// </summary>
public sealed partial class KnownAtTests
{
    private static object XHandle(string handle) => new { platform = "x", handle };

    private async Task TakeHandleAsync(string sourceId, string handle)
    {
        using var removed = await Client.DeleteAsync($"/v1/sources/{sourceId}/handles/x/{handle}?reason=taken%20over");
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
    }

    private async Task GiveHandleAsync(string sourceId, string handle) =>
        (await Client.PostAsJsonAsync($"/v1/sources/{sourceId}/handles", new { handles = new[] { XHandle(handle) } })).EnsureSuccessStatusCode();

    /// <summary>
    /// Asked by the handle and by a post of it the record has no claim at (answered by the handle its
    /// URL names): the source both are answered with, or null when both are unknown.
    /// </summary>
    private async Task<string?> HolderAsync(string handle, DateTimeOffset? knownAt)
    {
        var items = Items(await LookUpAsync(new { urls = new[] { PostOf(handle, 99) }, handles = new[] { XHandle(handle) }, knownAt }));
        var named = items.Select(item => item.GetProperty("kind").GetString() == "unknown" ? null : item.GetProperty("source").GetProperty("id").GetString()).ToList();
        Assert.Single(named.Distinct());
        return named[0];
    }

    [Fact]
    public async Task A_lookup_known_at_a_moment_names_the_source_that_held_a_handle_then_though_it_moved_since()
    {
        var (moved, desk) = ($"moved_{Guid.NewGuid():N}"[..15], $"desk_{Guid.NewGuid():N}"[..15]);
        var beforeAny = await MomentAsync();
        var (first, _) = await PostClaimsAsync(ClaimAt(NewId("first"), moved, "Who held Gao? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z", PostOf(moved, 1)));
        var (second, _) = await PostClaimsAsync(ClaimAt(NewId("second"), desk, "Who held Ber? " + Guid.NewGuid(), Taken, "2023-09-21T09:00:00Z", PostOf(desk, 1)));
        var heldByFirst = await MomentAsync();

        // The account changed hands: taken from the first source, given to the second.
        await TakeHandleAsync(first, moved);
        await GiveHandleAsync(second, moved);
        var heldBySecond = await MomentAsync();

        Assert.Equal(first, await HolderAsync(moved, heldByFirst));
        Assert.Equal(second, await HolderAsync(moved, heldBySecond));
        Assert.Equal(second, await HolderAsync(moved, null));
        Assert.Null(await HolderAsync(moved, beforeAny));
    }

    [Fact]
    public async Task A_lookup_known_at_a_moment_finds_no_source_for_a_handle_it_was_given_only_later()
    {
        var (moved, desk) = ($"later_{Guid.NewGuid():N}"[..15], $"desk_{Guid.NewGuid():N}"[..15]);
        var (first, _) = await PostClaimsAsync(ClaimAt(NewId("first"), moved, "Who held Gao? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z", PostOf(moved, 1)));
        var (second, _) = await PostClaimsAsync(ClaimAt(NewId("second"), desk, "Who held Ber? " + Guid.NewGuid(), Taken, "2023-09-21T09:00:00Z", PostOf(desk, 1)));
        var heldByFirst = await MomentAsync();
        await TakeHandleAsync(first, moved);
        var heldByNone = await MomentAsync();

        // The second source was on record then, with another handle; this one it was given after.
        await GiveHandleAsync(second, moved);

        Assert.Equal(first, await HolderAsync(moved, heldByFirst));
        Assert.Null(await HolderAsync(moved, heldByNone));
        Assert.Equal(second, await HolderAsync(moved, null));
    }

    [Fact]
    public async Task Holders_read_back_from_the_events_at_start_up_are_those_written_with_the_record_and_answer_alike()
    {
        var (chan, army, other) = ($"chan_{Guid.NewGuid():N}"[..15], $"army_{Guid.NewGuid():N}"[..15], $"other_{Guid.NewGuid():N}"[..15]);
        var (absorbed, _) = await PostClaimsAsync(ClaimAt(NewId("absorbed"), chan, "Who held Boni? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z", PostOf(chan, 1)));
        var (survivor, _) = await PostClaimsAsync(ClaimAt(NewId("survivor"), army, "Who held Ber? " + Guid.NewGuid(), Taken, "2023-09-21T09:00:00Z", PostOf(army, 1)));
        var (third, _) = await PostClaimsAsync(ClaimAt(NewId("third"), other, "Who held Tessit? " + Guid.NewGuid(), Taken, "2023-09-22T09:00:00Z", PostOf(other, 1)));
        var beforeMerge = await MomentAsync();

        // The channel's handle goes to the survivor with the merge, then to a third source.
        (await Client.PostAsJsonAsync($"/v1/sources/{survivor}/merge", new { absorb = absorbed })).EnsureSuccessStatusCode();
        var afterMerge = await MomentAsync();
        await TakeHandleAsync(survivor, chan);
        await GiveHandleAsync(third, chan);
        var moved = await MomentAsync();

        async Task<string?[]> AnswersAsync() =>
            [await HolderAsync(chan, beforeMerge), await HolderAsync(chan, afterMerge), await HolderAsync(chan, moved), await HolderAsync(chan, null)];

        string?[] expected = [absorbed, survivor, third, third];
        Assert.Equal(expected, await AnswersAsync());

        string[] keys = [$"x:{chan}", $"x:{army}", $"x:{other}"];
        var written = await HoldingsAsync(keys);
        // Run again over the holdings written with the record, it finds nothing missing: no holding twice.
        var pass = api.Factory.Services.GetServices<IHostedService>().OfType<HandleHolderHistory>().Single();
        await ExecuteAsync($"delete from {Store.Options.DatabaseSchemaName}.handle_holder_passes");
        await pass.FillInUnlessDoneAsync();
        Assert.Equal(written, await HoldingsAsync(keys));

        // As a database kept before the holders were: none of these, and no pass run.
        await ExecuteAsync($"delete from {HandleHolders.QualifiedName(Store)} where handle_key = any($1)", keys);
        await ExecuteAsync($"delete from {Store.Options.DatabaseSchemaName}.handle_holder_passes");
        Assert.Equal(written.Count, await pass.FillInUnlessDoneAsync());

        // The same holdings, from and until the store's stamps of the events. A holding written with
        // a new source's registration starts at its transaction's time, a moment apart from the stamp
        // Marten gives the source's first events; every other end is the same to the microsecond.
        var filled = await HoldingsAsync(keys);
        Assert.Equal(written.Select(h => (h.Key, h.SourceId, h.Until)), filled.Select(h => (h.Key, h.SourceId, h.Until)));
        Assert.All(written.Zip(filled), pair => Assert.InRange((pair.Second.From - pair.First.From).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        Assert.Equal(
            written.Where(h => h.Key == $"x:{chan}" && h.SourceId != absorbed).Select(h => h.From),
            filled.Where(h => h.Key == $"x:{chan}" && h.SourceId != absorbed).Select(h => h.From));
        Assert.Equal(expected, await AnswersAsync());

        // Completed once, it is not run again.
        await ExecuteAsync($"delete from {HandleHolders.QualifiedName(Store)} where handle_key = any($1)", keys);
        Assert.Equal(0, await pass.FillInUnlessDoneAsync());
        Assert.Empty(await HoldingsAsync(keys));
    }

    private IDocumentStore Store => api.Factory.Services.GetRequiredService<IDocumentStore>();

    private sealed record StoredHolding(string Key, string SourceId, DateTimeOffset From, DateTimeOffset? Until);

    private async Task<List<StoredHolding>> HoldingsAsync(string[] keys)
    {
        await using var connection = new NpgsqlConnection(api.Factory.ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand(
            $"select handle_key, source_id, held_from, held_until from {HandleHolders.QualifiedName(Store)} where handle_key = any($1) order by handle_key, held_from",
            connection);
        read.Parameters.Add(new NpgsqlParameter { Value = keys });
        var rows = new List<StoredHolding>();
        await using var reader = await read.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new StoredHolding(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return rows;
    }

    private async Task ExecuteAsync(string sql, string[]? keys = null)
    {
        await using var connection = new NpgsqlConnection(api.Factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (keys is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = keys });
        }

        await command.ExecuteNonQueryAsync();
    }
}
