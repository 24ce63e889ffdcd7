using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Reliability.Grains.Records;

namespace Reliability.Api.Tests;

/// <summary>A source's record against the sources it contradicted, through the public API.</summary>
public sealed class DisputeTests(DisputeTests.Api api) : IClassFixture<DisputeTests.Api>
{
    public sealed class Api() : EditorApi("disputes");

    private const string Repelled = "army repelled the attack";
    private const string Taken = "JNIM took the base";

    private HttpClient Client => api.Editor;

    private static string Unique(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..20];

    private static object Claim(string handle, string question, string option, string publishedAt) => new
    {
        id = Unique("claim"),
        handle = new { platform = "x", handle },
        proposition = new { question, options = new[] { Repelled, Taken }, topics = new[] { "military" }, region = "Timbuktu" },
        option,
        publishedAt,
    };

    private async Task<JsonElement[]> PostAsync(params object[] claims)
    {
        var response = await Client.PostAsJsonAsync("/v1/claims", new { claims });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()];
    }

    private async Task ResolveAsync(string propositionId, object resolution) =>
        (await Client.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution", resolution)).EnsureSuccessStatusCode();

    [Fact]
    public async Task A_source_shows_who_turned_out_right_each_time_another_source_contradicted_it()
    {
        var (army, jnim, glory) = (Unique("army"), Unique("jnim"), Unique("glory"));
        var run = Guid.NewGuid();
        string Question(string place) => $"Who held {place} on 28 Sept? {run}";

        var acharane = await PostAsync(
            Claim(army, Question("Acharane"), Repelled, "2023-09-28T09:00:00Z"),
            Claim(jnim, Question("Acharane"), Taken, "2023-09-28T10:00:00Z"),
            Claim(glory, Question("Acharane"), Repelled, "2023-09-28T12:00:00Z"));
        var mourdiah = await PostAsync(
            Claim(army, Question("Mourdiah"), Repelled, "2023-09-28T09:00:00Z"),
            Claim(jnim, Question("Mourdiah"), Taken, "2023-09-28T10:00:00Z"));
        var dioura = await PostAsync(
            Claim(army, Question("Dioura"), Repelled, "2023-09-28T09:00:00Z"),
            Claim(jnim, Question("Dioura"), Taken, "2023-09-28T10:00:00Z"));
        var tombouctou = await PostAsync(
            Claim(army, Question("Tombouctou"), Repelled, "2023-09-28T09:00:00Z"),
            Claim(jnim, Question("Tombouctou"), Taken, "2023-09-28T10:00:00Z"));
        var armyId = acharane[0].GetProperty("sourceId").GetString()!;
        var jnimId = acharane[1].GetProperty("sourceId").GetString()!;
        var gloryId = acharane[2].GetProperty("sourceId").GetString()!;
        string PropositionOf(JsonElement[] items) => items[0].GetProperty("propositionId").GetString()!;

        // The account reverses toward JNIM's version: its first claim no longer asserts anything.
        var reversal = await Client.PostAsJsonAsync($"/v1/claims/{acharane[2].GetProperty("id").GetString()}/corrections", new
        {
            kind = "reversed",
            at = "2023-09-28T18:00:00Z",
            replacement = new { id = Unique("claim"), option = Taken, publishedAt = "2023-09-28T18:00:00Z" },
        });
        Assert.Equal(HttpStatusCode.OK, reversal.StatusCode);

        await ResolveAsync(PropositionOf(acharane), new { option = Taken, evidence = new[] { "https://example.org/imagery" }, at = "2023-10-02T00:00:00Z" });
        await ResolveAsync(PropositionOf(mourdiah), new { option = Repelled, evidence = new[] { "https://example.org/visit" }, at = "2023-10-01T00:00:00Z" });
        // Confirmed, then revised to unresolvable: the revision in force settles nothing.
        await ResolveAsync(PropositionOf(tombouctou), new { option = Taken, evidence = new[] { "https://example.org/a" }, at = "2023-10-01T00:00:00Z" });
        await ResolveAsync(PropositionOf(tombouctou), new { unresolvable = true, evidence = new[] { "https://example.org/b" }, at = "2023-10-03T00:00:00Z" });
        // Dioura stays open.

        var record = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{armyId}/disputes");

        Assert.Equal(2, record.GetProperty("confirmedPropositions").GetInt32());
        Assert.Equal((3, 1, 2, 0), Counts(record));
        Assert.Equal(2, record.GetProperty("opponentCount").GetInt32());
        var opponents = record.GetProperty("opponents").EnumerateArray().ToArray();
        Assert.Equal([jnimId, gloryId], opponents.Select(o => o.GetProperty("sourceId").GetString()));
        Assert.Equal((2, 1, 1, 0), Counts(opponents[0]));
        Assert.Equal($"@{jnim}", opponents[0].GetProperty("name").GetString());
        var disputes = opponents[0].GetProperty("propositions").EnumerateArray().ToArray();
        // The latest resolution first.
        Assert.Equal([PropositionOf(acharane), PropositionOf(mourdiah)], disputes.Select(d => d.GetProperty("propositionId").GetString()));
        Assert.Equal("lost", disputes[0].GetProperty("outcome").GetString());
        Assert.Equal(Taken, disputes[0].GetProperty("confirmedOption").GetString());
        Assert.Equal([Repelled], disputes[0].GetProperty("options").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal([Taken], disputes[0].GetProperty("opponentOptions").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal("won", disputes[1].GetProperty("outcome").GetString());
        // Against the account only its replacement counts, and it was right.
        Assert.Equal((1, 0, 1, 0), Counts(opponents[1]));
        Assert.Equal([Taken], opponents[1].GetProperty("propositions")[0].GetProperty("opponentOptions").EnumerateArray().Select(o => o.GetString()));

        // The same disputes from the other side.
        var fromJnim = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{jnimId}/disputes");
        Assert.Equal((2, 1, 1, 0), Counts(fromJnim));
        Assert.Equal(armyId, fromJnim.GetProperty("opponents")[0].GetProperty("sourceId").GetString());

        // Read a proposition at a time, as a prolific source's are read in parts, the record is the same.
        var queries = api.Factory.Services.GetRequiredService<RecordQueries>();
        var whole = await queries.DisputesOfAsync(armyId);
        var inParts = await queries.DisputesOfAsync(armyId, propositionsPerRead: 1);
        Assert.Equal(Describe(whole!), Describe(inParts!));

        // Cut down, the totals still count every opponent and dispute.
        var cut = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{armyId}/disputes?limit=1&perOpponent=1");
        Assert.Equal((3, 1, 2, 0), Counts(cut));
        var only = Assert.Single(cut.GetProperty("opponents").EnumerateArray());
        Assert.Equal((2, 1, 1, 0), Counts(only));
        Assert.Single(only.GetProperty("propositions").EnumerateArray());
    }

    [Fact]
    public async Task A_source_that_later_claimed_the_other_option_is_counted_on_what_it_says_now()
    {
        // The account first echoed the army, then two days later said JNIM took the base, without
        // touching its first post: as with a reversal, only the later claim stands against the army.
        var (army, account, question) = (Unique("army"), Unique("account"), $"Who held Boni? {Guid.NewGuid()}");
        var items = await PostAsync(
            Claim(army, question, Repelled, "2023-09-28T09:00:00Z"),
            Claim(account, question, Repelled, "2023-09-28T11:00:00Z"),
            Claim(account, question, Taken, "2023-09-30T11:00:00Z"));
        var (armyId, accountId) = (items[0].GetProperty("sourceId").GetString()!, items[1].GetProperty("sourceId").GetString()!);
        await ResolveAsync(items[0].GetProperty("propositionId").GetString()!, new { option = Taken, evidence = new[] { "https://example.org/imagery" }, at = "2023-10-02T00:00:00Z" });

        var record = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{armyId}/disputes");

        var opponent = Assert.Single(record.GetProperty("opponents").EnumerateArray());
        Assert.Equal(accountId, opponent.GetProperty("sourceId").GetString());
        Assert.Equal((1, 0, 1, 0), Counts(opponent));
        Assert.Equal([Taken], opponent.GetProperty("propositions")[0].GetProperty("opponentOptions").EnumerateArray().Select(o => o.GetString()));
        var fromAccount = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{accountId}/disputes");
        Assert.Equal((1, 1, 0, 0), Counts(fromAccount));
    }

    [Fact]
    public async Task As_of_a_past_moment_the_record_is_the_claims_standing_and_the_verdicts_in_force_then()
    {
        var (army, jnim) = (Unique("army"), Unique("jnim"));
        var run = Guid.NewGuid();
        string Question(string place) => $"Who held {place} on 28 Sept? {run}";

        // Both spoke on 28 September, except JNIM on Boni, which it spoke to only on 8 October.
        var acharane = await PostAsync(
            Claim(army, Question("Acharane"), Repelled, "2023-09-28T09:00:00Z"), Claim(jnim, Question("Acharane"), Taken, "2023-09-28T10:00:00Z"));
        var mourdiah = await PostAsync(
            Claim(army, Question("Mourdiah"), Repelled, "2023-09-28T09:00:00Z"), Claim(jnim, Question("Mourdiah"), Taken, "2023-09-28T10:00:00Z"));
        var dioura = await PostAsync(
            Claim(army, Question("Dioura"), Repelled, "2023-09-28T09:00:00Z"), Claim(jnim, Question("Dioura"), Taken, "2023-09-28T10:00:00Z"));
        var boni = await PostAsync(
            Claim(army, Question("Boni"), Repelled, "2023-09-28T09:00:00Z"), Claim(jnim, Question("Boni"), Taken, "2023-10-08T10:00:00Z"));
        var tombouctou = await PostAsync(
            Claim(army, Question("Tombouctou"), Repelled, "2023-09-28T09:00:00Z"), Claim(jnim, Question("Tombouctou"), Taken, "2023-09-28T10:00:00Z"));
        var armyId = acharane[0].GetProperty("sourceId").GetString()!;
        string PropositionOf(JsonElement[] items) => items[0].GetProperty("propositionId").GetString()!;
        string ClaimOf(JsonElement item) => item.GetProperty("id").GetString()!;

        // Acharane: JNIM's version confirmed on 2 October, revised to the army's on 10 October.
        await ResolveAsync(PropositionOf(acharane), new { option = Taken, evidence = new[] { "https://example.org/a" }, at = "2023-10-02T00:00:00Z" });
        await ResolveAsync(PropositionOf(acharane), new { option = Repelled, evidence = new[] { "https://example.org/b" }, at = "2023-10-10T00:00:00Z" });
        await ResolveAsync(PropositionOf(mourdiah), new { option = Repelled, evidence = new[] { "https://example.org/c" }, at = "2023-10-01T00:00:00Z" });
        await ResolveAsync(PropositionOf(dioura), new { option = Taken, evidence = new[] { "https://example.org/d" }, at = "2023-10-01T00:00:00Z" });
        await ResolveAsync(PropositionOf(boni), new { option = Repelled, evidence = new[] { "https://example.org/e" }, at = "2023-10-01T00:00:00Z" });
        // Tombouctou is resolved only on 9 October.
        await ResolveAsync(PropositionOf(tombouctou), new { option = Taken, evidence = new[] { "https://example.org/f" }, at = "2023-10-09T00:00:00Z" });
        // JNIM retracts its Mourdiah claim on 6 October; the army reverses its Dioura claim to JNIM's on 7 October.
        (await Client.PostAsJsonAsync($"/v1/claims/{ClaimOf(mourdiah[1])}/corrections", new { kind = "retracted", at = "2023-10-06T00:00:00Z" }))
            .EnsureSuccessStatusCode();
        (await Client.PostAsJsonAsync($"/v1/claims/{ClaimOf(dioura[0])}/corrections", new
        {
            kind = "reversed",
            at = "2023-10-07T00:00:00Z",
            replacement = new { id = Unique("claim"), option = Taken, publishedAt = "2023-10-07T00:00:00Z" },
        })).EnsureSuccessStatusCode();

        async Task<(int Confirmed, string Won, string Lost)> AsOfAsync(string? asOf)
        {
            var record = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{armyId}/disputes" + (asOf is null ? "" : $"?asOf={asOf}"));
            Assert.Equal(asOf is null ? JsonValueKind.Null : JsonValueKind.String, record.GetProperty("asOf").ValueKind);
            var propositions = record.GetProperty("opponents").EnumerateArray().SelectMany(o => o.GetProperty("propositions").EnumerateArray()).ToArray();
            string Places(string outcome) => string.Join(",", propositions
                .Where(d => d.GetProperty("outcome").GetString() == outcome)
                .Select(d => d.GetProperty("question").GetString()!.Split(' ')[2]).Order(StringComparer.Ordinal));
            Assert.Equal((Places("won").Split(',', StringSplitOptions.RemoveEmptyEntries).Length, Places("lost").Split(',', StringSplitOptions.RemoveEmptyEntries).Length),
                (record.GetProperty("won").GetInt32(), record.GetProperty("lost").GetInt32()));
            return (record.GetProperty("confirmedPropositions").GetInt32(), Places("won"), Places("lost"));
        }

        // Today: Acharane's revision makes the army right; JNIM's retraction and the army's reversal
        // leave no dispute at Mourdiah and Dioura; Boni and Tombouctou count.
        Assert.Equal((5, "Acharane,Boni", "Tombouctou"), await AsOfAsync(null));
        // Before any verdict, nothing was settled.
        Assert.Equal((0, "", ""), await AsOfAsync("2023-09-30T00:00:00Z"));
        // On 5 October: Acharane as first resolved, JNIM's Mourdiah claim and the army's first Dioura
        // claim still standing, JNIM not yet on Boni, Tombouctou not yet resolved.
        Assert.Equal((4, "Mourdiah", "Acharane,Dioura"), await AsOfAsync("2023-10-05T00:00:00Z"));
        // On 9 October, noon: the retraction, the reversal, JNIM's Boni claim and Tombouctou's verdict
        // are on record; Acharane's revision is not.
        Assert.Equal((5, "Boni", "Acharane,Tombouctou"), await AsOfAsync("2023-10-09T12:00:00%2B00:00"));
        // Now, read as an explicit moment, is today's record.
        Assert.Equal((5, "Acharane,Boni", "Tombouctou"), await AsOfAsync(Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))));

        // The asked moment is part of the answer, so two moments never share a tag, even where the
        // record was the same (nothing was settled on either day), and neither shares today's.
        var tags = new List<string>();
        foreach (var asOf in new[] { "", "?asOf=2023-09-29T00:00:00Z", "?asOf=2023-09-30T00:00:00Z", "?asOf=2023-10-05T00:00:00Z" })
        {
            using var response = await Client.GetAsync($"/v1/sources/{armyId}/disputes{asOf}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            tags.Add(response.Headers.ETag!.Tag);
        }

        Assert.Equal(tags.Count, tags.Distinct().Count());
        using var revalidated = new HttpRequestMessage(HttpMethod.Get, $"/v1/sources/{armyId}/disputes?asOf=2023-10-05T00:00:00Z");
        revalidated.Headers.TryAddWithoutValidation("If-None-Match", tags[3]);
        using var unchanged = await Client.SendAsync(revalidated);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
    }

    [Fact]
    public async Task A_claim_withdrawn_before_its_document_kept_the_time_gets_it_back_from_the_stream()
    {
        var (army, jnim, question) = (Unique("army"), Unique("jnim"), $"Who held Nara? {Guid.NewGuid()}");
        var items = await PostAsync(Claim(army, question, Repelled, "2023-09-28T09:00:00Z"), Claim(jnim, question, Taken, "2023-09-28T10:00:00Z"));
        var (armyId, jnimClaim) = (items[0].GetProperty("sourceId").GetString()!, items[1].GetProperty("id").GetString()!);
        await ResolveAsync(items[0].GetProperty("propositionId").GetString()!, new { option = Repelled, evidence = new[] { "https://example.org/a" }, at = "2023-10-01T00:00:00Z" });
        // Two withdrawals, the later-recorded one dated earlier: the earlier date is when the claim stopped standing.
        (await Client.PostAsJsonAsync($"/v1/claims/{jnimClaim}/corrections", new { kind = "retracted", at = "2023-10-08T00:00:00Z" })).EnsureSuccessStatusCode();
        (await Client.PostAsJsonAsync($"/v1/claims/{jnimClaim}/corrections", new
        {
            kind = "reversed",
            at = "2023-10-06T00:00:00Z",
            replacement = new { id = Unique("claim"), option = Repelled, publishedAt = "2023-10-06T00:00:00Z" },
        })).EnsureSuccessStatusCode();
        async Task<int> WonAsync(string asOf) =>
            (await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{armyId}/disputes?asOf={asOf}")).GetProperty("won").GetInt32();
        Assert.Equal((1, 0), (await WonAsync("2023-10-05T00:00:00Z"), await WonAsync("2023-10-07T00:00:00Z")));

        // Stored as a document of the previous version would be: without the time.
        var store = api.Factory.Services.GetRequiredService<IDocumentStore>();
        async Task StripAsync()
        {
            await using var connection = store.Storage.Database.CreateConnection();
            await connection.OpenAsync();
            await using var strip = new NpgsqlCommand(
                $"update {store.Options.Schema.For<ClaimDocument>()} set data = data - 'WithdrawnAt' where id = $1", connection);
            strip.Parameters.Add(new NpgsqlParameter { Value = jnimClaim });
            Assert.Equal(1, await strip.ExecuteNonQueryAsync());
        }

        async Task<DateTimeOffset?> WithdrawnAtAsync() =>
            (await api.Factory.Services.GetRequiredService<RecordQueries>().FindClaimAsync(jnimClaim))!.WithdrawnAt;
        await StripAsync();

        // Unknown, the withdrawal counts at every moment: the past record shows no claim it cannot vouch for.
        Assert.Equal(0, await WonAsync("2023-10-05T00:00:00Z"));

        var filled = await new ClaimWithdrawalTimes(store, NullLogger<ClaimWithdrawalTimes>.Instance).FillInAsync();

        Assert.True(filled >= 1, $"{filled} filled in");
        var october6 = new DateTimeOffset(2023, 10, 6, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(october6, await WithdrawnAtAsync());
        Assert.Equal((1, 0), (await WonAsync("2023-10-05T00:00:00Z"), await WonAsync("2023-10-07T00:00:00Z")));
        // Done, the pass finds nothing more to do for this claim.
        await using (var session = store.QuerySession())
        {
            Assert.DoesNotContain(await session.QueryAsync<ClaimDocument>(ClaimWithdrawalTimes.Missing), c => c.Id == jnimClaim);
        }

        // A later correction of such a claim reads the earlier withdrawals from the stream itself,
        // rather than taking its own, later time for when the claim stopped standing.
        await StripAsync();
        (await Client.PostAsJsonAsync($"/v1/claims/{jnimClaim}/corrections", new { kind = "retracted", at = "2023-10-09T00:00:00Z" })).EnsureSuccessStatusCode();
        Assert.Equal(october6, await WithdrawnAtAsync());
    }

    /// <summary>
    /// The start-up pass scans the claim documents until a pass has completed, then never again: a
    /// time missing afterwards (a copy of the previous version withdrew the claim during a rolling
    /// upgrade) waits until the pass is asked for again, as the runbook says.
    /// </summary>
    [Fact]
    public async Task A_completed_withdrawal_time_pass_is_not_run_again_at_the_next_start()
    {
        var (army, jnim, question) = (Unique("army"), Unique("jnim"), $"Who held Ténenkou? {Guid.NewGuid()}");
        var items = await PostAsync(Claim(army, question, Repelled, "2023-09-28T09:00:00Z"), Claim(jnim, question, Taken, "2023-09-28T10:00:00Z"));
        var jnimClaim = items[1].GetProperty("id").GetString()!;
        (await Client.PostAsJsonAsync($"/v1/claims/{jnimClaim}/corrections", new { kind = "retracted", at = "2023-10-08T00:00:00Z" })).EnsureSuccessStatusCode();
        var store = api.Factory.Services.GetRequiredService<IDocumentStore>();
        var schema = store.Options.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        async Task<int> StripAsync()
        {
            await using var command = new NpgsqlCommand(
                $"update {store.Options.Schema.For<ClaimDocument>()} set data = data - 'WithdrawnAt' where id = $1", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = jnimClaim });
            return await command.ExecuteNonQueryAsync();
        }

        async Task<long> PassesDoneAsync()
        {
            await using var command = new NpgsqlCommand($"select count(*) from {schema}.claim_withdrawal_time_passes where pass = {ClaimWithdrawalTimes.Pass}", connection);
            return (long)(await command.ExecuteScalarAsync())!;
        }

        async Task<DateTimeOffset?> WithdrawnAtAsync() =>
            (await api.Factory.Services.GetRequiredService<RecordQueries>().FindClaimAsync(jnimClaim))!.WithdrawnAt;
        var pass = new ClaimWithdrawalTimes(store, NullLogger<ClaimWithdrawalTimes>.Instance);

        // The service's own start completed the pass.
        Assert.Equal(1, await PassesDoneAsync());
        Assert.Equal(1, await StripAsync());

        Assert.Equal(0, await pass.FillInUnlessDoneAsync());
        Assert.Null(await WithdrawnAtAsync());

        // Asked for again: the next start scans, fills the time in and records the pass done again.
        await using (var again = new NpgsqlCommand($"delete from {schema}.claim_withdrawal_time_passes", connection))
        {
            await again.ExecuteNonQueryAsync();
        }

        Assert.True(await pass.FillInUnlessDoneAsync() >= 1);
        Assert.Equal(new DateTimeOffset(2023, 10, 8, 0, 0, 0, TimeSpan.Zero), await WithdrawnAtAsync());
        Assert.Equal(1, await PassesDoneAsync());
    }

    [Fact]
    public async Task A_source_with_no_confirmed_contradictions_has_an_empty_record()
    {
        var items = await PostAsync(Claim(Unique("lone"), $"Who held Boulkessi? {Guid.NewGuid()}", Repelled, "2023-09-28T09:00:00Z"));

        var record = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{items[0].GetProperty("sourceId").GetString()}/disputes");

        Assert.Equal(0, record.GetProperty("confirmedPropositions").GetInt32());
        Assert.Equal((0, 0, 0, 0), Counts(record));
        Assert.Empty(record.GetProperty("opponents").EnumerateArray());
    }

    /// <summary>Before its registration a source has no record, empty or not: 404, as its profile then.</summary>
    [Fact]
    public async Task Disputes_as_of_a_moment_before_the_source_was_on_record_are_not_found_like_its_profile()
    {
        // Registered by its first claim, as of when that was published.
        var items = await PostAsync(Claim(Unique("early"), $"Who held Léré? {Guid.NewGuid()}", Repelled, "2023-09-28T09:00:00Z"));
        var sourceId = items[0].GetProperty("sourceId").GetString()!;

        foreach (var path in new[] { $"/v1/sources/{sourceId}", $"/v1/sources/{sourceId}/disputes" })
        {
            using var before = await Client.GetAsync($"{path}?asOf=2023-09-28T08:59:59Z");
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
            Assert.Equal("application/problem+json", before.Content.Headers.ContentType?.MediaType);
            Assert.Contains("not yet on record", (await before.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

            using var registered = await Client.GetAsync($"{path}?asOf=2023-09-28T09:00:00Z");
            Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        }
    }

    [Theory]
    [InlineData("/v1/sources/nobody-has-this-id/disputes", HttpStatusCode.NotFound, null)]
    [InlineData("/v1/sources/nobody-has-this-id/disputes?limit=0", HttpStatusCode.BadRequest, "limit")]
    [InlineData("/v1/sources/nobody-has-this-id/disputes?perOpponent=1001", HttpStatusCode.BadRequest, "perOpponent")]
    [InlineData("/v1/sources/nobody-has-this-id/disputes?asOf=yesterday", HttpStatusCode.BadRequest, "asOf")]
    [InlineData("/v1/sources/nobody-has-this-id/disputes?asOf=2023-10-05T00:00:00", HttpStatusCode.BadRequest, "asOf")]
    [InlineData("/v1/sources/nobody-has-this-id/disputes?asOf=2999-01-01T00:00:00Z", HttpStatusCode.BadRequest, "asOf")]
    public async Task Bad_requests_are_problems(string path, HttpStatusCode status, string? field)
    {
        using var response = await Client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
    }

    private static string Describe(SourceDisputes disputes) => $"{disputes.ConfirmedPropositions}: " + string.Join(
        "; ",
        disputes.Opponents.Select(o => o.OpponentId + " " + string.Join(
            ", ", o.Disputes.Select(d => $"{d.Proposition.PropositionId} {string.Join("/", d.Options)} vs {string.Join("/", d.OpponentOptions)} {d.Outcome}"))));

    private static (int Disputes, int Won, int Lost, int NeitherRight) Counts(JsonElement record) => (
        record.GetProperty("disputes").GetInt32(), record.GetProperty("won").GetInt32(), record.GetProperty("lost").GetInt32(),
        record.GetProperty("neitherRight").GetInt32());
}
