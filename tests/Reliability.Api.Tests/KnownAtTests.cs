using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Reliability.Api.Tests;

/// <summary>
/// "What did we know then": a score from the events recorded by <c>knownAt</c>, beside <c>asOf</c>,
/// which counts every event whose own time is by then, however late it was recorded.
/// </summary>
public sealed partial class KnownAtTests(KnownAtTests.Api api) : IClassFixture<KnownAtTests.Api>
{
    public sealed class Api() : EditorApi("knownat");

    private const string Repelled = "army repelled the attack";
    private const string Taken = "JNIM took the base";

    private HttpClient Client => api.Editor;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    /// <summary>A read, with its query when there is one.</summary>
    private async Task<JsonElement> ReadAsync(string path, string query) =>
        await Client.GetFromJsonAsync<JsonElement>(query.Length > 0 ? $"{path}?{query}" : path);

    private static string Stamp(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O", CultureInfo.InvariantCulture));

    private static object Claim(string id, string handle, string question, string option, string publishedAt) => new
    {
        id,
        handle = new { platform = "x", handle },
        proposition = new { question, options = new[] { Repelled, Taken }, topics = new[] { "military" }, region = "Timbuktu" },
        option,
        publishedAt,
    };

    /// <summary>The claims' source and, in order, their propositions.</summary>
    private async Task<(string SourceId, string[] Propositions)> PostClaimsAsync(params object[] claims)
    {
        var response = await Client.PostAsJsonAsync("/v1/claims", new { claims });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToArray();
        Assert.All(items, i => Assert.Equal("accepted", i.GetProperty("status").GetString()));
        return (items[0].GetProperty("sourceId").GetString()!, [.. items.Select(i => i.GetProperty("propositionId").GetString()!)]);
    }

    private async Task ResolveAsync(string propositionId, string option, string at) =>
        (await Client.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution", new { option, at })).EnsureSuccessStatusCode();

    /// <summary>
    /// A moment between two writes: the store has stamped everything recorded so far before it, and
    /// stamps everything recorded from now on after it.
    /// </summary>
    private static async Task<DateTimeOffset> MomentAsync()
    {
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        var moment = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        return moment;
    }

    /// <summary>
    /// A source's two claims (on Boni, then Ber), the first confirmed, and a moment K after them all.
    /// </summary>
    private async Task<(string SourceId, string[] Propositions, DateTimeOffset Known)> TwoClaimsThenMomentAsync(string handle, string first, string second)
    {
        var (sourceId, propositions) = await PostClaimsAsync(
            Claim(first, handle, "Who held Boni? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z"),
            Claim(second, handle, "Who held Ber? " + Guid.NewGuid(), Taken, "2023-09-21T09:00:00Z"));
        await ResolveAsync(propositions[0], Repelled, "2023-09-25T00:00:00Z");
        return (sourceId, propositions, await MomentAsync());
    }

    private static string[] ClaimIds(JsonElement explanation) =>
        [.. explanation.GetProperty("contributions").EnumerateArray().Select(c => c.GetProperty("claimId").GetString()!)];

    private static double Refuted(JsonElement explanation, string claimId) =>
        explanation.GetProperty("contributions").EnumerateArray()
            .Where(c => c.GetProperty("claimId").GetString() == claimId).Sum(c => c.GetProperty("refuted").GetDouble());

    [Fact]
    public async Task A_source_merged_since_answers_for_itself_as_known_before_the_merge_and_is_sent_to_the_survivor_after()
    {
        var (absorbedClaim, survivorClaim) = (NewId("absorbed"), NewId("survivor"));
        var (absorbed, _) = await PostClaimsAsync(
            Claim(absorbedClaim, $"chan_{Guid.NewGuid():N}"[..20], "Who held Boni? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z"));
        var (survivor, _) = await PostClaimsAsync(
            Claim(survivorClaim, $"army_{Guid.NewGuid():N}"[..20], "Who held Ber? " + Guid.NewGuid(), Taken, "2023-09-21T09:00:00Z"));
        var beforeMerge = Stamp(await MomentAsync());
        (await Client.PostAsJsonAsync($"/v1/sources/{survivor}/merge", new { absorb = absorbed })).EnsureSuccessStatusCode();
        var afterMerge = Stamp(await MomentAsync());

        // Before the merge a reader was told of the absorbed source alone: its own claim, not the survivor's.
        var then = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{absorbed}/explanation?knownAt={beforeMerge}");
        Assert.Equal([absorbedClaim], ClaimIds(then));
        var profile = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{absorbed}?knownAt={beforeMerge}");
        Assert.Equal(absorbed, profile.GetProperty("id").GetString());
        using var score = await Client.GetAsync($"/v1/sources/{absorbed}/score?knownAt={beforeMerge}");
        Assert.Equal(HttpStatusCode.OK, score.StatusCode);

        // From the merge on, its record is the survivor's: the read is sent there, query and all.
        using var direct = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = Client.BaseAddress };
        direct.DefaultRequestHeaders.Authorization = Client.DefaultRequestHeaders.Authorization;
        foreach (var read in new[] { "", "/score", "/explanation" })
        {
            using var moved = await direct.GetAsync($"/v1/sources/{absorbed}{read}?knownAt={afterMerge}");
            Assert.Equal(HttpStatusCode.PermanentRedirect, moved.StatusCode);
            Assert.Equal($"/v1/sources/{survivor}{read}?knownAt={afterMerge}", moved.Headers.Location!.OriginalString);
        }

        var survivorAfter = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{survivor}/explanation?knownAt={afterMerge}");
        Assert.Equal(new[] { absorbedClaim, survivorClaim }.Order(), ClaimIds(survivorAfter).Order());
    }

    [Fact]
    public async Task Known_at_a_moment_leaves_out_what_was_recorded_later_about_earlier_times()
    {
        var handle = $"army_{Guid.NewGuid():N}"[..20];
        var (first, second, late) = (NewId("first"), NewId("second"), NewId("late"));
        var (sourceId, propositions, known) = await TwoClaimsThenMomentAsync(handle, first, second);
        var k = Stamp(known);
        var scoreThen = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score?asOf={k}");
        var explainedThen = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/explanation?asOf={k}");

        // Recorded after K, every one of them about a time before K: a claim published before it, a
        // verdict on it, and a verdict refuting a claim known at K.
        var (_, lateQuestion) = await PostClaimsAsync(Claim(late, handle, "Who held Tessit? " + Guid.NewGuid(), Repelled, "2023-09-22T09:00:00Z"));
        await ResolveAsync(lateQuestion[0], Repelled, "2023-09-26T00:00:00Z");
        await ResolveAsync(propositions[1], Repelled, "2023-09-26T00:00:00Z");

        // As of K (world time), the late records count; as known at K, they do not.
        var asOf = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score?asOf={k}");
        var knownAt = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score?knownAt={k}");
        Assert.NotEqual(scoreThen.GetProperty("summary").ToString(), asOf.GetProperty("summary").ToString());
        Assert.Equal(scoreThen.GetProperty("summary").ToString(), knownAt.GetProperty("summary").ToString());
        Assert.Equal(scoreThen.GetProperty("corrections").ToString(), knownAt.GetProperty("corrections").ToString());
        Assert.Equal(known, knownAt.GetProperty("asOf").GetDateTimeOffset());
        Assert.Equal(known, knownAt.GetProperty("knownAt").GetDateTimeOffset());
        Assert.False(asOf.TryGetProperty("knownAt", out _), "an as-of answer names no knownAt");
        Assert.Equal(0, knownAt.GetProperty("provisionalEvidence").GetDouble());

        var explainedAsOf = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/explanation?asOf={k}");
        var explainedKnown = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/explanation?knownAt={k}");
        Assert.Contains(late, ClaimIds(explainedAsOf));
        Assert.True(Refuted(explainedAsOf, second) > 0, "as of K, the late verdict refutes the second claim");
        Assert.DoesNotContain(late, ClaimIds(explainedKnown));
        Assert.Contains(first, ClaimIds(explainedKnown));
        Assert.Equal(0, Refuted(explainedKnown, second));
        Assert.Equal(ClaimIds(explainedThen), ClaimIds(explainedKnown));
        Assert.Equal(explainedThen.GetProperty("refutedEvidence").GetDouble(), explainedKnown.GetProperty("refutedEvidence").GetDouble());
        Assert.Equal(explainedThen.GetProperty("confirmedEvidence").GetDouble(), explainedKnown.GetProperty("confirmedEvidence").GetDouble());

        // An earlier world time within what was known at K: the first verdict not given yet.
        var early = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/explanation?knownAt={k}&asOf=2023-09-24T00:00:00Z");
        Assert.Equal(0, early.GetProperty("confirmedEvidence").GetDouble());

        // At a glance: the claims known at K.
        var glanceAsOf = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}?asOf={k}");
        var glanceKnown = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}?knownAt={k}");
        Assert.Equal(3, glanceAsOf.GetProperty("claimCount").GetInt32());
        Assert.Equal(2, glanceKnown.GetProperty("claimCount").GetInt32());
        Assert.Equal(scoreThen.GetProperty("summary").ToString(), glanceKnown.GetProperty("score").ToString());

        // Known now, every record counts.
        var now = Stamp(DateTimeOffset.UtcNow);
        var knownNow = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/explanation?knownAt={now}&asOf={k}");
        Assert.Equal(ClaimIds(explainedAsOf).Order(), ClaimIds(knownNow).Order());

        // Before anything of the source was recorded, the tracker did not know it.
        foreach (var read in new[] { "", "/score", "/explanation" })
        {
            using var before = await Client.GetAsync($"/v1/sources/{sourceId}{read}?knownAt=2023-09-30T00:00:00Z");
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
            Assert.Equal("application/problem+json", before.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_correction_recorded_after_the_moment_is_not_applied_as_known_then()
    {
        var handle = $"corr_{Guid.NewGuid():N}"[..20];
        var claimId = NewId("corr");
        var (sourceId, propositions) = await PostClaimsAsync(Claim(claimId, handle, "Who held Anefis? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z"));
        await ResolveAsync(propositions[0], Taken, "2023-09-25T00:00:00Z");

        var known = await MomentAsync();
        var k = Stamp(known);
        var scoreThen = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score?asOf={k}");

        // Recorded after K, dated before it.
        (await Client.PostAsJsonAsync($"/v1/claims/{claimId}/corrections", new { kind = "retracted", at = "2023-09-26T08:00:00Z" }))
            .EnsureSuccessStatusCode();

        var asOf = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score?asOf={k}");
        var knownAt = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score?knownAt={k}");
        Assert.Equal(1, asOf.GetProperty("corrections").GetProperty("correctedBySource").GetInt32());
        Assert.Equal(0, knownAt.GetProperty("corrections").GetProperty("correctedBySource").GetInt32());
        Assert.Equal(scoreThen.GetProperty("corrections").ToString(), knownAt.GetProperty("corrections").ToString());
        Assert.Equal(scoreThen.GetProperty("summary").ToString(), knownAt.GetProperty("summary").ToString());
    }

    [Fact]
    public async Task Bad_known_at_times_are_problems_naming_them()
    {
        var (sourceId, _) = await PostClaimsAsync(Claim(NewId("bad"), $"bad_{Guid.NewGuid():N}"[..20], "Who held Gao? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z"));
        var tomorrow = Stamp(DateTimeOffset.UtcNow.AddDays(1));
        foreach (var read in new[] { "", "/score", "/explanation", "/history", "/history?topic=military", "/disputes" })
        {
            foreach (var (query, field, says) in new[]
            {
                ("knownAt=yesterday", "knownAt", "ISO-8601"),
                ("knownAt=2023-09-29T00:00:00", "knownAt", "ISO-8601"),
                ($"knownAt={tomorrow}", "knownAt", "In the future"),
                ("knownAt=2023-09-23T00:00:00Z&asOf=2023-09-24T00:00:00Z", "asOf", "Later than knownAt"),
            })
            {
                await AssertRefusedAsync($"/v1/sources/{sourceId}{read}{(read.Contains('?', StringComparison.Ordinal) ? '&' : '?')}{query}", field, says);
            }
        }
    }

    /// <summary>A read refused as bad input: 400 problem+json whose first error on the field says so.</summary>
    private async Task AssertRefusedAsync(string url, string field, string says)
    {
        using var refused = await Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(says, problem.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_known_at_time_is_another_tag()
    {
        var handle = $"tag_{Guid.NewGuid():N}"[..20];
        var (sourceId, propositions) = await PostClaimsAsync(Claim(NewId("tag"), handle, "Who held Ménaka? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z"));
        var known = Stamp(await MomentAsync());
        await ResolveAsync(propositions[0], Repelled, "2023-09-25T00:00:00Z");
        var later = Stamp(await MomentAsync());
        var latest = Stamp(await MomentAsync());
        foreach (var read in new[] { "/score", "/history", "/history?topic=military", "/disputes" })
        {
            async Task<string> TagAsync(string query)
            {
                using var response = await Client.GetAsync($"/v1/sources/{sourceId}{read}{(read.Contains('?', StringComparison.Ordinal) ? '&' : '?')}{query}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return response.Headers.ETag!.Tag;
            }

            var atK = await TagAsync($"knownAt={known}");
            Assert.Equal(atK, await TagAsync($"knownAt={known}"));
            Assert.NotEqual(atK, await TagAsync($"knownAt={later}&asOf={known}"));
            Assert.NotEqual(atK, await TagAsync($"asOf={known}"));

            // Nothing recorded between two moments: the same record, still told apart by when it was known.
            Assert.NotEqual(await TagAsync($"knownAt={later}&asOf={later}"), await TagAsync($"knownAt={latest}&asOf={later}"));

            using var revalidated = new HttpRequestMessage(HttpMethod.Get, $"/v1/sources/{sourceId}{read}{(read.Contains('?', StringComparison.Ordinal) ? '&' : '?')}knownAt={known}");
            revalidated.Headers.TryAddWithoutValidation("If-None-Match", atK);
            using var notModified = await Client.SendAsync(revalidated);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }
    }

    private static string[] PointTimes(JsonElement history) =>
        [.. history.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("at").GetDateTimeOffset().ToString("O", CultureInfo.InvariantCulture))];

    private static string Time(string at) => DateTimeOffset.Parse(at, CultureInfo.InvariantCulture).ToString("O", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Known_at_a_moment_the_history_leaves_out_what_was_recorded_later_about_earlier_times()
    {
        var handle = $"hist_{Guid.NewGuid():N}"[..20];
        var (first, second) = (NewId("first"), NewId("second"));
        var (sourceId, propositions, known) = await TwoClaimsThenMomentAsync(handle, first, second);
        var k = Stamp(known);
        var drawnThen = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/history?asOf={k}");

        // Recorded after K, each at a time of its own before K: a claim, a verdict and a correction.
        const string LateClaimAt = "2023-09-22T09:00:00Z", LateVerdictAt = "2023-09-26T00:00:00Z", LateCorrectionAt = "2023-09-26T08:00:00Z";
        await PostClaimsAsync(Claim(NewId("late"), handle, "Who held Tessit? " + Guid.NewGuid(), Repelled, LateClaimAt));
        await ResolveAsync(propositions[1], Repelled, LateVerdictAt);
        (await Client.PostAsJsonAsync($"/v1/claims/{second}/corrections", new { kind = "retracted", at = LateCorrectionAt })).EnsureSuccessStatusCode();

        var asOf = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/history?asOf={k}");
        var knownAt = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/history?knownAt={k}");
        foreach (var late in new[] { LateClaimAt, LateVerdictAt, LateCorrectionAt })
        {
            Assert.Contains(Time(late), PointTimes(asOf));
            Assert.DoesNotContain(Time(late), PointTimes(knownAt));
        }

        // As the tracker could have drawn it at K: the same series, ending at K, naming K.
        Assert.Equal(drawnThen.GetProperty("points").ToString(), knownAt.GetProperty("points").ToString());
        Assert.Equal(drawnThen.GetProperty("totalPoints").GetInt32(), knownAt.GetProperty("totalPoints").GetInt32());
        Assert.Equal(known, knownAt.GetProperty("points").EnumerateArray().Last().GetProperty("at").GetDateTimeOffset());
        Assert.Equal(known, knownAt.GetProperty("asOf").GetDateTimeOffset());
        Assert.Equal(known, knownAt.GetProperty("knownAt").GetDateTimeOffset());
        Assert.False(asOf.TryGetProperty("knownAt", out _), "an as-of series names no knownAt");

        // So does the series of a topic (every question here is on the military topic): the late verdict moved it.
        var topicAsOf = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/history?topic=military&asOf={k}");
        var topicKnownAt = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/history?topic=military&knownAt={k}");
        Assert.Contains(Time(LateVerdictAt), PointTimes(topicAsOf));
        Assert.DoesNotContain(Time(LateVerdictAt), PointTimes(topicKnownAt));
        Assert.Equal((known, known, "military"), (topicKnownAt.GetProperty("knownAt").GetDateTimeOffset(), topicKnownAt.GetProperty("asOf").GetDateTimeOffset(), topicKnownAt.GetProperty("topic").GetString()));
        var (overallThen, topicThen) = (knownAt.GetProperty("points").EnumerateArray().Last(), topicKnownAt.GetProperty("points").EnumerateArray().Last());
        Assert.Equal(overallThen.GetProperty("band").GetString(), topicThen.GetProperty("band").GetString());
        Assert.Equal(overallThen.GetProperty("score").GetDouble(), topicThen.GetProperty("score").GetDouble(), 1e-9);

        // Thinned as the series now is, from the same whole series.
        var thinned = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/history?knownAt={k}&points=2");
        Assert.Equal(2, thinned.GetProperty("points").GetArrayLength());
        Assert.Equal(knownAt.GetProperty("totalPoints").GetInt32(), thinned.GetProperty("totalPoints").GetInt32());

        // An earlier world time within what was known at K ends there.
        var early = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/history?knownAt={k}&asOf=2023-09-24T00:00:00Z");
        Assert.Equal(Time("2023-09-24T00:00:00Z"), PointTimes(early)[^1]);

        using var before = await Client.GetAsync($"/v1/sources/{sourceId}/history?knownAt=2023-09-30T00:00:00Z");
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Equal("application/problem+json", before.Content.Headers.ContentType?.MediaType);
    }

    private static string[] OpponentIds(JsonElement disputes) =>
        [.. disputes.GetProperty("opponents").EnumerateArray().Select(o => o.GetProperty("sourceId").GetString()!)];

    private static string[] DisputedWith(JsonElement disputes, string opponentId) =>
        [.. disputes.GetProperty("opponents").EnumerateArray().Where(o => o.GetProperty("sourceId").GetString() == opponentId)
            .SelectMany(o => o.GetProperty("propositions").EnumerateArray()).Select(p => p.GetProperty("propositionId").GetString()!)];

    [Fact]
    public async Task Known_at_a_moment_disputes_leave_out_claims_corrections_and_verdicts_recorded_later()
    {
        var (army, jnim, late) = ($"army_{Guid.NewGuid():N}"[..20], $"jnim_{Guid.NewGuid():N}"[..20], $"late_{Guid.NewGuid():N}"[..20]);
        var run = Guid.NewGuid();
        var (boni, ber, anefis) = ($"Who held Boni? {run}", $"Who held Ber? {run}", $"Who held Anefis? {run}");
        var armyAnefis = NewId("anefis");
        var (armyId, armyOn) = await PostClaimsAsync(
            Claim(NewId("boni"), army, boni, Repelled, "2023-09-20T09:00:00Z"),
            Claim(NewId("ber"), army, ber, Repelled, "2023-09-20T09:00:00Z"),
            Claim(armyAnefis, army, anefis, Taken, "2023-09-20T09:00:00Z"));
        var (jnimId, _) = await PostClaimsAsync(
            Claim(NewId("boni"), jnim, boni, Taken, "2023-09-20T10:00:00Z"),
            Claim(NewId("ber"), jnim, ber, Taken, "2023-09-20T10:00:00Z"),
            Claim(NewId("anefis"), jnim, anefis, Repelled, "2023-09-20T10:00:00Z"));
        var (pBoni, pBer, pAnefis) = (armyOn[0], armyOn[1], armyOn[2]);
        await ResolveAsync(pBoni, Repelled, "2023-09-25T00:00:00Z");
        await ResolveAsync(pAnefis, Repelled, "2023-09-25T00:00:00Z");

        var known = await MomentAsync();
        var k = Stamp(known);
        var recordThen = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{armyId}/disputes?asOf={k}");

        // Recorded after K, each about a time before it: a third source's claim contradicting the
        // army on Boni, the verdict on Ber, and the army's retraction of its Anefis claim.
        var (lateId, _) = await PostClaimsAsync(Claim(NewId("late"), late, boni, Taken, "2023-09-21T09:00:00Z"));
        await ResolveAsync(pBer, Taken, "2023-09-26T00:00:00Z");
        (await Client.PostAsJsonAsync($"/v1/claims/{armyAnefis}/corrections", new { kind = "retracted", at = "2023-09-24T00:00:00Z" }))
            .EnsureSuccessStatusCode();

        var asOf = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{armyId}/disputes?asOf={k}");
        var knownAt = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{armyId}/disputes?knownAt={k}");

        // The claim: as of K a dispute with the late source, as known at K no such source.
        Assert.Contains(lateId, OpponentIds(asOf));
        Assert.DoesNotContain(lateId, OpponentIds(knownAt));
        // The verdict: as of K Ber is settled against the army, as known at K it is open.
        Assert.Contains(pBer, DisputedWith(asOf, jnimId));
        Assert.DoesNotContain(pBer, DisputedWith(knownAt, jnimId));
        // The correction: as of K the army no longer stood on Anefis, as known at K it still did.
        Assert.DoesNotContain(pAnefis, DisputedWith(asOf, jnimId));
        Assert.Contains(pAnefis, DisputedWith(knownAt, jnimId));

        // What a reader was told at K, to the dispute, and the answer says when it was known.
        Assert.Equal(recordThen.GetProperty("opponents").ToString(), knownAt.GetProperty("opponents").ToString());
        foreach (var total in new[] { "confirmedPropositions", "opponentCount", "disputes", "won", "lost", "neitherRight" })
        {
            Assert.Equal(recordThen.GetProperty(total).GetInt32(), knownAt.GetProperty(total).GetInt32());
        }

        Assert.Equal(known, knownAt.GetProperty("asOf").GetDateTimeOffset());
        Assert.Equal(known, knownAt.GetProperty("knownAt").GetDateTimeOffset());
        Assert.False(asOf.TryGetProperty("knownAt", out _), "an as-of record names no knownAt");

        // An earlier world time within what was known at K: Anefis not yet settled.
        var early = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{armyId}/disputes?knownAt={k}&asOf=2023-09-24T12:00:00Z");
        Assert.Empty(early.GetProperty("opponents").EnumerateArray());

        // Known now, every record counts, as of K.
        var now = Stamp(DateTimeOffset.UtcNow);
        var knownNow = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{armyId}/disputes?knownAt={now}&asOf={k}");
        Assert.Equal(asOf.GetProperty("opponents").ToString(), knownNow.GetProperty("opponents").ToString());

        using var before = await Client.GetAsync($"/v1/sources/{armyId}/disputes?knownAt=2023-09-30T00:00:00Z");
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Equal("application/problem+json", before.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_source_merged_since_has_its_history_and_disputes_as_known_before_the_merge()
    {
        var run = Guid.NewGuid();
        var question = $"Who held Léré? {run}";
        var (absorbedClaim, rivalClaim) = (NewId("absorbed"), NewId("rival"));
        var (absorbed, onLere) = await PostClaimsAsync(Claim(absorbedClaim, $"chan_{Guid.NewGuid():N}"[..20], question, Repelled, "2023-09-20T09:00:00Z"));
        var (rival, _) = await PostClaimsAsync(Claim(rivalClaim, $"jnim_{Guid.NewGuid():N}"[..20], question, Taken, "2023-09-20T10:00:00Z"));
        var (survivor, _) = await PostClaimsAsync(
            Claim(NewId("survivor"), $"army_{Guid.NewGuid():N}"[..20], "Who held Ber? " + Guid.NewGuid(), Taken, "2023-09-21T09:00:00Z"));
        await ResolveAsync(onLere[0], Repelled, "2023-09-25T00:00:00Z");
        var beforeMerge = Stamp(await MomentAsync());
        (await Client.PostAsJsonAsync($"/v1/sources/{survivor}/merge", new { absorb = absorbed })).EnsureSuccessStatusCode();
        var afterMerge = Stamp(await MomentAsync());

        // Before the merge the absorbed source was on its own, with its own disputes and series.
        var disputes = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{absorbed}/disputes?knownAt={beforeMerge}");
        Assert.Equal(absorbed, disputes.GetProperty("sourceId").GetString());
        Assert.Equal([rival], OpponentIds(disputes));
        var history = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{absorbed}/history?knownAt={beforeMerge}");
        Assert.Equal(absorbed, history.GetProperty("sourceId").GetString());

        // The rival's dispute was with the absorbed source then, with the survivor since.
        var rivalThen = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{rival}/disputes?knownAt={beforeMerge}");
        Assert.Equal([absorbed], OpponentIds(rivalThen));
        var rivalAfter = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{rival}/disputes?knownAt={afterMerge}");
        Assert.Equal([survivor], OpponentIds(rivalAfter));
        var survivorThen = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{survivor}/disputes?knownAt={beforeMerge}");
        Assert.Empty(survivorThen.GetProperty("opponents").EnumerateArray());

        // From the merge on, the reads are the survivor's.
        using var direct = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = Client.BaseAddress };
        direct.DefaultRequestHeaders.Authorization = Client.DefaultRequestHeaders.Authorization;
        foreach (var read in new[] { "/history", "/disputes" })
        {
            using var moved = await direct.GetAsync($"/v1/sources/{absorbed}{read}?knownAt={afterMerge}");
            Assert.Equal(HttpStatusCode.PermanentRedirect, moved.StatusCode);
            Assert.Equal($"/v1/sources/{survivor}{read}?knownAt={afterMerge}", moved.Headers.Location!.OriginalString);
        }
    }
}
