using Marten;
using Npgsql;
using Reliability.Contracts.Ledger;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Records;

namespace Reliability.Grains.Tests;

/// <summary>Submissions and what is stored, as the tests need them.</summary>
public static class Record
{
    public static readonly DateTimeOffset Epoch = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    public static NewProposition Proposition(string id, int options = 2) =>
        new($"Question {id}?", [.. Enumerable.Range(0, options).Select(i => "o" + i)], ["topic-" + id[^1]], null, id);

    public static ClaimSubmission Claim(string id, string sourceId, string propositionId, string option, int minute, string hedge = "asserted", int options = 2) =>
        new(id, sourceId, null, null, null, Proposition(propositionId, options), option, Epoch.AddMinutes(minute),
            $"https://example.org/{sourceId}/{id}", null, null, hedge, null, null);

    public static async Task<IReadOnlyList<IReliabilityEvent>> StreamAsync(IDocumentStore store, string streamKey)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(streamKey);
        return [.. events.Select(e => e.Data).OfType<IReliabilityEvent>()];
    }

    /// <summary>
    /// The propositions a source's stream has been given, in order: carried by the source's first
    /// claim on each, or (in streams written before that) copied in on their own.
    /// </summary>
    public static IReadOnlyList<string> PropositionsIn(IEnumerable<IReliabilityEvent> sourceStream) =>
        [.. sourceStream.Select(e => e switch
        {
            ClaimRecorded { Proposition: { } carried } => carried.Id,
            PropositionOpened opened => opened.Proposition.Id,
            _ => null,
        }).OfType<string>()];

    public static async Task<IReadOnlyList<string>> ClaimIdsAsync(IDocumentStore store, string streamKey) =>
        [.. (await StreamAsync(store, streamKey)).OfType<ClaimRecorded>().Select(c => c.Claim.Id)];

    public static async Task<T?> LoadAsync<T>(IDocumentStore store, string id) where T : notnull
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<T>(id);
    }

    /// <summary>
    /// Takes one of the record's own tables out of reach (renamed, as if dropped) while the rest of the
    /// store stays readable, until the returned handle puts it back under its name.
    /// </summary>
    public static async Task<IAsyncDisposable> TakeTableAwayAsync(IDocumentStore store, string tableName)
    {
        var schema = store.Options.DatabaseSchemaName;
        await ExecuteAsync(store, $"alter table {schema}.{tableName} rename to {tableName}_away");
        return new TableAway(store, $"alter table {schema}.{tableName}_away rename to {tableName}");
    }

    private static async Task ExecuteAsync(IDocumentStore store, string sql)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class TableAway(IDocumentStore store, string restore) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await ExecuteAsync(store, restore);
    }

    /// <summary>
    /// Makes a stream's last event unreadable (a body that does not fit its type), as a damaged row
    /// would be, until the returned handle puts the body back.
    /// </summary>
    public static async Task<IAsyncDisposable> DamageLastEventAsync(IDocumentStore store, string streamKey)
    {
        var events = $"{store.Options.Events.DatabaseSchemaName}.mt_events";
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"update {events} e set data = '{{\"Claim\": 5}}'::jsonb from (select seq_id, data from {events} where stream_id = $1 order by version desc limit 1) old " +
            "where e.seq_id = old.seq_id returning e.seq_id, old.data::text", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = streamKey });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"stream {streamKey} has no event to damage");
        return new DamagedEvent(store, events, reader.GetInt64(0), reader.GetString(1));
    }

    private sealed class DamagedEvent(IDocumentStore store, string events, long sequence, string body) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using var connection = store.Storage.Database.CreateConnection();
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"update {events} set data = $1::jsonb where seq_id = $2", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = body });
            command.Parameters.Add(new NpgsqlParameter { Value = sequence });
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Polls until the check holds; a deadline for liveness, never a timing assertion.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> check, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await check())
                {
                    return;
                }
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or OrleansException)
            {
                last = e;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"Never happened: {what}. Last error: {last?.Message}");
    }

    public static string Json<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value);

    public static IEnumerable<ClaimSubmission> Accepted(this IReadOnlyList<SubmissionResult> results, IEnumerable<ClaimSubmission> submitted)
    {
        var accepted = results.Where(r => r.Status == SubmissionStatus.Accepted).Select(r => r.Id).ToHashSet();
        return submitted.Where(s => accepted.Contains(s.Id));
    }

    /// <summary>
    /// A claim stored straight to the record, behind the grains' backs, as a writer that died before
    /// telling them leaves it: its source's stream and, with <paramref name="withDocument"/>, its
    /// claim document (which a writer stores in the same transaction).
    /// </summary>
    public static async Task AppendClaimAsync(
        IDocumentStore store, string source, string proposition, string claimId, int minute, bool withDocument = false)
    {
        var claim = new Claim(claimId, source, proposition, "o0", Epoch.AddMinutes(minute), null, null, null, Hedge.Asserted, null, []);
        await using var session = store.LightweightSession();
        session.Events.Append(SourceStream(source), new ClaimRecorded(claim));
        if (withDocument)
        {
            session.Insert(new ClaimDocument
            {
                Id = claim.Id, SourceId = source, PropositionId = proposition, Option = claim.Option, PublishedAt = claim.PublishedAt,
            });
        }

        await session.SaveChangesAsync();
    }

    /// <summary>Ids of the claims on a proposition, from their documents (a proposition's stream holds none).</summary>
    public static async Task<IReadOnlyList<string>> ClaimIdsOnAsync(IDocumentStore store, string proposition) =>
        [.. (await new RecordQueries(store).ClaimsOnPropositionAsync(proposition)).Select(d => d.Id)];

    public static string SourceStream(string id) => StreamKeys.Source(id);

    public static string PropositionStream(string id) => StreamKeys.Proposition(id);
}
