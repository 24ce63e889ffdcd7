using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Reliability.Api.Tests;

/// <summary>
/// "Who held the base, as the record stood when we published", and "as we knew it then": a
/// proposition as of a moment, and as the tracker knew it then, with the estimate readers were shown.
/// </summary>
public sealed partial class KnownAtTests
{
    private Task<JsonElement> PropositionAsync(string propositionId, string query = "") => ReadAsync($"/v1/propositions/{propositionId}", query);

    private static string[] PropositionClaimIds(JsonElement proposition) =>
        [.. proposition.GetProperty("claims").EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];

    [Fact]
    public async Task A_proposition_as_of_a_moment_and_as_known_then_shows_the_claims_verdict_and_estimate_of_then()
    {
        var run = Guid.NewGuid();
        var question = $"Who held Acharane? {run}";
        var (army, jnim, late) = (NewId("army"), NewId("jnim"), NewId("late"));
        var (_, propositions) = await PostClaimsAsync(Claim(army, $"pa_{run:N}"[..20], question, Repelled, "2023-09-20T09:00:00Z"));
        var propositionId = propositions[0];
        await PostClaimsAsync(Claim(jnim, $"pj_{run:N}"[..20], question, Taken, "2023-09-21T09:00:00Z"));
        await api.Factory.WaitForQuietTruthAsync();
        var shown = await PropositionAsync(propositionId);
        Assert.Equal("contested", shown.GetProperty("state").GetString());
        Assert.Equal(2, shown.GetProperty("provisionalProbabilities").GetArrayLength());
        var known = await MomentAsync();
        var k = Stamp(known);

        // Recorded after K, each about a time before it: another claim, the army's retraction, the verdict.
        await PostClaimsAsync(Claim(late, $"pl_{run:N}"[..20], question, Taken, "2023-09-22T09:00:00Z"));
        (await Client.PostAsJsonAsync($"/v1/claims/{army}/corrections", new { kind = "retracted", at = "2023-09-23T08:00:00Z" }))
            .EnsureSuccessStatusCode();
        await ResolveAsync(propositionId, Taken, "2023-09-25T00:00:00Z");

        // As of K (world time), every late record counts, and a past moment has no estimate.
        var asOf = await PropositionAsync(propositionId, $"asOf={k}");
        Assert.Equal([army, jnim, late], PropositionClaimIds(asOf));
        Assert.Equal("resolved", asOf.GetProperty("state").GetString());
        Assert.Equal(Taken, asOf.GetProperty("resolution").GetProperty("option").GetString());
        Assert.Equal("retracted", Text(asOf.GetProperty("claims")[0], "status"));
        Assert.Equal(0, asOf.GetProperty("provisionalProbabilities").GetArrayLength());
        Assert.Equal(known, asOf.GetProperty("asOf").GetDateTimeOffset());
        Assert.False(asOf.TryGetProperty("knownAt", out _), "an as-of answer names no knownAt");

        // As known at K: what a reader was shown then, the estimate included.
        var knownAt = await PropositionAsync(propositionId, $"knownAt={k}");
        Assert.Equal([army, jnim], PropositionClaimIds(knownAt));
        Assert.Equal("contested", knownAt.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, knownAt.GetProperty("resolution").ValueKind);
        Assert.Equal(shown.GetProperty("claims").ToString(), knownAt.GetProperty("claims").ToString());
        Assert.Equal(shown.GetProperty("provisionalProbabilities").ToString(), knownAt.GetProperty("provisionalProbabilities").ToString());
        Assert.Equal(known, knownAt.GetProperty("knownAt").GetDateTimeOffset());

        // Known at K, as of an earlier moment: the army's claim alone, and no estimate.
        var firstDay = await PropositionAsync(propositionId, $"knownAt={k}&asOf=2023-09-20T12:00:00Z");
        Assert.Equal([army], PropositionClaimIds(firstDay));
        Assert.Equal("open", firstDay.GetProperty("state").GetString());
        Assert.Equal(0, firstDay.GetProperty("provisionalProbabilities").GetArrayLength());

        // Now, the verdict stands and nothing is estimated.
        var now = await PropositionAsync(propositionId);
        Assert.Equal("resolved", now.GetProperty("state").GetString());
        Assert.False(now.TryGetProperty("asOf", out _), "the proposition now names no asOf");
    }

    [Fact]
    public async Task A_proposition_known_before_a_merge_shows_the_claim_as_its_first_source_made_it_and_after_as_the_survivors()
    {
        var run = Guid.NewGuid();
        var question = $"Who held Ber? {run}";
        var (channelClaim, armyClaim) = (NewId("channel"), NewId("army"));
        var (channel, propositions) = await PostClaimsAsync(Claim(channelClaim, $"mc_{run:N}"[..20], question, Taken, "2023-09-20T09:00:00Z"));
        var (army, _) = await PostClaimsAsync(Claim(armyClaim, $"ma_{run:N}"[..20], question, Repelled, "2023-09-21T09:00:00Z"));
        var beforeMerge = Stamp(await MomentAsync());
        (await Client.PostAsJsonAsync($"/v1/sources/{army}/merge", new { absorb = channel })).EnsureSuccessStatusCode();
        var afterMerge = Stamp(await MomentAsync());

        string[] SourcesOf(JsonElement proposition) =>
            [.. proposition.GetProperty("claims").EnumerateArray().Select(c => c.GetProperty("sourceId").GetString()!)];
        var before = await PropositionAsync(propositions[0], $"knownAt={beforeMerge}");
        Assert.Equal([channelClaim, armyClaim], PropositionClaimIds(before));
        Assert.Equal([channel, army], SourcesOf(before));
        var after = await PropositionAsync(propositions[0], $"knownAt={afterMerge}");
        Assert.Equal([channelClaim, armyClaim], PropositionClaimIds(after));
        Assert.Equal(SourcesOf(await PropositionAsync(propositions[0])), SourcesOf(after));
    }

    [Fact]
    public async Task A_proposition_before_it_was_on_record_and_bad_times_are_problems_saying_so()
    {
        var run = Guid.NewGuid();
        var (_, propositions) = await PostClaimsAsync(Claim(NewId("first"), $"pb_{run:N}"[..20], $"Who held Boulkessi? {run}", Repelled, "2023-09-20T09:00:00Z"));
        var propositionId = propositions[0];

        using var beforeClaims = await Client.GetAsync($"/v1/propositions/{propositionId}?asOf=2023-09-01T00:00:00Z");
        Assert.Equal(HttpStatusCode.NotFound, beforeClaims.StatusCode);
        Assert.Contains("not yet on record at 2023-09-01", await beforeClaims.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var beforeRecorded = await Client.GetAsync($"/v1/propositions/{propositionId}?knownAt=2026-01-01T00:00:00Z");
        Assert.Equal(HttpStatusCode.NotFound, beforeRecorded.StatusCode);
        Assert.Contains("as the tracker knew it at 2026-01-01", await beforeRecorded.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var unknown = await Client.GetAsync($"/v1/propositions/no-such-{run:N}?asOf=2023-09-01T00:00:00Z");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("No proposition has the id", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await AssertRefusedAsync($"/v1/propositions/{propositionId}?knownAt=yesterday", "knownAt", "ISO-8601");
        await AssertRefusedAsync($"/v1/propositions/{propositionId}?asOf=2023-09-29", "asOf", "ISO-8601");
        await AssertRefusedAsync($"/v1/propositions/{propositionId}?knownAt={Stamp(DateTimeOffset.UtcNow.AddDays(1))}", "knownAt", "In the future");
        await AssertRefusedAsync(
            $"/v1/propositions/{propositionId}?knownAt=2023-09-20T00:00:00Z&asOf=2023-09-29T00:00:00Z", "asOf", "Later than knownAt");
    }
}
