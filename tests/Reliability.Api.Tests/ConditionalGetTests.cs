using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Reliability.Api.Tests;

/// <summary>
/// The reads the newsroom plugin polls answer with a strong entity tag of their body, and with 304
/// when the request already holds it, over real HTTP.
/// </summary>
public sealed class ConditionalGetTests(ConditionalGetTests.Api api) : IClassFixture<ConditionalGetTests.Api>
{
    public sealed class Api() : EditorApi("etags");

    private static readonly string[] Options = ["army repelled the attack", "JNIM took the base"];

    private HttpClient Client => api.Editor;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private static object Claim(string id, string handle, string question, string option, string publishedAt = "2023-09-28T10:00:00Z") => new
    {
        id,
        handle = new { platform = "x", handle },
        proposition = new { question, options = Options },
        option,
        publishedAt,
    };

    private async Task<JsonElement> PostClaimsAsync(params object[] claims)
    {
        var response = await Client.PostAsJsonAsync("/v1/claims", new { claims });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(claims.Length, result.GetProperty("accepted").GetInt32());
        return result;
    }

    /// <summary>A source with a claim on a proposition another source contradicted, and that proposition.</summary>
    private async Task<(string SourceId, string PropositionId)> ContestedSourceAsync()
    {
        var question = "Who held the base? " + Guid.NewGuid();
        var batch = await PostClaimsAsync(
            Claim(NewId("army"), $"army_{Guid.NewGuid():N}"[..20], question, Options[0]),
            Claim(NewId("noir"), $"noir_{Guid.NewGuid():N}"[..20], question, Options[1], "2023-09-28T11:00:00Z"));
        var first = batch.GetProperty("items")[0];
        return (first.GetProperty("sourceId").GetString()!, first.GetProperty("propositionId").GetString()!);
    }

    private Task<HttpResponseMessage> GetAsync(string path, string? ifNoneMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (ifNoneMatch is not null)
        {
            // Sent as written: the header's own syntax (lists, W/, *) is what is tested.
            Assert.True(request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch));
        }

        return Client.SendAsync(request);
    }

    private static string TagOf(HttpResponseMessage response)
    {
        var tag = response.Headers.ETag;
        Assert.NotNull(tag);
        Assert.False(tag.IsWeak, "The tag is strong.");
        return tag.Tag;
    }

    private static void AssertRevalidated(HttpResponseMessage response)
    {
        var control = response.Headers.CacheControl;
        Assert.NotNull(control);
        Assert.True(control.Private && control.NoCache, $"Cache-Control: {control}");
    }

    /// <summary>
    /// Sends <paramref name="ifNoneMatch"/> made from the tag just read. A live score may move between
    /// the two requests (the truth estimate catching up, its minute running out); then the answer is a
    /// 200 under another tag, and the pair is tried again.
    /// </summary>
    private async Task<(string Tag, HttpResponseMessage Answer)> RevalidateAsync(string path, Func<string, string> ifNoneMatch)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var first = await GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var tag = TagOf(first);
            var answer = await GetAsync(path, ifNoneMatch(tag));
            if (answer.StatusCode == HttpStatusCode.NotModified)
            {
                return (tag, answer);
            }

            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.NotEqual(tag, TagOf(answer));
            answer.Dispose();
        }

        throw new Xunit.Sdk.XunitException($"{path} kept moving between reads.");
    }

    [Fact]
    public async Task A_score_carries_a_strong_tag_that_stays_while_its_body_does()
    {
        var (sourceId, _) = await ContestedSourceAsync();
        await api.Factory.WaitForQuietTruthAsync();
        var path = $"/v1/sources/{sourceId}/score";

        for (var attempt = 0; ; attempt++)
        {
            using var first = await GetAsync(path);
            using var second = await GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            AssertRevalidated(first);
            var bodies = (await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
            // The tag moves exactly with the body: a live score recomputed between the two reads is another body.
            Assert.Equal(bodies.Item1 == bodies.Item2, TagOf(first) == TagOf(second));
            if (bodies.Item1 == bodies.Item2)
            {
                break;
            }

            Assert.True(attempt < 5, "The live score kept moving between reads.");
        }
    }

    [Fact]
    public async Task A_request_holding_the_current_tag_gets_304_without_a_body()
    {
        var (sourceId, _) = await ContestedSourceAsync();
        var path = $"/v1/sources/{sourceId}/score";

        var (tag, answer) = await RevalidateAsync(path, tag => tag);
        using (answer)
        {
            Assert.Equal(tag, TagOf(answer));
            AssertRevalidated(answer);
            Assert.Empty(await answer.Content.ReadAsByteArrayAsync());
        }

        // Weak comparison: a W/ prefix does not hide the tag; a list holding it, in any place, matches.
        using var weak = (await RevalidateAsync(path, tag => "W/" + tag)).Answer;
        using var listed = (await RevalidateAsync(path, tag => $"\"an-older-score\", {tag} ,W/\"x,y\"")).Answer;
        using var any = await GetAsync(path, "*");
        Assert.Equal(HttpStatusCode.NotModified, any.StatusCode);
        Assert.NotNull(any.Headers.ETag);
    }

    [Fact]
    public async Task A_tag_that_is_not_the_current_one_gets_the_whole_answer()
    {
        var (sourceId, _) = await ContestedSourceAsync();
        var path = $"/v1/sources/{sourceId}/score";

        foreach (var unrelated in new[] { "\"an-older-score\"", "W/\"an-older-score\", \"another\"", "not a tag" })
        {
            using var answer = await GetAsync(path, unrelated);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            TagOf(answer);
            var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(sourceId, body.GetProperty("sourceId").GetString());
        }
    }

    [Fact]
    public async Task A_claim_a_resolution_and_a_correction_each_move_the_tag_and_bring_the_body_back()
    {
        var (sourceId, propositionId) = await ContestedSourceAsync();
        var path = $"/v1/sources/{sourceId}/score";
        var handle = (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}")).GetProperty("handles")[0].GetProperty("handle").GetString()!;
        using var before = await GetAsync(path);
        var tag = TagOf(before);

        async Task MovedAsync(string what)
        {
            using var answer = await GetAsync(path, tag);
            Assert.True(answer.StatusCode == HttpStatusCode.OK, $"After the {what}: {answer.StatusCode}");
            Assert.NotEqual(tag, TagOf(answer));
            Assert.Equal(sourceId, (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sourceId").GetString());
            tag = TagOf(answer);
        }

        var later = NewId("later");
        await PostClaimsAsync(Claim(later, handle, "Who shelled the market? " + Guid.NewGuid(), Options[0], "2023-09-29T10:00:00Z"));
        await MovedAsync("claim");

        (await Client.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution", new { option = Options[1], at = "2023-10-01T00:00:00Z" }))
            .EnsureSuccessStatusCode();
        await MovedAsync("resolution");

        (await Client.PostAsJsonAsync($"/v1/claims/{later}/corrections", new { kind = "retracted", at = "2023-09-30T08:00:00Z" })).EnsureSuccessStatusCode();
        await MovedAsync("correction");
    }

    [Fact]
    public async Task Another_as_of_time_is_another_tag_and_a_past_score_keeps_its_tag()
    {
        var (sourceId, propositionId) = await ContestedSourceAsync();
        (await Client.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution", new { option = Options[1], at = "2023-10-01T00:00:00Z" }))
            .EnsureSuccessStatusCode();
        var beforeResolution = $"/v1/sources/{sourceId}/score?asOf=2023-09-29T00:00:00Z";
        var afterResolution = $"/v1/sources/{sourceId}/score?asOf=2023-10-03T00:00:00Z";

        using var before = await GetAsync(beforeResolution);
        using var after = await GetAsync(afterResolution);
        using var again = await GetAsync(beforeResolution);
        Assert.NotEqual(TagOf(before), TagOf(after));
        Assert.Equal(TagOf(before), TagOf(again));

        // The other time's tag is no tag of this answer.
        using var other = await GetAsync(afterResolution, TagOf(before));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        using var same = await GetAsync(beforeResolution, TagOf(before));
        Assert.Equal(HttpStatusCode.NotModified, same.StatusCode);
    }

    [Fact]
    public async Task The_other_reads_a_panel_makes_carry_tags_and_answer_304()
    {
        var (sourceId, propositionId) = await ContestedSourceAsync();
        (await Client.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution", new { option = Options[1], at = "2023-10-01T00:00:00Z" }))
            .EnsureSuccessStatusCode();

        foreach (var path in new[]
        {
            $"/v1/sources/{sourceId}",
            $"/v1/sources/{sourceId}/history?points=50",
            $"/v1/sources/{sourceId}/claims?limit=20",
            $"/v1/sources/{sourceId}/explanation?top=5",
            $"/v1/sources/{sourceId}/disputes?limit=5&perOpponent=1",
            $"/v1/sources?query={sourceId}",
        })
        {
            var (tag, answer) = await RevalidateAsync(path, tag => tag);
            using (answer)
            {
                Assert.Equal(tag, TagOf(answer));
                AssertRevalidated(answer);
                Assert.Empty(await answer.Content.ReadAsByteArrayAsync());
            }
        }
    }

    /// <summary>
    /// A tagged read's current tag answers 304; after <paramref name="write"/> that tag gets the whole
    /// answer again, under another tag.
    /// </summary>
    private async Task AssertTaggedAndMovedByAsync(string path, string what, Func<Task> write)
    {
        var (tag, answer) = await RevalidateAsync(path, tag => tag);
        using (answer)
        {
            Assert.Equal(tag, TagOf(answer));
            AssertRevalidated(answer);
            Assert.Empty(await answer.Content.ReadAsByteArrayAsync());
        }

        await write();

        using var moved = await GetAsync(path, tag);
        Assert.True(moved.StatusCode == HttpStatusCode.OK, $"{path} after the {what}: {moved.StatusCode}");
        Assert.NotEqual(tag, TagOf(moved));
        AssertRevalidated(moved);
        Assert.NotEmpty(await moved.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_claim_read_carries_a_tag_that_a_correction_moves()
    {
        var question = "Who shelled the market? " + Guid.NewGuid();
        var claimId = NewId("claim");
        await PostClaimsAsync(Claim(claimId, $"claim_{Guid.NewGuid():N}"[..20], question, Options[0]));

        await AssertTaggedAndMovedByAsync($"/v1/claims/{claimId}", "retraction", async () =>
            (await Client.PostAsJsonAsync($"/v1/claims/{claimId}/corrections", new { kind = "retracted", at = "2023-09-30T08:00:00Z" }))
                .EnsureSuccessStatusCode());
    }

    [Fact]
    public async Task A_proposition_and_its_resolutions_carry_tags_that_a_resolution_moves()
    {
        var (_, propositionId) = await ContestedSourceAsync();
        var resolutions = 0;

        async Task ResolveAsync(string option)
        {
            resolutions++;
            (await Client.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution",
                new { option, at = $"2023-10-0{resolutions}T00:00:00Z" })).EnsureSuccessStatusCode();
        }

        await AssertTaggedAndMovedByAsync($"/v1/propositions/{propositionId}", "resolution", () => ResolveAsync(Options[1]));
        await AssertTaggedAndMovedByAsync($"/v1/propositions/{propositionId}/resolutions", "revision", () => ResolveAsync(Options[0]));
    }

    [Fact]
    public async Task The_proposition_listing_carries_a_tag_that_a_new_proposition_moves()
    {
        await AssertTaggedAndMovedByAsync("/v1/propositions?state=open&limit=1000", "new proposition", async () =>
            await PostClaimsAsync(Claim(NewId("new"), $"new_{Guid.NewGuid():N}"[..20], "Who cut the road? " + Guid.NewGuid(), Options[0])));
    }

    [Fact]
    public async Task An_article_and_its_alerts_carry_tags_that_its_citations_and_their_corrections_move()
    {
        var question = "Who took the bridge? " + Guid.NewGuid();
        var (cited, later) = (NewId("cited"), NewId("later"));
        await PostClaimsAsync(
            Claim(cited, $"cited_{Guid.NewGuid():N}"[..20], question, Options[0]),
            Claim(later, $"later_{Guid.NewGuid():N}"[..20], "Later " + question, Options[1]));
        var url = $"https://news.example/{Guid.NewGuid():N}";

        async Task<string> RegisterAsync(params string[] claimIds)
        {
            var registered = await Client.PostAsJsonAsync("/v1/articles", new { url, publishedAt = "2023-09-28T18:00:00Z", claimIds });
            Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
            return (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        var articleId = await RegisterAsync(cited);

        await AssertTaggedAndMovedByAsync($"/v1/articles/{articleId}", "further citation", () => RegisterAsync(cited, later));
        await AssertTaggedAndMovedByAsync($"/v1/articles/{articleId}/alerts", "deletion of a cited claim", async () =>
            (await Client.PostAsJsonAsync($"/v1/claims/{cited}/corrections", new { kind = "deleted", at = "2023-09-29T08:00:00Z" }))
                .EnsureSuccessStatusCode());
    }

    [Fact]
    public async Task A_claims_watch_carries_a_tag_that_a_correction_ending_the_watch_moves()
    {
        // This service's first check is an hour away, so only the correction moves the view.
        var (claimId, handle) = (NewId("watched"), $"watched_{Guid.NewGuid():N}"[..20]);
        var posted = await Client.PostAsJsonAsync("/v1/claims", new
        {
            claims = new[]
            {
                new
                {
                    id = claimId,
                    handle = new { platform = "x", handle },
                    proposition = new { question = "Who burned the depot? " + Guid.NewGuid(), options = Options },
                    option = Options[0],
                    publishedAt = "2023-09-28T10:00:00Z",
                    url = $"https://x.com/{handle}/status/1",
                },
            },
        });
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var path = $"/v1/claims/{claimId}/watch";
        Assert.True((await Client.GetFromJsonAsync<JsonElement>(path)).GetProperty("watching").GetBoolean());

        await AssertTaggedAndMovedByAsync(path, "retraction", async () =>
            (await Client.PostAsJsonAsync($"/v1/claims/{claimId}/corrections", new { kind = "retracted", at = "2023-09-30T08:00:00Z" }))
                .EnsureSuccessStatusCode());

        var ended = await Client.GetFromJsonAsync<JsonElement>(path);
        Assert.False(ended.GetProperty("watching").GetBoolean());
        Assert.Equal("retracted", ended.GetProperty("endedBy").GetProperty("correction").GetString());
    }

    [Fact]
    public async Task A_claimreview_export_carries_a_tag_that_a_new_revision_moves()
    {
        var (_, propositionId) = await ContestedSourceAsync();
        (await Client.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution", new { option = Options[1], at = "2023-10-01T00:00:00Z" }))
            .EnsureSuccessStatusCode();
        var path = $"/v1/propositions/{propositionId}/claimreview";

        using (var first = await GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("application/ld+json", first.Content.Headers.ContentType?.MediaType);
            // The tag is of the very bytes sent.
            var bytes = await first.Content.ReadAsByteArrayAsync();
            var hash = System.Security.Cryptography.SHA256.HashData(bytes)[..16];
            Assert.Equal("\"" + Convert.ToBase64String(hash).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "\"", TagOf(first));
            Assert.Equal(Options[1], JsonDocument.Parse(bytes).RootElement.GetProperty("reviewRating").GetProperty("alternateName").GetString());
        }

        await AssertTaggedAndMovedByAsync(path, "revision", async () =>
            (await Client.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution", new { option = Options[0], at = "2023-10-02T00:00:00Z" }))
                .EnsureSuccessStatusCode());

        using var moved = await GetAsync(path);
        Assert.Equal("application/ld+json", moved.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Options[0], (await moved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reviewRating").GetProperty("alternateName").GetString());
    }

    [Fact]
    public async Task A_problem_answer_carries_no_tag_and_is_never_304()
    {
        foreach (var path in new[]
        {
            "/v1/sources/no-such-source/score",
            "/v1/sources/no-such-source",
            "/v1/sources/no-such-source/history",
            "/v1/sources/no-such-source/score?asOf=yesterday",
            "/v1/claims/no-such-claim",
            "/v1/propositions/no-such-proposition",
            "/v1/propositions/no-such-proposition/resolutions",
            "/v1/propositions?state=nonsense",
            "/v1/articles/no-such-article",
            "/v1/articles/no-such-article/alerts",
            "/v1/claims/no-such-claim/watch",
            "/v1/propositions/no-such-proposition/claimreview",
        })
        {
            using var answer = await GetAsync(path, "*");
            Assert.True(answer.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{path}: {answer.StatusCode}");
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            Assert.Null(answer.Headers.ETag);
        }
    }
}
