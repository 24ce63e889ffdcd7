using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Reliability.Grains.Records;
using Reliability.Infrastructure;

namespace Reliability.Grains.Tests;

/// <summary>Claims and articles stored under the first key function, re-keyed so the current one finds them.</summary>
public sealed class UrlKeyMigrationTests() : RecordStoreTests("url_key_migration")
{
    private static readonly string[] Cited =
    [
        "https://news.example/article.php?utm_source=x&id=42",
        "https://news.example/article.php?utm_source=x&id=99",
        "https://twitter.com/War_Noir/status/1707000000000000001",
        "https://t.me/Channel/123",
        "https://youtu.be/dQw4w9WgXcQ",
    ];

    /// <summary>Claim documents as the first key function stored them, with more claims than a page around them.</summary>
    private async Task StoreOldClaimsAsync(int others)
    {
        await using var session = Store.LightweightSession();
        for (var i = 0; i < Cited.Length; i++)
        {
            session.Insert(new ClaimDocument
            {
                Id = $"old-{i}", SourceId = "s-old", PropositionId = "p-old", Option = "o0", PublishedAt = Record.Epoch,
                Url = Cited[i], UrlKey = UrlKeysVersion1.Of(Cited[i]),
            });
        }

        for (var i = 0; i < others; i++)
        {
            var url = $"https://example.org/post/{i}";
            session.Insert(new ClaimDocument
            {
                Id = $"filler-{i:D5}", SourceId = "s-filler", PropositionId = "p-filler", Option = "o0", PublishedAt = Record.Epoch,
                Url = url, UrlKey = UrlKeysVersion1.Of(url),
            });
        }

        await session.SaveChangesAsync();
    }

    private UrlKeyMigration Migration() => new(Store, NullLogger<UrlKeyMigration>.Instance);

    private async Task<IReadOnlyList<string>> ClaimsAtAsync(string url) =>
        [.. (await new RecordQueries(Store).FindClaimsByUrlKeysAsync([UrlKeys.Of(url)!])).Select(c => c.Id).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Claims_keyed_by_the_first_function_are_found_by_the_current_one_once_migrated_and_the_migration_runs_once()
    {
        await StoreOldClaimsAsync(UrlKeyMigration.PageSize + 200);
        // Before: the two articles' claims share one key, and other spellings of the posts find nothing.
        Assert.Empty(await ClaimsAtAsync("https://x.com/i/web/status/1707000000000000001"));

        Assert.Equal(Cited.Length, await Migration().MigrateAsync());

        Assert.Equal(["old-0"], await ClaimsAtAsync("https://news.example/article.php?id=42&utm_campaign=y"));
        Assert.Equal(["old-1"], await ClaimsAtAsync("https://news.example/article.php?id=99"));
        Assert.Equal(["old-2"], await ClaimsAtAsync("https://x.com/i/web/status/1707000000000000001"));
        Assert.Equal(["old-3"], await ClaimsAtAsync("https://t.me/s/channel/123"));
        Assert.Equal(["old-4"], await ClaimsAtAsync("https://www.youtube.com/watch?v=dQw4w9WgXcQ"));
        Assert.Equal(["filler-01100"], await ClaimsAtAsync("https://example.org/post/1100"));
        var claim = await Record.LoadAsync<ClaimDocument>(Store, "old-2");
        Assert.Equal(("s-old", "p-old", Cited[2]), (claim!.SourceId, claim.PropositionId, claim.Url));

        // Done is recorded: a claim stored with an old key now stays as it is (a start-up does not read the record again).
        await using (var session = Store.LightweightSession())
        {
            session.Insert(new ClaimDocument
            {
                Id = "late", SourceId = "s-old", PropositionId = "p-old", Option = "o0", PublishedAt = Record.Epoch,
                Url = "https://x.com/late/status/5", UrlKey = "x.com/late/status/5",
            });
            await session.SaveChangesAsync();
        }

        Assert.Equal(0, await Migration().MigrateAsync());
        Assert.Equal("x.com/late/status/5", (await Record.LoadAsync<ClaimDocument>(Store, "late"))!.UrlKey);
    }

    [Fact]
    public async Task Cited_url_keys_the_key_function_now_makes_otherwise_are_forgotten_for_the_start_up_pass_to_make_again()
    {
        string[] current = ["https://news.example/live"];
        await using (var session = Store.LightweightSession())
        {
            session.Insert(new ArticleDocument
            {
                Id = "a-old", Url = "https://desk.example/story", PublishedAt = Record.Epoch, RegisteredAt = Record.Epoch,
                CitedUrls = [.. Cited], CitedUrlKeys = [.. Cited.Select(UrlKeysVersion1.Of).OfType<string>().Distinct(StringComparer.Ordinal)],
            });
            session.Insert(new ArticleDocument
            {
                Id = "a-current", Url = "https://desk.example/other", PublishedAt = Record.Epoch, RegisteredAt = Record.Epoch,
                CitedUrls = [.. current], CitedUrlKeys = [.. current.Select(UrlKeys.Of).OfType<string>()],
            });
            await session.SaveChangesAsync();
        }

        await Migration().MigrateAsync();

        Assert.Null((await Record.LoadAsync<ArticleDocument>(Store, "a-old"))!.CitedUrlKeys);
        Assert.Equal(["news.example/live"], (await Record.LoadAsync<ArticleDocument>(Store, "a-current"))!.CitedUrlKeys!);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var column = new NpgsqlCommand(
            $"select id, cited_url_keys is null from {Store.Options.Schema.For(typeof(ArticleDocument))} order by id", connection);
        await using var reader = await column.ExecuteReaderAsync();
        var nulls = new Dictionary<string, bool>();
        while (await reader.ReadAsync())
        {
            nulls[reader.GetString(0)] = reader.GetBoolean(1);
        }

        Assert.Equal(new Dictionary<string, bool> { ["a-current"] = false, ["a-old"] = true }, nulls);
    }

    [Fact]
    public async Task A_pass_cut_short_goes_on_from_where_it_stopped_and_silos_starting_together_take_turns()
    {
        await StoreOldClaimsAsync(UrlKeyMigration.PageSize + 200);
        // A pass that stopped after its first page: the rows past it are still old.
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                $"""
                create table reliability.url_key_versions (version integer PRIMARY KEY, step integer NOT NULL DEFAULT 0, after_id text, done_at timestamptz);
                insert into reliability.url_key_versions (version, step, after_id) values ({UrlKeys.Version}, 0, 'filler-99999');
                """, connection);
            await command.ExecuteNonQueryAsync();
        }

        var passes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Migration().MigrateAsync()));

        // Only the rows after the recorded position were read again ("old-*" sort after "filler-*").
        Assert.Equal([0, 0, Cited.Length], passes.Order());
        Assert.Equal(["old-2"], await ClaimsAtAsync("https://x.com/someone/status/1707000000000000001/photo/1"));
    }

    [Fact]
    public async Task A_pass_whose_connection_is_cut_reports_why_it_stopped_and_leaves_the_lock_to_the_next_pass()
    {
        Assert.Equal(0, await Migration().MigrateAsync());
        await using var holder = new NpgsqlConnection(ConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        // Holds the pass at its first statement, inside the lock it took.
        await using (var lockTable = new NpgsqlCommand("lock table reliability.url_key_versions in access exclusive mode", holder, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var pass = Migration().MigrateAsync();
        // Watched from a connection of its own: within a transaction, PostgreSQL answers every read of
        // pg_stat_activity from the snapshot its first read took, which may predate the pass.
        await using var observer = new NpgsqlConnection(ConnectionString);
        await observer.OpenAsync();
        var waiting = await WaitForAsync(observer,
            $"""
            select pid from pg_stat_activity
            where datname = current_database() and backend_type = 'client backend' and {holder.ProcessID} = any(pg_blocking_pids(pid)) limit 1
            """);
        await ScalarAsync(observer, $"select pg_terminate_backend({waiting})");

        // A guard against a hang, not a timing assertion.
        var stopped = await Assert.ThrowsAnyAsync<Exception>(() => pass.WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.IsNotType<TimeoutException>(stopped);
        // The server's word for why the pass stopped, not a second error from releasing the lock on a dead connection.
        Assert.Contains(ExceptionChain.Of(stopped).OfType<PostgresException>(), e => e.SqlState == PostgresErrorCodes.AdminShutdown);

        await transaction.RollbackAsync();
        Assert.Equal(0, await Migration().MigrateAsync().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task<int> WaitForAsync(NpgsqlConnection connection, string sql)
    {
        // A guard against a hang on a busy machine, not a timing assertion.
        for (var attempt = 0; attempt < 1_200; attempt++)
        {
            if (await ScalarAsync(connection, sql) is int pid)
            {
                return pid;
            }

            await Task.Delay(100);
        }

        var others = await ScalarAsync(connection,
            "select string_agg(concat_ws(' | ', pid, state, wait_event_type, wait_event, left(query, 120)), E'\\n') from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()");
        throw new TimeoutException($"The pass never came to wait on the table. This database's other sessions:\n{others}");
    }
}
