using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Tests;

/// <summary>Articles and their alerts, the live event stream, and rescoring, through the public API.</summary>
public sealed class ArticleAndEventTests(ArticleAndEventTests.Api api) : IClassFixture<ArticleAndEventTests.Api>
{
    public sealed class Api() : EditorApi("articles");

    private static readonly string[] Options = ["army repelled the attack", "JNIM took the base"];

    private HttpClient Client => api.Editor;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private static object Claim(string id, string handle, string question, string option, string? url = null, string publishedAt = "2023-09-28T10:00:00Z") => new
    {
        id,
        handle = new { platform = "x", handle },
        proposition = new { question, options = Options },
        option,
        publishedAt,
        url,
    };

    private async Task<JsonElement> PostClaimsAsync(params object[] claims)
    {
        var response = await Client.PostAsJsonAsync("/v1/claims", new { claims });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(claims.Length, result.GetProperty("accepted").GetInt32());
        return result;
    }

    private async Task<List<(string Kind, string? ClaimId, string? Replacement)>> AlertsAsync(string articleId)
    {
        var alerts = await Client.GetFromJsonAsync<JsonElement>($"/v1/articles/{articleId}/alerts");
        return [.. alerts.GetProperty("alerts").EnumerateArray().Select(a => (
            a.GetProperty("kind").GetString()!,
            a.GetProperty("claimId").GetString(),
            a.GetProperty("replacementClaimId").GetString()))];
    }

    [Fact]
    public async Task A_cited_source_whose_band_dropped_is_an_alert_that_names_the_policies_when_they_differ()
    {
        var handle = $"band_{Guid.NewGuid():N}"[..20];
        var day = DateTimeOffset.UtcNow.AddDays(-2);
        string At(int hours) => day.AddHours(hours).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var ids = Enumerable.Range(0, 6).Select(i => NewId($"band{i}")).ToArray();
        var posted = await PostClaimsAsync([.. ids.Select((id, i) => Claim(id, handle, $"Who held post {i}? {Guid.NewGuid()}", Options[0], publishedAt: At(0)))]);
        var items = posted.GetProperty("items").EnumerateArray().ToList();
        var sourceId = items[0].GetProperty("sourceId").GetString()!;
        async Task ResolveAllAsync(string option, int hours)
        {
            foreach (var item in items)
            {
                (await Client.PutAsJsonAsync($"/v1/propositions/{item.GetProperty("propositionId").GetString()}/resolution", new { option, at = At(hours) }))
                    .EnsureSuccessStatusCode();
            }
        }

        // Six claims confirmed this week: reliable, and the article keeps that band and its policy.
        await ResolveAllAsync(Options[0], 1);
        var score = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score");
        Assert.Equal("reliable", score.GetProperty("summary").GetProperty("band").GetString());
        var policy = score.GetProperty("policyVersion").GetString();
        var registered = await Client.PostAsJsonAsync("/v1/articles", new { url = $"https://news.example/{Guid.NewGuid():N}", publishedAt = At(3), claimIds = new[] { ids[0] } });
        registered.EnsureSuccessStatusCode();
        var article = await registered.Content.ReadFromJsonAsync<JsonElement>();
        var articleId = article.GetProperty("id").GetString()!;
        var cited = article.GetProperty("sources")[0];
        Assert.Equal("reliable", cited.GetProperty("bandAtRegistration").GetString());
        Assert.Equal(policy, cited.GetProperty("policyVersion").GetString());
        // The source's page of citing articles and the search listing name the policy of each band too.
        async Task<JsonElement> CitingAsync() =>
            (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/articles")).GetProperty("articles")
                .EnumerateArray().Single(a => a.GetProperty("articleId").GetString() == articleId);
        Assert.Equal(("reliable", policy), ((await CitingAsync()).GetProperty("bandWhenCited").GetString(), (await CitingAsync()).GetProperty("policyWhenCited").GetString()));
        var listed = Assert.Single((await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query={handle}")).EnumerateArray());
        Assert.Equal(("reliable", policy), (listed.GetProperty("band").GetString(), listed.GetProperty("policyVersion").GetString()));

        // Every verdict revised: the source is unreliable now, under the same policy.
        await ResolveAllAsync(Options[1], 2);
        async Task<JsonElement> DroppedAsync() =>
            (await Client.GetFromJsonAsync<JsonElement>($"/v1/articles/{articleId}/alerts")).GetProperty("alerts").EnumerateArray()
                .Single(a => a.GetProperty("kind").GetString() == "source-band-dropped");
        var dropped = await DroppedAsync();
        Assert.Equal(("reliable", "unreliable"), (dropped.GetProperty("from").GetString(), dropped.GetProperty("to").GetString()));
        Assert.Equal("The source was reliable when the article cited it and is unreliable now.", dropped.GetProperty("detail").GetString());

        // Cited under an earlier policy: the drop may be the policy's, and the alert says so.
        var store = api.Factory.Services.GetRequiredService<Marten.IDocumentStore>();
        await using (var session = store.LightweightSession())
        {
            var stored = (await session.LoadAsync<Reliability.Grains.Records.ArticleDocument>(articleId))!;
            stored.Sources[0].PolicyVersion = "beta-v0";
            session.Store(stored);
            await session.SaveChangesAsync();
        }

        Assert.Equal($"The source was reliable when the article cited it and is unreliable now (scored under beta-v0 then and {policy} now).",
            (await DroppedAsync()).GetProperty("detail").GetString());
        Assert.Equal("beta-v0", (await CitingAsync()).GetProperty("policyWhenCited").GetString());
    }

    [Fact]
    public async Task A_cited_source_whose_band_fell_on_a_topic_or_region_the_article_cites_it_on_is_an_alert_even_while_its_overall_band_holds()
    {
        var handle = $"topic_{Guid.NewGuid():N}"[..20];
        var day = DateTimeOffset.UtcNow.AddDays(-2);
        string At(int hours) => day.AddHours(hours).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var run = Guid.NewGuid();
        // A press office with a long record on logistics and on territory around Gao, and four statements of casualty figures in Timbuktu.
        var topics = Enumerable.Repeat("logistics", 10).Concat(Enumerable.Repeat("territory", 10)).Concat(Enumerable.Repeat("casualties", 4)).ToArray();
        var ids = topics.Select((t, i) => NewId($"{t[..3]}{i}")).ToArray();
        var posted = await PostClaimsAsync([.. ids.Select((id, i) => new
        {
            id,
            handle = new { platform = "x", handle },
            proposition = new { question = $"{topics[i]} question {i}? {run}", options = Options, topics = new[] { topics[i] }, region = topics[i] == "casualties" ? "Timbuktu" : "Gao" },
            option = Options[0],
            publishedAt = At(0),
        })]);
        var items = posted.GetProperty("items").EnumerateArray().ToList();
        var sourceId = items[0].GetProperty("sourceId").GetString()!;
        async Task ResolveAsync(string topic, string option, int hours)
        {
            foreach (var i in Enumerable.Range(0, ids.Length).Where(i => topics[i] == topic))
            {
                (await Client.PutAsJsonAsync($"/v1/propositions/{items[i].GetProperty("propositionId").GetString()}/resolution", new { option, at = At(hours) }))
                    .EnsureSuccessStatusCode();
            }
        }

        async Task<List<JsonElement>> SourceAlertsAsync(string articleId) =>
            [.. (await Client.GetFromJsonAsync<JsonElement>($"/v1/articles/{articleId}/alerts")).GetProperty("alerts").EnumerateArray()
                .Where(a => a.GetProperty("kind").GetString()!.StartsWith("source-", StringComparison.Ordinal))];
        static string Said(JsonElement alert) =>
            $"{alert.GetProperty("kind").GetString()} {(alert.TryGetProperty("topic", out var topic) ? topic.GetString() + " " : "")}"
            + $"{(alert.TryGetProperty("region", out var region) ? region.GetString() + " " : "")}"
            + $"{alert.GetProperty("from").GetString()}→{alert.GetProperty("to").GetString()}: {alert.GetProperty("detail").GetString()}";

        foreach (var topic in new[] { "logistics", "territory", "casualties" })
        {
            await ResolveAsync(topic, Options[0], 1);
        }

        // The article cites one statement of casualty figures: its baselines on casualties and Timbuktu are kept, no other topic's or region's.
        var articleUrl = $"https://news.example/{Guid.NewGuid():N}";
        var casualtyClaim = ids[^1];
        async Task<JsonElement> RegisterAsync() =>
            await (await Client.PostAsJsonAsync("/v1/articles", new { url = articleUrl, publishedAt = At(3), claimIds = new[] { casualtyClaim } }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var article = await RegisterAsync();
        var articleId = article.GetProperty("id").GetString()!;
        var cited = article.GetProperty("sources")[0];
        Assert.Equal("reliable", cited.GetProperty("bandAtRegistration").GetString());
        Assert.Equal(new Dictionary<string, string> { ["casualties"] = "reliable" }, cited.GetProperty("topicBands").Deserialize<Dictionary<string, string>>());
        Assert.Equal(new Dictionary<string, string> { ["Timbuktu"] = "reliable" }, cited.GetProperty("regionBands").Deserialize<Dictionary<string, string>>());
        Assert.Empty(await SourceAlertsAsync(articleId));

        // Every casualty figure refuted: the office is unreliable on casualties and in Timbuktu, and still reliable overall.
        await ResolveAsync("casualties", Options[1], 4);
        var score = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score");
        Assert.Equal("reliable", score.GetProperty("summary").GetProperty("band").GetString());
        string[] fellOnCitedTags =
        [
            "source-topic-band-dropped casualties reliable→unreliable: The source was reliable on casualties when the article cited it and is unreliable on it now.",
            "source-region-band-dropped Timbuktu reliable→unreliable: The source was reliable in Timbuktu when the article cited it and is unreliable there now.",
        ];
        Assert.Equal(fellOnCitedTags, (await SourceAlertsAsync(articleId)).Select(Said));

        // Posting the article again does not move its baseline on casualties.
        var again = (await RegisterAsync()).GetProperty("sources")[0];
        Assert.Equal(("reliable", "reliable"), (again.GetProperty("topicBands").GetProperty("casualties").GetString(), again.GetProperty("regionBands").GetProperty("Timbuktu").GetString()));

        // An article citing a post the record learns of later takes the listing's band on the post's topics.
        var laterUrl = $"https://x.com/{handle}/status/1707000000000000099";
        var later = await (await Client.PostAsJsonAsync("/v1/articles", new { url = $"https://news.example/{Guid.NewGuid():N}", publishedAt = At(5), urls = new[] { laterUrl } }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var listed = Assert.Single((await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query={handle}")).EnumerateArray());
        Assert.Equal(("unreliable", "unreliable"), (listed.GetProperty("topicBands").GetProperty("casualties").GetString(), listed.GetProperty("regionBands").GetProperty("Timbuktu").GetString()));
        await PostClaimsAsync(new
        {
            id = NewId("late"),
            handle = new { platform = "x", handle },
            proposition = new { question = $"casualties question, later? {run}", options = Options, topics = new[] { "casualties" }, region = "Timbuktu" },
            option = Options[0],
            publishedAt = At(5),
            url = laterUrl,
        });
        var linked = (await Client.GetFromJsonAsync<JsonElement>($"/v1/articles/{later.GetProperty("id").GetString()}")).GetProperty("sources")[0];
        Assert.Equal(("reliable", "unreliable", "unreliable"), (
            linked.GetProperty("bandAtRegistration").GetString(), linked.GetProperty("topicBands").GetProperty("casualties").GetString(),
            linked.GetProperty("regionBands").GetProperty("Timbuktu").GetString()));

        // Territory refuted too: the overall band drops to mixed, and so does Gao's. Territory and Gao are
        // no topic or region the article cites the source on; casualties and Timbuktu fell further than
        // the overall band, and are still said.
        await ResolveAsync("territory", Options[1], 6);
        Assert.Equal(
            ["source-band-dropped reliable→mixed: The source was reliable when the article cited it and is mixed now.", .. fellOnCitedTags],
            (await SourceAlertsAsync(articleId)).Select(Said));

        // Logistics refuted as well: unreliable overall, as on casualties; the one drop is said once.
        await ResolveAsync("logistics", Options[1], 7);
        Assert.Equal(["source-band-dropped reliable→unreliable: The source was reliable when the article cited it and is unreliable now."],
            (await SourceAlertsAsync(articleId)).Select(Said));

        // Posted again citing a logistics claim instead: the source keeps its baseline, the casualty and
        // Timbuktu baselines go with the claim, and logistics and Gao are cited from their bands now.
        var recited = await (await Client.PostAsJsonAsync("/v1/articles", new { url = articleUrl, publishedAt = At(3), claimIds = new[] { ids[0] } }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var source = recited.GetProperty("sources")[0];
        Assert.Equal("reliable", source.GetProperty("bandAtRegistration").GetString());
        Assert.Equal(new Dictionary<string, string> { ["logistics"] = "unreliable" }, source.GetProperty("topicBands").Deserialize<Dictionary<string, string>>());
        Assert.Equal(new Dictionary<string, string> { ["Gao"] = "unreliable" }, source.GetProperty("regionBands").Deserialize<Dictionary<string, string>>());
    }

    [Fact]
    public async Task A_sources_page_of_citing_articles_lists_the_articles_citing_its_claims_newest_first()
    {
        var question = "Who holds the ferry? " + Guid.NewGuid();
        var handle = $"cit_{Guid.NewGuid():N}"[..20];
        var (first, second, other) = (NewId("cit1"), NewId("cit2"), NewId("cito"));
        var laterUrl = $"https://x.com/{handle}/status/1707000000000000077";
        var posted = await PostClaimsAsync(
            Claim(first, handle, question, Options[0]),
            Claim(other, $"oth_{Guid.NewGuid():N}"[..20], question, Options[1]));
        var sourceId = posted.GetProperty("items")[0].GetProperty("sourceId").GetString()!;

        async Task<string> RegisterAsync(string publishedAt, string[] claimIds, string[] urls)
        {
            var response = await Client.PostAsJsonAsync("/v1/articles", new
            {
                url = $"https://news.example/{Guid.NewGuid():N}", publishedAt, title = "Ferry", claimIds, urls,
            });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        var older = await RegisterAsync("2023-09-28T18:00:00Z", [first, other], []);
        // Cites a post the record does not know yet: the source's claim recorded there later is cited too.
        var newer = await RegisterAsync("2023-09-30T08:00:00Z", [], [laterUrl]);
        var elsewhere = await RegisterAsync("2023-09-29T08:00:00Z", [other], []);
        await PostClaimsAsync(Claim(second, handle, "Another " + question, Options[0], laterUrl));

        var whole = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/articles");
        Assert.Equal(2, whole.GetProperty("total").GetInt32());
        var listed = whole.GetProperty("articles").EnumerateArray().ToList();
        Assert.Equal([newer, older], listed.Select(a => a.GetProperty("articleId").GetString()));
        Assert.Equal([second], listed[0].GetProperty("claimIds").EnumerateArray().Select(c => c.GetString()));
        // Only this source's claims, not the other source's the article also cites.
        Assert.Equal([first], listed[1].GetProperty("claimIds").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("insufficient-record", listed[1].GetProperty("bandWhenCited").GetString());
        Assert.DoesNotContain(elsewhere, listed.Select(a => a.GetProperty("articleId").GetString()));

        using var tagged = await Client.GetAsync($"/v1/sources/{sourceId}/articles");
        using var again = new HttpRequestMessage(HttpMethod.Get, $"/v1/sources/{sourceId}/articles") { Headers = { IfNoneMatch = { tagged.Headers.ETag! } } };
        using var notModified = await Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        var firstPage = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/articles?limit=1");
        Assert.Equal(newer, firstPage.GetProperty("articles")[0].GetProperty("articleId").GetString());
        var cursor = firstPage.GetProperty("nextCursor").GetString();
        var secondPage = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/articles?limit=1&cursor={cursor}");
        Assert.Equal(older, secondPage.GetProperty("articles")[0].GetProperty("articleId").GetString());
        Assert.Equal(JsonValueKind.Null, secondPage.GetProperty("nextCursor").ValueKind);

        using var unknown = await Client.GetAsync($"/v1/sources/no-such-{Guid.NewGuid():N}/articles");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        using var tooMany = await Client.GetAsync($"/v1/sources/{sourceId}/articles?limit=501");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal("application/problem+json", tooMany.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Cited_claims_that_are_deleted_reversed_or_refuted_raise_alerts()
    {
        var question = "Who held the base? " + Guid.NewGuid();
        var deleted = NewId("del");
        var reversed = NewId("rev");
        var refuted = NewId("ref");
        var handle = $"ref_{Guid.NewGuid():N}"[..20];
        var refutedUrl = $"https://twitter.com/{handle}/status/1707000000000000009";
        await PostClaimsAsync(
            Claim(deleted, $"del_{Guid.NewGuid():N}"[..20], question, Options[0]),
            Claim(reversed, $"rev_{Guid.NewGuid():N}"[..20], "Other " + question, Options[0]),
            Claim(refuted, handle, "Third " + question, Options[0], refutedUrl));
        var articleUrl = $"https://news.example/{Guid.NewGuid():N}";

        // The refuted claim is cited by URL, spelt differently from how it was recorded.
        var registered = await Client.PostAsJsonAsync("/v1/articles", new
        {
            url = articleUrl,
            publishedAt = "2023-09-28T18:00:00+02:00",
            title = "Attack on the base — هجوم",
            claimIds = new[] { deleted, reversed },
            urls = new[] { $"https://x.com/{handle.ToUpperInvariant()}/status/1707000000000000009?s=20", "https://unknown.example/page" },
        });
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        var article = await registered.Content.ReadFromJsonAsync<JsonElement>();
        var articleId = article.GetProperty("id").GetString()!;
        Assert.Equal(3, article.GetProperty("citedClaimIds").GetArrayLength());
        Assert.Equal(3, article.GetProperty("sources").GetArrayLength());
        Assert.Empty(await AlertsAsync(articleId));

        (await Client.PostAsJsonAsync($"/v1/claims/{deleted}/corrections", new { kind = "deleted", at = "2023-09-29T08:00:00Z" })).EnsureSuccessStatusCode();
        var replacement = NewId("rep");
        (await Client.PostAsJsonAsync($"/v1/claims/{reversed}/corrections", new
        {
            kind = "reversed",
            at = "2023-09-29T09:00:00Z",
            replacement = new { id = replacement, option = Options[1], publishedAt = "2023-09-29T09:00:00Z" },
        })).EnsureSuccessStatusCode();
        var refutedClaim = await Client.GetFromJsonAsync<JsonElement>($"/v1/claims/{refuted}");
        (await Client.PutAsJsonAsync($"/v1/propositions/{refutedClaim.GetProperty("propositionId").GetString()}/resolution",
            new { option = Options[1], at = "2023-10-01T00:00:00Z" })).EnsureSuccessStatusCode();

        var alerts = await AlertsAsync(articleId);
        Assert.Contains(("claim-deleted", deleted, null), alerts);
        Assert.Contains(("claim-reversed", reversed, replacement), alerts);
        Assert.Contains(("claim-refuted", refuted, null), alerts);
        Assert.Equal(3, alerts.Count);

        // Posting the article again updates it in place: the same id, the same alerts.
        var again = await Client.PostAsJsonAsync("/v1/articles", new { url = articleUrl + "/", publishedAt = "2023-09-28T16:00:00Z", claimIds = new[] { deleted, reversed, refuted } });
        Assert.Equal(articleId, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        Assert.Equal(3, (await AlertsAsync(articleId)).Count);
    }

    [Fact]
    public async Task A_cited_claim_whose_source_later_claimed_otherwise_raises_an_alert_naming_the_later_claim()
    {
        var question = "Who held the camp? " + Guid.NewGuid();
        var handle = $"sup_{Guid.NewGuid():N}"[..20];
        var (cited, later) = (NewId("cited"), NewId("later"));
        await PostClaimsAsync(Claim(cited, handle, question, Options[0]));
        var registered = await Client.PostAsJsonAsync("/v1/articles", new
        {
            url = $"https://news.example/{Guid.NewGuid():N}",
            publishedAt = "2023-09-28T18:00:00Z",
            claimIds = new[] { cited },
        });
        var articleId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Empty(await AlertsAsync(articleId));

        // Two days on the same account says the other thing, and never touches the cited post.
        await PostClaimsAsync(Claim(later, handle, question, Options[1], publishedAt: "2023-09-30T10:00:00Z"));

        Assert.Equal([("claim-superseded", cited, later)], await AlertsAsync(articleId));
    }

    [Fact]
    public async Task A_cited_source_an_outside_rater_rates_unreliable_raises_an_alert()
    {
        var handle = $"rsp_{Guid.NewGuid():N}"[..20];
        var cited = NewId("cited");
        var sourceId = (await PostClaimsAsync(Claim(cited, handle, "Who held the camp? " + Guid.NewGuid(), Options[0])))
            .GetProperty("items")[0].GetProperty("sourceId").GetString()!;
        var registered = await Client.PostAsJsonAsync("/v1/articles", new { url = $"https://news.example/{Guid.NewGuid():N}", publishedAt = "2023-09-28T18:00:00Z", claimIds = new[] { cited } });
        var articleId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // A score out of a hundred means no band the tracker knows; "Deprecated" does.
        (await Client.PutAsJsonAsync($"/v1/sources/{sourceId}/external-ratings/newsguard", new { rating = "31/100" })).EnsureSuccessStatusCode();
        Assert.Empty(await AlertsAsync(articleId));
        (await Client.PutAsJsonAsync($"/v1/sources/{sourceId}/external-ratings/wikipedia-rsp", new { rating = "Deprecated" })).EnsureSuccessStatusCode();

        var alert = Assert.Single((await Client.GetFromJsonAsync<JsonElement>($"/v1/articles/{articleId}/alerts")).GetProperty("alerts").EnumerateArray());
        Assert.Equal(("source-rated-unreliable", sourceId, "Deprecated"), (alert.GetProperty("kind").GetString(), alert.GetProperty("sourceId").GetString(), alert.GetProperty("to").GetString()));
        Assert.Contains("wikipedia-rsp", alert.GetProperty("detail").GetString());

        // Withdrawn, it alerts no more.
        (await Client.DeleteAsync($"/v1/sources/{sourceId}/external-ratings/wikipedia-rsp")).EnsureSuccessStatusCode();
        Assert.Empty(await AlertsAsync(articleId));
    }

    [Fact]
    public async Task Claims_recorded_later_at_urls_an_article_cites_are_cited_by_it_and_raise_its_alerts()
    {
        var handle = $"late_{Guid.NewGuid():N}"[..20];
        var question = "Who held the bridge? " + Guid.NewGuid();
        var (retracted, deleted) = (NewId("late-ret"), NewId("late-del"));
        var articleUrl = $"https://news.example/{Guid.NewGuid():N}";
        // The journalist cites two posts the record does not know yet.
        var article = new
        {
            url = articleUrl,
            publishedAt = "2023-09-28T18:00:00Z",
            urls = new[] { $"https://x.com/{handle}/status/1707000000000000001", $"https://twitter.com/{handle}/status/1707000000000000002" },
        };
        var registered = await Client.PostAsJsonAsync("/v1/articles", article);
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        var articleId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Empty(await CitedClaimIdsAsync(articleId));

        // The record learns of them afterwards, one under the very URL cited, one under another spelling.
        var sourceId = (await PostClaimsAsync(
                Claim(retracted, handle, question, Options[0], $"https://x.com/{handle}/status/1707000000000000001"),
                Claim(deleted, handle, "Other " + question, Options[0], $"https://mobile.twitter.com/{handle.ToUpperInvariant()}/status/1707000000000000002?s=20")))
            .GetProperty("items")[0].GetProperty("sourceId").GetString()!;

        Assert.Equal([deleted, retracted], (await CitedClaimIdsAsync(articleId)).Order(StringComparer.Ordinal));
        var view = await Client.GetFromJsonAsync<JsonElement>($"/v1/articles/{articleId}");
        var cited = Assert.Single(view.GetProperty("sources").EnumerateArray());
        Assert.Equal(sourceId, cited.GetProperty("sourceId").GetString());
        Assert.Equal(1, await CitationsInStreamAsync(sourceId, retracted));
        Assert.Equal(1, await CitationsInStreamAsync(sourceId, deleted));
        Assert.Empty(await AlertsAsync(articleId));

        (await Client.PostAsJsonAsync($"/v1/claims/{retracted}/corrections", new { kind = "retracted", at = "2023-09-29T08:00:00Z" })).EnsureSuccessStatusCode();
        (await Client.PostAsJsonAsync($"/v1/claims/{deleted}/corrections", new { kind = "deleted", at = "2023-09-29T09:00:00Z" })).EnsureSuccessStatusCode();
        var alerts = await AlertsAsync(articleId);
        Assert.Contains(("claim-retracted", retracted, null), alerts);
        Assert.Contains(("claim-deleted", deleted, null), alerts);
        Assert.Equal(2, alerts.Count);
        // Read at once, answered in the order cited.
        Assert.Equal(await CitedClaimIdsAsync(articleId), alerts.Select(a => a.ClaimId!));

        // Registering the article again cites the same claims, and adds no second citation to the stream.
        var again = await Client.PostAsJsonAsync("/v1/articles", article);
        Assert.Equal(2, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("citedClaimIds").GetArrayLength());
        Assert.Equal(1, await CitationsInStreamAsync(sourceId, retracted));
        Assert.Equal(1, await CitationsInStreamAsync(sourceId, deleted));
        Assert.Equal(2, (await AlertsAsync(articleId)).Count);
    }

    [Fact]
    public async Task A_claim_at_a_url_no_article_cites_is_cited_by_none()
    {
        var handle = $"unc_{Guid.NewGuid():N}"[..20];
        var registered = await Client.PostAsJsonAsync("/v1/articles", new
        {
            url = $"https://news.example/{Guid.NewGuid():N}",
            publishedAt = "2023-09-28T18:00:00Z",
            urls = new[] { $"https://x.com/{handle}/status/1707000000000000021" },
        });
        var articleId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // The same account, another post.
        var other = NewId("uncited");
        var sourceId = (await PostClaimsAsync(Claim(other, handle, "Who held the ford? " + Guid.NewGuid(), Options[0], $"https://x.com/{handle}/status/1707000000000000023")))
            .GetProperty("items")[0].GetProperty("sourceId").GetString()!;

        Assert.Empty(await CitedClaimIdsAsync(articleId));
        Assert.Empty((await Client.GetFromJsonAsync<JsonElement>($"/v1/articles/{articleId}")).GetProperty("sources").EnumerateArray());
        Assert.Equal(0, await CitationsInStreamAsync(sourceId, other));
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/v1/articles/a-unknown")).StatusCode);
    }

    private async Task<List<string>> CitedClaimIdsAsync(string articleId) =>
        [.. (await Client.GetFromJsonAsync<JsonElement>($"/v1/articles/{articleId}")).GetProperty("citedClaimIds").EnumerateArray().Select(c => c.GetString()!)];

    /// <summary>The citations of a claim in its source's stream.</summary>
    private async Task<long> CitationsInStreamAsync(string sourceId, string claimId)
    {
        await using var connection = new NpgsqlConnection(api.Factory.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM reliability.mt_events WHERE stream_id = @stream AND mt_dotnet_type LIKE '%CitationRecorded%' " +
            "AND data -> 'Citation' -> 'CitedClaimIds' ? @claim", connection);
        count.Parameters.AddWithValue("stream", "source:" + sourceId);
        count.Parameters.AddWithValue("claim", claimId);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Theory]
    [InlineData("{\"url\": \"https://news.example/x\", \"publishedAt\": \"2023-09-28T18:00:00Z\", \"claimIds\": [\"no-such-claim\"]}", "claimIds[0]")]
    [InlineData("{\"url\": \"ftp://news.example/x\", \"publishedAt\": \"2023-09-28T18:00:00Z\"}", "url")]
    [InlineData("{\"url\": \"https://news.example/x\"}", "publishedAt")]
    [InlineData("{\"url\": \"https://news.example/x\", \"publishedAt\": \"2023-09-28T18:00:00Z\", \"title\": \"a\\u0000b\"}", "title")]
    [InlineData("{\"url\": \"https://news.example/x\", \"publishedAt\": \"2023-09-28T18:00:00Z\", \"urls\": [\"not a url\"]}", "urls[0]")]
    public async Task A_bad_article_is_a_field_problem_and_stores_nothing(string body, string field)
    {
        var response = await Client.PostAsync("/v1/articles", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), field);
        Assert.Equal(0, await CountArticlesAsync("https://news.example/x"));
    }

    [Fact]
    public async Task Alerts_of_an_unknown_article_are_404()
    {
        var response = await Client.GetAsync("/v1/articles/no-such-article/alerts");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_subscriber_receives_the_correction_event()
    {
        var claimId = NewId("sse");
        await PostClaimsAsync(Claim(claimId, $"sse_{Guid.NewGuid():N}"[..20], "Events " + Guid.NewGuid(), Options[0]));
        // A guard against a hang, not a timing assertion: the event arrives long before it.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var subscriber = await api.Factory.CreateClientAsync(ApiKeyRole.Reader);
        using var response = await subscriber.GetAsync("/v1/events", HttpCompletionOption.ResponseHeadersRead, guard.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(guard.Token));
        Assert.Equal(": subscribed", await reader.ReadLineAsync(guard.Token));

        (await Client.PostAsJsonAsync($"/v1/claims/{claimId}/corrections", new { kind = "retracted", at = "2023-09-29T08:00:00Z" })).EnsureSuccessStatusCode();

        string? type = null;
        while (await reader.ReadLineAsync(guard.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (type == "correction" && line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var data = JsonDocument.Parse(line["data: ".Length..]).RootElement;
                Assert.Equal(claimId, data.GetProperty("claimId").GetString());
                Assert.Equal("retracted", data.GetProperty("kind").GetString());
                return;
            }
        }

        Assert.Fail("The stream ended before the correction event.");
    }

    [Fact]
    public async Task An_event_stream_ends_when_the_node_stops_so_it_does_not_hold_the_shutdown()
    {
        await using var node = await ReliabilityApiFactory.StartAsync("events-stop");
        // A guard against a hang, not a timing assertion: without the end, the stream only sends keep-alives.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        using var subscriber = await node.CreateClientAsync(ApiKeyRole.Reader);
        using var response = await subscriber.GetAsync("/v1/events", HttpCompletionOption.ResponseHeadersRead, guard.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(guard.Token));
        Assert.Equal(": subscribed", await reader.ReadLineAsync(guard.Token));

        node.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        while (await reader.ReadLineAsync(guard.Token) is { } line)
        {
            Assert.True(line.Length == 0 || line.StartsWith(':'), line);
        }
    }

    [Fact]
    public async Task Rescore_knows_its_policies()
    {
        using var admin = api.Factory.CreateAdminClient();

        var unknown = await admin.PostAsJsonAsync("/v1/admin/rescore", new { policy = "beta-v9" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.True((await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("policy", out _));

        var known = await admin.PostAsJsonAsync("/v1/admin/rescore", new { policy = "beta-v2" });
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        Assert.Equal("beta-v2", (await known.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("policy").GetString());
    }

    [Fact]
    public async Task An_admin_reads_the_nodes_memory_after_a_full_collection()
    {
        using var admin = api.Factory.CreateAdminClient();

        var first = await (await admin.PostAsync("/v1/admin/memory/collect", null)).Content.ReadFromJsonAsync<JsonElement>();
        var second = await (await admin.PostAsync("/v1/admin/memory/collect", null)).Content.ReadFromJsonAsync<JsonElement>();

        // Each call collects: the count of full collections moves even if nothing else ran one.
        Assert.True(second.GetProperty("fullCollections").GetInt32() > first.GetProperty("fullCollections").GetInt32());
        Assert.True(second.GetProperty("managedHeapBytes").GetInt64() > 0);
        Assert.True(second.GetProperty("committedBytes").GetInt64() >= second.GetProperty("heapSizeBytes").GetInt64() - second.GetProperty("fragmentedBytes").GetInt64());
        Assert.True(second.GetProperty("workingSetBytes").GetInt64() > 0);
    }

    [Fact]
    public async Task The_nodes_memory_counts_the_source_grains_active_on_it()
    {
        using var admin = api.Factory.CreateAdminClient();
        static int ActiveSources(JsonElement memory) =>
            memory.GetProperty("activations").TryGetProperty("SourceGrain", out var count) ? count.GetInt32() : 0;
        var before = ActiveSources(await (await admin.PostAsync("/v1/admin/memory/collect", null)).Content.ReadFromJsonAsync<JsonElement>());

        // Each new source's grain is activated by its registration and its score, and stays active.
        const int added = 3;
        for (var i = 0; i < added; i++)
        {
            var id = $"counted-{Guid.NewGuid():N}";
            (await admin.PostAsJsonAsync("/v1/sources", new { id, name = $"Counted {i}" })).EnsureSuccessStatusCode();
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/v1/sources/{id}/score")).StatusCode);
        }

        var after = ActiveSources(await (await admin.PostAsync("/v1/admin/memory/collect", null)).Content.ReadFromJsonAsync<JsonElement>());
        Assert.True(after >= before + added, $"{before} source grains active before, {after} after {added} more were asked about");
    }

    [Fact]
    public async Task An_admin_sees_when_the_truth_estimate_has_caught_up_with_the_record()
    {
        using var admin = api.Factory.CreateAdminClient();
        // The node's readers hear of a new estimate at most half a second after the truth grain made it.
        async Task<JsonElement> CaughtUpAsync()
        {
            await api.Factory.WaitForQuietTruthAsync();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            var status = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/truth");
            while (status.GetProperty("stale").GetBoolean() && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                status = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/truth");
            }

            Assert.False(status.GetProperty("stale").GetBoolean());
            return status;
        }

        var before = await CaughtUpAsync();
        await PostClaimsAsync(Claim($"truth-{Guid.NewGuid():N}", $"t_{Guid.NewGuid():N}"[..15], $"Caught up? {Guid.NewGuid()}", "JNIM took the base"));

        // The claim made the estimate stale; once recomputed, it is current again under a newer version.
        var after = await CaughtUpAsync();
        Assert.True(after.GetProperty("version").GetInt64() > before.GetProperty("version").GetInt64());
        Assert.Equal(HttpStatusCode.Forbidden, (await Client.GetAsync("/v1/admin/truth")).StatusCode);
    }

    private async Task<long> CountArticlesAsync(string url)
    {
        await using var connection = new NpgsqlConnection(api.Factory.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'reliability' AND table_name = 'mt_doc_articledocument'", connection);
        if ((long)(await count.ExecuteScalarAsync())! == 0)
        {
            return 0;
        }

        await using var articles = new NpgsqlCommand("SELECT count(*) FROM reliability.mt_doc_articledocument WHERE data::text LIKE @url", connection);
        articles.Parameters.AddWithValue("url", "%" + url + "%");
        return (long)(await articles.ExecuteScalarAsync())!;
    }
}
