using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Reliability.Grains.Recording;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Tests;

/// <summary>
/// A channel the desk first met through its claims turns out to be the army's press office, already
/// on record: the army's source takes the channel's over, through the public API.
/// </summary>
public sealed class SourceMergeTests(SourceMergeTests.Api api) : IClassFixture<SourceMergeTests.Api>
{
    public sealed class Api() : EditorApi("merge");

    private const string Repelled = "army repelled the attack";
    private const string Taken = "JNIM took the base";

    private HttpClient Client => api.Editor;

    private static string Tag() => Guid.NewGuid().ToString("N")[..10];

    private static object Claim(string? sourceId, string? channel, string question, string option, string publishedAt, string? url = null) => new
    {
        id = $"claim-{Guid.NewGuid():N}"[..24],
        sourceId,
        handle = channel is null ? null : new { platform = "telegram", handle = channel },
        proposition = new { question, options = new[] { Repelled, Taken }, topics = new[] { "military" } },
        option,
        publishedAt,
        url,
    };

    private async Task<JsonElement[]> PostClaimsAsync(params object[] claims)
    {
        using var response = await Client.PostAsJsonAsync("/v1/claims", new { claims });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToArray();
        Assert.All(items, i => Assert.Equal("accepted", i.GetProperty("status").GetString()));
        return items;
    }

    private async Task ResolveAsync(string propositionId, string option) =>
        (await Client.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution", new { option, evidence = new[] { "https://example.org/imagery" } }))
            .EnsureSuccessStatusCode();

    private Task<HttpResponseMessage> MergeAsync(string survivor, object body) => Client.PostAsJsonAsync($"/v1/sources/{survivor}/merge", body);

    /// <summary>The army's source, registered by the desk with its handle on X.</summary>
    private Task<string> RegisterArmyAsync(string tag) =>
        RegisterAsync($"army-{tag}", $"Army press office {tag}", "official-body", interestedParty: true, "x", $"army_{tag}");

    /// <summary>A source the desk registers, with one handle; returns its id.</summary>
    private async Task<string> RegisterAsync(string id, string name, string kind, bool interestedParty, string platform, string handle)
    {
        (await Client.PostAsJsonAsync("/v1/sources", new
        {
            id, name, kind, interestedParty, handles = new[] { new { platform, handle } },
        })).EnsureSuccessStatusCode();
        return id;
    }

    [Fact]
    public async Task The_survivor_takes_over_the_absorbed_sources_claims_handles_score_and_ratings()
    {
        var tag = Tag();
        var army = await RegisterArmyAsync(tag);
        var channel = $"chan_{tag}";
        var items = await PostClaimsAsync(
            Claim(army, null, $"Who held Acharane? {tag}", Repelled, "2023-09-20T12:00:00Z", $"https://x.com/army_{tag}/status/1"),
            Claim(null, channel, $"Who held Boni? {tag}", Taken, "2023-09-21T12:00:00Z", $"https://t.me/{channel}/1"),
            Claim(null, channel, $"Who held Tessit? {tag}", Taken, "2023-09-22T12:00:00Z", $"https://t.me/{channel}/2"));
        var absorbed = items[1].GetProperty("sourceId").GetString()!;
        Assert.NotEqual(army, absorbed);
        // The army's claim turns out wrong, the channel's two right.
        foreach (var item in items)
        {
            await ResolveAsync(item.GetProperty("propositionId").GetString()!, Taken);
        }

        (await Client.PutAsJsonAsync($"/v1/sources/{absorbed}/external-ratings/mbfc", new { rating = "high" })).EnsureSuccessStatusCode();
        var scoreBefore = await ScoreAsync(army);
        var armyEvents = await CountEventsAsync($"source:{army}");
        var absorbedEvents = await CountEventsAsync($"source:{absorbed}");
        var beforeMerge = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromMilliseconds(50));

        using var merged = await MergeAsync(army, new { absorb = absorbed, reason = "The channel is the army's press office on Telegram." });
        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        var profile = await merged.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(army, profile.GetProperty("id").GetString());
        Assert.Equal(3, profile.GetProperty("claimCount").GetInt32());
        Assert.Equal([$"telegram:{channel}", $"x:army_{tag}"], Handles(profile).Order(StringComparer.Ordinal));
        Assert.Contains(profile.GetProperty("externalRatings").EnumerateArray(), r => r.GetProperty("rater").GetString() == "mbfc");
        // One event in each stream; every claim document names the survivor.
        Assert.Equal(armyEvents + 1, await CountEventsAsync($"source:{army}"));
        Assert.Equal(absorbedEvents + 1, await CountEventsAsync($"source:{absorbed}"));
        Assert.Equal(0, await CountAsync("select count(*) from reliability.mt_doc_claimdocument where data ->> 'SourceId' = @id", absorbed));
        Assert.Equal(3, await CountAsync("select count(*) from reliability.mt_doc_claimdocument where data ->> 'SourceId' = @id", army));

        // Two confirmed claims joined one refuted one.
        Assert.True(await ScoreAsync(army) > scoreBefore, "the survivor's score rises with the absorbed confirmed claims");
        var explanation = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{army}/explanation");
        Assert.Equal(3, explanation.GetProperty("contributions").GetArrayLength());
        var claims = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{army}/claims");
        Assert.Equal(3, claims.GetProperty("claims").GetArrayLength());

        // Lookups of the channel's posts and of its handle name the survivor.
        using (var byUrl = await Client.PostAsJsonAsync("/v1/lookup", new { urls = new[] { $"https://t.me/{channel}/1" } }))
        {
            Assert.Equal(army, (await byUrl.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0].GetProperty("source").GetProperty("id").GetString());
        }

        using (var byHandle = await Client.PostAsJsonAsync("/v1/lookup", new { handles = new[] { new { platform = "telegram", handle = channel } } }))
        {
            Assert.Equal(army, (await byHandle.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0].GetProperty("source").GetProperty("id").GetString());
        }

        // The listing and its search show the survivor only, found by the channel's handle too.
        var listed = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query={channel}");
        Assert.Equal([army], listed.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.DoesNotContain((await Client.GetFromJsonAsync<JsonElement>("/v1/sources?limit=1000")).EnumerateArray(), s => s.GetProperty("id").GetString() == absorbed);

        // As of before the merge, the survivor is the source it was then.
        var then = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{army}?asOf={Stamp(beforeMerge)}");
        Assert.Equal(1, then.GetProperty("claimCount").GetInt32());
        Assert.Equal([$"x:army_{tag}"], Handles(then));
        Assert.Empty(then.GetProperty("externalRatings").EnumerateArray());
        var explainedThen = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{army}/explanation?asOf={Stamp(beforeMerge)}");
        Assert.Equal(1, explainedThen.GetProperty("contributions").GetArrayLength());

        // Later claims by the channel's handle, or naming the absorbed source, are the survivor's.
        var later = await PostClaimsAsync(
            Claim(null, channel, $"Who held Ber? {tag}", Taken, "2023-09-23T12:00:00Z", $"https://t.me/{channel}/3"),
            Claim(absorbed, null, $"Who held Lere? {tag}", Taken, "2023-09-24T12:00:00Z"));
        Assert.All(later, item => Assert.Equal(army, item.GetProperty("sourceId").GetString()));
        Assert.Equal(absorbedEvents + 1, await CountEventsAsync($"source:{absorbed}"));
        Assert.Equal(5, (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{army}")).GetProperty("claimCount").GetInt32());

        // The absorbed source's claims are the survivor's to correct, and read as its own.
        var absorbedClaim = items[1].GetProperty("id").GetString()!;
        (await Client.PostAsJsonAsync($"/v1/claims/{absorbedClaim}/corrections", new { kind = "retracted", at = DateTimeOffset.UtcNow })).EnsureSuccessStatusCode();
        var corrected = await Client.GetFromJsonAsync<JsonElement>($"/v1/claims/{absorbedClaim}");
        Assert.Equal(army, corrected.GetProperty("sourceId").GetString());
        Assert.Equal(absorbedEvents + 1, await CountEventsAsync($"source:{absorbed}"));

        // The same merge asked again is done already: the same answer, nothing written.
        using var again = await MergeAsync(army, new { absorb = absorbed });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(army, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        Assert.Equal(absorbedEvents + 1, await CountEventsAsync($"source:{absorbed}"));
        Assert.Equal(armyEvents + 4, await CountEventsAsync($"source:{army}"));
    }

    /// <summary>
    /// A prolific source's record is copied in bounded parts, not one enormous event: the survivor
    /// reads as it would from a copy made whole (a second pair, the same record, merged in one event).
    /// </summary>
    [Fact]
    public async Task A_record_with_more_claims_than_a_part_holds_is_copied_in_bounded_parts_and_reads_as_a_whole_copy()
    {
        var (parted, partedChannel) = await PairAsync();
        var (whole, wholeChannel) = await PairAsync();
        var partedEvents = await CountEventsAsync($"source:{parted}");
        var wholeEvents = await CountEventsAsync($"source:{whole}");

        SourceWrite.CopiedPartSize = 2;
        try
        {
            (await MergeAsync(parted, new { absorb = partedChannel })).EnsureSuccessStatusCode();
        }
        finally
        {
            SourceWrite.CopiedPartSize = SourceWrite.ClaimsPerCopiedPart;
        }

        (await MergeAsync(whole, new { absorb = wholeChannel })).EnsureSuccessStatusCode();

        // Five claims, two a part: the head and two parts, numbered one after the other in the stream.
        Assert.Equal(["source_absorbed:2", "source_absorbed_part:2", "source_absorbed_part:1"], await CopiedAsync(parted, partedEvents));
        Assert.Equal(["source_absorbed:5"], await CopiedAsync(whole, wholeEvents));
        Assert.Equal(partedEvents + 3, await ScalarAsync<long>("select max(version) from reliability.mt_events where stream_id = @id", $"source:{parted}"));

        await Task.Delay(TimeSpan.FromMilliseconds(50));
        var asOf = Stamp(DateTimeOffset.UtcNow);
        foreach (var read in new[] { "", "/claims?limit=100" })
        {
            var survivor = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{parted}{read}");
            Assert.Equal(6, read == "" ? survivor.GetProperty("claimCount").GetInt32() : survivor.GetProperty("claims").GetArrayLength());
        }

        var partedScore = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{parted}/score?asOf={asOf}");
        var wholeScore = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{whole}/score?asOf={asOf}");
        Assert.Equal(wholeScore.GetProperty("summary").GetRawText(), partedScore.GetProperty("summary").GetRawText());
        Assert.Equal(Contributions(await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{whole}/explanation?asOf={asOf}")),
            Contributions(await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{parted}/explanation?asOf={asOf}")));
        Assert.Equal(6, Contributions(await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{parted}/explanation?asOf={asOf}")).Count);

        // The army's claim, refuted; the channel's five, three confirmed, one refuted and one retracted.
        async Task<(string Army, string Channel)> PairAsync()
        {
            var tag = Tag();
            var army = await RegisterArmyAsync(tag);
            var channel = $"chan_{tag}";
            var items = await PostClaimsAsync(
                Claim(army, null, $"Who held Acharane? {tag}", Repelled, "2023-09-20T12:00:00Z"),
                Claim(null, channel, $"Who held Boni? {tag}", Taken, "2023-09-21T12:00:00Z"),
                Claim(null, channel, $"Who held Tessit? {tag}", Taken, "2023-09-22T12:00:00Z"),
                Claim(null, channel, $"Who held Ber? {tag}", Taken, "2023-09-23T12:00:00Z"),
                Claim(null, channel, $"Who held Lere? {tag}", Repelled, "2023-09-24T12:00:00Z"),
                Claim(null, channel, $"Who held Gossi? {tag}", Taken, "2023-09-25T12:00:00Z"));
            foreach (var item in items.Take(5))
            {
                await ResolveAsync(item.GetProperty("propositionId").GetString()!, Taken);
            }

            (await Client.PostAsJsonAsync($"/v1/claims/{items[5].GetProperty("id").GetString()}/corrections", new { kind = "retracted", at = "2023-09-26T12:00:00Z" }))
                .EnsureSuccessStatusCode();
            return (army, items[1].GetProperty("sourceId").GetString()!);
        }

        async Task<List<string>> CopiedAsync(string survivor, long before)
        {
            await using var connection = new NpgsqlConnection(api.Factory.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "select type, jsonb_array_length(data -> 'Claims') from reliability.mt_events where stream_id = @id and version > @before order by version", connection);
            command.Parameters.AddWithValue("id", $"source:{survivor}");
            command.Parameters.AddWithValue("before", before);
            var copied = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                copied.Add($"{reader.GetString(0)}:{reader.GetInt32(1)}");
            }

            return copied;
        }

        // Each claim's part in the score, without the ids, which differ between the two pairs.
        static List<string> Contributions(JsonElement explanation) =>
            [.. explanation.GetProperty("contributions").EnumerateArray()
                .Select(c => string.Join(' ', new[] { "confirmed", "refuted", "credibility", "provisional", "reason" }.Select(p => c.GetProperty(p).GetRawText())))
                .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The rater's latest word stands, across a merge too: a withdrawal on the absorbed source later
    /// than the survivor's word from the same rater takes that word away.
    /// </summary>
    [Fact]
    public async Task A_raters_later_withdrawal_on_the_absorbed_source_takes_the_survivors_older_word_away()
    {
        var tag = Tag();
        var army = await RegisterArmyAsync(tag);
        var channel = await RegisterChannelAsync(tag);
        await RateAsync(army, "wikipedia-rsp", "generally reliable", "2024-01-10T00:00:00Z");
        await RateAsync(channel, "wikipedia-rsp", "generally unreliable", "2024-02-10T00:00:00Z");
        (await Client.DeleteAsync($"/v1/sources/{channel}/external-ratings/wikipedia-rsp")).EnsureSuccessStatusCode();

        using var merged = await MergeAsync(army, new { absorb = channel });
        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        Assert.Empty(Raters(await merged.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.Empty(Raters(await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{army}")));
        Assert.Empty(Raters(Assert.Single((await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query=army_{tag}")).EnumerateArray())));
    }

    [Fact]
    public async Task A_raters_withdrawal_on_the_absorbed_source_older_than_the_survivors_word_leaves_the_word()
    {
        var tag = Tag();
        var army = await RegisterArmyAsync(tag);
        var channel = await RegisterChannelAsync(tag);
        await RateAsync(channel, "wikipedia-rsp", "generally unreliable", "2024-01-10T00:00:00Z");
        (await Client.DeleteAsync($"/v1/sources/{channel}/external-ratings/wikipedia-rsp")).EnsureSuccessStatusCode();
        await Task.Delay(TimeSpan.FromMilliseconds(20));
        // Said now, after the withdrawal.
        (await Client.PutAsJsonAsync($"/v1/sources/{army}/external-ratings/wikipedia-rsp", new { rating = "generally reliable" })).EnsureSuccessStatusCode();

        using var merged = await MergeAsync(army, new { absorb = channel });
        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        var expected = new[] { "wikipedia-rsp:generally reliable" };
        Assert.Equal(expected, Raters(await merged.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.Equal(expected, Raters(await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{army}")));
        Assert.Equal(expected, Raters(Assert.Single((await Client.GetFromJsonAsync<JsonElement>($"/v1/sources?query=army_{tag}")).EnumerateArray())));
    }

    private Task<string> RegisterChannelAsync(string tag) =>
        RegisterAsync($"chan-{tag}", $"Channel {tag}", "outlet", interestedParty: false, "telegram", $"chan_{tag}");

    private async Task RateAsync(string sourceId, string rater, string rating, string at) =>
        (await Client.PutAsJsonAsync($"/v1/sources/{sourceId}/external-ratings/{rater}", new { rating, at })).EnsureSuccessStatusCode();

    private static List<string> Raters(JsonElement source) =>
        [.. source.GetProperty("externalRatings").EnumerateArray().Select(r => $"{r.GetProperty("rater").GetString()}:{r.GetProperty("rating").GetString()}")];

    [Fact]
    public async Task The_absorbed_source_and_its_reads_redirect_to_the_survivor()
    {
        var tag = Tag();
        var army = await RegisterArmyAsync(tag);
        var channel = $"chan_{tag}";
        var absorbed = (await PostClaimsAsync(Claim(null, channel, $"Who held Boni? {tag}", Taken, "2023-09-21T12:00:00Z")))[0].GetProperty("sourceId").GetString()!;
        (await MergeAsync(army, new { absorb = absorbed })).EnsureSuccessStatusCode();

        using var direct = NotFollowingRedirects();
        foreach (var read in new[] { "", "/score", "/score?asOf=2023-09-30T00:00:00Z", "/explanation?top=5",
            // Known at a moment before anything of it was recorded: sent on too (KnownAtTests has one between).
            "/score?knownAt=2023-09-30T00:00:00Z", "/explanation?knownAt=2023-09-30T00:00:00Z&top=5", "/history", "/claims?limit=10",
            "/disputes", "/disputes?asOf=2023-09-30T00:00:00Z&limit=3", "/articles?limit=3" })
        {
            using var response = await direct.GetAsync($"/v1/sources/{absorbed}{read}");
            Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
            Assert.Equal($"/v1/sources/{army}{read}", response.Headers.Location?.OriginalString);
        }

        // Followed, the redirect gives the survivor. (Clients drop an Authorization header on a
        // redirect, so the key is sent again, as a client following it by hand does.)
        using (var moved = await direct.GetAsync($"/v1/sources/{absorbed}"))
        {
            Assert.Equal(army, (await direct.GetFromJsonAsync<JsonElement>(moved.Headers.Location)).GetProperty("id").GetString());
        }

        // An unknown source is still a plain 404.
        using var unknown = await direct.GetAsync($"/v1/sources/unknown-{tag}/score");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Bad_merges_are_refused_with_problems_and_change_nothing()
    {
        var tag = Tag();
        var army = await RegisterArmyAsync(tag);
        var other = await RegisterArmyAsync(Tag());
        var channel = $"chan_{tag}";
        var absorbed = (await PostClaimsAsync(Claim(null, channel, $"Who held Boni? {tag}", Taken, "2023-09-21T12:00:00Z")))[0].GetProperty("sourceId").GetString()!;
        var second = (await PostClaimsAsync(Claim(null, $"second_{tag}", $"Who held Ber? {tag}", Repelled, "2023-09-22T12:00:00Z")))[0].GetProperty("sourceId").GetString()!;
        (await MergeAsync(other, new { absorb = second })).EnsureSuccessStatusCode();
        var streams = new[] { army, other, absorbed, second };
        var counts = await Task.WhenAll(streams.Select(s => CountEventsAsync($"source:{s}")));
        var absorbedClaims = await CountAsync("select count(*) from reliability.mt_doc_claimdocument where data ->> 'SourceId' = @id", absorbed);
        Assert.Equal(1, absorbedClaims);

        var refused = new (string Survivor, object Body, HttpStatusCode Status, string? Field)[]
        {
            (army, new { }, HttpStatusCode.BadRequest, "absorb"),
            (army, new { absorb = "  " }, HttpStatusCode.BadRequest, "absorb"),
            (army, new { absorb = army }, HttpStatusCode.BadRequest, "absorb"),
            (army, new { absorb = $"unknown-{tag}" }, HttpStatusCode.BadRequest, "absorb"),
            (army, new { absorb = absorbed, reason = new string('r', 501) }, HttpStatusCode.BadRequest, "reason"),
            ($"unknown-{tag}", new { absorb = absorbed }, HttpStatusCode.NotFound, null),
            // Already absorbed by another source.
            (army, new { absorb = second }, HttpStatusCode.Conflict, null),
            // Merging into a source that was itself absorbed.
            (second, new { absorb = absorbed }, HttpStatusCode.Conflict, null),
        };
        foreach (var (survivor, body, status, field) in refused)
        {
            using var response = await MergeAsync(survivor, body);
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            if (field is not null)
            {
                Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), $"{survivor} {field}");
            }
        }

        // Contributors may not merge.
        using (var contributor = await api.Factory.CreateClientAsync(ApiKeyRole.Contributor))
        {
            using var forbidden = await contributor.PostAsJsonAsync($"/v1/sources/{army}/merge", new { absorb = absorbed });
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        Assert.Equal(counts, await Task.WhenAll(streams.Select(s => CountEventsAsync($"source:{s}"))));
        Assert.Equal(absorbedClaims, await CountAsync("select count(*) from reliability.mt_doc_claimdocument where data ->> 'SourceId' = @id", absorbed));
        Assert.Equal(absorbed, (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{absorbed}")).GetProperty("id").GetString());
        Assert.Equal(1, await CountAsync("select count(*) from reliability.mt_doc_handledocument where data ->> 'SourceId' = @id", absorbed));
    }

    /// <summary>
    /// A claim batch finds the channel's source by its handle; before it commits, the merge commits.
    /// Appended after the merge, the claim would show under neither source: the batch must be decided
    /// again, and land on the survivor.
    /// </summary>
    [Fact]
    public async Task A_claim_decided_before_a_merge_commits_lands_on_the_survivor()
    {
        var tag = Tag();
        var army = await RegisterArmyAsync(tag);
        var channel = $"chan_{tag}";
        var absorbed = (await PostClaimsAsync(Claim(null, channel, $"Who held Boni? {tag}", Taken, "2023-09-21T12:00:00Z")))[0].GetProperty("sourceId").GetString()!;
        var absorbedEvents = await CountEventsAsync($"source:{absorbed}");

        var interleaving = api.Factory.Services.GetRequiredService<CommitInterleaving>();
        interleaving.Arm(async () => (await MergeAsync(army, new { absorb = absorbed })).EnsureSuccessStatusCode());
        var item = (await PostClaimsAsync(Claim(null, channel, $"Who held Ber? {tag}", Taken, "2023-09-23T12:00:00Z", $"https://t.me/{channel}/9")))[0];

        Assert.True(interleaving.Fired);
        Assert.Equal(army, item.GetProperty("sourceId").GetString());
        // The absorbed stream got the merge's marker and nothing after it.
        Assert.Equal(absorbedEvents + 1, await CountEventsAsync($"source:{absorbed}"));
        Assert.Equal(0, await CountAsync("select count(*) from reliability.mt_doc_claimdocument where data ->> 'SourceId' = @id", absorbed));
        var claims = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{army}/claims");
        Assert.Contains(claims.GetProperty("claims").EnumerateArray(), c => c.GetProperty("id").GetString() == item.GetProperty("id").GetString());
        Assert.Equal(2, claims.GetProperty("claims").GetArrayLength());
    }

    /// <summary>
    /// The other way round: the merge has read the absorbed source's stream when a claim by it
    /// commits. Its copy of the record lacks that claim, so the merge is decided again with it.
    /// </summary>
    [Fact]
    public async Task A_claim_committed_while_a_merge_is_decided_is_taken_over_with_the_rest()
    {
        var tag = Tag();
        var army = await RegisterArmyAsync(tag);
        var channel = $"chan_{tag}";
        var absorbed = (await PostClaimsAsync(Claim(null, channel, $"Who held Boni? {tag}", Taken, "2023-09-21T12:00:00Z")))[0].GetProperty("sourceId").GetString()!;

        var interleaving = api.Factory.Services.GetRequiredService<CommitInterleaving>();
        string? late = null;
        interleaving.Arm(async () =>
            late = (await PostClaimsAsync(Claim(null, channel, $"Who held Ber? {tag}", Taken, "2023-09-23T12:00:00Z")))[0].GetProperty("id").GetString());
        using var merged = await MergeAsync(army, new { absorb = absorbed });

        Assert.True(interleaving.Fired);
        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        Assert.Equal(2, (await merged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("claimCount").GetInt32());
        var claims = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{army}/claims");
        Assert.Contains(claims.GetProperty("claims").EnumerateArray(), c => c.GetProperty("id").GetString() == late);
    }

    /// <summary>
    /// A correction of the channel's claim decided just before the merge commits: it would have been
    /// appended to the absorbed stream and stored the claim back under the channel. Decided again, it
    /// lands on the survivor, and the claim stays the survivor's. (Two guards catch it: the stream's
    /// merge mark, and the channel's listing, which the correction stores and the merge changed.)
    /// </summary>
    [Fact]
    public async Task A_correction_decided_before_a_merge_commits_lands_on_the_survivor()
    {
        var tag = Tag();
        var army = await RegisterArmyAsync(tag);
        var channel = $"chan_{tag}";
        var claim = (await PostClaimsAsync(Claim(null, channel, $"Who held Boni? {tag}", Taken, "2023-09-21T12:00:00Z")))[0];
        var (claimId, absorbed) = (claim.GetProperty("id").GetString()!, claim.GetProperty("sourceId").GetString()!);
        var absorbedEvents = await CountEventsAsync($"source:{absorbed}");

        var interleaving = api.Factory.Services.GetRequiredService<CommitInterleaving>();
        interleaving.Arm(async () => (await MergeAsync(army, new { absorb = absorbed })).EnsureSuccessStatusCode());
        using var corrected = await Client.PostAsJsonAsync($"/v1/claims/{claimId}/corrections", new { kind = "retracted", at = "2023-09-22T08:00:00Z" });

        Assert.True(interleaving.Fired);
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        Assert.Equal(absorbedEvents + 1, await CountEventsAsync($"source:{absorbed}"));
        Assert.Equal(0, await CountAsync("select count(*) from reliability.mt_doc_claimdocument where data ->> 'SourceId' = @id", absorbed));
        var view = await Client.GetFromJsonAsync<JsonElement>($"/v1/claims/{claimId}");
        Assert.Equal(army, view.GetProperty("sourceId").GetString());
        Assert.Equal("retracted", view.GetProperty("status").GetString());
    }

    /// <summary>
    /// A channel absorbed by a second channel, which the army's source absorbs in turn: the first
    /// channel's every read is sent once, straight to the army, and its listing says so.
    /// </summary>
    [Fact]
    public async Task A_source_whose_survivor_is_merged_in_turn_is_sent_straight_to_the_last_survivor()
    {
        var tag = Tag();
        var army = await RegisterArmyAsync(tag);
        await PostClaimsAsync(Claim(army, null, $"Who held Acharane? {tag}", Repelled, "2023-09-20T12:00:00Z"));
        var firstClaim = (await PostClaimsAsync(Claim(null, $"first_{tag}", $"Who held Boni? {tag}", Taken, "2023-09-21T12:00:00Z")))[0];
        var first = firstClaim.GetProperty("sourceId").GetString()!;
        var second = (await PostClaimsAsync(Claim(null, $"second_{tag}", $"Who held Ber? {tag}", Taken, "2023-09-22T12:00:00Z")))[0]
            .GetProperty("sourceId").GetString()!;
        var citing = await RegisterArticleAsync($"https://news.example/{tag}", firstClaim.GetProperty("id").GetString()!);
        (await MergeAsync(second, new { absorb = first })).EnsureSuccessStatusCode();
        using var direct = NotFollowingRedirects();
        // Read once between the merges, so the first channel's grain is active and knows its survivor.
        using (var before = await direct.GetAsync($"/v1/sources/{first}"))
        {
            Assert.Equal($"/v1/sources/{second}", before.Headers.Location?.OriginalString);
        }

        (await MergeAsync(army, new { absorb = second })).EnsureSuccessStatusCode();

        foreach (var read in new[] { "", "?asOf=2023-09-30T00:00:00Z", "/score", "/score?asOf=2023-09-30T00:00:00Z", "/explanation?top=5", "/history", "/claims?limit=10", "/disputes", "/articles?limit=3" })
        {
            using var response = await direct.GetAsync($"/v1/sources/{first}{read}");
            Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
            Assert.Equal($"/v1/sources/{army}{read}", response.Headers.Location?.OriginalString);
        }

        Assert.Equal(army, await ScalarAsync<string>("select data ->> 'MergedInto' from reliability.mt_doc_sourcedocument where id = @id", first));
        Assert.Equal(army, await ScalarAsync<string>("select data ->> 'MergedInto' from reliability.mt_doc_sourcedocument where id = @id", second));
        Assert.Equal(3, (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{army}")).GetProperty("claimCount").GetInt32());
        // The article citing the first channel's claim cites the army now, with the channel's baselines,
        // its band on the military topic included.
        var article = (await Client.GetFromJsonAsync<JsonElement>($"/v1/articles/{citing}")).GetProperty("sources").EnumerateArray()
            .Select(s => (s.GetProperty("sourceId").GetString(), s.GetProperty("bandAtRegistration").GetString(), s.GetProperty("topicBands").GetProperty("military").GetString()));
        Assert.Equal([(army, "insufficient-record", "insufficient-record")], article);

        // Absorbing the first channel into the army again is done already; into the second channel,
        // a merged source, it is refused. Neither writes anything.
        var streams = new[] { army, first, second };
        var counts = await Task.WhenAll(streams.Select(s => CountEventsAsync($"source:{s}")));
        using (var again = await MergeAsync(army, new { absorb = first }))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(army, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        }

        using (var refused = await MergeAsync(second, new { absorb = first }))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(counts, await Task.WhenAll(streams.Select(s => CountEventsAsync($"source:{s}"))));
    }

    /// <summary>
    /// A verdict on the channel's proposition decided just before the merge commits: appended after
    /// it, the verdict would land in the absorbed stream, which no source answers for, and the army
    /// would hold the channel's claim unresolved. Decided again, it lands on the survivor.
    /// </summary>
    [Fact]
    public async Task A_resolution_decided_before_a_merge_commits_lands_on_the_survivor()
    {
        var (army, absorbed, claim) = await ArmyAndChannelAsync();
        var absorbedEvents = await CountEventsAsync($"source:{absorbed}");

        var interleaving = api.Factory.Services.GetRequiredService<CommitInterleaving>();
        interleaving.Arm(async () => (await MergeAsync(army, new { absorb = absorbed })).EnsureSuccessStatusCode());
        await ResolveAsync(claim.GetProperty("propositionId").GetString()!, Taken);

        Assert.True(interleaving.Fired);
        Assert.Equal(absorbedEvents + 1, await CountEventsAsync($"source:{absorbed}"));
        await AssertSurvivorHoldsVerdictAsync(army, absorbed, claim);
    }

    /// <summary>
    /// The other way round: the merge has copied the channel's record when the verdict commits to
    /// the channel's stream. The copy lacks it, so the merge is decided again with it.
    /// </summary>
    [Fact]
    public async Task A_resolution_committed_while_a_merge_is_decided_is_taken_over_with_the_rest()
    {
        var (army, absorbed, claim) = await ArmyAndChannelAsync();
        var absorbedEvents = await CountEventsAsync($"source:{absorbed}");

        var interleaving = api.Factory.Services.GetRequiredService<CommitInterleaving>();
        interleaving.Arm(() => ResolveAsync(claim.GetProperty("propositionId").GetString()!, Taken));
        using var merged = await MergeAsync(army, new { absorb = absorbed });

        Assert.True(interleaving.Fired);
        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        // The verdict, then the marker.
        Assert.Equal(absorbedEvents + 2, await CountEventsAsync($"source:{absorbed}"));
        await AssertSurvivorHoldsVerdictAsync(army, absorbed, claim);
    }

    /// <summary>The army, with a claim of its own elsewhere, and a channel with one claim on a proposition the army never claimed on.</summary>
    private async Task<(string Army, string Absorbed, JsonElement Claim)> ArmyAndChannelAsync()
    {
        var tag = Tag();
        var army = await RegisterArmyAsync(tag);
        await PostClaimsAsync(Claim(army, null, $"Who held Acharane? {tag}", Repelled, "2023-09-20T12:00:00Z"));
        var claim = (await PostClaimsAsync(Claim(null, $"chan_{tag}", $"Who held Boni? {tag}", Taken, "2023-09-21T12:00:00Z")))[0];
        return (army, claim.GetProperty("sourceId").GetString()!, claim);
    }

    /// <summary>
    /// The survivor's record has the channel's claim confirmed (its claim, score and explanation), and
    /// nothing came after the merge's marker in the absorbed stream.
    /// </summary>
    private async Task AssertSurvivorHoldsVerdictAsync(string army, string absorbed, JsonElement claim)
    {
        var claimId = claim.GetProperty("id").GetString()!;
        Assert.Equal(0, await CountAsync(
            """
            select count(*) from reliability.mt_events e where e.stream_id = @id
            and e.version > (select max(m.version) from reliability.mt_events m where m.stream_id = e.stream_id and m.mt_dotnet_type like '%.SourceMerged,%')
            """,
            $"source:{absorbed}"));
        Assert.Equal(1, await CountAsync(
            "select count(*) from reliability.mt_events where stream_id = @id and mt_dotnet_type like '%.SourceMerged,%'", $"source:{absorbed}"));
        var view = await Client.GetFromJsonAsync<JsonElement>($"/v1/claims/{claimId}");
        Assert.Equal((army, "confirmed"), (view.GetProperty("sourceId").GetString(), view.GetProperty("outcome").GetString()));
        var explanation = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{army}/explanation");
        var contribution = Assert.Single(explanation.GetProperty("contributions").EnumerateArray(), c => c.GetProperty("claimId").GetString() == claimId);
        Assert.False(contribution.GetProperty("provisional").GetBoolean());
        Assert.True(contribution.GetProperty("confirmed").GetDouble() > 0, "the verdict confirms the channel's claim");
        Assert.True(explanation.GetProperty("confirmedEvidence").GetDouble() > 0);
    }

    private async Task<string> RegisterArticleAsync(string url, string claimId)
    {
        using var response = await Client.PostAsJsonAsync("/v1/articles", new { url, publishedAt = DateTimeOffset.UtcNow, claimIds = new[] { claimId } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>
    /// The truth estimate counts who claims what by the claims' documents: once merged, the army and
    /// its channel saying the same thing are one source, not two corroborating each other.
    /// </summary>
    [Fact]
    public async Task The_truth_estimate_counts_the_merged_sources_as_one()
    {
        var tag = Tag();
        var army = await RegisterArmyAsync(tag);
        var channel = $"chan_{tag}";
        var question = $"Who held Boni? {tag}";
        var items = await PostClaimsAsync(
            Claim(army, null, question, Repelled, "2023-09-21T09:00:00Z"),
            Claim(null, channel, question, Repelled, "2023-09-21T12:00:00Z"));
        var absorbed = items[1].GetProperty("sourceId").GetString()!;
        await api.Factory.WaitForQuietTruthAsync();
        Assert.False(await UncorroboratedAsync(army), "two sources said it");

        (await MergeAsync(army, new { absorb = absorbed })).EnsureSuccessStatusCode();

        // The estimate is recomputed at its own pace: asked again until it has caught up.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await UncorroboratedAsync(army))
        {
            Assert.True(DateTime.UtcNow < deadline, "the truth estimate still counts the absorbed source apart from the survivor");
            await api.Factory.WaitForQuietTruthAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        async Task<bool> UncorroboratedAsync(string sourceId)
        {
            var page = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/claims");
            return page.GetProperty("claims").EnumerateArray().All(c => c.GetProperty("uncorroborated").GetBoolean());
        }
    }

    [Fact]
    public async Task A_subscriber_hears_of_a_merge_once()
    {
        var tag = Tag();
        var army = await RegisterArmyAsync(tag);
        var absorbed = (await PostClaimsAsync(Claim(null, $"chan_{tag}", $"Who held Diafarabé? {tag}", Taken, "2023-09-21T12:00:00Z")))[0]
            .GetProperty("sourceId").GetString()!;
        // A guard against a hang, not a timing assertion: the events arrive long before it.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var subscriber = await api.Factory.CreateClientAsync(ApiKeyRole.Reader);
        using var response = await subscriber.GetAsync("/v1/events", HttpCompletionOption.ResponseHeadersRead, guard.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(guard.Token));
        Assert.Equal(": subscribed", await reader.ReadLineAsync(guard.Token));

        (await MergeAsync(army, new { absorb = absorbed, reason = "the channel is the army's" })).EnsureSuccessStatusCode();
        // Asked again, the merge writes nothing and is no news: the next event is this later claim's.
        (await MergeAsync(army, new { absorb = absorbed })).EnsureSuccessStatusCode();
        await PostClaimsAsync(Claim(army, null, $"Who held Ténenkou? {tag}", Repelled, "2023-09-22T09:00:00Z"));

        var heard = new List<(string Type, JsonElement Data)>();
        string? type = null;
        while (heard.Count == 0 || heard[^1].Type != "claims")
        {
            var line = await reader.ReadLineAsync(guard.Token) ?? throw new InvalidOperationException("The stream ended.");
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (type is "source-merged" or "claims" && line.StartsWith("data: ", StringComparison.Ordinal))
            {
                heard.Add((type, JsonDocument.Parse(line["data: ".Length..]).RootElement));
            }
        }

        var merged = Assert.Single(heard, h => h.Type == "source-merged").Data;
        Assert.Equal(army, merged.GetProperty("sourceId").GetString());
        Assert.Equal(absorbed, merged.GetProperty("absorbedId").GetString());
        Assert.Equal("the channel is the army's", merged.GetProperty("reason").GetString());
    }

    private HttpClient NotFollowingRedirects()
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = Client.DefaultRequestHeaders.Authorization
            ?? throw new InvalidOperationException("The editor's client sends no key.");
        return client;
    }

    private static string Stamp(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O", CultureInfo.InvariantCulture));

    private static List<string> Handles(JsonElement source) =>
        [.. source.GetProperty("handles").EnumerateArray().Select(h => $"{h.GetProperty("platform").GetString()}:{h.GetProperty("handle").GetString()}")];

    private async Task<double> ScoreAsync(string sourceId) =>
        (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score")).GetProperty("summary").GetProperty("score").GetDouble();

    private Task<long> CountEventsAsync(string stream) =>
        CountAsync("select count(*) from reliability.mt_events where stream_id = @id", stream);

    private Task<long> CountAsync(string sql, string id) => ScalarAsync<long>(sql, id);

    private async Task<T> ScalarAsync<T>(string sql, string id)
    {
        await using var connection = new NpgsqlConnection(api.Factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
