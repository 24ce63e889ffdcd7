using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Reliability.Grains.Records;

namespace Reliability.Api.Tests;

/// <summary>A record written under the first URL key function, re-keyed at start-up, through the public API.</summary>
public sealed class UrlKeyMigrationApiTests(UrlKeyMigrationApiTests.Api api) : IClassFixture<UrlKeyMigrationApiTests.Api>
{
    public sealed class Api() : EditorApi("url_key_migration");

    private IDocumentStore Store => api.Factory.Services.GetRequiredService<IDocumentStore>();

    /// <summary>The start-up pass again, as the first start of the new version on this record would run it.</summary>
    private async Task MigrateAgainAsync()
    {
        await using (var connection = new NpgsqlConnection(api.Factory.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("delete from reliability.url_key_versions", connection);
            await command.ExecuteNonQueryAsync();
        }

        await api.Factory.Services.GetServices<IHostedService>().OfType<UrlKeyMigration>().Single().MigrateAsync();
    }

    [Fact]
    public async Task A_post_recorded_under_its_old_key_is_found_by_any_spelling_once_migrated()
    {
        var status = Random.Shared.NextInt64(1_000_000_000_000_000, 1_999_999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var handle = $"m_{Guid.NewGuid():N}"[..15];
        var claimId = $"mig-{Guid.NewGuid():N}"[..24];
        var url = $"https://twitter.com/{handle}/status/{status}";
        var response = await api.Editor.PostAsJsonAsync("/v1/claims", new
        {
            claims = new[]
            {
                new
                {
                    id = claimId, handle = new { platform = "x", handle }, option = "yes", publishedAt = "2023-09-28T10:00:00Z", url,
                    proposition = new { question = "Did it happen? " + Guid.NewGuid(), options = new[] { "yes", "no" } },
                },
            },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // As a node of the first key function stored it.
        await using (var session = Store.LightweightSession())
        {
            var claim = (await session.LoadAsync<ClaimDocument>(claimId))!;
            claim.UrlKey = UrlKeysVersion1.Of(url);
            session.Store(claim);
            await session.SaveChangesAsync();
        }

        await MigrateAgainAsync();

        var lookup = await api.Editor.PostAsJsonAsync("/v1/lookup", new { urls = new[] { $"https://x.com/i/web/status/{status}" } });
        Assert.Equal(HttpStatusCode.OK, lookup.StatusCode);
        var item = (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0];
        Assert.Equal("post", item.GetProperty("kind").GetString());
        Assert.Equal(claimId, item.GetProperty("claims")[0].GetProperty("claimId").GetString());
    }

    [Fact]
    public async Task A_status_the_record_does_not_know_names_the_source_of_the_handle_in_its_url()
    {
        var handles = new[] { $"a_{Guid.NewGuid():N}"[..15], $"b_{Guid.NewGuid():N}"[..15] };
        var response = await api.Editor.PostAsJsonAsync("/v1/claims", new
        {
            claims = handles.Select(handle => new
            {
                id = $"h-{Guid.NewGuid():N}"[..24], handle = new { platform = "x", handle }, option = "yes", publishedAt = "2023-09-28T10:00:00Z",
                url = $"https://x.com/{handle}/status/1",
                proposition = new { question = "Did it happen? " + Guid.NewGuid(), options = new[] { "yes", "no" } },
            }).ToArray(),
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // One status id under two authors' names, and under none: the key is the same, the handle is not.
        const string unknown = "1999999999999999999";
        string[] urls = [$"https://x.com/{handles[0]}/status/{unknown}", $"https://twitter.com/{handles[1]}/status/{unknown}/photo/1", $"https://x.com/i/web/status/{unknown}"];
        for (var round = 0; round < 2; round++)
        {
            var lookup = await api.Editor.PostAsJsonAsync("/v1/lookup", new { urls });
            var items = (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items");
            Assert.Equal(["source", "source", "unknown"], items.EnumerateArray().Select(i => i.GetProperty("kind").GetString()));
            Assert.Equal($"x-{handles[0]}", items[0].GetProperty("source").GetProperty("id").GetString());
            Assert.Equal($"x-{handles[1]}", items[1].GetProperty("source").GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task An_article_registered_under_the_old_key_function_keeps_its_id_when_registered_again()
    {
        var url = $"https://news.example/{Guid.NewGuid():N}/article.php?utm_source=feed&id=42";
        var oldId = StreamKeys.ArticleIdForVersion1(url);
        Assert.NotEqual(oldId, StreamKeys.ArticleIdFor(url));
        // As a node of the first key function registered it: named after the old key, with no key stored.
        await using (var session = Store.LightweightSession())
        {
            session.Store(new ArticleDocument { Id = oldId, Url = url, Title = "Before", RegisteredAt = DateTimeOffset.UtcNow.AddDays(-1) });
            await session.SaveChangesAsync();
        }

        await MigrateAgainAsync();

        // Registered again, spelt another way: the same article, updated.
        var again = url.Replace("utm_source=feed&id=42", "id=42&fbclid=abc", StringComparison.Ordinal);
        var registered = await api.Editor.PostAsJsonAsync("/v1/articles", new { url = again, publishedAt = "2023-09-28T18:00:00Z", title = "After" });
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        Assert.Equal(oldId, (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());

        await using var query = Store.QuerySession();
        var key = UrlKeys.Of(url);
        var articles = await query.Query<ArticleDocument>().Where(a => a.UrlKey == key).ToListAsync();
        var article = Assert.Single(articles);
        Assert.Equal((oldId, "After", again), (article.Id, article.Title, article.Url));

        // Another article the first function keyed alike is another article now, under an id of its own.
        var other = url.Replace("id=42", "id=99", StringComparison.Ordinal);
        var second = await api.Editor.PostAsJsonAsync("/v1/articles", new { url = other, publishedAt = "2023-09-28T18:00:00Z" });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.NotEqual(oldId, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        Assert.Equal("After", (await query.LoadAsync<ArticleDocument>(oldId))!.Title);
    }
}
