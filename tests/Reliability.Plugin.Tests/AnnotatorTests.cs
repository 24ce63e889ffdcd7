using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Reliability.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Reliability.Plugin.Tests;

/// <summary>The embedded script on the seed article, against the real API, in Chromium.</summary>
public sealed partial class AnnotatorTests(PluginFixture fixture) : IClassFixture<PluginFixture>
{
    [GeneratedRegex(@"^\d{1,3}% \(\d{1,3}–\d{1,3}\) [A-F]$|^insufficient record$")]
    private static partial Regex BadgeText();

    /// <summary>Playwright's box has no value equality; a tuple does.</summary>
    private static (float X, float Y, float Width, float Height) Box(LocatorBoundingBoxResult? box) =>
        box is null ? default : (box.X, box.Y, box.Width, box.Height);

    /// <summary>Where <paramref name="selector"/> lies on the seed article without the annotator.</summary>
    private async Task<(float X, float Y, float Width, float Height)> UnannotatedBoxAsync(string selector)
    {
        var plain = await fixture.OpenArticleAsync("plain", annotated: false);
        var box = Box(await plain.Locator(selector).BoundingBoxAsync());
        await plain.CloseAsync();
        return box;
    }

    /// <summary>Publishes a page of the test site whose article is <paramref name="article"/>, with the plugin embedded; returns its URL.</summary>
    private string PublishAnnotated(string path, string title, string article, string head = "") =>
        fixture.Site.Publish(path, $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}</head>
            <body><article>{article}</article>
            <script src="{fixture.ApiBase}/plugin/reliability.js" data-api="{fixture.ApiBase}" data-key="{fixture.ReaderKey}"></script>
            </body></html>
            """);

    /// <summary>Opens a page of the test site whose article is <paramref name="article"/>, with the plugin embedded.</summary>
    private async Task<IPage> OpenAnnotatedAsync(string path, string title, string article)
    {
        var url = PublishAnnotated(path, title, article);
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(url);
        return page;
    }

    /// <summary>
    /// Like <see cref="OpenAnnotatedAsync"/>, with the page's lookups answered by <paramref name="answer"/>
    /// (given the lookup's number, from 1: null lets the real API answer, else the status and a
    /// Retry-After to put on the real answer instead); returns the page and the lookups made so far.
    /// </summary>
    private async Task<(IPage Page, Func<int> Lookups)> OpenWithLookupsAsync(
        string path, string article, Func<int, (int Status, string? RetryAfter)?> answer)
    {
        var url = PublishAnnotated(path, path.TrimStart('/'), article);
        var page = await fixture.Browser.NewPageAsync();
        var lookups = 0;
        await page.RouteAsync("**/v1/lookup", async route =>
        {
            if (route.Request.Method != "POST")
            {
                await route.ContinueAsync();
                return;
            }

            var real = await route.FetchAsync();
            if (answer(Interlocked.Increment(ref lookups)) is not { } changed)
            {
                await route.FulfillAsync(new() { Response = real });
                return;
            }

            var headers = new Dictionary<string, string>(real.Headers);
            if (changed.RetryAfter is { } wait)
            {
                headers["retry-after"] = wait;
            }

            await route.FulfillAsync(new() { Response = real, Status = changed.Status, Headers = headers, Body = "{}" });
        });
        await page.GotoAsync(url);
        return (page, () => Volatile.Read(ref lookups));
    }

    /// <summary>What an editor typing a link to War Noir's post does to the page.</summary>
    private static async Task AddCitationAsync(IPage page, string id) =>
        await page.EvaluateAsync("""
            ([id, url]) => {
              const p = document.createElement('p');
              const a = document.createElement('a');
              a.id = id;
              a.href = url;
              a.textContent = 'War Noir';
              p.append('وكتب ', a);
              document.querySelector('article').append(p);
            }
            """, new[] { id, SeedArticle.WarNoirPost });

    [Fact]
    public async Task The_script_is_served_without_a_key_as_javascript_with_cache_headers()
    {
        using var anonymous = fixture.Api.CreateClient();

        var script = await anonymous.GetAsync("/plugin/reliability.js");
        var manifest = await anonymous.GetAsync("/plugin/manifest.json");
        var missing = await anonymous.GetAsync("/plugin/no-such-file.js");

        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("max-age=", script.Headers.CacheControl?.ToString());
        Assert.Contains("ReliabilityAnnotator", await script.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal("application/json", manifest.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Badges_carry_the_source_and_claim_status_and_the_deleted_tweet_links_to_its_reversal()
    {
        var page = await fixture.OpenArticleAsync("badges");

        var noir = page.Locator("#tweet-war-noir + [data-reliability-source]");
        var old = page.Locator("#tweet-glory-old + [data-reliability-source]");
        var outlet = page.Locator("#outlet-link + [data-reliability-source]");
        await Expect(noir).ToHaveAttributeAsync("data-reliability-source", fixture.SourceOf["noir-spg82"]);
        await Expect(noir).ToHaveAttributeAsync("data-reliability-claim-status", "open");
        await Expect(old).ToHaveAttributeAsync("data-reliability-source", fixture.SourceOf["glory-repelled"]);
        await Expect(old).ToHaveAttributeAsync("data-reliability-claim-status", "deleted");
        await Expect(page.Locator("#tweet-glory-correction + [data-reliability-source]"))
            .ToHaveAttributeAsync("data-reliability-source", fixture.SourceOf["glory-repelled"]);
        await Expect(outlet).ToHaveAttributeAsync("data-reliability-source", fixture.SourceOf["f24-mali"]);
        await Expect(outlet).Not.ToHaveAttributeAsync("data-reliability-claim-status", new Regex("."));

        // Inside the shadow roots: the score, the status in words and the link to the reversal.
        await Expect(noir.Locator("button.badge")).ToHaveTextAsync(BadgeText());
        await Expect(noir.Locator(".status")).ToContainTextAsync("contested");
        await Expect(old.Locator(".status")).ToContainTextAsync("deleted");
        await Expect(old.Locator("a.replacement")).ToHaveAttributeAsync("href", SeedArticle.GloryCorrectionPost);
        await Expect(old.Locator(".status")).ToHaveAttributeAsync("aria-label", "Claim status: deleted");
        await PluginFixture.ScreenshotAsync(page, "rtl-article-badges");
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_host_page_keeps_its_script_and_its_layout()
    {
        var sidebarBefore = await UnannotatedBoxAsync("#layout-probe");

        var page = await fixture.OpenArticleAsync("host-page");
        await Expect(page.Locator("#tweet-glory-video + [data-reliability-source]")).ToBeAttachedAsync();
        var sidebarAfter = Box(await page.Locator("#layout-probe").BoundingBoxAsync());
        await page.Locator("#host-button").ClickAsync();

        Assert.Equal("ran", await page.Locator("html").GetAttributeAsync("data-host-script"));
        Assert.Equal(1, await page.EvaluateAsync<int>("() => window.hostClicks"));
        Assert.Equal(sidebarBefore, sidebarAfter);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
            "the badges made the page scroll sideways");
        // The page's `span { color }` rule stops at the shadow boundary.
        Assert.NotEqual("rgb(153, 0, 0)", await page.Locator("#tweet-war-noir + [data-reliability-source] button.badge")
            .EvaluateAsync<string>("b => getComputedStyle(b).color"));
        await page.CloseAsync();
    }

    [Fact]
    public async Task With_the_api_down_the_page_shows_one_quiet_mark_and_is_otherwise_untouched()
    {
        var articleBefore = await UnannotatedBoxAsync("article");

        var page = await fixture.OpenArticleAsync("api-down", api: $"http://127.0.0.1:{LoopbackPorts.Free()}");

        await Expect(page.Locator("[data-reliability-unavailable]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-reliability-unavailable] .unavailable")).ToHaveTextAsync("reliability unavailable");
        await Expect(page.Locator("[data-reliability-source]")).ToHaveCountAsync(0);
        Assert.Equal("ran", await page.Locator("html").GetAttributeAsync("data-host-script"));
        Assert.Equal(articleBefore, Box(await page.Locator("article").BoundingBoxAsync()));
        await PluginFixture.ScreenshotAsync(page, "rtl-article-api-down");
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_key_shows_the_same_quiet_mark()
    {
        var page = await fixture.OpenArticleAsync("wrong-key", key: "not-a-key");

        await Expect(page.Locator("[data-reliability-unavailable=key]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-reliability-source]")).ToHaveCountAsync(0);
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_panel_opens_from_the_keyboard_and_Escape_returns_focus_to_the_badge()
    {
        var page = await fixture.OpenArticleAsync("panel");
        var host = page.Locator("#tweet-glory-old + [data-reliability-source]");
        var badge = host.Locator("button.badge");
        var panel = host.Locator("[role=dialog]");

        await badge.FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(panel).ToBeVisibleAsync();
        await Expect(panel).ToContainTextAsync("@EternalGlory0");
        await Expect(panel).ToContainTextAsync("Correction behaviour");
        await Expect(panel).ToContainTextAsync("At publication");
        // The seed case was recorded after its article of 2023 went out: the tracker knew nothing of the source then.
        await Expect(panel).ToContainTextAsync("What we knew when we published");
        await Expect(panel).ToContainTextAsync("not on record yet");
        await Expect(panel).ToContainTextAsync("Claim timeline");
        await Expect(panel.Locator("svg polyline")).ToBeAttachedAsync();
        // Its three claims, each with the service's reason, heaviest first; nothing left out.
        await Expect(panel.Locator("section.explanation li")).ToHaveCountAsync(3);
        await Expect(panel.Locator("section.explanation")).ToContainTextAsync("glory-repelled");
        await Expect(panel.Locator("section.explanation p.note")).ToHaveCountAsync(0);
        // The article went out on 28 September: the record as it stood then, when nothing was settled yet.
        await Expect(panel.Locator("section.disputes p.as-of")).ToHaveTextAsync("As the record stood at publication (2023-09-28)");
        await Expect(panel.Locator("section.disputes p.note:not(.as-of):not(.known-at)")).ToHaveTextAsync("No disagreement with another source had been settled by then.");
        await PluginFixture.ScreenshotAsync(page, "rtl-article-panel");

        // The editor keeps typing: the next lookup must leave the open panel (and its focus) alone.
        await AddCitationAsync(page, "typed-while-open");
        await Expect(page.Locator("#typed-while-open + [data-reliability-source]")).ToBeAttachedAsync();
        await Expect(panel).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("Escape");
        await Expect(panel).ToBeHiddenAsync();
        await Expect(badge).ToBeFocusedAsync();
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_prolific_sources_chart_asks_for_a_thinned_history_and_says_how_many_points_it_stands_for()
    {
        // Three hundred posts, an hour apart: a point of the history each.
        // X handles are at most 15 characters; the plugin only reads links that could be real posts.
        var handle = $"prolific_{Guid.NewGuid():N}"[..15];
        string Post(int i) => $"https://x.com/{handle}/status/{1_700_000_000 + i}";
        var claims = Enumerable.Range(0, 300).Select(i => new
        {
            id = $"{handle}-{i}",
            handle = new { platform = "x", handle },
            proposition = new { question = $"Did the convoy reach Léré on day {i}? {handle}", options = new[] { "yes", "no" } },
            option = "yes",
            publishedAt = new DateTimeOffset(2023, 6, 1, 0, 0, 0, TimeSpan.Zero).AddHours(i).ToString("O"),
            url = Post(i),
        }).ToArray();
        var batch = await fixture.Editor.PostAsJsonAsync("/v1/claims", new { claims });
        batch.EnsureSuccessStatusCode();
        var sourceId = (await batch.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("items")[0].GetProperty("sourceId").GetString()!;
        var whole = await fixture.Editor.GetFromJsonAsync<System.Text.Json.JsonElement>($"/v1/sources/{sourceId}/history");
        var total = whole.GetProperty("totalPoints").GetInt32();
        Assert.True(total > 300, $"{total} points");

        var page = await OpenAnnotatedAsync("/prolific", "Convoy", $"""<p>As <a id="prolific-post" href="{Post(150)}">the account</a> reported.</p>""");
        var host = page.Locator("#prolific-post + [data-reliability-source]");
        await Expect(host).ToHaveAttributeAsync("data-reliability-source", sourceId);

        var history = await page.RunAndWaitForResponseAsync(() => host.Locator("button.badge").ClickAsync(), r => r.Url.Contains("/history", StringComparison.Ordinal));

        Assert.EndsWith("/history?points=170", history.Url, StringComparison.Ordinal);
        var chart = host.Locator("[role=dialog] svg[role=img]");
        await Expect(chart).ToHaveAttributeAsync("aria-label", new Regex($"^Score history, {total} points: first \\d+% on \\d{{4}}-\\d{{2}}-\\d{{2}}, lowest \\d+% on .*, latest \\d+% on \\d{{4}}-"));
        Assert.InRange(await chart.Locator("circle").CountAsync(), 3, 170);
        // Why the score is what it is: the five claims that weigh most, and the rest in one line.
        var why = host.Locator("[role=dialog] section.explanation");
        await Expect(why.Locator("li")).ToHaveCountAsync(5);
        await Expect(why.Locator("p.note")).ToHaveTextAsync(new Regex(@"^and 295 more claims \("));
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_panel_says_who_turned_out_right_when_other_sources_contradicted_the_cited_one()
    {
        var run = Guid.NewGuid().ToString("N");
        var (army, jnim, noir) = ($"fama_{run}"[..15], $"jnim_{run}"[..15], $"noir_{run}"[..15]);
        string[] options = ["the army repelled the attack", "JNIM took the base"];
        string Post(string handle, int i) => $"https://x.com/{handle}/status/{1_710_000_000 + i}";
        object Claim(string handle, int place, int option, int post) => new
        {
            id = $"{handle}-{place}",
            handle = new { platform = "x", handle },
            proposition = new { question = $"Who held position {place} on 28 September 2023? {run}", options },
            option = options[option],
            publishedAt = "2023-09-28T10:00:00Z",
            url = Post(handle, post),
        };
        var batch = await fixture.Editor.PostAsJsonAsync("/v1/claims", new
        {
            claims = new[]
            {
                Claim(army, 1, 0, 1), Claim(jnim, 1, 1, 2), Claim(noir, 1, 1, 3),
                Claim(army, 2, 0, 4), Claim(jnim, 2, 1, 5),
                Claim(army, 3, 0, 6), Claim(jnim, 3, 1, 7),
            },
        });
        batch.EnsureSuccessStatusCode();
        var items = (await batch.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("items");
        // Positions 1 and 2 are settled, one each way; position 3 stays open.
        foreach (var (item, option) in new[] { (items[0], options[1]), (items[3], options[0]) })
        {
            (await fixture.Editor.PutAsJsonAsync($"/v1/propositions/{item.GetProperty("propositionId").GetString()}/resolution",
                new { option, evidence = new[] { "https://example.org/imagery" }, at = "2023-10-02T00:00:00Z" })).EnsureSuccessStatusCode();
        }

        var page = await OpenAnnotatedAsync("/disputes", "Attack", $"""<p>The army <a id="army-post" href="{Post(army, 1)}">said</a> it repelled the attack.</p>""");
        var host = page.Locator("#army-post + [data-reliability-source]");
        await host.Locator("button.badge").ClickAsync();

        var disputes = host.Locator("[role=dialog] section.disputes li");
        await Expect(disputes).ToHaveCountAsync(2);
        await Expect(disputes.Nth(0)).ToHaveTextAsync(
            $"@{jnim}: 2 settled disagreements \u2014 this source right in 1, @{jnim} in 1");
        await Expect(disputes.Nth(1)).ToHaveTextAsync(
            $"@{noir}: 1 settled disagreement \u2014 this source right in 0, @{noir} in 1");
        await Expect(disputes.Nth(1)).ToHaveAttributeAsync("title", $"Latest: Who held position 1 on 28 September 2023? {run} \u2014 confirmed: JNIM took the base");
        await Expect(host.Locator("[role=dialog] section.disputes p.as-of")).ToHaveCountAsync(0);
        await PluginFixture.ScreenshotAsync(page, "panel-disputes");
        await page.CloseAsync();

        // An article published on 1 October, before either verdict: its panel shows the record as it
        // stood then, read with the publication time.
        var before = await fixture.Browser.NewPageAsync();
        await before.GotoAsync(PublishAnnotated(
            "/disputes-before",
            "Attack",
            $"""<p>The army <a id="army-post" href="{Post(army, 1)}">said</a> it repelled the attack.</p>""",
            head: """<meta property="article:published_time" content="2023-10-01T12:00:00Z">"""));
        var then = before.Locator("#army-post + [data-reliability-source]");
        var read = before.WaitForRequestAsync(r => r.Url.Contains("/disputes?", StringComparison.Ordinal));
        await then.Locator("button.badge").ClickAsync();
        Assert.Contains("asOf=2023-10-01T12%3A00%3A00.000Z", (await read).Url, StringComparison.Ordinal);
        var section = then.Locator("[role=dialog] section.disputes");
        await Expect(section.Locator("p.as-of")).ToHaveTextAsync("As the record stood at publication (2023-10-01)");
        await Expect(section.Locator("li")).ToHaveCountAsync(0);
        await Expect(section.Locator("p.note:not(.as-of):not(.known-at)")).ToHaveTextAsync("No disagreement with another source had been settled by then.");
        await before.CloseAsync();
    }

    [Fact]
    public async Task The_panel_says_what_the_tracker_had_recorded_when_the_article_went_out_beside_the_record_of_that_time()
    {
        var run = Guid.NewGuid().ToString("N");
        var (army, jnim) = ($"famk_{run}"[..15], $"jnmk_{run}"[..15]);
        string[] options = ["the army repelled the attack", "JNIM took the base"];
        // An X post is known by its status id alone: each source's post has its own.
        string Post(string handle) => $"https://x.com/{handle}/status/{(handle == army ? 1_711_000_001 : 1_711_000_002)}";
        object Claim(string handle, int option) => new
        {
            id = $"{handle}-known",
            handle = new { platform = "x", handle },
            proposition = new { question = $"Who held the camp on 28 September 2023? {run}", options },
            option = options[option],
            publishedAt = "2023-09-28T10:00:00Z",
            url = Post(handle),
        };
        var batch = await fixture.Editor.PostAsJsonAsync("/v1/claims", new { claims = new[] { Claim(army, 0), Claim(jnim, 1) } });
        batch.EnsureSuccessStatusCode();
        var propositionId = (await batch.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("items")[0].GetProperty("propositionId").GetString();
        // What a reader was shown of the open question before the article went out: the estimate then.
        await fixture.Api.WaitForQuietTruthAsync();
        var armyThen = (await fixture.Editor.GetFromJsonAsync<System.Text.Json.JsonElement>($"/v1/propositions/{propositionId}"))
            .GetProperty("provisionalProbabilities").EnumerateArray()
            .Single(p => p.GetProperty("option").GetString() == options[0]).GetProperty("probability").GetDouble();

        // The article goes out between two writes: everything above was recorded before it, what follows after.
        await Task.Delay(300);
        var published = DateTimeOffset.UtcNow;
        await Task.Delay(300);

        // Recorded after publication, about an earlier time: the verdict for the army.
        (await fixture.Editor.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution",
            new { option = options[0], evidence = new[] { "https://example.org/imagery" }, at = "2023-10-02T00:00:00Z" })).EnsureSuccessStatusCode();

        var stamp = published.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(PublishAnnotated(
            "/known-at-publication",
            "Camp",
            $"""<p>The army <a id="army-post" href="{Post(army)}">said</a> it repelled the attack.</p>""",
            head: $"""<meta property="article:published_time" content="{stamp}">"""));
        var host = page.Locator("#army-post + [data-reliability-source]");
        // The badge says what stands now.
        await Expect(host).ToHaveAttributeAsync("data-reliability-claim-status", "confirmed");

        var knownLookup = page.WaitForRequestAsync(r => r.Url.EndsWith("/v1/lookup", StringComparison.Ordinal) && (r.PostData ?? "").Contains("knownAt", StringComparison.Ordinal));
        await host.Locator("button.badge").ClickAsync();
        Assert.Contains($"\"knownAt\":\"{stamp}\"", (await knownLookup).PostData, StringComparison.Ordinal);

        // The panel: the post as the tracker knew it then, disputed and unresolved, as likely as the estimate then said.
        var panel = host.Locator("[role=dialog]");
        await Expect(panel.Locator("dt:text-is('The post when we published') + dd"))
            .ToHaveTextAsync($"contested, {Math.Round(armyThen * 100, MidpointRounding.AwayFromZero)}% likely");
        await Expect(panel.Locator("dt:text-is('What we knew when we published') + dd")).ToHaveTextAsync(BadgeText());
        // The record as of that day counts the verdict recorded since; what the tracker knew then did not have it.
        var disputes = panel.Locator("section.disputes");
        await Expect(disputes.Locator("li")).ToHaveCountAsync(1);
        await Expect(disputes.Locator("li")).ToHaveTextAsync($"@{jnim}: 1 settled disagreement \u2014 this source right in 1, @{jnim} in 0");
        await Expect(disputes.Locator("p.known-at")).ToHaveTextAsync("What we knew when we published: no settled disagreement");
        await PluginFixture.ScreenshotAsync(page, "panel-known-at-publication");
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_panel_lists_the_newsrooms_latest_articles_citing_the_source()
    {
        var handle = $"cited_{Guid.NewGuid():N}"[..15];
        var post = $"https://x.com/{handle}/status/1720000000000000001";
        var batch = await fixture.Editor.PostAsJsonAsync("/v1/claims", new
        {
            claims = new[]
            {
                new
                {
                    id = $"{handle}-1",
                    handle = new { platform = "x", handle },
                    proposition = new { question = $"Did the ferry cross at Gao? {handle}", options = new[] { "yes", "no" } },
                    option = "yes",
                    publishedAt = "2023-09-28T10:00:00Z",
                    url = post,
                },
            },
        });
        batch.EnsureSuccessStatusCode();
        var page = await OpenAnnotatedAsync("/citing", "Ferry", $"""<p>The account <a id="cited-post" href="{post}">said</a> the ferry crossed.</p>""");
        var host = page.Locator("#cited-post + [data-reliability-source]");
        await Expect(host).ToBeAttachedAsync();
        var citing = host.Locator("[role=dialog] section.citing");

        await host.Locator("button.badge").ClickAsync();
        await Expect(citing.Locator("p.note")).ToHaveTextAsync("No registered article cites this source yet.");
        await host.Locator("button.close").ClickAsync();

        // Four earlier articles, by URL of the post and by claim; the panel shows the latest three.
        for (var day = 1; day <= 4; day++)
        {
            (await fixture.Editor.PostAsJsonAsync("/v1/articles", new
            {
                url = $"https://news.example/{handle}/{day}",
                publishedAt = $"2023-10-0{day}T08:00:00Z",
                title = day == 4 ? "Ferry crossing — the latest" : null,
                claimIds = day % 2 == 0 ? new[] { $"{handle}-1" } : [],
                urls = day % 2 == 1 ? new[] { post } : [],
            })).EnsureSuccessStatusCode();
        }

        await host.Locator("button.badge").ClickAsync();
        await Expect(citing.Locator("p").First).ToHaveTextAsync("Cited in 4 registered articles, the latest 3:");
        var listed = citing.Locator("li");
        await Expect(listed).ToHaveCountAsync(3);
        await Expect(listed.Nth(0)).ToHaveTextAsync("Ferry crossing \u2014 the latest \u2014 2023-10-04, source then insufficient-record");
        await Expect(listed.Nth(0).Locator("a")).ToHaveAttributeAsync("href", $"https://news.example/{handle}/4");
        await Expect(listed.Nth(2)).ToContainTextAsync($"https://news.example/{handle}/2 \u2014 2023-10-02");
        await host.Locator("button.close").ClickAsync();

        // A band cited under an earlier scoring policy says which: it is not comparable with today's.
        var store = fixture.Api.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession())
        {
            var latest = (await session.Query<Reliability.Grains.Records.ArticleDocument>().Where(a => a.Url == $"https://news.example/{handle}/4").ToListAsync()).Single();
            latest.Sources.ForEach(s => s.PolicyVersion = "beta-v0");
            session.Store(latest);
            await session.SaveChangesAsync();
        }

        await host.Locator("button.badge").ClickAsync();
        await Expect(listed.Nth(0)).ToHaveTextAsync("Ferry crossing \u2014 the latest \u2014 2023-10-04, source then insufficient-record (scored under beta-v0)");
        await Expect(listed.Nth(1)).Not.ToContainTextAsync("scored under");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Register_citations_sends_the_article_and_its_cited_claims()
    {
        var page = await fixture.OpenArticleAsync("register");
        var host = page.Locator("#tweet-glory-old + [data-reliability-source]");
        await host.Locator("button.badge").ClickAsync();
        var register = host.Locator("button.register");

        var request = await page.RunAndWaitForRequestAsync(() => register.ClickAsync(), r => r.Url.EndsWith("/v1/articles", StringComparison.Ordinal));

        var body = request.PostDataJSON()!.Value;
        Assert.Equal("POST", request.Method);
        Assert.Equal(fixture.Site.Origin + "/register", body.GetProperty("url").GetString());
        Assert.Equal("2023-09-28T18:00:00.000Z", body.GetProperty("publishedAt").GetString());
        Assert.Contains("glory-repelled", body.GetProperty("claimIds").EnumerateArray().Select(e => e.GetString()));
        // The endpoint is not in this build yet: a 404 reads as "not available yet", never as an error.
        await Expect(host.Locator(".register + [role=status]")).ToHaveTextAsync(new Regex("not available yet|registered|may not register"));
        await page.CloseAsync();
    }

    [Fact]
    public async Task An_uncontested_claim_reads_unresolved_with_how_likely_it_is_unless_only_its_source_says_so()
    {
        var question = $"Did the convoy reach Léré? {Guid.NewGuid():N}";
        var lone = $"lone_{Guid.NewGuid():N}"[..15];
        var echoed = $"echoed_{Guid.NewGuid():N}"[..15];
        // A status id names one post on X, whoever's name is in the link: each account's post has its
        // own, and so does each test's.
        var post = Random.Shared.NextInt64(1_000_000_000_000_000_000, 2_000_000_000_000_000_000);
        object ClaimBy(string handle, string proposition, int status) => new
        {
            id = handle,
            handle = new { platform = "x", handle },
            proposition = new { question = proposition, options = new[] { "yes", "no" } },
            option = "yes",
            publishedAt = "2023-09-28T12:00:00Z",
            url = $"https://x.com/{handle}/status/{post + status}",
        };
        // The echoed account's question is also answered, the same way, by a second account.
        var echo = $"echo_{Guid.NewGuid():N}"[..15];
        var claims = new[] { ClaimBy(lone, $"Did the convoy reach Ménaka? {Guid.NewGuid():N}", 1), ClaimBy(echoed, question, 2), ClaimBy(echo, question, 3) };
        (await fixture.Editor.PostAsJsonAsync("/v1/claims", new { claims })).EnsureSuccessStatusCode();
        await fixture.Api.WaitForQuietTruthAsync();

        var page = await OpenAnnotatedAsync("/lone", "Convoy", $"""
            <p>As <a id="lone-post" href="https://x.com/{lone}/status/{post + 1}">one account</a> reported,
            and <a id="echoed-post" href="https://x.com/{echoed}/status/{post + 2}">another</a>, which a third account echoed.</p>
            """);

        // Agreement is evidence, not proof, and nobody has said otherwise: not "contested".
        var agreed = page.Locator("#echoed-post + [data-reliability-source]");
        await Expect(agreed).ToHaveAttributeAsync("data-reliability-claim-status", "open");
        await Expect(agreed.Locator(".status")).ToHaveTextAsync(new Regex(@"^unresolved, \d{1,3}% likely$"));
        // Alone, a probability would only restate the source's own record, which the badge shows.
        var alone = page.Locator("#lone-post + [data-reliability-source]");
        await Expect(alone).ToHaveAttributeAsync("data-reliability-claim-status", "open");
        await Expect(alone.Locator(".status")).ToHaveTextAsync("unresolved, only this source says so");
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_post_its_source_has_since_contradicted_reads_later_said_otherwise_and_links_to_what_it_says_now()
    {
        // The account said the convoy got through, then two days later that it was turned back,
        // and never touched the first post.
        var handle = $"convoy_{Guid.NewGuid():N}"[..15];
        var proposition = new { question = $"Did the convoy reach Tessit? {Guid.NewGuid():N}", options = new[] { "yes", "no" } };
        var (first, later) = ($"https://x.com/{handle}/status/1730000001", $"https://x.com/{handle}/status/1730000002");
        var claims = new object[]
        {
            new { id = handle + "-1", handle = new { platform = "x", handle }, proposition, option = "yes", publishedAt = "2023-09-28T12:00:00Z", url = first },
            new { id = handle + "-2", handle = new { platform = "x", handle }, proposition, option = "no", publishedAt = "2023-09-30T12:00:00Z", url = later },
        };
        (await fixture.Editor.PostAsJsonAsync("/v1/claims", new { claims })).EnsureSuccessStatusCode();
        await fixture.Api.WaitForQuietTruthAsync();

        var page = await OpenAnnotatedAsync("/convoy", "Convoy", $"""<p>The convoy <a id="first-post" href="{first}">got through</a>, an account reported.</p>""");

        var cited = page.Locator("#first-post + [data-reliability-source]");
        await Expect(cited).ToHaveAttributeAsync("data-reliability-claim-status", "superseded");
        await Expect(cited.Locator(".status")).ToHaveTextAsync(new Regex("^later said otherwise"));
        var link = cited.Locator("a.replacement");
        await Expect(link).ToHaveAttributeAsync("href", later);
        await Expect(link).ToHaveTextAsync("see what it said later");
        await Expect(link).ToHaveAttributeAsync("aria-label", "What the source said later: no");

        // The panel counts the change of mind it never announced, and its timeline says which post.
        await cited.Locator("button.badge").ClickAsync();
        await Expect(cited.Locator("[role=dialog] dt:text-is('Later said otherwise, left uncorrected') + dd")).ToHaveTextAsync("1");
        await Expect(cited.Locator("[role=dialog] li:has(time[datetime^='2023-09-28']) strong")).ToHaveTextAsync("later said otherwise");
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_panel_shows_outside_ratings_and_flags_one_the_record_disagrees_with()
    {
        // A wire account whose five recent reports were all confirmed, which a list still calls unreliable.
        var handle = $"wire_{Guid.NewGuid():N}"[..15];
        var now = DateTimeOffset.UtcNow;
        string Post(int i) => $"https://x.com/{handle}/status/{1_720_000_000 + i}";
        var batch = await fixture.Editor.PostAsJsonAsync("/v1/claims", new
        {
            claims = Enumerable.Range(1, 5).Select(i => new
            {
                id = $"{handle}-{i}",
                handle = new { platform = "x", handle },
                proposition = new { question = $"Did the market in town {i} reopen? {handle}", options = new[] { "yes", "no" } },
                option = "yes",
                publishedAt = now.AddDays(-3 - i),
                url = Post(i),
            }).ToArray(),
        });
        batch.EnsureSuccessStatusCode();
        var items = (await batch.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("items");
        foreach (var item in items.EnumerateArray())
        {
            (await fixture.Editor.PutAsJsonAsync($"/v1/propositions/{item.GetProperty("propositionId").GetString()}/resolution",
                new { option = "yes", evidence = new[] { "https://example.org/photos" } })).EnsureSuccessStatusCode();
        }

        var sourceId = items[0].GetProperty("sourceId").GetString();
        (await fixture.Editor.PutAsJsonAsync($"/v1/sources/{sourceId}/external-ratings/wikipedia-rsp",
            new { rating = "Generally unreliable", url = "https://en.wikipedia.org/wiki/WP:RSP" })).EnsureSuccessStatusCode();
        (await fixture.Editor.PutAsJsonAsync($"/v1/sources/{sourceId}/external-ratings/newsguard", new { rating = "82/100" })).EnsureSuccessStatusCode();

        // An outlet the record knows nothing of yet, but a list has deprecated.
        var outlet = $"rumour-{Guid.NewGuid():N}"[..20] + ".example";
        using var registered = await fixture.Editor.PostAsJsonAsync("/v1/sources", new { name = "Daily Rumour", kind = "outlet", handles = new[] { new { platform = "web", handle = outlet } } });
        registered.EnsureSuccessStatusCode();
        var outletId = (await registered.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString();
        (await fixture.Editor.PutAsJsonAsync($"/v1/sources/{outletId}/external-ratings/wikipedia-rsp", new { rating = "Deprecated" })).EnsureSuccessStatusCode();
        (await fixture.Editor.PutAsJsonAsync($"/v1/sources/{outletId}/external-ratings/mbfc", new { rating = "Mixed" })).EnsureSuccessStatusCode();

        var page = await OpenAnnotatedAsync("/rated", "Market", $"""
            <p>The market <a id="wire-post" href="{Post(1)}">reopened</a>, the wire said;
            <a id="outlet-story" href="https://{outlet}/2026/11/market">a tabloid</a> said it never closed.</p>
            """);
        // The record cannot speak for the outlet, so the gravest outside word shows beside its badge;
        // it speaks for the wire, otherwise than a list does, and says so.
        var tabloid = page.Locator("#outlet-story + [data-reliability-source]");
        await Expect(tabloid.Locator("button.badge")).ToHaveTextAsync("insufficient record");
        await Expect(tabloid.Locator(".outside")).ToHaveTextAsync("Deprecated (wikipedia-rsp)");
        var cited = page.Locator("#wire-post + [data-reliability-source]");
        await Expect(cited.Locator(".outside")).ToHaveTextAsync("outside rating differs");
        await Expect(cited.Locator(".outside")).ToHaveAttributeAsync("aria-label", "wikipedia-rsp rates it \u201cGenerally unreliable\u201d");
        await cited.Locator("button.badge").ClickAsync();

        var listed = cited.Locator("[role=dialog] dt:text-is('Rated by wikipedia-rsp') + dd");
        await Expect(listed).ToHaveTextAsync("Generally unreliable \u2014 differs from this record (reliable)");
        await Expect(listed.Locator("a")).ToHaveAttributeAsync("href", "https://en.wikipedia.org/wiki/WP:RSP");
        var scored = cited.Locator("[role=dialog] dt:text-is('Rated by newsguard') + dd");
        await Expect(scored).ToHaveTextAsync("82/100");
        await Expect(scored.Locator(".differs")).ToHaveCountAsync(0);
        await PluginFixture.ScreenshotAsync(page, "panel-outside-ratings");
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_panel_shows_the_record_topic_by_topic_and_marks_a_band_unlike_the_overall_one()
    {
        // A press office right on logistics, wrong on territory, and on casualty figures 7 confirmed then
        // 3 refuted: just under the reliable threshold, within its margin, so that topic stays reliable.
        // Its one statement on aid, in Kidal, has no verdict: too little record on aid, and Kidal is territory's.
        var handle = $"office_{Guid.NewGuid():N}"[..15];
        var published = DateTimeOffset.UtcNow.AddDays(-10);
        string Post(int i) => $"https://x.com/{handle}/status/{1_730_000_000 + i}";
        var claims = new List<(string Topic, string? Region, string? Verdict)>();
        claims.AddRange(Enumerable.Repeat<(string, string?, string?)>(("logistics", "Gao", "yes"), 14));
        claims.AddRange(Enumerable.Range(0, 10).Select(i => ("casualties", (string?)"Timbuktu", (string?)(i < 7 ? "yes" : "no"))));
        claims.AddRange(Enumerable.Repeat<(string, string?, string?)>(("territory", "Kidal", "no"), 4));
        claims.Add(("aid", "Kidal", null));
        var batch = await fixture.Editor.PostAsJsonAsync("/v1/claims", new
        {
            claims = claims.Select((c, i) => new
            {
                id = $"{handle}-{i}",
                handle = new { platform = "x", handle },
                proposition = new { question = $"{c.Topic} question {i} {handle}", options = new[] { "yes", "no" }, topics = new[] { c.Topic }, region = c.Region },
                option = "yes",
                publishedAt = published,
                url = Post(i),
            }).ToArray(),
        });
        batch.EnsureSuccessStatusCode();
        var items = (await batch.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("items").EnumerateArray().ToList();
        for (var i = 0; i < claims.Count; i++)
        {
            if (claims[i].Verdict is { } verdict)
            {
                (await fixture.Editor.PutAsJsonAsync($"/v1/propositions/{items[i].GetProperty("propositionId").GetString()}/resolution",
                    new { option = verdict, at = published.AddDays(1).AddHours(i) })).EnsureSuccessStatusCode();
            }
        }

        var page = await OpenAnnotatedAsync("/by-topic", "Casualties", $"""
            <p>The office <a id="casualty-post" href="{Post(15)}">gave a toll</a> of twelve,
            <a id="territory-post" href="{Post(24)}">said it held the town</a>
            and <a id="aid-post" href="{Post(28)}">said aid got through</a>.</p>
            """);
        var asked = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Request += (_, request) => asked.Enqueue(request.Url);
        // Beside the badge, a post on a topic the source's record there puts in another band than overall says so.
        var onTerritory = page.Locator("#territory-post + [data-reliability-source] .topic");
        await Expect(onTerritory).ToHaveTextAsync("unreliable on territory");
        await Expect(onTerritory).ToHaveAttributeAsync("aria-label", new Regex(@"^On territory the source’s record reads \d{1,2}% \(\d{1,2}–\d{2}\) [A-F], unreliable, where overall it is reliable$"));
        await Expect(page.Locator("#casualty-post + [data-reliability-source] .topic")).ToHaveCountAsync(0);
        // Aid has too little record to say; the region the post speaks of does not.
        var inKidal = page.Locator("#aid-post + [data-reliability-source] .topic");
        await Expect(inKidal).ToHaveTextAsync("unreliable in Kidal");
        await Expect(inKidal).ToHaveAttributeAsync("aria-label", new Regex(@"^In Kidal the source’s record reads \d{1,2}% \(\d{1,2}–\d{2}\) [A-F], unreliable, where overall it is reliable$"));
        await PluginFixture.ScreenshotAsync(page, "badge-on-topic");
        var looked = await fixture.Editor.PostAsJsonAsync("/v1/lookup", new { urls = new[] { Post(24), Post(28) } });
        var answered = (await looked.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("items");
        var territoryTopic = Assert.Single(answered[0].GetProperty("claims")[0].GetProperty("topics").EnumerateArray());
        Assert.Equal(("territory", "unreliable"), (territoryTopic.GetProperty("tag").GetString(), territoryTopic.GetProperty("band").GetString()));
        Assert.True(answered[1].GetProperty("claims")[0].GetProperty("topics")[0].GetProperty("insufficient").GetBoolean());
        var kidal = Assert.Single(answered[1].GetProperty("claims")[0].GetProperty("regions").EnumerateArray());
        Assert.Equal(("Kidal", "unreliable"), (kidal.GetProperty("tag").GetString(), kidal.GetProperty("band").GetString()));

        var cited = page.Locator("#casualty-post + [data-reliability-source]");
        await cited.Locator("button.badge").ClickAsync();
        var section = cited.Locator("[role=dialog] section.tags");

        // The cited post's topic and region first, then the rest by evidence.
        await Expect(section.Locator("h3")).ToHaveTextAsync("By topic and region");
        await Expect(section.Locator("dt")).ToHaveTextAsync(
            ["casualties (this post)", "Timbuktu (region, this post)", "logistics", "Gao (region)", "territory", "Kidal (region)"]);
        var casualties = section.Locator("dt:text-is('casualties (this post)') + dd");
        await Expect(casualties).ToHaveTextAsync(new Regex(@"^6\d% \(\d{1,2}–\d{2}\) [A-F], reliable$"));
        await Expect(casualties).Not.ToHaveClassAsync("differs");
        var territory = section.Locator("dt:text-is('territory') + dd");
        await Expect(territory).ToHaveClassAsync("differs");
        await Expect(territory).ToHaveTextAsync(new Regex(@"^\d{1,2}% \(\d{1,2}–\d{2}\) [A-F], unreliable — overall reliable$"));
        await Expect(section.Locator("p.note")).ToHaveTextAsync("Too little record to say: aid");
        // Beside the overall series, the series of the post's topic: a point at each casualty verdict, then now.
        var topicHistory = cited.Locator("[role=dialog] .topic-history");
        await Expect(topicHistory.Locator("h3")).ToHaveTextAsync("Score history on casualties (this post)");
        await Expect(topicHistory.Locator("svg")).ToHaveAttributeAsync("aria-label",
            new Regex(@"^Score history on casualties, 11 points: first \d{1,2}% on \d{4}-\d{2}-\d{2}, lowest .*, latest 6\d% on \d{4}-\d{2}-\d{2}\.$"));
        await Expect(topicHistory.Locator("svg circle")).ToHaveCountAsync(11);
        await PluginFixture.ScreenshotAsync(page, "panel-by-topic");
        await cited.Locator("[role=dialog] button.close").ClickAsync();

        // A post on territory draws the territory series, where the record differs from the overall one.
        var onTerritoryPanel = page.Locator("#territory-post + [data-reliability-source]");
        await onTerritoryPanel.Locator("button.badge").ClickAsync();
        await Expect(onTerritoryPanel.Locator("[role=dialog] .topic-history h3")).ToHaveTextAsync("Score history on territory (this post)");
        await Expect(onTerritoryPanel.Locator("[role=dialog] .topic-history svg circle")).ToHaveCountAsync(5);
        await onTerritoryPanel.Locator("[role=dialog] button.close").ClickAsync();

        // A post on a topic the source has too little record on says so first; what no longer fits is named.
        var aid = page.Locator("#aid-post + [data-reliability-source]");
        await aid.Locator("button.badge").ClickAsync();
        var aidSection = aid.Locator("[role=dialog] section.tags");
        await Expect(aidSection.Locator("dt")).ToHaveTextAsync(["aid (this post)", "Kidal (region, this post)", "logistics", "Gao (region)", "casualties", "Timbuktu (region)"]);
        await Expect(aidSection.Locator("dt:text-is('aid (this post)') + dd")).ToHaveTextAsync("insufficient record");
        await Expect(aidSection.Locator("p.note")).ToHaveTextAsync("Also on record: territory");
        // Too little record on aid to draw: the series drawn is the region's, where the record differs.
        await Expect(aid.Locator("[role=dialog] .topic-history h3")).ToHaveTextAsync("Score history in Kidal (this post)");
        await Expect(aid.Locator("[role=dialog] .topic-history svg")).ToHaveAttributeAsync("aria-label", new Regex(@"^Score history in Kidal, 5 points: "));
        await Expect(aid.Locator("[role=dialog] svg")).ToHaveCountAsync(2);
        // The post's topics and regions come with its lookup: no panel read a question whole for them.
        Assert.Contains(asked, url => url.Contains("/v1/sources/", StringComparison.Ordinal));
        Assert.DoesNotContain(asked, url => url.Contains("/v1/propositions/", StringComparison.Ordinal));
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_deletion_recorded_while_the_article_is_open_shows_after_the_next_edit()
    {
        var page = await fixture.OpenArticleAsync("deleted-later");
        var video = page.Locator("#tweet-glory-video + [data-reliability-source]");
        await Expect(video).ToHaveAttributeAsync("data-reliability-claim-status", "open");

        (await fixture.Editor.PostAsJsonAsync("/v1/claims/glory-video/corrections", new { kind = "deleted", at = "2023-09-30T10:00:00Z" }))
            .EnsureSuccessStatusCode();
        await page.EvaluateAsync("() => document.querySelector('article').append(document.createElement('p'))");

        await Expect(video).ToHaveAttributeAsync("data-reliability-claim-status", "deleted");
        await Expect(video.Locator(".status")).ToHaveTextAsync("deleted");
        await PluginFixture.ScreenshotAsync(page, "rtl-article-deleted");
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_citation_added_while_editing_gets_its_badge()
    {
        var page = await fixture.OpenArticleAsync("editor");
        await Expect(page.Locator("#tweet-war-noir + [data-reliability-source]")).ToBeAttachedAsync();

        await AddCitationAsync(page, "typed-link");

        await Expect(page.Locator("#typed-link + [data-reliability-source]"))
            .ToHaveAttributeAsync("data-reliability-source", fixture.SourceOf["noir-spg82"]);
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_link_too_long_to_look_up_leaves_the_other_citations_annotated()
    {
        var tooLong = "https://example.org/maps?q=" + new string('a', 2_100);
        var page = await OpenAnnotatedAsync("/long-link", "Long link", $"""
            <p><a id="war-noir" href="{SeedArticle.WarNoirPost}">War Noir</a> and <a id="long" href="{tooLong}">a map</a>.</p>
            """);

        await Expect(page.Locator("#war-noir + [data-reliability-source]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-reliability-unavailable]")).ToHaveCountAsync(0);
        await Expect(page.Locator("#long + [data-reliability-source]")).ToHaveCountAsync(0);
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_refused_lookup_is_not_made_again_until_the_page_changes()
    {
        var (page, lookups) = await OpenWithLookupsAsync(
            "/refused-lookup", $"""<p><a id="war-noir" href="{SeedArticle.WarNoirPost}">War Noir</a></p>""", n => n == 1 ? (400, null) : null);

        await Expect(page.Locator("[data-reliability-unavailable=request] .unavailable")).ToHaveTextAsync("reliability: lookup refused");
        // A service that is down is tried again after two seconds; a refused request is not.
        await page.WaitForTimeoutAsync(3_000);
        Assert.Equal(1, lookups());

        await AddCitationAsync(page, "added");

        await Expect(page.Locator("#added + [data-reliability-source]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-reliability-unavailable]")).ToHaveCountAsync(0);
        Assert.Equal(2, lookups());
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_busy_service_is_called_again_no_sooner_than_it_asks_however_the_page_changes()
    {
        var (page, lookups) = await OpenWithLookupsAsync(
            "/busy-service", $"""<p><a id="war-noir" href="{SeedArticle.WarNoirPost}">War Noir</a></p>""", n => n == 1 ? (429, "5") : null);

        await Expect(page.Locator("[data-reliability-unavailable=busy] .unavailable")).ToHaveTextAsync("reliability busy");
        // The journalist goes on writing: each pause would otherwise send a lookup at once.
        await AddCitationAsync(page, "added");
        await page.WaitForTimeoutAsync(1_500);
        await AddCitationAsync(page, "added-again");
        await page.WaitForTimeoutAsync(1_000);
        Assert.Equal(1, lookups());

        await Expect(page.Locator("#added-again + [data-reliability-source]")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Expect(page.Locator("#war-noir + [data-reliability-source]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-reliability-unavailable]")).ToHaveCountAsync(0);
        Assert.Equal(2, lookups());
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_badge_the_editor_dropped_comes_back_when_the_page_next_changes()
    {
        var page = await OpenAnnotatedAsync("/dropped-badge", "Dropped badge", $"""
            <p><a id="war-noir" href="{SeedArticle.WarNoirPost}">War Noir</a></p>
            """);
        var badge = page.Locator("#war-noir + [data-reliability-source]");
        await Expect(badge).ToHaveCountAsync(1);

        await badge.EvaluateAsync("host => host.remove()");
        await Expect(badge).ToHaveCountAsync(0);
        await AddCitationAsync(page, "added");

        await Expect(page.Locator("#added + [data-reliability-source]")).ToHaveCountAsync(1);
        await Expect(badge).ToHaveCountAsync(1);
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_panel_names_the_day_the_page_says_it_was_published_and_fills_once_however_often_it_is_reopened()
    {
        // Half past midnight at UTC+2 is still the evening before in UTC.
        var url = PublishAnnotated(
            "/published-day",
            "Published day",
            $"""<p><a id="war-noir" href="{SeedArticle.WarNoirPost}">War Noir</a></p>""",
            head: """<meta property="article:published_time" content="2023-09-29T00:30:00+02:00">""");
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(url);
        var host = page.Locator("#war-noir + [data-reliability-source]");
        var badge = host.Locator("button.badge");
        var panel = host.Locator("[role=dialog]");

        // Open, close and open again before the first opening's calls can have answered.
        await badge.EvaluateAsync("b => { b.click(); b.click(); b.click(); }");

        await Expect(panel).ToBeVisibleAsync();
        await Expect(panel.Locator("section.explanation")).ToHaveCountAsync(1);
        await Expect(panel).ToContainTextAsync("(2023-09-29)");
        await page.WaitForTimeoutAsync(1_000);
        await Expect(panel.Locator("section.explanation")).ToHaveCountAsync(1);
        await Expect(panel.Locator("h3", new() { HasText = "Score history" })).ToHaveCountAsync(1);
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_panel_filled_again_in_the_same_browser_revalidates_its_reads_and_gets_304()
    {
        var url = PublishAnnotated(
            "/revalidated",
            "Revalidated",
            $"""<p><a id="war-noir" href="{SeedArticle.WarNoirPost}">War Noir</a></p>""",
            head: """<meta property="article:published_time" content="2023-09-29T00:30:00+02:00">""");
        // One browser context: its pages share one HTTP cache, as a journalist's tabs do.
        await using var context = await fixture.Browser.NewContextAsync();

        // The score as of publication is a replay of the past: it stays the same between the two panels.
        async Task<(IResponse Score, IPage Page)> FillPanelAsync()
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(url);
            var host = page.Locator("#war-noir + [data-reliability-source]");
            var answered = page.WaitForResponseAsync(r => r.Url.Contains("/score?asOf=", StringComparison.Ordinal));
            await host.Locator("button.badge").ClickAsync();
            var score = await answered;
            await Expect(host.Locator("[role=dialog]")).ToContainTextAsync("At publication");
            return (score, page);
        }

        var (first, firstPage) = await FillPanelAsync();
        Assert.Equal(200, first.Status);
        Assert.True((await first.Request.SizesAsync()).ResponseBodySize > 0);
        var tag = await first.HeaderValueAsync("etag");
        Assert.NotNull(tag);

        // Chromium reports the kept answer (200) for a revalidated read; what came over the wire was the
        // 304: the browser sent the tag back, and the service's answer had no body and no content type.
        var (second, secondPage) = await FillPanelAsync();
        Assert.Equal(tag, (await second.Request.AllHeadersAsync()).GetValueOrDefault("if-none-match"));
        Assert.Equal(0, (await second.Request.SizesAsync()).ResponseBodySize);
        Assert.DoesNotContain("content-type", (await second.AllHeadersAsync()).Keys);
        await firstPage.CloseAsync();
        await secondPage.CloseAsync();
    }
}
