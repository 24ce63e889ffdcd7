using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Reliability.Api.Apis;
using Reliability.Contracts.Sources;

namespace Reliability.Api.Tests;

/// <summary>The record through the public API: ingest, correct, resolve, and read the scores that follow.</summary>
public sealed class RecordTests(RecordTests.Api api) : IClassFixture<RecordTests.Api>
{
    public sealed class Api() : EditorApi("record");

    private HttpClient Client => api.Editor;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private static object Claim(string id, string handle, string question, string option, string publishedAt, string? url = null,
        string? relayOf = null, string? text = null) => new
    {
        id,
        handle = new { platform = "x", handle },
        proposition = new { question, options = new[] { "army repelled the attack", "JNIM took the base" }, topics = new[] { "military" }, region = "Timbuktu" },
        option,
        publishedAt,
        url,
        text,
        relayOf,
    };

    /// <summary>
    /// A view read whole and with a query, both from one live score. A live score moves when the truth
    /// estimate catches up with recent writes or its minute runs out (recency decay moves with the
    /// clock), and a move between the two reads makes them disagree by a hair.
    /// </summary>
    private async Task<(JsonElement Whole, JsonElement Asked)> FromOneLiveScoreAsync(string path, string query)
    {
        await api.Factory.WaitForQuietTruthAsync();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var whole = await Client.GetFromJsonAsync<JsonElement>(path);
            var asked = await Client.GetFromJsonAsync<JsonElement>(path + query);
            if (whole.ToString() == (await Client.GetFromJsonAsync<JsonElement>(path)).ToString())
            {
                return (whole, asked);
            }
        }

        throw new Xunit.Sdk.XunitException($"The live score behind {path} kept moving between reads.");
    }

    private async Task<JsonElement> PostClaimsAsync(params object[] claims)
    {
        var response = await Client.PostAsJsonAsync("/v1/claims", new { claims });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_batch_sent_three_times_is_recorded_once()
    {
        var question = "Who held the base? " + Guid.NewGuid();
        var claims = Enumerable.Range(0, 5)
            .Select(i => Claim(NewId("idem"), $"idem_{i}_{Guid.NewGuid():N}"[..20], question, "JNIM took the base", "2023-09-28T10:00:00Z"))
            .ToArray();

        var first = await PostClaimsAsync(claims);
        var second = await PostClaimsAsync(claims);
        var third = await PostClaimsAsync(claims);

        Assert.Equal(5, first.GetProperty("accepted").GetInt32());
        Assert.Equal(5, second.GetProperty("duplicates").GetInt32());
        Assert.Equal(5, third.GetProperty("duplicates").GetInt32());
        var propositionId = first.GetProperty("items")[0].GetProperty("propositionId").GetString()!;
        var proposition = await Client.GetFromJsonAsync<JsonElement>($"/v1/propositions/{propositionId}");
        Assert.Equal(5, proposition.GetProperty("claims").GetArrayLength());
        // Each claim is one event, in its source's stream (after the source's registration); the
        // proposition's stream holds its opening only.
        Assert.Equal(1, await CountEventsAsync($"proposition:{propositionId}"));
        foreach (var item in first.GetProperty("items").EnumerateArray())
        {
            Assert.Equal(2, await CountEventsAsync($"source:{item.GetProperty("sourceId").GetString()}"));
        }
    }

    [Fact]
    public async Task Resolution_raises_the_confirmed_source_and_lowers_the_refuted_one()
    {
        var question = "Who took Acharane? " + Guid.NewGuid();
        var army = $"army_{Guid.NewGuid():N}"[..20];
        var noir = $"noir_{Guid.NewGuid():N}"[..20];
        var batch = await PostClaimsAsync(
            Claim(NewId("army"), army, question, "army repelled the attack", "2023-09-28T09:00:00Z"),
            Claim(NewId("noir"), noir, question, "JNIM took the base", "2023-09-28T11:00:00Z"));
        var armyId = batch.GetProperty("items")[0].GetProperty("sourceId").GetString()!;
        var noirId = batch.GetProperty("items")[1].GetProperty("sourceId").GetString()!;
        var propositionId = batch.GetProperty("items")[0].GetProperty("propositionId").GetString()!;
        var armyBefore = await ScoreAsync(armyId);
        var noirBefore = await ScoreAsync(noirId);

        var resolved = await Client.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution",
            new { option = "JNIM took the base", evidence = new[] { "https://example.org/imagery" }, note = "satellite imagery", at = "2023-10-02T00:00:00Z" });
        resolved.EnsureSuccessStatusCode();

        var armyAfter = await ScoreAsync(armyId);
        var noirAfter = await ScoreAsync(noirId);
        Assert.True(armyAfter < armyBefore, $"army {armyBefore} -> {armyAfter}");
        Assert.True(noirAfter > noirBefore, $"noir {noirBefore} -> {noirAfter}");

        // Time travel: before the resolution the score was different, and asking twice gives the same answer.
        var asOf = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{armyId}/score?asOf=2023-09-29T00:00:00Z");
        var again = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{armyId}/score?asOf=2023-09-29T00:00:00Z");
        Assert.Equal(asOf.GetProperty("summary").GetProperty("score").GetDouble(), again.GetProperty("summary").GetProperty("score").GetDouble());
        Assert.NotEqual(armyAfter, asOf.GetProperty("summary").GetProperty("score").GetDouble());

        var revisions = await Client.GetFromJsonAsync<JsonElement>($"/v1/propositions/{propositionId}/resolutions");
        Assert.Equal(1, revisions.GetArrayLength());
        var explanation = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{armyId}/explanation");
        Assert.Contains("refuted", explanation.GetProperty("contributions")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_history_asked_for_a_chart_keeps_its_ends_and_extremes_within_the_points_asked()
    {
        // Forty claims on forty questions, resolved right, then wrong, then right: a score that climbs, falls and climbs.
        var sourceId = await SourceWithResolvedClaimsAsync("hist", 40, new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero),
            30, i => i is >= 10 and < 20 ? "army repelled the attack" : "JNIM took the base");

        // The series ends at the moment of the live score: both reads must come from one for their ends to match.
        var (whole, thinned) = await FromOneLiveScoreAsync($"/v1/sources/{sourceId}/history", "?points=10");

        var all = whole.GetProperty("points").EnumerateArray().ToArray();
        var kept = thinned.GetProperty("points").EnumerateArray().ToArray();
        Assert.InRange(all.Length, 70, 80);
        Assert.Equal(all.Length, whole.GetProperty("totalPoints").GetInt32());
        Assert.Equal(all.Length, thinned.GetProperty("totalPoints").GetInt32());
        Assert.InRange(kept.Length, 2, 10);
        Assert.Equal(all[0].ToString(), kept[0].ToString());
        Assert.Equal(all[^1].ToString(), kept[^1].ToString());
        Assert.All(kept, p => Assert.Contains(all, q => q.ToString() == p.ToString()));
        static double Score(JsonElement point) => point.GetProperty("score").GetDouble();
        Assert.Equal(all.Min(Score), kept.Min(Score));
        Assert.Equal(all.Max(Score), kept.Max(Score));
        Assert.Equal(Score(all[^1]), await ScoreAsync(sourceId), 6);

        await AssertRefusedAsync($"/v1/sources/{sourceId}/history", "points", "1", "10001", "many");
    }

    [Fact]
    public async Task An_explanation_cut_to_its_heaviest_claims_still_adds_up_to_the_evidence()
    {
        // Thirty claims; ten resolved (right or wrong) weigh in full, the rest only provisionally.
        var sourceId = await SourceWithResolvedClaimsAsync("expl", 30, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
            10, i => i % 3 == 0 ? "army repelled the attack" : "JNIM took the base");

        // Both reads on the same live score, so the two lists weigh claims alike.
        var (whole, cut) = await FromOneLiveScoreAsync($"/v1/sources/{sourceId}/explanation", "?top=5");

        static double Weight(JsonElement c) => c.GetProperty("confirmed").GetDouble() + c.GetProperty("refuted").GetDouble();
        var all = whole.GetProperty("contributions").EnumerateArray().ToArray();
        var largest = cut.GetProperty("contributions").EnumerateArray().ToArray();
        Assert.Equal(30, all.Length);
        Assert.True(!whole.TryGetProperty("omitted", out var none) || none.ValueKind == JsonValueKind.Null, "a whole explanation omits nothing");
        Assert.Equal(5, largest.Length);
        Assert.Equal(largest.Select(Weight).OrderDescending(), largest.Select(Weight));
        var leftOut = all.Where(c => !largest.Any(l => l.GetProperty("claimId").GetString() == c.GetProperty("claimId").GetString())).ToArray();
        Assert.Equal(25, leftOut.Length);
        Assert.True(largest.Min(Weight) >= leftOut.Max(Weight), "a heavier claim was left out");
        Assert.True(largest.Min(Weight) > leftOut.Min(Weight), "the cut did not tell heavy from light claims");

        var omitted = cut.GetProperty("omitted");
        Assert.Equal(25, omitted.GetProperty("claims").GetInt32());
        foreach (var side in new[] { "confirmed", "refuted" })
        {
            var evidence = cut.GetProperty($"{side}Evidence").GetDouble();
            Assert.Equal(evidence, largest.Sum(c => c.GetProperty(side).GetDouble()) + omitted.GetProperty(side).GetDouble(), 9);
            Assert.Equal(whole.GetProperty($"{side}Evidence").GetDouble(), evidence, 9);
        }

        await AssertRefusedAsync($"/v1/sources/{sourceId}/explanation", "top", "0", "10001", "all");
    }

    [Fact]
    public async Task A_score_as_of_a_time_still_to_come_is_a_problem_naming_asOf()
    {
        var url = $"https://x.com/future_{Guid.NewGuid():N}"[..40] + "/status/1";
        var batch = await PostClaimsAsync(Claim(NewId("future"), $"future_{Guid.NewGuid():N}"[..20], "Later? " + Guid.NewGuid(), "army repelled the attack", "2023-09-28T09:00:00Z", url));
        var sourceId = batch.GetProperty("items")[0].GetProperty("sourceId").GetString()!;
        var tomorrow = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture));

        using var score = await Client.GetAsync($"/v1/sources/{sourceId}/score?asOf={tomorrow}");
        using var explanation = await Client.GetAsync($"/v1/sources/{sourceId}/explanation?asOf={tomorrow}");
        using var lookup = await Client.PostAsJsonAsync("/v1/lookup", new { urls = new[] { url }, asOf = DateTimeOffset.UtcNow.AddDays(1) });

        foreach (var response in new[] { score, explanation, lookup })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("In the future", problem.GetProperty("errors").GetProperty("asOf")[0].GetString(), StringComparison.Ordinal);
        }

        // The same questions as of now are answered.
        var now = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        using var current = await Client.GetAsync($"/v1/sources/{sourceId}/score?asOf={now}");
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
    }

    [Fact]
    public async Task A_live_score_does_not_show_the_truth_version_the_nodes_cache_keeps_it_by()
    {
        var batch = await PostClaimsAsync(Claim(NewId("live"), $"live_{Guid.NewGuid():N}"[..20], "Now? " + Guid.NewGuid(), "army repelled the attack", "2023-09-28T09:00:00Z"));
        var sourceId = batch.GetProperty("items")[0].GetProperty("sourceId").GetString()!;
        var live = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score");
        Assert.True(live.TryGetProperty("summary", out _));
        Assert.False(live.TryGetProperty("truthVersion", out _));
    }

    [Fact]
    public async Task A_reversed_post_shows_as_reversed_with_its_replacement_in_a_lookup()
    {
        var question = "Who holds the camp? " + Guid.NewGuid();
        var glory = $"glory_{Guid.NewGuid():N}"[..20];
        var claimId = NewId("glory");
        var url = $"https://twitter.com/{glory}/status/1707000000000000001";
        await PostClaimsAsync(Claim(claimId, glory, question, "army repelled the attack", "2023-09-28T12:00:00Z", url));

        var reversal = await Client.PostAsJsonAsync($"/v1/claims/{claimId}/corrections", new
        {
            kind = "reversed",
            at = "2023-09-29T08:00:00Z",
            note = "I deleted the old tweet saying the army repelled the attack",
            replacement = new { id = NewId("glory2"), option = "JNIM took the base", publishedAt = "2023-09-29T08:00:00Z", url = $"https://x.com/{glory}/status/1707000000000000002" },
        });
        Assert.Equal(HttpStatusCode.OK, reversal.StatusCode);

        var lookup = await Client.PostAsJsonAsync("/v1/lookup", new { urls = new[] { $"https://x.com/{glory.ToUpperInvariant()}/status/1707000000000000001?s=20" } });
        var item = (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0];
        Assert.Equal("post", item.GetProperty("kind").GetString());
        Assert.Equal("reversed", item.GetProperty("claimStatus").GetString());
        Assert.Equal("JNIM took the base", item.GetProperty("claims")[0].GetProperty("replacement").GetProperty("option").GetString());
        Assert.Equal($"@{glory}", item.GetProperty("source").GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_reversal_naming_a_claim_already_on_record_does_not_put_it_at_the_url_the_request_gave()
    {
        var question = "Who holds the camp? " + Guid.NewGuid();
        var glory = $"glory_{Guid.NewGuid():N}"[..20];
        var (reversedId, replacementId, quoteId) = (NewId("glory"), NewId("glory2"), NewId("quote"));
        var storedAt = $"https://x.com/{glory}/status/1707000000000000012";
        var namedAt = $"https://news.example/{glory}/live";
        await PostClaimsAsync(
            Claim(reversedId, glory, question, "army repelled the attack", "2023-09-28T12:00:00Z", $"https://x.com/{glory}/status/1707000000000000011"),
            Claim(replacementId, glory, question, "JNIM took the base", "2023-09-29T08:00:00Z", storedAt),
            Claim(quoteId, glory + "_desk", question, "JNIM took the base", "2023-09-29T09:00:00Z", namedAt));

        // The node has read the URL the reversal will name, and keeps what is there.
        Assert.Equal([quoteId], await ClaimsAtAsync(namedAt));

        // The replacement is the claim on record; the URL the request gives it is not where it was posted.
        var reversal = await Client.PostAsJsonAsync($"/v1/claims/{reversedId}/corrections", new
        {
            kind = "reversed",
            at = "2023-09-29T08:00:00Z",
            replacement = new { id = replacementId, option = "JNIM took the base", publishedAt = "2023-09-29T08:00:00Z", url = namedAt },
        });
        Assert.Equal(HttpStatusCode.OK, reversal.StatusCode);

        Assert.Equal([quoteId], await ClaimsAtAsync(namedAt));
        Assert.Equal([replacementId], await ClaimsAtAsync(storedAt));

        async Task<string[]> ClaimsAtAsync(string url)
        {
            var lookup = await Client.PostAsJsonAsync("/v1/lookup", new { urls = new[] { url } });
            var item = (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0];
            return item.TryGetProperty("claims", out var claims) && claims.ValueKind == JsonValueKind.Array
                ? [.. claims.EnumerateArray().Select(c => c.GetProperty("claimId").GetString()!)]
                : [];
        }
    }

    [Fact]
    public async Task A_lookup_as_of_a_past_time_shows_the_posts_as_they_stood_then()
    {
        var desk = $"desk_{Guid.NewGuid():N}"[..20];
        var (early, late) = (NewId("early"), NewId("late"));
        var earlyUrl = $"https://x.com/{desk}/status/1707000000000000101";
        var lateUrl = $"https://x.com/{desk}/status/1707000000000000102";
        await PostClaimsAsync(
            Claim(early, desk, "Who holds the camp? " + Guid.NewGuid(), "army repelled the attack", "2023-09-28T12:00:00Z", earlyUrl),
            Claim(late, desk, "Who holds the town? " + Guid.NewGuid(), "JNIM took the base", "2023-10-05T12:00:00Z", lateUrl));
        var retraction = await Client.PostAsJsonAsync($"/v1/claims/{early}/corrections", new { kind = "retracted", at = "2023-10-01T08:00:00Z" });
        Assert.Equal(HttpStatusCode.OK, retraction.StatusCode);

        async Task<JsonElement[]> LookUpAsync(DateTimeOffset? asOf) =>
            [.. (await (await Client.PostAsJsonAsync("/v1/lookup", new { urls = new[] { earlyUrl, lateUrl }, asOf }))
                .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()];

        var now = await LookUpAsync(null);
        var then = await LookUpAsync(DateTimeOffset.Parse("2023-09-30T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal("retracted", now[0].GetProperty("claims")[0].GetProperty("status").GetString());
        Assert.Equal(late, now[1].GetProperty("claims")[0].GetProperty("claimId").GetString());
        // On 30 Sept the first post still stood, and the second was not yet written.
        Assert.NotEqual("retracted", then[0].GetProperty("claims")[0].GetProperty("status").GetString());
        Assert.Equal(0, then[1].GetProperty("claims").GetArrayLength());
    }

    [Fact]
    public async Task A_lookup_asked_again_shows_every_change_made_since()
    {
        // The node keeps lookup answers; what it keeps must never hide a correction, a resolution or a new claim.
        var question = "Who holds Ber? " + Guid.NewGuid();
        var watcher = $"ber_{Guid.NewGuid():N}"[..20];
        var claimId = NewId("ber");
        var url = $"https://x.com/{watcher}/status/1707000000000000201";
        var later = $"https://x.com/{watcher}/status/1707000000000000202";
        var posted = await PostClaimsAsync(Claim(claimId, watcher, question, "army repelled the attack", "2023-09-28T12:00:00Z", url));
        var propositionId = posted.GetProperty("items")[0].GetProperty("propositionId").GetString()!;

        // The same post again under another spelling, in the same request: the same item but for its input.
        var otherSpelling = url.Replace("https://x.com/", "https://twitter.com/", StringComparison.Ordinal) + "?s=20";
        var serializer = api.Factory.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        async Task<JsonElement> LookupAsync()
        {
            var response = await Client.PostAsJsonAsync("/v1/lookup", new { urls = new[] { url, later, otherSpelling } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();

            // Answers kept by the node are written from JSON made when they were kept: byte for byte what the serializer writes.
            Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize<LookupApi.LookupResult>(body, serializer), serializer), body);
            var items = JsonDocument.Parse(body).RootElement.GetProperty("items").Clone();
            Assert.Equal(otherSpelling, items[2].GetProperty("input").GetString());
            Assert.Equal(
                JsonSerializer.Serialize(JsonSerializer.Deserialize<LookupApi.LookupItem>(items[0].GetRawText(), serializer)! with { Input = "" }, serializer),
                JsonSerializer.Serialize(JsonSerializer.Deserialize<LookupApi.LookupItem>(items[2].GetRawText(), serializer)! with { Input = "" }, serializer));
            return items;
        }

        var first = await LookupAsync();
        Assert.Equal("open", first[0].GetProperty("claimStatus").GetString());
        Assert.Equal("source", first[1].GetProperty("kind").GetString());
        Assert.Equal("open", (await LookupAsync())[0].GetProperty("claimStatus").GetString());

        var deleted = await Client.PostAsJsonAsync($"/v1/claims/{claimId}/corrections", new { kind = "deleted", at = "2023-09-29T08:00:00Z" });
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var afterDeletion = await LookupAsync();
        Assert.Equal("deleted", afterDeletion[0].GetProperty("claimStatus").GetString());

        await PostClaimsAsync(Claim(NewId("ber2"), watcher, question, "JNIM took the base", "2023-09-29T09:00:00Z", later));
        var afterClaim = await LookupAsync();
        Assert.Equal("post", afterClaim[1].GetProperty("kind").GetString());
        Assert.Equal("JNIM took the base", afterClaim[1].GetProperty("claims")[0].GetProperty("option").GetString());

        // A relay of the same post, by another account: the URL now carries two claims.
        var relayer = $"ber_relay_{Guid.NewGuid():N}"[..20];
        await PostClaimsAsync(Claim(NewId("ber3"), relayer, question, "army repelled the attack", "2023-09-28T13:00:00Z", url));
        var afterRelay = await LookupAsync();
        Assert.Equal(2, afterRelay[0].GetProperty("claims").GetArrayLength());

        var resolved = await Client.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution", new { option = "JNIM took the base", at = "2023-10-01T00:00:00Z" });
        resolved.EnsureSuccessStatusCode();
        var afterResolution = await LookupAsync();
        Assert.All(afterResolution[0].GetProperty("claims").EnumerateArray(), c => Assert.Equal("refuted", c.GetProperty("outcome").GetString()));
        Assert.Equal("confirmed", afterResolution[1].GetProperty("claims")[0].GetProperty("outcome").GetString());
        Assert.NotEqual(
            afterClaim[0].GetProperty("source").GetProperty("score").GetProperty("score").GetDouble(),
            afterResolution[0].GetProperty("source").GetProperty("score").GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task A_live_score_kept_by_the_node_is_the_serializers_json_and_moves_with_the_record()
    {
        var question = "Who holds Léré? " + Guid.NewGuid();
        var handle = $"lere_{Guid.NewGuid():N}"[..20];
        var posted = await PostClaimsAsync(Claim(NewId("lere"), handle, question, "JNIM took the base", "2023-09-28T12:00:00Z"));
        var sourceId = posted.GetProperty("items")[0].GetProperty("sourceId").GetString()!;
        var propositionId = posted.GetProperty("items")[0].GetProperty("propositionId").GetString()!;
        var serializer = api.Factory.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        async Task<string> ScoreAsync()
        {
            using var response = await Client.GetAsync($"/v1/sources/{sourceId}/score");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(body.Length, response.Content.Headers.ContentLength);
            var text = Encoding.UTF8.GetString(body);
            Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize<ScoreView>(text, serializer), serializer), text);
            return text;
        }

        // Worked out, then served again from what the node kept. The truth estimate this claim set off
        // must land first: a new estimate rightly makes the node work the score out again.
        await api.Factory.WaitForQuietTruthAsync();
        var first = await ScoreAsync();
        Assert.Equal(first, await ScoreAsync());

        var resolved = await Client.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution", new { option = "JNIM took the base", at = "2023-10-01T00:00:00Z" });
        resolved.EnsureSuccessStatusCode();
        var afterResolution = await ScoreAsync();
        Assert.NotEqual(
            JsonDocument.Parse(first).RootElement.GetProperty("summary").GetProperty("score").GetDouble(),
            JsonDocument.Parse(afterResolution).RootElement.GetProperty("summary").GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task Arabic_and_emoji_text_round_trips_exactly()
    {
        const string text = "أعلن الجيش المالي صد هجوم 🇲🇱 — “JNIM” ‏took‏ the base\n#Mali";
        var claimId = NewId("utf");
        await PostClaimsAsync(Claim(claimId, $"utf_{Guid.NewGuid():N}"[..20], "Q " + Guid.NewGuid(), "JNIM took the base", "2023-09-28T12:00:00+02:00", text: text));

        var claim = await Client.GetFromJsonAsync<JsonElement>($"/v1/claims/{claimId}");
        Assert.Equal(text, claim.GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("{\"claims\": [", "malformed JSON")]
    [InlineData("{\"claims\": 5}", "wrong type")]
    [InlineData("{\"claims\": [], \"extra\": 1}", "unknown field")]
    [InlineData("{\"claims\": []}", "empty batch")]
    public async Task A_malformed_batch_is_a_problem(string body, string why)
    {
        var response = await Client.PostAsync("/v1/claims", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, why);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Bad_items_are_rejected_with_field_errors_and_store_nothing()
    {
        var question = "Bad input " + Guid.NewGuid();
        var handle = $"bad_{Guid.NewGuid():N}"[..20];
        var items = new JsonArray(
            JsonNode.Parse(JsonSerializer.Serialize(Claim(NewId("nul"), handle, question, "JNIM took\u0000 the base", "2023-09-28T12:00:00Z"))),
            JsonNode.Parse(JsonSerializer.Serialize(Claim(NewId("opt"), handle, question, "not an option", "2023-09-28T12:00:00Z"))),
            JsonNode.Parse(JsonSerializer.Serialize(Claim(NewId("rel"), handle, question, "JNIM took the base", "2023-09-28T12:00:00Z", relayOf: "no-such-claim"))));
        var response = await Client.PostAsJsonAsync("/v1/claims", new { claims = items });
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(3, result.GetProperty("rejected").GetInt32());
        var errors = result.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("problem").GetProperty("errors")).ToList();
        Assert.True(errors[0].TryGetProperty("option", out _));
        Assert.True(errors[1].TryGetProperty("option", out _));
        Assert.True(errors[2].TryGetProperty("relayOf", out _));
        var sources = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query={handle}");
        Assert.Equal(0, sources.GetArrayLength());
    }

    [Fact]
    public async Task The_source_listing_counts_every_claim_and_names_every_topic_and_region()
    {
        var handle = $"count_{Guid.NewGuid():N}"[..20];
        var (first, second) = ("Count " + Guid.NewGuid(), "Count " + Guid.NewGuid());
        object OnTopic(string id, string question, string topic, string option) => new
        {
            id,
            handle = new { platform = "x", handle },
            proposition = new { question, options = new[] { "yes", "no" }, topics = new[] { topic }, region = topic == "aid" ? "Kidal" : null },
            option,
            publishedAt = "2023-09-28T12:00:00Z",
        };

        await PostClaimsAsync(OnTopic(NewId("cnt"), first, "military", "yes"), OnTopic(NewId("cnt"), first, "military", "no"));
        await PostClaimsAsync(OnTopic(NewId("cnt"), second, "aid", "yes"));

        var listed = Assert.Single((await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query={handle}")).EnumerateArray());
        Assert.Equal(3, listed.GetProperty("claimCount").GetInt32());
        Assert.Equal(["aid", "military"], listed.GetProperty("topics").EnumerateArray().Select(t => t.GetString()).Order());
        var byTopic = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query={handle}&topic=aid");
        Assert.Equal(1, byTopic.GetArrayLength());
        // Named by the claim writer, before any score of the source was read.
        Assert.Equal(["Kidal"], listed.GetProperty("regions").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(1, (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query={handle}&region=Kidal")).GetArrayLength());
        Assert.Equal(0, (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query={handle}&region=Gao")).GetArrayLength());
    }

    [Fact]
    public async Task A_topics_band_holds_at_a_threshold_as_the_overall_band_does()
    {
        // Two sources end with the same record on casualty figures, 7 confirmed and 3 refuted (just
        // under the reliable threshold, within its margin), one after a run of confirmations and one
        // after a run of refutations; ten confirmed claims on logistics keep both reliable overall.
        var from = DateTimeOffset.UtcNow.AddDays(-20);
        async Task<(string Id, string Handle)> SourceAsync(bool confirmationsFirst)
        {
            var handle = $"topic_{Guid.NewGuid():N}"[..20];
            object OnTopic(string topic, string region) => new
            {
                id = NewId("tpc"),
                handle = new { platform = "x", handle },
                proposition = new { question = $"{topic} {Guid.NewGuid()}", options = new[] { "yes", "no" }, topics = new[] { topic }, region },
                option = "yes",
                publishedAt = from.ToString("O"),
            };
            var logistics = (await PostClaimsAsync([.. Enumerable.Range(0, 10).Select(_ => OnTopic("logistics", "Gao"))])).GetProperty("items").EnumerateArray();
            var casualties = (await PostClaimsAsync([.. Enumerable.Range(0, 10).Select(_ => OnTopic("casualties", "Timbuktu"))])).GetProperty("items").EnumerateArray();
            var verdicts = logistics.Select(i => (Item: i, Option: "yes"))
                .Concat(casualties.Select((item, i) => (Item: item, Option: (confirmationsFirst ? i < 7 : i >= 3) ? "yes" : "no")))
                .ToList();
            for (var i = 0; i < verdicts.Count; i++)
            {
                (await Client.PutAsJsonAsync($"/v1/propositions/{verdicts[i].Item.GetProperty("propositionId").GetString()}/resolution",
                    new { option = verdicts[i].Option, at = from.AddDays(1).AddHours(i).ToString("O") })).EnsureSuccessStatusCode();
            }

            return (logistics.First().GetProperty("sourceId").GetString()!, handle);
        }

        var ((fromAbove, aboveHandle), (fromBelow, belowHandle)) = (await SourceAsync(confirmationsFirst: true), await SourceAsync(confirmationsFirst: false));
        await api.Factory.WaitForQuietTruthAsync();
        var (above, below) = (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{fromAbove}/score"), await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{fromBelow}/score"));
        JsonElement Tag(JsonElement score, string list, string tag) => score.GetProperty(list).EnumerateArray().Single(t => t.GetProperty("tag").GetString() == tag);
        var (casualtiesAbove, casualtiesBelow) = (Tag(above, "topics", "casualties"), Tag(below, "topics", "casualties"));

        Assert.Equal(["reliable", "reliable"], new[] { above, below }.Select(s => s.GetProperty("summary").GetProperty("band").GetString()));
        Assert.Equal(casualtiesAbove.GetProperty("score").GetDouble(), casualtiesBelow.GetProperty("score").GetDouble(), 1e-9);
        Assert.InRange(casualtiesAbove.GetProperty("score").GetDouble(), 0.65, 0.7);
        Assert.Equal("reliable", casualtiesAbove.GetProperty("band").GetString());
        Assert.Equal("mixed", casualtiesBelow.GetProperty("band").GetString());
        Assert.Equal("reliable", Tag(above, "regions", "Timbuktu").GetProperty("band").GetString());
        Assert.Equal("mixed", Tag(below, "regions", "Timbuktu").GetProperty("band").GetString());
        Assert.Equal("reliable", Tag(below, "topics", "logistics").GetProperty("band").GetString());
        Assert.False(casualtiesBelow.GetProperty("provisional").GetBoolean());

        // Asked for one topic, the score is that topic's, band and grade as the list gives them.
        foreach (var (source, listed) in new[] { (fromAbove, casualtiesAbove), (fromBelow, casualtiesBelow) })
        {
            var summary = (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{source}/score?topic=casualties")).GetProperty("summary");
            Assert.Equal(listed.GetProperty("band").GetString(), summary.GetProperty("band").GetString());
            Assert.Equal(listed.GetProperty("grade").GetString(), summary.GetProperty("grade").GetString());
            Assert.Equal(listed.GetProperty("score").GetDouble(), summary.GetProperty("score").GetDouble(), 1e-9);
        }

        // A topic's series: a point at each casualty verdict, ending as the score shows the topic; the
        // source that fell to 7 of 10 was reliable at its top and is held there, the one that rose is mixed.
        foreach (var (source, listed, top) in new[] { (fromAbove, casualtiesAbove, "reliable"), (fromBelow, casualtiesBelow, "mixed") })
        {
            var series = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{source}/history?topic=CASUALTIES");
            var points = series.GetProperty("points").EnumerateArray().ToList();
            Assert.Equal("casualties", series.GetProperty("topic").GetString());
            Assert.Equal((11, 11), (points.Count, series.GetProperty("totalPoints").GetInt32()));
            Assert.Equal(listed.GetProperty("band").GetString(), points[^1].GetProperty("band").GetString());
            Assert.Equal(listed.GetProperty("score").GetDouble(), points[^1].GetProperty("score").GetDouble(), 1e-9);
            Assert.Equal(top, points[^2].GetProperty("band").GetString());
            Assert.Equal(
                [.. Enumerable.Range(10, 10).Select(h => from.AddDays(1).AddHours(h))],
                points.SkipLast(1).Select(p => p.GetProperty("at").GetDateTimeOffset()));

            // As of the third casualty verdict: the series then, two verdicts and the one of that moment, its final point.
            var then = from.AddDays(1).AddHours(12);
            var past = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{source}/history?topic=casualties&asOf={Uri.EscapeDataString(then.ToString("O"))}");
            Assert.Equal(3, past.GetProperty("points").GetArrayLength());
            Assert.Equal(then, past.GetProperty("asOf").GetDateTimeOffset());
            // Three verdicts, a few weeks old: recency has taken a little off each.
            Assert.InRange(past.GetProperty("points")[2].GetProperty("effectiveEvidence").GetDouble(), 2.9, 3.0);
        }

        // A region's series too: Timbuktu is where every casualty figure was given, so its series is casualties'.
        foreach (var source in new[] { fromAbove, fromBelow })
        {
            var (byTopic, byRegion) = (
                await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{source}/history?topic=casualties"),
                await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{source}/history?region=timbuktu"));
            Assert.Equal("Timbuktu", byRegion.GetProperty("region").GetString());
            Assert.False(byRegion.TryGetProperty("topic", out _));
            Assert.Equal(
                byTopic.GetProperty("points").EnumerateArray().Select(p => (p.GetProperty("at").GetDateTimeOffset(), p.GetProperty("band").GetString())),
                byRegion.GetProperty("points").EnumerateArray().Select(p => (p.GetProperty("at").GetDateTimeOffset(), p.GetProperty("band").GetString())));
        }

        using (var both = await Client.GetAsync($"/v1/sources/{fromAbove}/history?topic=casualties&region=Timbuktu"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
            Assert.True((await both.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("region", out _));
        }

        var untouched = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{fromAbove}/history?topic=territory");
        Assert.Equal((0, 0, "territory"), (untouched.GetProperty("points").GetArrayLength(), untouched.GetProperty("totalPoints").GetInt32(), untouched.GetProperty("topic").GetString()));
        Assert.False((await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{fromAbove}/history")).TryGetProperty("topic", out _));

        // A band searched for with a topic is the band on that topic, as listed with the score's.
        async Task<string[]> FoundAsync(string handle, string filter) =>
            [.. (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query={handle}&{filter}")).EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];
        Assert.Equal([fromAbove], await FoundAsync(aboveHandle, "topic=casualties&band=reliable"));
        Assert.Empty(await FoundAsync(aboveHandle, "topic=casualties&band=mixed"));
        Assert.Equal([fromBelow], await FoundAsync(belowHandle, "topic=casualties&band=mixed"));
        Assert.Empty(await FoundAsync(belowHandle, "topic=territory&band=mixed"));
        Assert.Equal([fromBelow], await FoundAsync(belowHandle, "topic=logistics&band=reliable"));
        Assert.Equal([fromBelow], await FoundAsync(belowHandle, "band=reliable"));
        // And with a region, the band in that region; with both, the band on each.
        Assert.Equal([fromAbove], await FoundAsync(aboveHandle, "region=Timbuktu&band=reliable"));
        Assert.Equal([fromBelow], await FoundAsync(belowHandle, "region=Timbuktu&band=mixed"));
        Assert.Empty(await FoundAsync(belowHandle, "region=Timbuktu&band=reliable"));
        Assert.Equal([fromBelow], await FoundAsync(belowHandle, "region=Gao"));
        Assert.Empty(await FoundAsync(belowHandle, "region=Kidal"));
        Assert.Equal([fromAbove], await FoundAsync(aboveHandle, "topic=casualties&region=Gao&band=reliable"));
        Assert.Empty(await FoundAsync(belowHandle, "topic=casualties&region=Gao&band=reliable"));
        Assert.Empty(await FoundAsync(aboveHandle, "topic=casualties&region=Gao&band=mixed"));
        var listing = Assert.Single((await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query={belowHandle}")).EnumerateArray());
        Assert.Equal(
            new Dictionary<string, string> { ["casualties"] = "mixed", ["logistics"] = "reliable" },
            listing.GetProperty("topicBands").Deserialize<Dictionary<string, string>>());
        Assert.Equal(
            new Dictionary<string, string> { ["Timbuktu"] = "mixed", ["Gao"] = "reliable" },
            listing.GetProperty("regionBands").Deserialize<Dictionary<string, string>>());
        Assert.Equal(["Gao", "Timbuktu"], listing.GetProperty("regions").EnumerateArray().Select(r => r.GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_source_gains_handles_on_other_platforms_and_is_found_by_them()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var (sourceId, onX, onTelegram, onFacebook) = ($"army-{tag}", $"army_{tag}", $"Army_TG_{tag}", $"armyfb_{tag}");
        (await Client.PostAsJsonAsync("/v1/sources", new
        {
            id = sourceId, name = "Army press office " + tag, kind = "official-body", interestedParty = true,
            handles = new[] { new { platform = "x", handle = onX } },
        })).EnsureSuccessStatusCode();

        // The handle it has (spelt another way) is left alone; the new one is added.
        using var added = await Client.PostAsJsonAsync($"/v1/sources/{sourceId}/handles", new
        {
            handles = new[] { new { platform = "telegram", handle = "@" + onTelegram }, new { platform = "twitter", handle = onX.ToUpperInvariant() } },
        });
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal([$"telegram:{onTelegram}", $"x:{onX}"], Handles(await added.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.Equal(2, await CountEventsAsync($"source:{sourceId}"));

        // Adding it again changes nothing.
        (await Client.PostAsJsonAsync($"/v1/sources/{sourceId}/handles", new { handles = new[] { new { platform = "Telegram", handle = onTelegram.ToLowerInvariant() } } }))
            .EnsureSuccessStatusCode();
        Assert.Equal(2, await CountEventsAsync($"source:{sourceId}"));

        // A claim by the new handle is the source's; so are lookups and searches by it.
        var posted = await PostClaimsAsync(new
        {
            id = NewId("tg"),
            handle = new { platform = "telegram", handle = onTelegram.ToLowerInvariant() },
            proposition = new { question = "Who held the base? " + tag, options = new[] { "army", "JNIM" } },
            option = "army",
            publishedAt = "2023-09-28T12:00:00Z",
            url = $"https://t.me/{onTelegram}/120",
        });
        Assert.Equal(sourceId, posted.GetProperty("items")[0].GetProperty("sourceId").GetString());
        using var lookup = await Client.PostAsJsonAsync("/v1/lookup", new
        {
            urls = new[] { $"https://t.me/{onTelegram}/999" },
            handles = new[] { new { platform = "telegram", handle = onTelegram } },
        });
        foreach (var item in (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray())
        {
            Assert.Equal(sourceId, item.GetProperty("source").GetProperty("id").GetString());
        }

        var found = Assert.Single((await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query={onTelegram.ToLowerInvariant()}")).EnumerateArray());
        Assert.Equal(sourceId, found.GetProperty("id").GetString());
        Assert.Equal(2, found.GetProperty("handles").GetArrayLength());

        // Registering it again with another platform's handle records that handle too.
        using var again = await Client.PostAsJsonAsync("/v1/sources", new
        {
            name = "Army press office",
            handles = new[] { new { platform = "x", handle = onX }, new { platform = "facebook", handle = onFacebook } },
        });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var profile = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(sourceId, profile.GetProperty("id").GetString());
        Assert.Equal("Army press office " + tag, profile.GetProperty("name").GetString());
        Assert.Equal([$"facebook:{onFacebook}", $"telegram:{onTelegram}", $"x:{onX}"], Handles(profile));
        Assert.Equal(1, profile.GetProperty("claimCount").GetInt32());
    }

    [Fact]
    public async Task A_handle_of_another_source_is_a_conflict_and_nothing_is_added()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var (first, second) = ($"first-{tag}", $"second-{tag}");
        foreach (var id in new[] { first, second })
        {
            (await Client.PostAsJsonAsync("/v1/sources", new { id, name = id, handles = new[] { new { platform = "x", handle = id.Replace('-', '_') } } }))
                .EnsureSuccessStatusCode();
        }

        var fresh = $"fresh_{tag}";
        var attempts = new (string Path, object Body)[]
        {
            ($"/v1/sources/{first}/handles", new { handles = new[] { new { platform = "telegram", handle = fresh }, new { platform = "x", handle = $"@second_{tag}" } } }),
            ("/v1/sources", new { name = "Both", handles = new[] { new { platform = "x", handle = $"first_{tag}" }, new { platform = "telegram", handle = fresh }, new { platform = "x", handle = $"second_{tag}" } } }),
            ("/v1/sources", new { id = first, name = "Wrong id", handles = new[] { new { platform = "x", handle = $"second_{tag}" }, new { platform = "telegram", handle = fresh } } }),
        };
        foreach (var (path, body) in attempts)
        {
            using var response = await Client.PostAsJsonAsync(path, body);
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains($"belongs to source '{second}'", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        foreach (var id in new[] { first, second })
        {
            Assert.Equal([$"x:{id.Replace('-', '_')}"], Handles(await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{id}")));
            Assert.Equal(1, await CountEventsAsync($"source:{id}"));
        }

        using var lookup = await Client.PostAsJsonAsync("/v1/lookup", new { handles = new[] { new { platform = "telegram", handle = fresh } } });
        Assert.Equal("unknown", (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Adding_handles_refuses_bad_input_and_unknown_sources()
    {
        using var unknown = await Client.PostAsJsonAsync("/v1/sources/no-such-source/handles", new { handles = new[] { new { platform = "x", handle = "someone" } } });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

        var sourceId = $"bad-handles-{Guid.NewGuid():N}"[..24];
        (await Client.PostAsJsonAsync("/v1/sources", new { id = sourceId, name = sourceId })).EnsureSuccessStatusCode();
        var refused = new (object Body, string Field)[]
        {
            (new { }, "handles"),
            (new { handles = Array.Empty<object>() }, "handles"),
            (new { handles = new object[] { new { platform = "x" } } }, "handles[0].handle"),
            (new { handles = new object[] { new { platform = "x", handle = "ok_one" }, new { handle = "no_platform" } } }, "handles[1].platform"),
            (new { handles = new object[] { new { platform = "x", handle = "@" } } }, "handles[0].handle"),
            (new { handles = Enumerable.Range(0, 51).Select(i => new { platform = "x", handle = $"h{i}" }).ToArray() }, "handles"),
        };
        foreach (var (body, field) in refused)
        {
            using var response = await Client.PostAsJsonAsync($"/v1/sources/{sourceId}/handles", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), field);
        }

        Assert.Empty(Handles(await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}")));
        Assert.Equal(1, await CountEventsAsync($"source:{sourceId}"));
    }

    [Fact]
    public async Task A_handle_taken_from_a_source_leaves_it_its_claims_and_names_a_new_source_from_then_on()
    {
        var handle = $"taken_{Guid.NewGuid():N}"[..20];
        object ClaimByHandle(int post, string option) => new
        {
            id = NewId("taken"),
            handle = new { platform = "telegram", handle },
            proposition = new { question = "Who held the camp? " + handle, options = new[] { "army", "militants" } },
            option,
            publishedAt = $"2023-09-{20 + post}T12:00:00Z",
            url = $"https://t.me/{handle}/{post}",
        };

        // A channel first met through a claim: its source is named after the handle.
        var oldSource = (await PostClaimsAsync(ClaimByHandle(1, "army"))).GetProperty("items")[0].GetProperty("sourceId").GetString()!;
        var events = await CountEventsAsync($"source:{oldSource}");

        // The channel changed hands. The handle is named as a writer might spell it.
        using var removed = await Client.DeleteAsync($"/v1/sources/{oldSource}/handles/Telegram/@{handle.ToUpperInvariant()}?reason=taken%20over");
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        var profile = await removed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Empty(Handles(profile));
        Assert.Equal(1, profile.GetProperty("claimCount").GetInt32());
        Assert.Equal(events + 1, await CountEventsAsync($"source:{oldSource}"));

        // Its next post is another source's, and lookups by the handle find that one.
        var newSource = (await PostClaimsAsync(ClaimByHandle(2, "militants"))).GetProperty("items")[0].GetProperty("sourceId").GetString()!;
        Assert.NotEqual(oldSource, newSource);
        Assert.Equal([$"telegram:{handle}"], Handles(await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{newSource}")));
        Assert.Equal(1, (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{oldSource}")).GetProperty("claimCount").GetInt32());
        using var lookup = await Client.PostAsJsonAsync("/v1/lookup", new { handles = new[] { new { platform = "telegram", handle } } });
        Assert.Equal(newSource, (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0].GetProperty("source").GetProperty("id").GetString());

        // The old post still names the old source.
        using var byUrl = await Client.PostAsJsonAsync("/v1/lookup", new { urls = new[] { $"https://t.me/{handle}/1" } });
        Assert.Equal(oldSource, (await byUrl.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0].GetProperty("source").GetProperty("id").GetString());

        // Taken already: not the old source's any more, and nothing is written.
        using var again = await Client.DeleteAsync($"/v1/sources/{oldSource}/handles/telegram/{handle}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        Assert.Equal(events + 1, await CountEventsAsync($"source:{oldSource}"));
    }

    [Fact]
    public async Task A_source_as_of_a_time_shows_its_name_and_handles_as_they_stood_then()
    {
        var handle = $"then_{Guid.NewGuid():N}"[..20];
        var sourceId = "then-" + handle[5..];
        var beforeIt = Stamp(DateTimeOffset.UtcNow.AddSeconds(-1));
        (await Client.PostAsJsonAsync("/v1/sources", new { id = sourceId, name = "Press office", handles = new[] { new { platform = "x", handle } } })).EnsureSuccessStatusCode();
        var registered = Stamp(DateTimeOffset.UtcNow);
        (await Client.PatchAsJsonAsync($"/v1/sources/{sourceId}", new { name = "Army press office" })).EnsureSuccessStatusCode();
        (await Client.DeleteAsync($"/v1/sources/{sourceId}/handles/x/{handle}?reason=taken%20over")).EnsureSuccessStatusCode();

        var then = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}?asOf={registered}");
        Assert.Equal("Press office", then.GetProperty("name").GetString());
        Assert.Equal([$"x:{handle}"], Handles(then));
        var now = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}");
        Assert.Equal("Army press office", now.GetProperty("name").GetString());
        Assert.Empty(Handles(now));

        using var before = await Client.GetAsync($"/v1/sources/{sourceId}?asOf={beforeIt}");
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Contains("not yet on record", (await before.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var unknown = await Client.GetAsync($"/v1/sources/unknown-{handle}?asOf={registered}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var future = await Client.GetAsync($"/v1/sources/{sourceId}?asOf={Stamp(DateTimeOffset.UtcNow.AddDays(1))}");
        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);

        static string Stamp(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Taking_a_handle_refuses_bad_input_and_unknown_sources()
    {
        var handle = $"keep_{Guid.NewGuid():N}"[..20];
        var sourceId = "keep-" + handle[5..];
        (await Client.PostAsJsonAsync("/v1/sources", new { id = sourceId, name = sourceId, handles = new[] { new { platform = "x", handle } } })).EnsureSuccessStatusCode();
        var refused = new (string Path, HttpStatusCode Status, string? Field)[]
        {
            ($"/v1/sources/{sourceId}/handles/x/@", HttpStatusCode.BadRequest, "handle"),
            ($"/v1/sources/{sourceId}/handles/x/{handle}?reason={new string('r', 501)}", HttpStatusCode.BadRequest, "reason"),
            ($"/v1/sources/{sourceId}/handles/telegram/{handle}", HttpStatusCode.NotFound, null),
            ($"/v1/sources/no-such-source/handles/x/{handle}", HttpStatusCode.NotFound, null),
        };
        foreach (var (path, status, field) in refused)
        {
            using var response = await Client.DeleteAsync(path);
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            if (field is not null)
            {
                Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), field);
            }
        }

        Assert.Equal([$"x:{handle}"], Handles(await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}")));
        Assert.Equal(1, await CountEventsAsync($"source:{sourceId}"));
    }

    [Fact]
    public async Task A_source_first_met_through_a_claim_is_described_by_the_desk()
    {
        var handle = $"desc_{Guid.NewGuid():N}"[..20];
        var url = $"https://t.me/{handle}/77";
        var posted = await PostClaimsAsync(new
        {
            id = NewId("desc"),
            handle = new { platform = "telegram", handle },
            proposition = new { question = "Who held the base? " + handle, options = new[] { "army", "JNIM" } },
            option = "JNIM",
            publishedAt = "2023-09-28T12:00:00Z",
            url,
        });
        var sourceId = posted.GetProperty("items")[0].GetProperty("sourceId").GetString()!;
        var before = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}");
        Assert.Equal("@" + handle, before.GetProperty("name").GetString());
        Assert.Equal("social-account", before.GetProperty("kind").GetString());
        await LookUpAsync(url);
        var events = await CountEventsAsync($"source:{sourceId}");

        using var amended = await Client.PatchAsJsonAsync($"/v1/sources/{sourceId}", new { name = "  JNIM media arm ", kind = "armed-group", interestedParty = true });
        Assert.Equal(HttpStatusCode.OK, amended.StatusCode);
        var profile = await amended.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("JNIM media arm", "armed-group", true),
            (profile.GetProperty("name").GetString(), profile.GetProperty("kind").GetString(), profile.GetProperty("interestedParty").GetBoolean()));
        Assert.Equal(events + 1, await CountEventsAsync($"source:{sourceId}"));

        // The listing, its search and lookups (kept answers included) say what the desk said.
        var listed = Assert.Single((await Client.GetFromJsonAsync<JsonElement>("/v1/sources?query=jnim media arm")).EnumerateArray(),
            s => s.GetProperty("id").GetString() == sourceId);
        Assert.Equal("armed-group", listed.GetProperty("kind").GetString());
        var source = (await LookUpAsync(url)).GetProperty("source");
        Assert.Equal(("JNIM media arm", true), (source.GetProperty("name").GetString(), source.GetProperty("interestedParty").GetBoolean()));

        // A field left out is kept; saying the same again writes nothing.
        using var renamedOnly = await Client.PatchAsJsonAsync($"/v1/sources/{sourceId}", new { name = "JNIM's media arm" });
        var renamed = await renamedOnly.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("JNIM's media arm", "armed-group", true),
            (renamed.GetProperty("name").GetString(), renamed.GetProperty("kind").GetString(), renamed.GetProperty("interestedParty").GetBoolean()));
        (await Client.PatchAsJsonAsync($"/v1/sources/{sourceId}", new { kind = "armed-group", interestedParty = true })).EnsureSuccessStatusCode();
        Assert.Equal(events + 2, await CountEventsAsync($"source:{sourceId}"));

        // Bad input is refused with the field named, and changes nothing.
        var refused = new (object Body, string Field)[]
        {
            (new { }, "name"),
            (new { name = "  " }, "name"),
            (new { kind = "militia" }, "kind"),
            (new { name = "Fine", kind = "militia" }, "kind"),
            (new { name = new string('n', 501) }, "name"),
        };
        foreach (var (body, field) in refused)
        {
            using var response = await Client.PatchAsJsonAsync($"/v1/sources/{sourceId}", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), field);
        }

        using var unknown = await Client.PatchAsJsonAsync("/v1/sources/no-such-source", new { name = "Nobody" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("JNIM's media arm", (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}")).GetProperty("name").GetString());
        Assert.Equal(events + 2, await CountEventsAsync($"source:{sourceId}"));
    }

    [Fact]
    public async Task Outside_ratings_are_shown_beside_the_score_and_flagged_where_the_record_disagrees()
    {
        var handle = $"rated_{Guid.NewGuid():N}"[..20];
        var now = DateTimeOffset.UtcNow;
        // Five recent claims, each confirmed: a record the band can speak for.
        var posted = await PostClaimsAsync([.. Enumerable.Range(1, 5).Select(i => new
        {
            id = NewId("rated"),
            handle = new { platform = "x", handle },
            proposition = new { question = $"Did it happen ({i})? {handle}", options = new[] { "yes", "no" } },
            option = "yes",
            publishedAt = now.AddDays(-5 - i),
        })]);
        var sourceId = posted.GetProperty("items")[0].GetProperty("sourceId").GetString()!;
        foreach (var item in posted.GetProperty("items").EnumerateArray())
        {
            (await Client.PutAsJsonAsync($"/v1/propositions/{item.GetProperty("propositionId").GetString()}/resolution",
                new { option = "yes", evidence = new[] { "https://example.org/confirmed" }, note = "confirmed" })).EnsureSuccessStatusCode();
        }

        Assert.Equal("reliable", (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}")).GetProperty("score").GetProperty("band").GetString());
        var events = await CountEventsAsync($"source:{sourceId}");

        async Task<JsonElement> RateAsync(string rater, object body)
        {
            using var response = await Client.PutAsJsonAsync($"/v1/sources/{sourceId}/external-ratings/{rater}", body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("externalRatings");
        }

        await RateAsync("wikipedia-rsp", new { rating = "Generally unreliable", url = "https://en.wikipedia.org/wiki/WP:RSP", at = now.AddDays(-2) });
        await RateAsync("mbfc", new { rating = "Very high" });
        var ratings = await RateAsync("newsguard", new { rating = "82/100" });
        (string, string?, bool)[] expected = [("mbfc", "reliable", false), ("newsguard", null, false), ("wikipedia-rsp", "unreliable", true)];
        Assert.Equal(expected, Shown(ratings));
        Assert.Equal(events + 3, await CountEventsAsync($"source:{sourceId}"));

        // Saying what stands again writes nothing.
        await RateAsync("wikipedia-rsp", new { rating = "Generally unreliable", url = "https://en.wikipedia.org/wiki/WP:RSP" });
        Assert.Equal(events + 3, await CountEventsAsync($"source:{sourceId}"));

        // The listing shows them too, and finds the sources an outside rater rates otherwise.
        var listed = Assert.Single((await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query={handle}&ratedOtherwise=true")).EnumerateArray());
        Assert.Equal(expected, Shown(listed.GetProperty("externalRatings")));

        // A lookup shows them with the source; one as of an earlier time shows the words standing then.
        using (var lookup = await Client.PostAsJsonAsync("/v1/lookup", new { handles = new[] { new { platform = "x", handle } } }))
        {
            Assert.Equal(expected, Shown((await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0].GetProperty("source").GetProperty("externalRatings")));
        }

        using (var earlier = await Client.PostAsJsonAsync("/v1/lookup", new { handles = new[] { new { platform = "x", handle } }, asOf = now.AddDays(-1) }))
        {
            var then = (await earlier.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0].GetProperty("source").GetProperty("externalRatings");
            Assert.Equal(["wikipedia-rsp"], then.EnumerateArray().Select(r => r.GetProperty("rater").GetString()));
        }

        // A rater that no longer rates the source is no longer shown; its words stay in the history.
        using (var withdrawn = await Client.DeleteAsync($"/v1/sources/{sourceId}/external-ratings/mbfc"))
        {
            Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
            Assert.Equal(expected[1..], Shown((await withdrawn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("externalRatings")));
        }

        (await Client.DeleteAsync($"/v1/sources/{sourceId}/external-ratings/mbfc")).EnsureSuccessStatusCode();
        Assert.Equal(events + 4, await CountEventsAsync($"source:{sourceId}"));

        // Bad input is refused with the field named, and changes nothing.
        var refused = new (object Body, string Field)[]
        {
            (new { }, "rating"),
            (new { rating = " " }, "rating"),
            (new { rating = new string('r', 201) }, "rating"),
            (new { rating = "high", url = "ftp://example.org/list" }, "url"),
            (new { rating = "high", at = now.AddDays(2) }, "at"),
        };
        foreach (var (body, field) in refused)
        {
            using var response = await Client.PutAsJsonAsync($"/v1/sources/{sourceId}/external-ratings/mbfc", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), field);
        }

        using var tooLong = await Client.PutAsJsonAsync($"/v1/sources/{sourceId}/external-ratings/{new string('m', 101)}", new { rating = "high" });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        using var unknown = await Client.PutAsJsonAsync("/v1/sources/no-such-source/external-ratings/mbfc", new { rating = "high" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(events + 4, await CountEventsAsync($"source:{sourceId}"));
        Assert.Equal(expected[1..], Shown((await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}")).GetProperty("externalRatings")));

        // Once the list agrees with the record, the source is no longer among those rated otherwise.
        await RateAsync("wikipedia-rsp", new { rating = "Generally reliable" });
        Assert.Equal(0, (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query={handle}&ratedOtherwise=true")).GetArrayLength());
        Assert.DoesNotContain(Assert.Single((await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query={handle}")).EnumerateArray())
            .GetProperty("externalRatings").EnumerateArray(), r => r.GetProperty("disagrees").GetBoolean());

        static (string, string?, bool)[] Shown(JsonElement ratings) =>
            [.. ratings.EnumerateArray().Select(r => (r.GetProperty("rater").GetString()!, r.GetProperty("expectedBand").GetString(), r.GetProperty("disagrees").GetBoolean()))];
    }

    [Fact]
    public async Task A_word_older_than_a_withdrawal_stays_history_in_the_listing_too()
    {
        var handle = $"withdrawn_{Guid.NewGuid():N}"[..20];
        var sourceId = (await (await Client.PostAsJsonAsync("/v1/sources", new { name = "Withdrawn", handles = new[] { new { platform = "x", handle } } }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var ratings = $"/v1/sources/{sourceId}/external-ratings/wikipedia-rsp";
        var now = DateTimeOffset.UtcNow;
        (await Client.PutAsJsonAsync(ratings, new { rating = "Deprecated", at = now.AddDays(-1) })).EnsureSuccessStatusCode();
        (await Client.DeleteAsync(ratings)).EnsureSuccessStatusCode();

        // Found late, a word from before the withdrawal does not stand: not in the profile, nor in the listing.
        (await Client.PutAsJsonAsync(ratings, new { rating = "Generally reliable", at = now.AddDays(-2) })).EnsureSuccessStatusCode();
        Assert.Equal(0, (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}")).GetProperty("externalRatings").GetArrayLength());
        Assert.Equal(0, Assert.Single((await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query={handle}")).EnumerateArray())
            .GetProperty("externalRatings").GetArrayLength());

        // Said again now, it stands.
        (await Client.PutAsJsonAsync(ratings, new { rating = "Generally reliable" })).EnsureSuccessStatusCode();
        Assert.Equal("Generally reliable", Assert.Single((await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}"))
            .GetProperty("externalRatings").EnumerateArray()).GetProperty("rating").GetString());
    }

    [Fact]
    public async Task A_source_is_listed_as_rated_otherwise_once_its_own_record_speaks()
    {
        var handle = $"later_{Guid.NewGuid():N}"[..20];
        var sourceId = (await (await Client.PostAsJsonAsync("/v1/sources", new { name = "Later", handles = new[] { new { platform = "x", handle } } }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        (await Client.PutAsJsonAsync($"/v1/sources/{sourceId}/external-ratings/wikipedia-rsp", new { rating = "Generally unreliable" })).EnsureSuccessStatusCode();
        var otherwise = $"/v1/sources?query={handle}&ratedOtherwise=true";
        // An insufficient record disagrees with no one.
        Assert.Equal(0, (await Client.GetFromJsonAsync<JsonElement>(otherwise)).GetArrayLength());

        var now = DateTimeOffset.UtcNow;
        var posted = await PostClaimsAsync([.. Enumerable.Range(1, 5).Select(i => new
        {
            id = NewId("later"),
            sourceId,
            proposition = new { question = $"Did it happen ({i})? {handle}", options = new[] { "yes", "no" } },
            option = "yes",
            publishedAt = now.AddDays(-5 - i),
        })]);
        foreach (var item in posted.GetProperty("items").EnumerateArray())
        {
            (await Client.PutAsJsonAsync($"/v1/propositions/{item.GetProperty("propositionId").GetString()}/resolution",
                new { option = "yes", evidence = new[] { "https://example.org/confirmed" } })).EnsureSuccessStatusCode();
        }

        // Reading the score brings the listing's band up to date, and the listing's filter with it.
        Assert.Equal("reliable", (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}")).GetProperty("score").GetProperty("band").GetString());
        var listed = Assert.Single((await Client.GetFromJsonAsync<JsonElement>(otherwise)).EnumerateArray());
        Assert.True(Assert.Single(listed.GetProperty("externalRatings").EnumerateArray()).GetProperty("disagrees").GetBoolean());
    }

    [Fact]
    public async Task A_list_of_outside_ratings_is_imported_registering_the_outlets_it_names()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var (tabloid, wire) = ($"tabloid-{tag}.example", $"wire_{tag}");
        (await Client.PostAsJsonAsync("/v1/sources", new { id = $"wire-{tag}", name = "The wire", handles = new[] { new { platform = "x", handle = wire } } }))
            .EnsureSuccessStatusCode();
        object[] ratings =
        [
            new { handle = new { platform = "web", handle = tabloid }, rater = "wikipedia-rsp", rating = "Deprecated", url = "https://en.wikipedia.org/wiki/WP:RSP" },
            new { handle = new { platform = "x", handle = "@" + wire.ToUpperInvariant() }, rater = "mbfc", rating = "High" },
            new { sourceId = $"wire-{tag}", rater = "newsguard", rating = "82/100" },
            new { sourceId = "no-such-source", rater = "mbfc", rating = "Low" },
            new { handle = new { platform = "web", handle = tabloid }, sourceId = $"wire-{tag}", rater = "mbfc", rating = "Low" },
            new { handle = new { platform = "web", handle = tabloid }, rater = "mbfc" },
            new { handle = new { platform = "web", handle = $"other-{tag}.example" }, kind = "militia", rater = "mbfc", rating = "Low" },
        ];

        using var imported = await Client.PostAsJsonAsync("/v1/import/external-ratings", new { ratings });
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var result = await imported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((3, 0, 4), (result.GetProperty("accepted").GetInt32(), result.GetProperty("duplicates").GetInt32(), result.GetProperty("rejected").GetInt32()));
        var items = result.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["accepted", "accepted", "accepted", "rejected", "rejected", "rejected", "rejected"], items.Select(i => i.GetProperty("status").GetString()));
        string[] fields = ["sourceId", "sourceId", "rating", "kind"];
        for (var i = 3; i < 7; i++)
        {
            Assert.True(items[i].GetProperty("problem").GetProperty("errors").TryGetProperty(fields[i - 3], out _), fields[i - 3]);
        }

        // The outlet is registered by its domain, and a citation of its site finds it with its rating.
        var outletId = items[0].GetProperty("sourceId").GetString()!;
        var outlet = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{outletId}");
        Assert.Equal((tabloid, "outlet"), (outlet.GetProperty("name").GetString(), outlet.GetProperty("kind").GetString()));
        var found = (await LookUpAsync($"https://{tabloid}/2026/11/story")).GetProperty("source");
        Assert.Equal(outletId, found.GetProperty("id").GetString());
        Assert.Equal("unreliable", Assert.Single(found.GetProperty("externalRatings").EnumerateArray()).GetProperty("expectedBand").GetString());
        Assert.Equal(["mbfc", "newsguard"], (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/wire-{tag}")).GetProperty("externalRatings")
            .EnumerateArray().Select(r => r.GetProperty("rater").GetString()));
        Assert.Equal(0, (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query=other-{tag}")).GetArrayLength());

        // The same list again changes nothing.
        using var again = await Client.PostAsJsonAsync("/v1/import/external-ratings", new { ratings = ratings[..3] });
        var repeated = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((0, 3), (repeated.GetProperty("accepted").GetInt32(), repeated.GetProperty("duplicates").GetInt32()));
        Assert.Equal(2, await CountEventsAsync($"source:{outletId}"));

        // A list holding an older word, found late, imported twice: recorded once, as history.
        object[] older = [new { sourceId = $"wire-{tag}", rater = "mbfc", rating = "Mixed", at = "2021-06-01T00:00:00Z" }];
        var wireEvents = await CountEventsAsync($"source:wire-{tag}");
        using var first = await Client.PostAsJsonAsync("/v1/import/external-ratings", new { ratings = older });
        using var second = await Client.PostAsJsonAsync("/v1/import/external-ratings", new { ratings = older });
        Assert.Equal(1, (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        Assert.Equal(1, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("duplicates").GetInt32());
        Assert.Equal(wireEvents + 1, await CountEventsAsync($"source:wire-{tag}"));

        using var empty = await Client.PostAsJsonAsync("/v1/import/external-ratings", new { ratings = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    private async Task<JsonElement> LookUpAsync(string url)
    {
        using var response = await Client.PostAsJsonAsync("/v1/lookup", new { urls = new[] { url } });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0];
    }

    private static List<string> Handles(JsonElement source) =>
        [.. source.GetProperty("handles").EnumerateArray()
            .Select(h => $"{h.GetProperty("platform").GetString()}:{h.GetProperty("handle").GetString()}").Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_timestamp_without_offset_is_refused()
    {
        var claim = Claim(NewId("tz"), "tz_" + Guid.NewGuid().ToString("N")[..10], "Q " + Guid.NewGuid(), "JNIM took the base", "2023-09-28T12:00:00");
        var response = await Client.PostAsJsonAsync("/v1/claims", new { claims = new[] { claim } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("/v1/claims/no-such-claim")]
    [InlineData("/v1/sources/no-such-source")]
    [InlineData("/v1/sources/no-such-source/score")]
    [InlineData("/v1/propositions/no-such-proposition")]
    public async Task Unknown_ids_are_404_problems(string path)
    {
        var response = await Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Open_propositions_carry_provisional_probabilities()
    {
        var question = "Contested " + Guid.NewGuid();
        var batch = await PostClaimsAsync(
            Claim(NewId("a"), $"pa_{Guid.NewGuid():N}"[..20], question, "JNIM took the base", "2023-09-28T12:00:00Z"),
            Claim(NewId("b"), $"pb_{Guid.NewGuid():N}"[..20], question, "JNIM took the base", "2023-09-28T12:00:00Z"),
            Claim(NewId("c"), $"pc_{Guid.NewGuid():N}"[..20], question, "army repelled the attack", "2023-09-28T12:00:00Z"));
        var propositionId = batch.GetProperty("items")[0].GetProperty("propositionId").GetString()!;

        await api.Factory.WaitForQuietTruthAsync();
        var proposition = await Client.GetFromJsonAsync<JsonElement>($"/v1/propositions/{propositionId}");
        Assert.Equal("contested", proposition.GetProperty("state").GetString());
        var probabilities = proposition.GetProperty("provisionalProbabilities").EnumerateArray()
            .ToDictionary(p => p.GetProperty("option").GetString()!, p => p.GetProperty("probability").GetDouble());
        Assert.Equal(1.0, probabilities.Values.Sum(), 6);
        Assert.True(probabilities["JNIM took the base"] > probabilities["army repelled the attack"]);
        Assert.All(proposition.GetProperty("claims").EnumerateArray(), c => Assert.True(c.GetProperty("contested").GetBoolean()));
        Assert.Equal([1, 2], proposition.GetProperty("provisionalProbabilities").EnumerateArray().Select(p => p.GetProperty("claimants").GetInt32()).Order());
        var contested = await Client.GetFromJsonAsync<JsonElement>("/v1/propositions?state=contested");
        Assert.Contains(contested.EnumerateArray(), p => p.GetProperty("id").GetString() == propositionId);
    }

    [Fact]
    public async Task A_sources_later_claim_of_another_option_replaces_its_earlier_one_in_the_estimate()
    {
        // The army's office says it repelled the attack, then three days later that JNIM took the
        // base, without reversing the first post; a wire still says the army repelled it.
        var question = "Changed its mind " + Guid.NewGuid();
        var office = $"po_{Guid.NewGuid():N}"[..20];
        var batch = await PostClaimsAsync(
            Claim(NewId("first"), office, question, "army repelled the attack", "2023-09-28T12:00:00Z"),
            Claim(NewId("later"), office, question, "JNIM took the base", "2023-10-01T09:00:00Z"),
            Claim(NewId("wire"), $"pw_{Guid.NewGuid():N}"[..20], question, "army repelled the attack", "2023-09-28T14:00:00Z"));
        var propositionId = batch.GetProperty("items")[0].GetProperty("propositionId").GetString()!;

        await api.Factory.WaitForQuietTruthAsync();
        var proposition = await Client.GetFromJsonAsync<JsonElement>($"/v1/propositions/{propositionId}");
        var probabilities = proposition.GetProperty("provisionalProbabilities").EnumerateArray()
            .ToDictionary(p => p.GetProperty("option").GetString()!, p => p.GetProperty("probability").GetDouble());
        // One new source on each side: even. Were the first post still counted, the office's weight
        // would be split and the army's side ahead.
        Assert.Equal(0.5, probabilities["JNIM took the base"], 6);
        Assert.Equal(0.5, probabilities["army repelled the attack"], 6);
        // The record keeps both posts.
        Assert.Equal(3, proposition.GetProperty("claims").GetArrayLength());
    }

    [Fact]
    public async Task A_claim_its_source_later_contradicted_reads_superseded_wherever_it_shows_until_the_later_claim_is_withdrawn()
    {
        // The press office posts "repelled", then three days later "JNIM took the base", without a word
        // about the first post. A journalist citing the first post must hear that it has said otherwise.
        var question = "Said otherwise " + Guid.NewGuid();
        var office = $"so_{Guid.NewGuid():N}"[..20];
        var (first, later) = (NewId("first"), NewId("later"));
        var firstUrl = $"https://x.com/{office}/status/1";
        var laterUrl = $"https://x.com/{office}/status/2";
        var batch = await PostClaimsAsync(
            Claim(first, office, question, "army repelled the attack", "2023-09-28T12:00:00Z", firstUrl),
            Claim(later, office, question, "JNIM took the base", "2023-10-01T09:00:00Z", laterUrl),
            Claim(NewId("wire"), $"sw_{Guid.NewGuid():N}"[..20], question, "army repelled the attack", "2023-09-28T14:00:00Z"));
        var (sourceId, propositionId) = (batch.GetProperty("items")[0].GetProperty("sourceId").GetString()!, batch.GetProperty("items")[0].GetProperty("propositionId").GetString()!);
        await api.Factory.WaitForQuietTruthAsync();

        var claim = await Client.GetFromJsonAsync<JsonElement>($"/v1/claims/{first}");
        Assert.Equal("superseded", claim.GetProperty("status").GetString());
        Assert.Equal("open", claim.GetProperty("outcome").GetString());
        Assert.Equal(later, claim.GetProperty("supersededBy").GetString());
        var laterClaim = await Client.GetFromJsonAsync<JsonElement>($"/v1/claims/{later}");
        Assert.Equal("open", laterClaim.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, laterClaim.GetProperty("supersededBy").ValueKind);

        var onProposition = (await Client.GetFromJsonAsync<JsonElement>($"/v1/propositions/{propositionId}")).GetProperty("claims").EnumerateArray()
            .ToDictionary(c => c.GetProperty("id").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("superseded", onProposition[first]);
        Assert.Equal("open", onProposition[later]);
        var page = (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/claims")).GetProperty("claims").EnumerateArray()
            .ToDictionary(c => c.GetProperty("id").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("superseded", page[first]);
        var corrections = (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score")).GetProperty("corrections");
        Assert.Equal(1, corrections.GetProperty("contradictedWithoutCorrection").GetInt32());

        // The plugin's lookup leads with it and links to what the source says now.
        var item = await LookupItemAsync(firstUrl);
        Assert.Equal("superseded", item.GetProperty("claimStatus").GetString());
        var said = Assert.Single(item.GetProperty("claims").EnumerateArray()).GetProperty("supersededBy");
        Assert.Equal(later, said.GetProperty("claimId").GetString());
        Assert.Equal("JNIM took the base", said.GetProperty("option").GetString());
        Assert.Equal(laterUrl, said.GetProperty("url").GetString());

        // Once the later claim is retracted the first one stands again, everywhere.
        (await Client.PostAsJsonAsync($"/v1/claims/{later}/corrections", new { kind = "retracted", at = "2023-10-02T08:00:00Z" })).EnsureSuccessStatusCode();
        await api.Factory.WaitForQuietTruthAsync();
        claim = await Client.GetFromJsonAsync<JsonElement>($"/v1/claims/{first}");
        Assert.Equal("open", claim.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, claim.GetProperty("supersededBy").ValueKind);
        item = await LookupItemAsync(firstUrl);
        Assert.Equal("open", item.GetProperty("claimStatus").GetString());
        corrections = (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score")).GetProperty("corrections");
        Assert.Equal(0, corrections.GetProperty("contradictedWithoutCorrection").GetInt32());
        Assert.Equal(JsonValueKind.Null, Assert.Single(item.GetProperty("claims").EnumerateArray()).GetProperty("supersededBy").ValueKind);
    }

    private async Task<JsonElement> LookupItemAsync(string url)
    {
        var lookup = await Client.PostAsJsonAsync("/v1/lookup", new { urls = new[] { url } });
        lookup.EnsureSuccessStatusCode();
        return (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0];
    }

    [Fact]
    public async Task A_claim_nobody_contests_is_as_likely_as_its_source_is_reliable_not_certain()
    {
        var handle = $"lone_{Guid.NewGuid():N}"[..20];
        var url = $"https://x.com/{handle}/status/1";
        var claimId = NewId("lone");
        var batch = await PostClaimsAsync(
            Claim(claimId, handle, "Alone " + Guid.NewGuid(), "JNIM took the base", "2023-09-28T12:00:00Z", url));
        var propositionId = batch.GetProperty("items")[0].GetProperty("propositionId").GetString()!;

        await api.Factory.WaitForQuietTruthAsync();
        var proposition = await Client.GetFromJsonAsync<JsonElement>($"/v1/propositions/{propositionId}");
        var probabilities = proposition.GetProperty("provisionalProbabilities").EnumerateArray()
            .ToDictionary(p => p.GetProperty("option").GetString()!, p => p.GetProperty("probability").GetDouble());
        // The option nobody claimed keeps its share: one unknown source is evidence, not proof.
        Assert.Equal(["JNIM took the base", "army repelled the attack"], probabilities.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1.0, probabilities.Values.Sum(), 6);
        Assert.InRange(probabilities["JNIM took the base"], 0.6, 0.9);
        var only = Assert.Single(proposition.GetProperty("claims").EnumerateArray());
        Assert.False(only.GetProperty("contested").GetBoolean());
        // Nobody else speaks to it: the estimate is this source's own record, restated.
        Assert.True(only.GetProperty("uncorroborated").GetBoolean());
        Assert.True((await Client.GetFromJsonAsync<JsonElement>($"/v1/claims/{claimId}")).GetProperty("uncorroborated").GetBoolean());

        // The plugin's lookup says so too: the estimate is not the outcome of a contest, nor of agreement.
        var lookup = await Client.PostAsJsonAsync("/v1/lookup", new { urls = new[] { url } });
        var match = Assert.Single((await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0].GetProperty("claims").EnumerateArray());
        Assert.False(match.GetProperty("contested").GetBoolean());
        Assert.True(match.GetProperty("uncorroborated").GetBoolean());
        Assert.Equal(probabilities["JNIM took the base"], match.GetProperty("provisionalProbability").GetDouble(), 6);
    }

    [Fact]
    public async Task Claims_nobody_else_speaks_to_give_no_evidence_of_their_source()
    {
        // Twenty claims, each on a question only this source answers: the estimate of each is the
        // source's own rating played back, which says nothing of how reliable the source is.
        var handle = $"alone_{Guid.NewGuid():N}"[..20];
        var from = DateTimeOffset.UtcNow.AddDays(-30);
        var batch = await PostClaimsAsync([.. Enumerable.Range(0, 20)
            .Select(i => Claim(NewId("alone"), handle, $"Only one voice {i}? {Guid.NewGuid()}", "JNIM took the base", from.AddDays(i).ToString("O")))]);
        var sourceId = batch.GetProperty("items")[0].GetProperty("sourceId").GetString()!;
        // One claim another source corroborates: evidence, provisional, of both.
        var shared = batch.GetProperty("items")[0].GetProperty("propositionId").GetString()!;
        await PostClaimsAsync(new
        {
            id = NewId("echo"),
            handle = new { platform = "x", handle = $"echo_{Guid.NewGuid():N}"[..20] },
            propositionId = shared,
            option = "JNIM took the base",
            publishedAt = from.AddDays(1).ToString("O"),
        });

        await api.Factory.WaitForQuietTruthAsync();
        var summary = (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score")).GetProperty("summary");
        Assert.Equal("insufficient-record", summary.GetProperty("band").GetString());
        var explanation = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/explanation");
        var contributions = explanation.GetProperty("contributions").EnumerateArray().ToList();
        Assert.Equal(20, contributions.Count);
        var corroborated = Assert.Single(contributions, c => c.GetProperty("confirmed").GetDouble() + c.GetProperty("refuted").GetDouble() > 0);
        Assert.Equal(shared, corroborated.GetProperty("propositionId").GetString());
        Assert.True(corroborated.GetProperty("provisional").GetBoolean());
        Assert.All(contributions.Where(c => c.GetProperty("propositionId").GetString() != shared), c =>
        {
            Assert.Equal(6, c.GetProperty("credibility").GetInt32());
            Assert.Contains("no other source", c.GetProperty("reason").GetString(), StringComparison.Ordinal);
        });
        Assert.Equal(
            corroborated.GetProperty("confirmed").GetDouble() + corroborated.GetProperty("refuted").GetDouble(),
            summary.GetProperty("effectiveEvidence").GetDouble(), 6);

        // Claim views say the same of each claim, wherever they are read.
        var views = (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/claims?limit=50")).GetProperty("claims").EnumerateArray().ToList();
        Assert.Equal(20, views.Count);
        Assert.All(views, v => Assert.Equal(v.GetProperty("propositionId").GetString() != shared, v.GetProperty("uncorroborated").GetBoolean()));
        var onShared = (await Client.GetFromJsonAsync<JsonElement>($"/v1/propositions/{shared}")).GetProperty("claims").EnumerateArray().ToList();
        Assert.Equal(2, onShared.Count);
        Assert.All(onShared, c => Assert.False(c.GetProperty("uncorroborated").GetBoolean()));
    }

    [Fact]
    public async Task A_claim_the_source_reversed_does_not_hide_that_another_source_speaks_to_its_replacement()
    {
        // The source said "army", then reversed to "JNIM"; another source says "army". Its reversed
        // claim no longer asserts anything, so the one other claimant is someone else, and the
        // replacement is weighed as provisional evidence.
        var question = "Reversed and contested? " + Guid.NewGuid();
        var handle = $"turn_{Guid.NewGuid():N}"[..20];
        var claimId = NewId("turn");
        var from = DateTimeOffset.UtcNow.AddDays(-10);
        var first = await PostClaimsAsync(Claim(claimId, handle, question, "army repelled the attack", from.ToString("O")));
        var sourceId = first.GetProperty("items")[0].GetProperty("sourceId").GetString()!;
        var propositionId = first.GetProperty("items")[0].GetProperty("propositionId").GetString()!;
        var replacementId = NewId("turn2");
        var reversal = await Client.PostAsJsonAsync($"/v1/claims/{claimId}/corrections", new
        {
            kind = "reversed",
            at = from.AddDays(1).ToString("O"),
            replacement = new { id = replacementId, option = "JNIM took the base", publishedAt = from.AddDays(1).ToString("O") },
        });
        Assert.Equal(HttpStatusCode.OK, reversal.StatusCode);
        await PostClaimsAsync(new
        {
            id = NewId("other"),
            handle = new { platform = "x", handle = $"other_{Guid.NewGuid():N}"[..20] },
            propositionId,
            option = "army repelled the attack",
            publishedAt = from.AddDays(2).ToString("O"),
        });

        await api.Factory.WaitForQuietTruthAsync();
        var explanation = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/explanation");
        var replacement = explanation.GetProperty("contributions").EnumerateArray().Single(c => c.GetProperty("claimId").GetString() == replacementId);
        Assert.True(replacement.GetProperty("provisional").GetBoolean());
        Assert.True(replacement.GetProperty("confirmed").GetDouble() + replacement.GetProperty("refuted").GetDouble() > 0);
        Assert.DoesNotContain("no other source", replacement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False((await Client.GetFromJsonAsync<JsonElement>($"/v1/claims/{replacementId}")).GetProperty("uncorroborated").GetBoolean());
        Assert.All((await Client.GetFromJsonAsync<JsonElement>($"/v1/propositions/{propositionId}")).GetProperty("claims").EnumerateArray(),
            c => Assert.False(c.GetProperty("uncorroborated").GetBoolean()));
    }

    /// <summary>Two sources' explanations and the second one's score, all as of one time.</summary>
    private async Task<(JsonElement First, JsonElement Second, double SecondScore)> ExplainedAsOfAsync(string firstId, string secondId, string asOf) =>
        (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{firstId}/explanation?asOf={asOf}"),
            await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{secondId}/explanation?asOf={asOf}"),
            SummaryScore(await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{secondId}/score?asOf={asOf}")));

    private static double SummaryScore(JsonElement view) => view.GetProperty("summary").GetProperty("score").GetDouble();

    [Fact]
    public async Task A_press_office_posting_the_same_claim_five_times_is_refuted_once()
    {
        // One source says the army repelled the attack once; the press office posts it five times, an hour
        // apart, never taking any down. The editors find JNIM took the base.
        var question = "Who held the outpost? " + Guid.NewGuid();
        string[] options = ["army repelled the attack", "JNIM took the base"];
        var posts = Enumerable.Range(0, 5).Select(i => NewId($"post{i}")).ToArray();
        var office = $"office_{Guid.NewGuid():N}"[..20];
        var start = DateTimeOffset.Parse("2023-09-28T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var batch = await PostClaimsAsync([
            Claim(NewId("once"), $"once_{Guid.NewGuid():N}"[..20], question, options[0], start.ToString("O")),
            .. posts.Select((id, i) => Claim(id, office, question, options[0], start.AddHours(i).ToString("O"))),
        ]);
        var (onceId, officeId) = (batch.GetProperty("items")[0].GetProperty("sourceId").GetString()!, batch.GetProperty("items")[1].GetProperty("sourceId").GetString()!);
        var propositionId = batch.GetProperty("items")[0].GetProperty("propositionId").GetString()!;
        (await Client.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution",
            new { option = options[1], note = "imagery", at = start.AddDays(4).ToString("O") })).EnsureSuccessStatusCode();

        // As of a past time: resolutions only, no moving estimate.
        var (once, repeated, repeatedScore) = await ExplainedAsOfAsync(onceId, officeId, "2023-10-10T00:00:00Z");

        Assert.Equal(SummaryScore(once), SummaryScore(repeated), 12);
        Assert.Equal(SummaryScore(repeated), repeatedScore, 12);
        Assert.Equal(once.GetProperty("refutedEvidence").GetDouble(), repeated.GetProperty("refutedEvidence").GetDouble(), 12);
        var contributions = repeated.GetProperty("contributions").EnumerateArray()
            .ToDictionary(c => c.GetProperty("claimId").GetString()!, c => c);
        Assert.Equal(posts.Order(StringComparer.Ordinal), contributions.Keys.Order(StringComparer.Ordinal));
        Assert.Contains($"said again by {string.Join(", ", posts.Skip(1))}, counted once", contributions[posts[0]].GetProperty("reason").GetString(), StringComparison.Ordinal);
        foreach (var post in posts.Skip(1))
        {
            Assert.Equal(0.0, contributions[post].GetProperty("refuted").GetDouble());
            Assert.Contains($"repeats {posts[0]}, counted once", contributions[post].GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        // The contributions still add up to the evidence and the score (uniform prior).
        var (confirmed, refuted) = (contributions.Values.Sum(c => c.GetProperty("confirmed").GetDouble()), contributions.Values.Sum(c => c.GetProperty("refuted").GetDouble()));
        Assert.Equal(refuted, repeated.GetProperty("refutedEvidence").GetDouble(), 9);
        Assert.Equal((1 + confirmed) / (2 + confirmed + refuted), SummaryScore(repeated), 9);
    }

    [Fact]
    public async Task A_source_going_back_and_forth_over_a_question_earns_one_honest_correction_not_one_per_turn()
    {
        // Both sources first say the army repelled the attack. One reverses once to "JNIM took the base";
        // the other reverses five times, back and forth, ending there too.
        var question = "Who took the camp? " + Guid.NewGuid();
        string[] options = ["army repelled the attack", "JNIM took the base"];
        var turns = Enumerable.Range(0, 6).Select(i => NewId($"turn{i}")).ToArray();
        var (first, corrected) = (NewId("once"), NewId("once2"));
        var start = DateTimeOffset.Parse("2023-09-28T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var batch = await PostClaimsAsync(
            Claim(first, $"once_{Guid.NewGuid():N}"[..20], question, options[0], start.ToString("O")),
            Claim(turns[0], $"turns_{Guid.NewGuid():N}"[..20], question, options[0], start.ToString("O")));
        var (plainId, cyclerId) = (batch.GetProperty("items")[0].GetProperty("sourceId").GetString()!, batch.GetProperty("items")[1].GetProperty("sourceId").GetString()!);
        var propositionId = batch.GetProperty("items")[0].GetProperty("propositionId").GetString()!;

        async Task ReverseAsync(string claimId, string replacementId, string option, DateTimeOffset at)
        {
            var reversal = await Client.PostAsJsonAsync($"/v1/claims/{claimId}/corrections", new
            {
                kind = "reversed",
                at = at.ToString("O"),
                replacement = new { id = replacementId, option, publishedAt = at.ToString("O") },
            });
            Assert.Equal(HttpStatusCode.OK, reversal.StatusCode);
        }

        await ReverseAsync(first, corrected, options[1], start.AddDays(1));
        for (var i = 1; i < turns.Length; i++)
        {
            await ReverseAsync(turns[i - 1], turns[i], options[i % 2], start.AddDays(i));
        }

        (await Client.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution",
            new { option = options[1], note = "imagery", at = start.AddDays(10).ToString("O") })).EnsureSuccessStatusCode();

        // As of a past time: resolutions only, no moving estimate, so the figures are the record's alone.
        const string asOf = "2023-10-10T00:00:00Z";
        var plain = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{plainId}/explanation?asOf={asOf}");
        var cycled = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{cyclerId}/explanation?asOf={asOf}");
        var cycledScore = (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{cyclerId}/score?asOf={asOf}")).GetProperty("summary");
        double Score(JsonElement view) => view.GetProperty("summary").GetProperty("score").GetDouble();

        Assert.True(Score(cycled) < Score(plain), $"going back and forth scores {Score(cycled)}, one correction {Score(plain)}");
        Assert.Equal(Score(cycled), cycledScore.GetProperty("score").GetDouble(), 12);
        var contributions = cycled.GetProperty("contributions").EnumerateArray()
            .ToDictionary(c => c.GetProperty("claimId").GetString()!, c => c);
        Assert.Equal(turns.Order(StringComparer.Ordinal), contributions.Keys.Order(StringComparer.Ordinal));
        // The truth is credited once, for the first claim of it; the first false claim is the one correction credited.
        Assert.Equal([turns[1]], contributions.Where(c => c.Value.GetProperty("confirmed").GetDouble() > 0).Select(c => c.Key));
        Assert.Contains("reversed toward the truth", contributions[turns[0]].GetProperty("reason").GetString(), StringComparison.Ordinal);
        // Each return names the claim of that option it last withdrew; back to the false option, it counts in full.
        string Withdrawn(int i) => $"returned to an option it had withdrawn ({turns[i - 2]}, reversed on {start.AddDays(i - 1):yyyy-MM-dd})";
        foreach (var i in new[] { 2, 4 })
        {
            var reason = contributions[turns[i]].GetProperty("reason").GetString();
            Assert.Contains($"{Withdrawn(i)}; withdrawn again, no credit for correcting it twice", reason, StringComparison.Ordinal);
        }

        foreach (var i in new[] { 3, 5 })
        {
            Assert.Equal(0.0, contributions[turns[i]].GetProperty("confirmed").GetDouble());
            Assert.Contains($"{Withdrawn(i)}, no fresh credit", contributions[turns[i]].GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        // The contributions still add up to the evidence and the score (uniform prior).
        var (confirmed, refuted) = (contributions.Values.Sum(c => c.GetProperty("confirmed").GetDouble()), contributions.Values.Sum(c => c.GetProperty("refuted").GetDouble()));
        Assert.Equal(confirmed, cycled.GetProperty("confirmedEvidence").GetDouble(), 9);
        Assert.Equal(refuted, cycled.GetProperty("refutedEvidence").GetDouble(), 9);
        Assert.Equal((1 + confirmed) / (2 + confirmed + refuted), Score(cycled), 9);
    }

    /// <summary>
    /// A source with <paramref name="claims"/> claims a day apart from <paramref name="from"/>, each on a
    /// question of its own and for "JNIM took the base"; the first <paramref name="resolved"/> questions
    /// are resolved, a day apart from two months later, to <paramref name="verdict"/>.
    /// </summary>
    private async Task<string> SourceWithResolvedClaimsAsync(string prefix, int claims, DateTimeOffset from, int resolved, Func<int, string> verdict)
    {
        var handle = $"{prefix}_{Guid.NewGuid():N}"[..20];
        var batch = await PostClaimsAsync([.. Enumerable.Range(0, claims)
            .Select(i => Claim(NewId(prefix), handle, $"Who held post {i}? {Guid.NewGuid()}", "JNIM took the base", from.AddDays(i).ToString("O")))]);
        var items = batch.GetProperty("items").EnumerateArray().ToArray();
        for (var i = 0; i < resolved; i++)
        {
            var resolution = await Client.PutAsJsonAsync($"/v1/propositions/{items[i].GetProperty("propositionId").GetString()}/resolution",
                new { option = verdict(i), note = "imagery", at = from.AddMonths(2).AddDays(i).ToString("O") });
            resolution.EnsureSuccessStatusCode();
        }

        return items[0].GetProperty("sourceId").GetString()!;
    }

    /// <summary>Each value of the query parameter is a 400 problem that names the parameter.</summary>
    private async Task AssertRefusedAsync(string path, string parameter, params string[] values)
    {
        foreach (var value in values)
        {
            using var refused = await Client.GetAsync($"{path}?{parameter}={value}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains(parameter, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    private async Task<double> ScoreAsync(string sourceId) =>
        (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score")).GetProperty("summary").GetProperty("score").GetDouble();

    private async Task<long> CountEventsAsync(string stream)
    {
        await using var connection = new NpgsqlConnection(api.Factory.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM reliability.mt_events WHERE stream_id = @stream", connection);
        count.Parameters.AddWithValue("stream", stream);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
