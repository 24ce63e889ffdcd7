using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Reliability.Api.Tests;

/// <summary>
/// "Which of this source's claims stood, and how, when we published", and "which did we even have on
/// record then": a source's claims page as of a moment, and as the tracker knew it then.
/// </summary>
public sealed partial class KnownAtTests
{
    private async Task<JsonElement> ClaimPageAsync(string sourceId, string query) =>
        await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/claims?{query}");

    private static string[] PageIds(JsonElement page) =>
        [.. page.GetProperty("claims").EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];

    private static JsonElement InPage(JsonElement page, string claimId) =>
        page.GetProperty("claims").EnumerateArray().Single(c => c.GetProperty("id").GetString() == claimId);

    private static string? Text(JsonElement claim, string property) =>
        claim.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;

    [Fact]
    public async Task Claims_as_of_a_moment_stand_as_they_did_then_and_as_known_then_leave_out_what_was_recorded_later()
    {
        var handle = $"clm_{Guid.NewGuid():N}"[..20];
        var run = Guid.NewGuid();
        var (boni, ber) = ($"Who held Boni? {run}", $"Who held Ber? {run}");
        var (first, second, late, changed) = (NewId("first"), NewId("second"), NewId("late"), NewId("changed"));
        var (sourceId, propositions) = await PostClaimsAsync(
            Claim(first, handle, boni, Repelled, "2023-09-20T09:00:00Z"),
            Claim(second, handle, ber, Taken, "2023-09-21T09:00:00Z"));
        await ResolveAsync(propositions[0], Repelled, "2023-09-25T00:00:00Z");
        // What a reader was told at K: the live page, the open claim with the estimate of then.
        await api.Factory.WaitForQuietTruthAsync();
        var toldThen = await ClaimPageAsync(sourceId, "");
        var known = await MomentAsync();
        var k = Stamp(known);

        // Recorded after K, each about a time before it: a claim, the source changing its mind on Ber,
        // the verdict on Ber and the retraction of the Boni claim.
        await PostClaimsAsync(Claim(late, handle, $"Who held Tessit? {run}", Repelled, "2023-09-22T09:00:00Z"));
        await PostClaimsAsync(Claim(changed, handle, ber, Repelled, "2023-09-23T09:00:00Z"));
        await ResolveAsync(propositions[1], Repelled, "2023-09-26T00:00:00Z");
        (await Client.PostAsJsonAsync($"/v1/claims/{first}/corrections", new { kind = "retracted", at = "2023-09-26T08:00:00Z" }))
            .EnsureSuccessStatusCode();

        // As of K (world time), every late record counts.
        var asOf = await ClaimPageAsync(sourceId, $"asOf={k}");
        Assert.Equal([changed, late, second, first], PageIds(asOf));
        Assert.Equal("confirmed", Text(InPage(asOf, changed), "status"));
        Assert.Equal("superseded", Text(InPage(asOf, second), "status"));
        Assert.Equal(changed, Text(InPage(asOf, second), "supersededBy"));
        Assert.Equal("refuted", Text(InPage(asOf, second), "outcome"));
        Assert.Equal("retracted", Text(InPage(asOf, first), "status"));
        Assert.Single(InPage(asOf, first).GetProperty("corrections").EnumerateArray());
        Assert.Equal(known, asOf.GetProperty("asOf").GetDateTimeOffset());
        Assert.False(asOf.TryGetProperty("knownAt", out _), "an as-of page names no knownAt");

        // As known at K, none of them: what a reader was told then, and the page says when it was known.
        var knownAt = await ClaimPageAsync(sourceId, $"knownAt={k}");
        Assert.Equal([second, first], PageIds(knownAt));
        Assert.Equal("open", Text(InPage(knownAt, second), "status"));
        Assert.Null(Text(InPage(knownAt, second), "supersededBy"));
        Assert.Equal("confirmed", Text(InPage(knownAt, first), "status"));
        Assert.Empty(InPage(knownAt, first).GetProperty("corrections").EnumerateArray());
        Assert.Equal(toldThen.GetProperty("claims").ToString(), knownAt.GetProperty("claims").ToString());
        Assert.Equal(known, knownAt.GetProperty("asOf").GetDateTimeOffset());
        Assert.Equal(known, knownAt.GetProperty("knownAt").GetDateTimeOffset());

        // Earlier world times: a claim published later is not there yet, nor a verdict or a change of
        // mind dated later.
        var firstDay = await ClaimPageAsync(sourceId, "asOf=2023-09-20T12:00:00Z");
        Assert.Equal([first], PageIds(firstDay));
        Assert.Equal("open", Text(InPage(firstDay, first), "status"));
        Assert.Empty(InPage(firstDay, first).GetProperty("corrections").EnumerateArray());
        var beforeChange = await ClaimPageAsync(sourceId, "asOf=2023-09-22T12:00:00Z");
        Assert.Equal([late, second, first], PageIds(beforeChange));
        Assert.Equal("open", Text(InPage(beforeChange, second), "status"));
        Assert.Null(Text(InPage(beforeChange, second), "supersededBy"));
        var knownFirstDay = await ClaimPageAsync(sourceId, $"knownAt={k}&asOf=2023-09-20T12:00:00Z");
        Assert.Equal([first], PageIds(knownFirstDay));

        // Known now, every record counts, as of K; the claims now name neither time.
        var knownNow = await ClaimPageAsync(sourceId, $"knownAt={Stamp(DateTimeOffset.UtcNow)}&asOf={k}");
        Assert.Equal(asOf.GetProperty("claims").ToString(), knownNow.GetProperty("claims").ToString());
        var now = await ClaimPageAsync(sourceId, "");
        Assert.False(now.TryGetProperty("asOf", out _), "the claims now name no asOf");
        Assert.False(now.TryGetProperty("knownAt", out _), "the claims now name no knownAt");
    }

    [Fact]
    public async Task Claims_as_of_a_moment_page_with_a_cursor_over_the_claims_of_then()
    {
        var handle = $"page_{Guid.NewGuid():N}"[..20];
        var run = Guid.NewGuid();
        var ids = Enumerable.Range(20, 5).Select(day => NewId($"d{day}")).ToArray();
        var (sourceId, _) = await PostClaimsAsync(
            [.. ids.Select((id, i) => Claim(id, handle, $"Who held post {i}? {run}", Repelled, $"2023-09-{20 + i}T09:00:00Z"))]);
        var known = Stamp(await MomentAsync());
        var late = NewId("late");
        await PostClaimsAsync(Claim(late, handle, $"Who held Tessit? {run}", Repelled, "2023-09-21T12:00:00Z"));

        async Task<string[]> AllPagesAsync(string query, int limit)
        {
            var seen = new List<string>();
            string? cursor = null;
            do
            {
                var path = $"{query}&limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
                var page = await ClaimPageAsync(sourceId, path);
                Assert.True(page.TryGetProperty("asOf", out _), "every page names its asOf");
                seen.AddRange(PageIds(page));
                cursor = Text(page, "nextCursor");
                if (cursor is not null)
                {
                    // The same query and cursor give the same page.
                    var again = $"{query}&limit={limit}&cursor={Uri.EscapeDataString(cursor)}";
                    Assert.Equal((await ClaimPageAsync(sourceId, again)).ToString(), (await ClaimPageAsync(sourceId, again)).ToString());
                }
            }
            while (cursor is not null);

            return [.. seen];
        }

        // As of the 22nd: the claims published by then, the late one among them, newest first.
        Assert.Equal([ids[2], late, ids[1], ids[0]], await AllPagesAsync("asOf=2023-09-22T12:00:00Z", 3));
        Assert.Equal([ids[2], late, ids[1], ids[0]], await AllPagesAsync("asOf=2023-09-22T12:00:00Z", 1));
        // As known at K, without the late one.
        Assert.Equal([ids[2], ids[1], ids[0]], await AllPagesAsync($"knownAt={known}&asOf=2023-09-22T12:00:00Z", 2));
        var newestFirst = Enumerable.Reverse(ids).ToArray();
        Assert.Equal(newestFirst, await AllPagesAsync($"knownAt={known}", 2));
    }

    [Fact]
    public async Task Bad_as_of_and_known_at_times_for_claims_are_problems_naming_them()
    {
        var (sourceId, _) = await PostClaimsAsync(
            Claim(NewId("bad"), $"badc_{Guid.NewGuid():N}"[..20], "Who held Gao? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z"));
        var tomorrow = Stamp(DateTimeOffset.UtcNow.AddDays(1));
        foreach (var (query, field, says) in new[]
        {
            ("asOf=yesterday", "asOf", "ISO-8601"),
            ("asOf=2023-09-29T00:00:00", "asOf", "ISO-8601"),
            ($"asOf={tomorrow}", "asOf", "In the future"),
            ("knownAt=yesterday", "knownAt", "ISO-8601"),
            ("knownAt=2023-09-29T00:00:00", "knownAt", "ISO-8601"),
            ($"knownAt={tomorrow}", "knownAt", "In the future"),
            ("knownAt=2023-09-23T00:00:00Z&asOf=2023-09-24T00:00:00Z", "asOf", "Later than knownAt"),
        })
        {
            await AssertRefusedAsync($"/v1/sources/{sourceId}/claims?{query}", field, says);
        }
    }

    [Fact]
    public async Task Claims_before_the_source_was_on_record_are_not_found()
    {
        var (sourceId, _) = await PostClaimsAsync(
            Claim(NewId("early"), $"early_{Guid.NewGuid():N}"[..20], "Who held Douentza? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z"));
        var known = Stamp(await MomentAsync());
        foreach (var (query, says) in new[]
        {
            ("asOf=2023-09-19T00:00:00Z", "was not yet on record at 2023-09-19"),
            ("knownAt=2023-09-30T00:00:00Z", "was not on record as the tracker knew it at 2023-09-30"),
            // Known then, but not yet registered as of the earlier moment: the answer says which.
            ($"knownAt={known}&asOf=2023-09-19T00:00:00Z", "was not yet on record at 2023-09-19T00:00:00.0000000+00:00, as the tracker knew it at"),
        })
        {
            using var before = await Client.GetAsync($"/v1/sources/{sourceId}/claims?{query}");
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
            Assert.Equal("application/problem+json", before.Content.Headers.ContentType?.MediaType);
            Assert.Contains(says, (await before.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using var unknown = await Client.GetAsync($"/v1/sources/unknown-{Guid.NewGuid():N}/claims?asOf=2023-09-30T00:00:00Z");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Claims_as_of_or_known_at_another_moment_have_another_tag()
    {
        var handle = $"ctag_{Guid.NewGuid():N}"[..20];
        var (sourceId, propositions) = await PostClaimsAsync(Claim(NewId("tag"), handle, "Who held Hombori? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z"));
        var known = Stamp(await MomentAsync());
        await ResolveAsync(propositions[0], Repelled, "2023-09-25T00:00:00Z");
        var later = Stamp(await MomentAsync());
        var latest = Stamp(await MomentAsync());

        async Task<string> TagAsync(string query)
        {
            using var response = await Client.GetAsync($"/v1/sources/{sourceId}/claims?{query}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return response.Headers.ETag!.Tag;
        }

        var atK = await TagAsync($"knownAt={known}");
        Assert.Equal(atK, await TagAsync($"knownAt={known}"));
        Assert.NotEqual(atK, await TagAsync($"knownAt={later}&asOf={known}"));
        Assert.NotEqual(atK, await TagAsync($"asOf={known}"));
        Assert.NotEqual(await TagAsync(""), await TagAsync($"asOf={latest}"));

        // The same claims at two moments, still told apart by the moment asked for.
        Assert.NotEqual(await TagAsync($"asOf={later}"), await TagAsync($"asOf={latest}"));
        Assert.NotEqual(await TagAsync($"knownAt={later}&asOf={later}"), await TagAsync($"knownAt={latest}&asOf={later}"));

        using var revalidated = new HttpRequestMessage(HttpMethod.Get, $"/v1/sources/{sourceId}/claims?knownAt={known}");
        revalidated.Headers.TryAddWithoutValidation("If-None-Match", atK);
        using var notModified = await Client.SendAsync(revalidated);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task A_source_merged_since_has_its_claims_as_known_before_the_merge_and_is_sent_to_the_survivor_after()
    {
        var (absorbedClaim, survivorClaim) = (NewId("absorbed"), NewId("survivor"));
        var (absorbed, _) = await PostClaimsAsync(
            Claim(absorbedClaim, $"chan_{Guid.NewGuid():N}"[..20], "Who held Boni? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z"));
        var (survivor, _) = await PostClaimsAsync(
            Claim(survivorClaim, $"army_{Guid.NewGuid():N}"[..20], "Who held Ber? " + Guid.NewGuid(), Taken, "2023-09-21T09:00:00Z"));
        var beforeMerge = Stamp(await MomentAsync());
        (await Client.PostAsJsonAsync($"/v1/sources/{survivor}/merge", new { absorb = absorbed })).EnsureSuccessStatusCode();
        var afterMerge = Stamp(await MomentAsync());

        // Before the merge the absorbed source had its own claims, and the survivor only its own.
        var absorbedThen = await ClaimPageAsync(absorbed, $"knownAt={beforeMerge}");
        Assert.Equal([absorbedClaim], PageIds(absorbedThen));
        Assert.Equal(absorbed, Text(InPage(absorbedThen, absorbedClaim), "sourceId"));
        Assert.Equal([survivorClaim], PageIds(await ClaimPageAsync(survivor, $"knownAt={beforeMerge}")));
        Assert.Equal([survivorClaim], PageIds(await ClaimPageAsync(survivor, $"asOf={beforeMerge}")));
        Assert.Equal([survivorClaim, absorbedClaim], PageIds(await ClaimPageAsync(survivor, $"knownAt={afterMerge}")));

        // From the merge on, the absorbed source's claims are read at the survivor, query and all.
        using var direct = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = Client.BaseAddress };
        direct.DefaultRequestHeaders.Authorization = Client.DefaultRequestHeaders.Authorization;
        foreach (var query in new[] { $"knownAt={afterMerge}", $"knownAt={afterMerge}&asOf={beforeMerge}&limit=5", "asOf=2023-09-30T00:00:00Z" })
        {
            using var moved = await direct.GetAsync($"/v1/sources/{absorbed}/claims?{query}");
            Assert.Equal(HttpStatusCode.PermanentRedirect, moved.StatusCode);
            Assert.Equal($"/v1/sources/{survivor}/claims?{query}", moved.Headers.Location!.OriginalString);
        }
    }
}
