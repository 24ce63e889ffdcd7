using JasperFx;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Reliability.Domain.Model;
using Reliability.Grains.Records;
using Reliability.Grains.Recording;
using Reliability.Grains.Watching;
using Reliability.Infrastructure.EventStore;
using Reliability.Infrastructure.Watching;

namespace Reliability.Grains.Tests;

/// <summary>
/// A claim's new documents are inserted by one statement per table, beside Marten: the rows must be
/// the ones Marten's own insert writes, column for column, or Marten reads them wrong later.
/// </summary>
public sealed class NewDocumentRowsTests() : RecordStoreTests("new_document_rows")
{
    private static readonly DateTimeOffset Recorded = new(2025, 3, 1, 12, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_claim_document_row_is_the_one_Martens_insert_writes()
    {
        static ClaimDocument Claim(string id) => new()
        {
            Id = id, SourceId = "rows-source", PropositionId = "rows-proposition", Option = "yes", PublishedAt = Recorded,
            Url = "https://x.com/a/status/1", UrlKey = "x.com/a/status/1", Hedge = Hedge.Reported, OriginalText = "Le camp est tombé.",
            Language = "fr", EvidenceUrls = ["https://example.org/photo"],
        };

        await AssertSameRowsAsync(Claim("rows-marten"), Claim("rows-bulk"), new NewDocumentRows<ClaimDocument>(d => d.Id), "mt_doc_claimdocument");
        await using var query = Store.QuerySession();
        Assert.Equal(["rows-bulk", "rows-marten"], (await query.Query<ClaimDocument>().Where(c => c.UrlKey == "x.com/a/status/1").ToListAsync())
            .Select(c => c.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_archived_post_row_is_the_one_Martens_insert_writes()
    {
        static ArchivedPost Post(string id) => new()
        {
            Id = id, Url = "https://x.com/a/status/2", Text = "Nos forces ont repoussé l'attaque.",
            ContentHash = ArchivedPost.HashOf("Nos forces ont repoussé l'attaque."), ArchivedAt = Recorded,
        };

        await AssertSameRowsAsync(Post("rows-marten"), Post("rows-bulk"), new NewDocumentRows<ArchivedPost>(d => d.Id), "mt_doc_archivedpost");
    }

    [Fact]
    public async Task A_watch_row_is_the_one_Martens_insert_writes_and_takes_versioned_updates()
    {
        static ClaimWatch Watch(string id) => new()
        {
            Id = id, SourceId = "rows-source", Url = "https://x.com/a/status/3", RecordedAt = Recorded, NextCheckAt = Recorded.AddHours(1),
        };

        await AssertSameRowsAsync(Watch("rows-marten"), Watch("rows-bulk"), new NewDocumentRows<ClaimWatch>(d => d.Id, ("next_check_at", d => d.NextCheckAt)), "mt_doc_claimwatch");

        // The deletion-check schedule finds it by its column, and the watcher's versioned update of it
        // goes through while a stale copy is refused.
        await using (var query = Store.QuerySession())
        {
            var due = await query.Query<ClaimWatch>().Where(w => !w.Finished && w.NextCheckAt <= Recorded.AddHours(2)).ToListAsync();
            Assert.Contains(due, w => w.Id == "rows-bulk");
        }

        await using var stale = Store.LightweightSession();
        var staleCopy = await stale.LoadAsync<ClaimWatch>("rows-bulk");
        await using (var watcher = Store.LightweightSession())
        {
            var watch = await watcher.LoadAsync<ClaimWatch>("rows-bulk");
            watch!.Checks++;
            watcher.Store(watch);
            await watcher.SaveChangesAsync();
        }

        staleCopy!.Finished = true;
        stale.Store(staleCopy);
        await Assert.ThrowsAsync<ConcurrencyException>(() => stale.SaveChangesAsync());
    }

    [Fact]
    public async Task An_id_already_taken_is_a_conflict_and_the_commit_stores_none_of_its_rows()
    {
        var rows = new NewDocumentRows<ArchivedPost>(d => d.Id);
        static ArchivedPost Post(string id) => new() { Id = id, Url = "", Text = id, ContentHash = ArchivedPost.HashOf(id), ArchivedAt = Recorded };
        await using (var first = Store.LightweightSession())
        {
            rows.Queue(first, [Post("taken")]);
            await first.SaveChangesAsync();
        }

        await using var second = Store.LightweightSession();
        rows.Queue(second, [Post("free"), Post("taken")]);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => second.SaveChangesAsync());

        Assert.True(WriteConflicts.IsConflict(refused), refused.ToString());
        await using var query = Store.QuerySession();
        Assert.Null(await query.LoadAsync<ArchivedPost>("free"));
        Assert.Equal("taken", (await query.LoadAsync<ArchivedPost>("taken"))!.Text);
    }

    /// <summary>
    /// One document inserted by Marten, the other (the same but for its id) by <paramref name="rows"/>:
    /// every column of the two rows matches, but for the id and the row's version and time, and the
    /// versions are both set and differ.
    /// </summary>
    private async Task AssertSameRowsAsync<T>(T byMarten, T byRows, NewDocumentRows<T> rows, string table) where T : notnull
    {
        await using (var session = Store.LightweightSession())
        {
            session.Insert(byMarten);
            rows.Queue(session, [byRows]);
            await session.SaveChangesAsync();
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"""
            select id, (to_jsonb(t) - 'id' - 'mt_version' - 'mt_last_modified' - 'data')::text, (t.data - 'Id')::text, mt_version, mt_last_modified
            from {EventStoreRegistration.SchemaName}.{table} t order by id
            """, connection);
        var found = new List<(string Id, string Columns, string Data, Guid Version, DateTime? Modified)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                found.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetGuid(3), reader.IsDBNull(4) ? null : reader.GetDateTime(4)));
            }
        }

        Assert.Equal(2, found.Count);
        var (bulk, marten) = (found[0], found[1]);
        Assert.Equal(("rows-bulk", "rows-marten"), (bulk.Id, marten.Id));
        Assert.Equal(marten.Columns, bulk.Columns);
        Assert.Equal(marten.Data, bulk.Data);
        Assert.NotEqual(Guid.Empty, bulk.Version);
        Assert.NotEqual(marten.Version, bulk.Version);
        Assert.Equal(marten.Modified, bulk.Modified);

        await using var query = Store.QuerySession();
        Assert.Equal(
            Store.Options.Serializer().ToJson(byRows),
            Store.Options.Serializer().ToJson((await query.LoadAsync<T>("rows-bulk"))!));
    }
}
