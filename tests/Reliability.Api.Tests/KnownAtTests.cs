using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Tests;

/// <summary>
/// "What did we know then": a score from the events recorded by <c>knownAt</c>, beside <c>asOf</c>,
/// which counts every event whose own time is by then, however late it was recorded.
/// </summary>
public sealed class KnownAtTests(KnownAtTests.Api api) : IClassFixture<KnownAtTests.Api>
{
    public sealed class Api : IAsyncLifetime
    {
        public ReliabilityApiFactory Factory { get; private set; } = null!;
        public HttpClient Editor { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Factory = await ReliabilityApiFactory.StartAsync("knownat");
            Editor = await Factory.CreateClientAsync(ApiKeyRole.Editor);
        }

        public async Task DisposeAsync()
        {
            Editor.Dispose();
            await Factory.DisposeAsync();
        }
    }

    private const string Repelled = "army repelled the attack";
    private const string Taken = "JNIM took the base";

    private HttpClient Client => api.Editor;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

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
        var (sourceId, propositions) = await PostClaimsAsync(
            Claim(first, handle, "Who held Boni? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z"),
            Claim(second, handle, "Who held Ber? " + Guid.NewGuid(), Taken, "2023-09-21T09:00:00Z"));
        await ResolveAsync(propositions[0], Repelled, "2023-09-25T00:00:00Z");

        var known = await MomentAsync();
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
        foreach (var read in new[] { "", "/score", "/explanation" })
        {
            foreach (var (query, field, says) in new[]
            {
                ("knownAt=yesterday", "knownAt", "ISO-8601"),
                ("knownAt=2023-09-29T00:00:00", "knownAt", "ISO-8601"),
                ($"knownAt={tomorrow}", "knownAt", "In the future"),
                ("knownAt=2023-09-23T00:00:00Z&asOf=2023-09-24T00:00:00Z", "asOf", "Later than knownAt"),
            })
            {
                using var refused = await Client.GetAsync($"/v1/sources/{sourceId}{read}?{query}");
                Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Contains(says, problem.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Another_known_at_time_is_another_tag()
    {
        var handle = $"tag_{Guid.NewGuid():N}"[..20];
        var (sourceId, propositions) = await PostClaimsAsync(Claim(NewId("tag"), handle, "Who held Ménaka? " + Guid.NewGuid(), Repelled, "2023-09-20T09:00:00Z"));
        var known = Stamp(await MomentAsync());
        await ResolveAsync(propositions[0], Repelled, "2023-09-25T00:00:00Z");
        var later = Stamp(await MomentAsync());

        async Task<string> TagAsync(string query)
        {
            using var response = await Client.GetAsync($"/v1/sources/{sourceId}/score?{query}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return response.Headers.ETag!.Tag;
        }

        var atK = await TagAsync($"knownAt={known}");
        Assert.Equal(atK, await TagAsync($"knownAt={known}"));
        Assert.NotEqual(atK, await TagAsync($"knownAt={later}&asOf={known}"));
        Assert.NotEqual(atK, await TagAsync($"asOf={known}"));

        // Nothing recorded between two moments: the same record, still told apart by when it was known.
        var latest = Stamp(await MomentAsync());
        Assert.NotEqual(await TagAsync($"knownAt={later}&asOf={later}"), await TagAsync($"knownAt={latest}&asOf={later}"));

        using var revalidated = new HttpRequestMessage(HttpMethod.Get, $"/v1/sources/{sourceId}/score?knownAt={known}");
        revalidated.Headers.TryAddWithoutValidation("If-None-Match", atK);
        using var notModified = await Client.SendAsync(revalidated);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }
}
