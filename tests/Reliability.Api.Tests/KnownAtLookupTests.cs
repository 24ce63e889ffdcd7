using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Reliability.Api.Tests;

/// <summary>
/// "What did we know then" of every cited URL at once: a lookup with <c>knownAt</c> finds only the
/// claims, corrections, verdicts and handles recorded by then.
/// </summary>
public sealed partial class KnownAtTests
{
    private static object ClaimAt(string id, string handle, string question, string option, string publishedAt, string url) => new
    {
        id,
        handle = new { platform = "x", handle },
        proposition = new { question, options = new[] { Repelled, Taken }, topics = new[] { "military" }, region = "Timbuktu" },
        option,
        publishedAt,
        url,
    };

    /// <summary>An X post is keyed by its status id alone: each handle's posts get ids of their own.</summary>
    private static string PostOf(string handle, int n) => $"https://x.com/{handle}/status/{1_708_000_000_000_000_000 + ((long)(uint)handle.GetHashCode() * 1_000) + n}";

    private async Task<JsonElement> LookUpAsync(object request)
    {
        using var response = await Client.PostAsJsonAsync("/v1/lookup", request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static JsonElement[] Items(JsonElement answer) => [.. answer.GetProperty("items").EnumerateArray()];

    private static string[] ClaimsOf(JsonElement item) => [.. item.GetProperty("claims").EnumerateArray().Select(c => c.GetProperty("claimId").GetString()!)];

    private static string? StatusOf(JsonElement item, string claimId) =>
        item.GetProperty("claims").EnumerateArray().Where(c => c.GetProperty("claimId").GetString() == claimId)
            .Select(c => c.GetProperty("status").GetString()).SingleOrDefault();

    [Fact]
    public async Task A_lookup_known_at_a_moment_leaves_out_claims_corrections_and_verdicts_recorded_later()
    {
        var handle = $"look_{Guid.NewGuid():N}"[..15];
        var (retracted, refuted, late) = (NewId("retracted"), NewId("refuted"), NewId("late"));
        var (sourceId, propositions) = await PostClaimsAsync(
            ClaimAt(retracted, handle, "Who held Boni? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z", PostOf(handle, 1)),
            ClaimAt(refuted, handle, "Who held Ber? " + Guid.NewGuid(), Repelled, "2023-09-21T09:00:00Z", PostOf(handle, 2)));
        var known = await MomentAsync();

        // Recorded after K, every one of them about a time before K: a claim at a cited URL, a
        // retraction and a verdict.
        await PostClaimsAsync(ClaimAt(late, handle, "Who held Tessit? " + Guid.NewGuid(), Repelled, "2023-09-22T09:00:00Z", PostOf(handle, 3)));
        (await Client.PostAsJsonAsync($"/v1/claims/{retracted}/corrections", new { kind = "retracted", at = "2023-09-26T08:00:00Z" }))
            .EnsureSuccessStatusCode();
        await ResolveAsync(propositions[1], Taken, "2023-09-25T00:00:00Z");

        string[] urls = [PostOf(handle, 1), PostOf(handle, 2), PostOf(handle, 3)];
        var asOf = await LookUpAsync(new { urls, asOf = known });
        var knownAt = await LookUpAsync(new { urls, knownAt = known });

        // As of K (world time) the late records count.
        var then = Items(asOf);
        Assert.Equal("retracted", StatusOf(then[0], retracted));
        Assert.Equal("refuted", StatusOf(then[1], refuted));
        Assert.Equal([late], ClaimsOf(then[2]));

        // As known at K they do not: the late post is answered by the handle its URL names, as it was then.
        var told = Items(knownAt);
        Assert.DoesNotContain(StatusOf(told[0], retracted), new[] { "retracted", "refuted" });
        Assert.DoesNotContain(StatusOf(told[1], refuted), new[] { "retracted", "refuted" });
        Assert.Equal("source", told[2].GetProperty("kind").GetString());
        Assert.Empty(ClaimsOf(told[2]));
        Assert.Equal(sourceId, told[2].GetProperty("source").GetProperty("id").GetString());

        // The score shown is the one the source's own read known at K gives, and the answer says when it was known.
        var scoreKnown = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score?knownAt={Stamp(known)}");
        Assert.All(told, item => Assert.Equal(scoreKnown.GetProperty("summary").ToString(), item.GetProperty("source").GetProperty("score").ToString()));
        Assert.Equal(known, knownAt.GetProperty("knownAt").GetDateTimeOffset());
        Assert.Equal(known, knownAt.GetProperty("asOf").GetDateTimeOffset());
        Assert.False(asOf.TryGetProperty("knownAt", out _), "an as-of answer names no knownAt");

        // Known now, every record counts.
        var knownNow = Items(await LookUpAsync(new { urls, knownAt = DateTimeOffset.UtcNow, asOf = known }));
        Assert.Equal("retracted", StatusOf(knownNow[0], retracted));
        Assert.Equal([late], ClaimsOf(knownNow[2]));

        // Before anything of the source was recorded, the tracker knew none of its posts.
        var before = Items(await LookUpAsync(new { urls, knownAt = "2023-09-30T00:00:00Z" }));
        Assert.All(before, item => Assert.Equal("unknown", item.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task A_lookup_known_at_a_moment_does_not_match_a_handle_added_later()
    {
        var (onX, onTelegram) = ($"hand_{Guid.NewGuid():N}"[..15], $"hand_{Guid.NewGuid():N}"[..20]);
        var (sourceId, _) = await PostClaimsAsync(Claim(NewId("hand"), onX, "Who held Gao? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z"));
        var known = await MomentAsync();
        (await Client.PostAsJsonAsync($"/v1/sources/{sourceId}/handles", new { handles = new[] { new { platform = "telegram", handle = onTelegram } } }))
            .EnsureSuccessStatusCode();
        object[] handles = [new { platform = "telegram", handle = onTelegram }, new { platform = "x", handle = onX }];
        string[] urls = [$"https://t.me/{onTelegram}"];

        var now = await LookUpAsync(new { urls, handles });
        var knownAt = await LookUpAsync(new { urls, handles, knownAt = known });

        Assert.All(Items(now), item => Assert.Equal(sourceId, item.GetProperty("source").GetProperty("id").GetString()));
        var told = Items(knownAt);
        // The URL naming the new handle, and the handle itself, were not the source's then; its old handle was.
        Assert.Equal("unknown", told[0].GetProperty("kind").GetString());
        Assert.Equal("unknown", told[1].GetProperty("kind").GetString());
        Assert.Equal(sourceId, told[2].GetProperty("source").GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_lookup_known_at_a_moment_names_a_source_merged_since_before_its_merge_and_the_survivor_after()
    {
        var (chan, army) = ($"chan_{Guid.NewGuid():N}"[..15], $"army_{Guid.NewGuid():N}"[..15]);
        var absorbedClaim = NewId("absorbed");
        var (absorbed, _) = await PostClaimsAsync(
            ClaimAt(absorbedClaim, chan, "Who held Boni? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z", PostOf(chan, 1)));
        var (survivor, _) = await PostClaimsAsync(
            ClaimAt(NewId("survivor"), army, "Who held Ber? " + Guid.NewGuid(), Taken, "2023-09-21T09:00:00Z", PostOf(army, 2)));
        var beforeMerge = await MomentAsync();
        (await Client.PostAsJsonAsync($"/v1/sources/{survivor}/merge", new { absorb = absorbed })).EnsureSuccessStatusCode();
        var afterMerge = await MomentAsync();
        var request = new { urls = new[] { PostOf(chan, 1) }, handles = new[] { new { platform = "x", handle = chan } } };

        // Before the merge the tracker told of the absorbed source, its post and its handle.
        var then = Items(await LookUpAsync(new { request.urls, request.handles, knownAt = beforeMerge }));
        Assert.All(then, item => Assert.Equal(absorbed, item.GetProperty("source").GetProperty("id").GetString()));
        Assert.Equal([absorbedClaim], ClaimsOf(then[0]));

        // From the merge on, both are the survivor's.
        foreach (var knownAt in new DateTimeOffset?[] { afterMerge, null })
        {
            var since = Items(await LookUpAsync(new { request.urls, request.handles, knownAt }));
            Assert.All(since, item => Assert.Equal(survivor, item.GetProperty("source").GetProperty("id").GetString()));
            Assert.Equal([absorbedClaim], ClaimsOf(since[0]));
        }
    }

    [Fact]
    public async Task Bad_known_at_times_in_a_lookup_are_problems_naming_them()
    {
        var url = PostOf($"bad_{Guid.NewGuid():N}"[..15], 1);
        var tomorrow = DateTimeOffset.UtcNow.AddDays(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (knownAt, asOf, field, says) in new[]
        {
            ("yesterday", null, "knownAt", null),
            ("2023-09-29T00:00:00", null, "knownAt", null),
            (tomorrow, null, "knownAt", "In the future"),
            ("2023-09-23T00:00:00Z", "2023-09-24T00:00:00Z", "asOf", "Later than knownAt"),
        })
        {
            var body = JsonSerializer.Serialize(new { urls = new[] { url }, knownAt, asOf });
            using var refused = await Client.PostAsync("/v1/lookup", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            if (says is null)
            {
                // Not a timestamp with an offset: the body cannot be read, and the problem says where.
                Assert.Equal("$." + field, problem.GetProperty("path").GetString());
            }
            else
            {
                Assert.Contains(says, problem.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_lookup_known_at_a_moment_is_neither_served_from_nor_kept_as_the_live_answer()
    {
        var handle = $"kept_{Guid.NewGuid():N}"[..15];
        var (first, second) = (NewId("first"), NewId("second"));
        await PostClaimsAsync(
            ClaimAt(first, handle, "Who held Ansongo? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z", PostOf(handle, 1)),
            ClaimAt(second, handle, "Who held Bourem? " + Guid.NewGuid(), Repelled, "2023-09-20T10:00:00Z", PostOf(handle, 2)));
        var known = await MomentAsync();
        foreach (var claimId in new[] { first, second })
        {
            (await Client.PostAsJsonAsync($"/v1/claims/{claimId}/corrections", new { kind = "retracted", at = "2023-09-26T08:00:00Z" }))
                .EnsureSuccessStatusCode();
        }

        async Task<string?> StatusAsync(int post, string claimId, DateTimeOffset? knownAt) =>
            StatusOf(Items(await LookUpAsync(new { urls = new[] { PostOf(handle, post) }, knownAt }))[0], claimId);

        // Known at K first, then live: the live answer is not the one known at K.
        Assert.Equal("open", await StatusAsync(1, first, known));
        Assert.Equal("retracted", await StatusAsync(1, first, null));

        // Live first, then known at K, then live again: the answer known at K is not the live one kept.
        Assert.Equal("retracted", await StatusAsync(2, second, null));
        Assert.Equal("open", await StatusAsync(2, second, known));
        Assert.Equal("retracted", await StatusAsync(2, second, null));
    }
}
