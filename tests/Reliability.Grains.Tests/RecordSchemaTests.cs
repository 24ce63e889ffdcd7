using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using JasperFx;
using Reliability.Domain.Model;
using Reliability.Grains.Recording;
using Reliability.Grains.Records;
using Reliability.Grains.Watching;
using Reliability.Infrastructure.EventStore;
using Reliability.Testing;

namespace Reliability.Grains.Tests;

/// <summary>A database made by an earlier version of the record is brought up to date in place.</summary>
public sealed class RecordSchemaTests
{
    [Fact]
    public async Task A_watch_schedule_indexed_inside_its_documents_moves_to_its_own_column_with_every_watch_still_due()
    {
        var connectionString = await TestDatabase.CreateAsync("record_schema_upgrade");
        var due = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

        // The earlier layout: the schedule read out of the JSON by an expression index.
        await using (var earlier = await StoreAsync(connectionString, o => o.Schema.For<ClaimWatch>().Index(w => w.NextCheckAt).UseOptimisticConcurrency(true)))
        {
            await using var session = earlier.GetRequiredService<IDocumentStore>().LightweightSession();
            session.Store(
                new ClaimWatch { Id = "upgrade-due", SourceId = "s", Url = "https://example.org/1", NextCheckAt = due },
                new ClaimWatch { Id = "upgrade-later", SourceId = "s", Url = "https://example.org/2", NextCheckAt = due.AddDays(2) });
            await session.SaveChangesAsync();
        }

        Assert.Contains(await IndexDefinitionsAsync(connectionString, "mt_doc_claimwatch"), i => i.Contains("NextCheckAt", StringComparison.Ordinal));

        await using var current = await StoreAsync(connectionString, o => o.ConfigureRecord());
        await using (var query = current.GetRequiredService<IDocumentStore>().QuerySession())
        {
            // The deletion-check schedule's own query.
            var found = await query.Query<ClaimWatch>().Where(w => !w.Finished && w.NextCheckAt <= due.AddDays(1)).OrderBy(w => w.NextCheckAt).ToListAsync();
            Assert.Equal(["upgrade-due"], found.Select(w => w.Id));
        }

        var indexes = await IndexDefinitionsAsync(connectionString, "mt_doc_claimwatch");
        Assert.Contains(indexes, i => i.Contains("(next_check_at)", StringComparison.Ordinal));
        Assert.DoesNotContain(indexes, i => i.Contains("NextCheckAt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Propositions_stored_unversioned_take_versioned_updates_and_refuse_stale_ones()
    {
        var connectionString = await TestDatabase.CreateAsync("record_schema_proposition_versions");
        var proposition = new Proposition("upgrade-p", "Did it happen?", ["yes", "no"], [], null);

        // The earlier layout: propositions stored without a version, so the last writer won.
        await using (var earlier = await StoreAsync(connectionString, o => o.Schema.For<PropositionDocument>().Index(p => p.State)))
        {
            await using var session = earlier.GetRequiredService<IDocumentStore>().LightweightSession();
            session.Store(new PropositionDocument { Id = proposition.Id, Proposition = proposition, ClaimedOptions = ["yes"] });
            await session.SaveChangesAsync();
        }

        await using var current = await StoreAsync(connectionString, o => o.ConfigureRecord());
        var store = current.GetRequiredService<IDocumentStore>();
        await using var stale = store.LightweightSession();
        var staleCopy = await stale.LoadAsync<PropositionDocument>(proposition.Id);

        await using (var writer = store.LightweightSession())
        {
            var document = await writer.LoadAsync<PropositionDocument>(proposition.Id);
            document!.ClaimedOptions.Add("no");
            document.Refresh();
            writer.Store(document);
            await writer.SaveChangesAsync();
        }

        staleCopy!.ClaimCount++;
        stale.Store(staleCopy);
        await Assert.ThrowsAsync<ConcurrencyException>(() => stale.SaveChangesAsync());
        await using var query = store.QuerySession();
        Assert.Equal("contested", (await query.LoadAsync<PropositionDocument>(proposition.Id))!.State);
    }

    [Fact]
    public async Task Claims_indexed_by_source_alone_are_reindexed_by_source_and_proposition_and_still_counted()
    {
        var connectionString = await TestDatabase.CreateAsync("record_schema_claim_index");
        static ClaimDocument Claim(string id, string source, string proposition) =>
            new() { Id = id, SourceId = source, PropositionId = proposition, Option = "yes" };

        // The earlier layout: claims indexed by source alone.
        await using (var earlier = await StoreAsync(connectionString, o => o.Schema.For<ClaimDocument>().Index(c => c.UrlKey).Index(c => c.PropositionId).Index(c => c.SourceId)))
        {
            await using var session = earlier.GetRequiredService<IDocumentStore>().LightweightSession();
            session.Store(Claim("ix-1", "ix-s1", "ix-p1"), Claim("ix-2", "ix-s1", "ix-p2"), Claim("ix-3", "ix-s2", "ix-p1"));
            await session.SaveChangesAsync();
        }

        await using var current = await StoreAsync(connectionString, o => o.ConfigureRecord());
        var indexes = await IndexDefinitionsAsync(connectionString, "mt_doc_claimdocument");
        Assert.Single(indexes, i => i.Contains("'SourceId'", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Contains("'SourceId'", StringComparison.Ordinal) && i.Contains("'PropositionId'", StringComparison.Ordinal));
        var counts = await new RecordQueries(current.GetRequiredService<IDocumentStore>()).ClaimCountsAsync(["ix-s1", "ix-s2", "ix-s3"]);
        Assert.Equal(new Dictionary<string, int> { ["ix-s1"] = 2, ["ix-s2"] = 1 }, counts);
    }

    [Fact]
    public async Task Articles_stored_before_their_urls_were_keyed_get_a_gin_indexed_key_column_and_are_still_found_unkeyed()
    {
        var connectionString = await TestDatabase.CreateAsync("record_schema_article_keys");

        // The earlier layout: articles unversioned, their cited URLs only inside the JSON.
        await using (var earlier = await StoreAsync(connectionString, o => o.Schema.For<ArticleDocument>()))
        {
            await using var session = earlier.GetRequiredService<IDocumentStore>().LightweightSession();
            session.Store(new ArticleDocument { Id = "a-upgrade", Url = "https://news.example/upgrade", CitedUrls = ["https://x.com/desk/status/1"] });
            await session.SaveChangesAsync();
        }

        await using var current = await StoreAsync(connectionString, o => o.ConfigureRecord());
        Assert.Contains(await IndexDefinitionsAsync(connectionString, "mt_doc_articledocument"),
            i => i.Contains("USING gin (cited_url_keys)", StringComparison.Ordinal));
        await using var query = current.GetRequiredService<IDocumentStore>().QuerySession();
        // The start-up pass's own query.
        var unkeyed = await query.QueryAsync<ArticleDocument>(ArticleUrlKeys.Unkeyed);
        Assert.Equal(["a-upgrade"], unkeyed.Select(a => a.Id));
    }

    [Fact]
    public async Task Articles_stored_with_their_cited_claims_only_inside_the_json_are_found_by_claim_after_the_upgrade()
    {
        var connectionString = await TestDatabase.CreateAsync("record_schema_article_claims");

        // The earlier layout: the cited URL keys a column of their own, the cited claims only inside the JSON.
        await using (var earlier = await StoreAsync(connectionString, o => o.Schema.For<ArticleDocument>().UseOptimisticConcurrency(true).Index(a => a.UrlKey)
            .Duplicate(a => a.CitedUrlKeys!, pgType: "text[]", dbType: NpgsqlDbType.Array | NpgsqlDbType.Text)))
        {
            await using var session = earlier.GetRequiredService<IDocumentStore>().LightweightSession();
            session.Store(
                new ArticleDocument { Id = "a-claims-1", Url = "https://news.example/claims-1", CitedClaimIds = ["ac-1", "ac-2"] },
                new ArticleDocument { Id = "a-claims-2", Url = "https://news.example/claims-2", CitedClaimIds = ["ac-2"] },
                new ArticleDocument { Id = "a-claims-3", Url = "https://news.example/claims-3" });
            await session.SaveChangesAsync();
        }

        await using var current = await StoreAsync(connectionString, o => o.ConfigureRecord());
        Assert.Contains(await IndexDefinitionsAsync(connectionString, "mt_doc_articledocument"),
            i => i.Contains("USING gin (cited_claim_ids)", StringComparison.Ordinal));
        await using var query = current.GetRequiredService<IDocumentStore>().QuerySession();
        // The column is filled in for the articles stored before it, not only for those stored after.
        Assert.Equal(["a-claims-1"], await ArticleWrite.ArticlesCitingAsync(query, "ac-1", CancellationToken.None));
        Assert.Equal(["a-claims-1", "a-claims-2"], await ArticleWrite.ArticlesCitingAnyAsync(query, ["ac-2", "ac-9"], CancellationToken.None));
        Assert.Empty(await ArticleWrite.ArticlesCitingAnyAsync(query, [], CancellationToken.None));
    }

    [Fact]
    public async Task Sources_merged_before_the_merged_into_index_are_found_through_it_by_the_merge_that_repoints_them()
    {
        var connectionString = await TestDatabase.CreateAsync("record_schema_merged_into");
        static SourceDocument Source(string id, string? mergedInto) =>
            new() { Id = id, Name = id, Kind = SourceKind.Outlet, MergedInto = mergedInto };

        // The earlier layout: a source's merged-into field only inside its JSON.
        await using (var earlier = await StoreAsync(connectionString, o => o.Schema.For<SourceDocument>().Index(s => s.Band).UseOptimisticConcurrency(true)))
        {
            await using var session = earlier.GetRequiredService<IDocumentStore>().LightweightSession();
            session.Store(Source("mi-first", "mi-second"), Source("mi-other", "mi-third"), Source("mi-second", null), Source("mi-third", null));
            await session.SaveChangesAsync();
        }

        await using var current = await StoreAsync(connectionString, o => o.ConfigureRecord());
        var store = current.GetRequiredService<IDocumentStore>();
        // The partial index's predicate reads back as configured: no start-up drops and rebuilds it.
        await store.Storage.Database.AssertDatabaseMatchesConfigurationAsync();
        await using var query = store.QuerySession();
        // The merge's own query: the sources stored before the index are found, not only those stored after.
        var takenOver = SourceWrite.TakenOverBy(query, "mi-second");
        Assert.Equal(["mi-first"], (await takenOver.ToListAsync()).Select(s => s.Id));

        var plan = await PlanWithoutSequentialScansAsync(connectionString, takenOver.ToCommand());
        Assert.Contains(plan, line => line.Contains("Index Cond", StringComparison.Ordinal) && line.Contains("'MergedInto'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_database_kept_before_handle_holders_gets_their_table_and_start_up_finds_nothing_else_to_change()
    {
        var connectionString = await TestDatabase.CreateAsync("record_schema_handle_holders");

        // The earlier layout: who holds a handle now, and nothing of who held it before.
        await using (var earlier = await StoreAsync(connectionString, o => o.Schema.For<HandleDocument>()))
        {
            await using var session = earlier.GetRequiredService<IDocumentStore>().LightweightSession();
            session.Store(new HandleDocument { Id = "x:hh_desk", SourceId = "hh-desk" });
            await session.SaveChangesAsync();
        }

        await using var current = await StoreAsync(connectionString, o => o.ConfigureRecord());
        var store = current.GetRequiredService<IDocumentStore>();
        // Read back as configured (key, column types, nullability): no start-up alters the table again.
        await store.Storage.Database.AssertDatabaseMatchesConfigurationAsync();
        await using (var again = await StoreAsync(connectionString, o => o.ConfigureRecord()))
        {
            await again.GetRequiredService<IDocumentStore>().Storage.Database.AssertDatabaseMatchesConfigurationAsync();
        }

        Assert.Contains(await IndexDefinitionsAsync(connectionString, HandleHolders.TableName),
            i => i.Contains("UNIQUE", StringComparison.Ordinal) && i.Contains("(handle_key, held_from, source_id)", StringComparison.Ordinal));
        Assert.Empty(await HandleHolders.AtAsync(store, ["x:hh_desk"], DateTimeOffset.UtcNow, CancellationToken.None));
    }

    /// <summary>
    /// The plan PostgreSQL makes for the command with sequential scans priced out, as on a table too
    /// large to read whole: a scan of the whole table is left in it only when no index serves the query.
    /// </summary>
    private static async Task<List<string>> PlanWithoutSequentialScansAsync(string connectionString, NpgsqlCommand command)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var noScans = new NpgsqlCommand("set enable_seqscan = off", connection))
        {
            await noScans.ExecuteNonQueryAsync();
        }

        await using var explain = new NpgsqlCommand("explain " + command.CommandText, connection);
        foreach (NpgsqlParameter parameter in command.Parameters)
        {
            explain.Parameters.Add(parameter.Clone());
        }

        return await FirstColumnAsync(explain);
    }

    private static async Task<ServiceProvider> StoreAsync(string connectionString, Action<StoreOptions> documents)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddReliabilityEventStore(connectionString, documents);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return provider;
    }

    private static async Task<List<string>> IndexDefinitionsAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select indexdef from pg_indexes where tablename = $1", connection) { Parameters = { new() { Value = table } } };
        return await FirstColumnAsync(command);
    }

    private static async Task<List<string>> FirstColumnAsync(NpgsqlCommand command)
    {
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
