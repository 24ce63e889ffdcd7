using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Reliability.Infrastructure.Security;
using Reliability.Infrastructure.Webhooks;
using Reliability.Testing;

namespace Reliability.Api.Tests;

/// <summary>
/// The deletion watcher and webhooks end to end through the running service: a fake platform and a
/// fake webhook receiver on loopback, a schedule shortened to a fraction of a second.
/// </summary>
public sealed class WatcherAndWebhookTests(WatcherAndWebhookTests.Api api) : IClassFixture<WatcherAndWebhookTests.Api>
{
    public sealed class Api : IAsyncLifetime
    {
        public ReliabilityApiFactory Factory { get; private set; } = null!;
        public HttpClient Admin { get; private set; } = null!;
        public HttpClient Contributor { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Factory = await ReliabilityApiFactory.StartAsync("watcher", new Dictionary<string, string>
            {
                // The fake platform and receiver listen on loopback, which the address rule refuses by default.
                ["Reliability:Watcher:AllowPrivateNetworks"] = "true",
                ["Reliability:Watcher:FirstCheckDelay"] = "00:00:00.2",
                ["Reliability:Watcher:CheckInterval"] = "00:00:00.3",
                ["Reliability:Watcher:TickInterval"] = "00:00:00.2",
                ["Reliability:Watcher:ConfirmationsForDeletion"] = "2",
                ["Reliability:Watcher:AttemptTimeout"] = "00:00:01",
                ["Reliability:Watcher:TotalTimeout"] = "00:00:04",
                ["Reliability:Watcher:RetryCount"] = "1",
                ["Reliability:Watcher:RetryBaseDelay"] = "00:00:00.05",
                ["Reliability:Watcher:CircuitBreakerMinimumThroughput"] = "4",
                ["Reliability:Watcher:CircuitBreakerSamplingDuration"] = "00:00:30",
                ["Reliability:Watcher:CircuitBreakerBreakDuration"] = "00:00:03",
                ["Reliability:Watcher:RequestsPerSecondPerHost"] = "50",
                ["Reliability:Webhooks:MaxAttempts"] = "4",
                ["Reliability:Webhooks:RetryBaseDelay"] = "00:00:00.05",
                ["Reliability:Webhooks:RetryMaxDelay"] = "00:00:00.2",
                ["Reliability:Webhooks:AttemptTimeout"] = "00:00:02",
                ["Reliability:Webhooks:OutboxPollInterval"] = "00:00:00.2",
                ["Reliability:Webhooks:DuePollInterval"] = "00:00:00.2",
                ["Reliability:Webhooks:CircuitBreakerBreakDuration"] = "00:00:01",
            });
            Admin = Factory.CreateAdminClient();
            Contributor = await Factory.CreateClientAsync(ApiKeyRole.Contributor);
        }

        public async Task DisposeAsync()
        {
            Admin.Dispose();
            Contributor.Dispose();
            await Factory.DisposeAsync();
        }
    }

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_post_that_flips_from_200_to_404_is_recorded_as_an_observed_deletion_and_announced()
    {
        var gone = false;
        var hits = 0;
        await using var platform = await LoopbackServer.StartAsync(app => app.MapGet("/posts/{id}", () =>
        {
            Interlocked.Increment(ref hits);
            return Volatile.Read(ref gone) ? Results.NotFound() : Results.Ok("a post");
        }));
        await using var receiver = await FakeReceiver.StartAsync(_ => 200);

        const string text = "Les FAMa ont repoussé l'attaque.";
        var claimId = NewId("flip");
        var sourceId = await PostClaimAsync(claimId, platform.Url($"/posts/{claimId}"), text);
        var secret = await SubscribeAsync(receiver.Url, ["claim.deleted"], sourceId);

        await UntilAsync(() => WatchAsync(claimId), w => Text(w, "lastVerdict") == "live", "a first check finds the post");
        Volatile.Write(ref gone, true);
        var claim = await UntilAsync(() => ClaimAsync(claimId), c => Text(c, "status") == "deleted", "the deletion is recorded");

        var correction = Assert.Single(claim.GetProperty("corrections").EnumerateArray());
        Assert.Equal("deleted", correction.GetProperty("kind").GetString());
        Assert.Equal("observed", correction.GetProperty("deletion").GetString());
        // The worker stops watching right after recording the deletion.
        var watch = await UntilAsync(() => WatchAsync(claimId), w => !w.GetProperty("watching").GetBoolean(), "the watch ends");
        Assert.Equal("confirmed-gone", watch.GetProperty("state").GetString());
        var endedBy = watch.GetProperty("endedBy");
        Assert.Equal(("deleted", "observed"), (Text(endedBy, "correction"), Text(endedBy, "deletion")));
        Assert.Equal(correction.GetProperty("id").GetString(), Text(endedBy, "correctionId"));
        // The archive made at ingestion outlives the post.
        Assert.Equal(text, watch.GetProperty("archive").GetProperty("text").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), watch.GetProperty("archive").GetProperty("contentHash").GetString());

        var sourceClaims = await api.Admin.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/claims");
        Assert.Contains(sourceClaims.GetProperty("claims").EnumerateArray(),
            c => c.GetProperty("id").GetString() == claimId && c.GetProperty("status").GetString() == "deleted");

        await UntilAsync(() => Task.FromResult(receiver.Accepted.IsEmpty), empty => !empty, "the webhook arrives");
        Assert.True(receiver.Accepted.TryPeek(out var delivered));
        Assert.Equal("claim.deleted", delivered.Event);
        Assert.True(WebhookSignature.Verify(delivered.Signature, delivered.Body, secret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        using var body = JsonDocument.Parse(delivered.Body);
        Assert.Equal(claimId, body.RootElement.GetProperty("data").GetProperty("claimId").GetString());
        Assert.Single(receiver.Accepted);
    }

    [Fact]
    public async Task An_editors_retraction_announced_deletion_or_reversal_ends_the_watch_saying_why_and_an_amendment_does_not()
    {
        var hits = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await using var platform = await LoopbackServer.StartAsync(app => app.MapGet("/posts/{id}", (string id) =>
        {
            hits.AddOrUpdate(id, 1, (_, n) => n + 1);
            return Results.Ok("a post that stays up");
        }));
        var (retracted, announced, reversed, amended) = (NewId("retracted"), NewId("announced"), NewId("reversed"), NewId("amended"));
        string[] ended = [retracted, announced, reversed];
        foreach (var id in ended.Append(amended))
        {
            await PostClaimAsync(id, platform.Url($"/posts/{id}"), "The camp fell at dawn.");
        }

        await UntilAsync(() => AllAsync([.. ended, amended], w => Text(w, "lastVerdict") == "live"), "every post is checked");
        // Whole seconds: the time comes back as it was sent.
        var at = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 2);
        await CorrectAsync(retracted, new { kind = "retracted", at });
        await CorrectAsync(announced, new { kind = "deleted", deletion = "announced", at });
        await CorrectAsync(reversed, new { kind = "reversed", at, replacement = new { id = NewId("replacement"), option = "the rebels", publishedAt = at } });
        await CorrectAsync(amended, new { kind = "amended", at, note = "The source added the hour." });

        foreach (var (id, kind) in new[] { (retracted, "retracted"), (announced, "deleted"), (reversed, "reversed") })
        {
            var watch = await WatchAsync(id);
            Assert.False(watch.GetProperty("watching").GetBoolean(), id);
            Assert.Null(Text(watch, "nextCheckAt"));
            var endedBy = watch.GetProperty("endedBy");
            Assert.Equal(kind, Text(endedBy, "correction"));
            Assert.Equal(at, endedBy.GetProperty("correctedAt").GetDateTimeOffset());
            var correction = Assert.Single((await ClaimAsync(id)).GetProperty("corrections").EnumerateArray());
            Assert.Equal(correction.GetProperty("id").GetString(), Text(endedBy, "correctionId"));
        }

        Assert.Equal("announced", Text((await WatchAsync(announced)).GetProperty("endedBy"), "deletion"));
        var stillWatched = await WatchAsync(amended);
        Assert.True(stillWatched.GetProperty("watching").GetBoolean());
        Assert.NotNull(Text(stillWatched, "nextCheckAt"));
        Assert.Equal(JsonValueKind.Null, stillWatched.GetProperty("endedBy").ValueKind);

        // The amended post is checked on, the others never again: a check already under way when its
        // claim was corrected has reached the platform once the amended one was checked twice since.
        var checks = stillWatched.GetProperty("checks").GetInt32();
        await UntilAsync(() => WatchAsync(amended), w => w.GetProperty("checks").GetInt32() >= checks + 2, "the amended post is checked again");
        var seen = ended.ToDictionary(id => id, id => hits.GetValueOrDefault(id));
        await UntilAsync(() => WatchAsync(amended), w => w.GetProperty("checks").GetInt32() >= checks + 5, "the amended post is checked on");
        Assert.All(ended, id => Assert.Equal(seen[id], hits.GetValueOrDefault(id)));
    }

    [Fact]
    public async Task Bursts_of_500_429_and_timeouts_delete_nothing_open_the_circuit_which_closes_again()
    {
        var healthy = false;
        var hits = 0;
        await using var platform = await LoopbackServer.StartAsync(app => app.MapGet("/posts/{id}", async (HttpContext context) =>
        {
            var n = Interlocked.Increment(ref hits);
            if (Volatile.Read(ref healthy))
            {
                return Results.Ok("a post");
            }

            switch (n % 3)
            {
                case 0:
                    return Results.StatusCode(StatusCodes.Status500InternalServerError);
                case 1:
                    return Results.StatusCode(StatusCodes.Status429TooManyRequests);
                default:
                    // Longer than an attempt may take: a timeout.
                    await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
                    return Results.Ok("too late");
            }
        }));

        var claimIds = Enumerable.Range(0, 3).Select(i => NewId($"burst{i}")).ToList();
        foreach (var id in claimIds)
        {
            await PostClaimAsync(id, platform.Url($"/posts/{id}"), "Claim whose platform is unwell.");
        }

        await UntilAsync(async () => await AnyAsync(claimIds, w => Text(w, "lastReason") == "circuit-open"),
            "the host's circuit opens");
        foreach (var id in claimIds)
        {
            var watch = await WatchAsync(id);
            Assert.Equal("live", watch.GetProperty("state").GetString());
            Assert.Equal(0, watch.GetProperty("consecutiveGone").GetInt32());
            Assert.Empty((await ClaimAsync(id)).GetProperty("corrections").EnumerateArray());
        }

        Volatile.Write(ref healthy, true);
        await UntilAsync(async () => await AllAsync(claimIds, w => Text(w, "lastVerdict") == "live"),
            "the circuit closes and the posts are seen live");
        foreach (var id in claimIds)
        {
            var claim = await ClaimAsync(id);
            // Uncorrected, on an unresolved proposition.
            Assert.Equal("open", claim.GetProperty("status").GetString());
            Assert.Empty(claim.GetProperty("corrections").EnumerateArray());
        }
    }

    [Fact]
    public async Task A_withheld_post_is_no_deletion_and_is_announced_to_the_articles_citing_it()
    {
        var withheld = false;
        await using var platform = await LoopbackServer.StartAsync(app => app.MapGet("/posts/{id}", () =>
            Volatile.Read(ref withheld) ? Results.StatusCode(StatusCodes.Status451UnavailableForLegalReasons) : Results.Ok("a post")));
        await using var receiver = await FakeReceiver.StartAsync(_ => 200);
        var claimId = NewId("withheld");
        await PostClaimAsync(claimId, platform.Url($"/posts/{claimId}"), "A post a court later ordered withheld.");
        var article = await api.Contributor.PostAsJsonAsync("/v1/articles", new { url = $"https://news.example/{claimId}", publishedAt = DateTimeOffset.UtcNow, claimIds = new[] { claimId } });
        Assert.Equal(HttpStatusCode.OK, article.StatusCode);
        var articleId = (await article.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var secret = await SubscribeAsync(receiver.Url, ["claim.withheld", "claim.deleted"], articleId: articleId);
        await UntilAsync(() => WatchAsync(claimId), w => Text(w, "lastVerdict") == "live", "a first check finds the post");
        Volatile.Write(ref withheld, true);

        await UntilAsync(() => Task.FromResult(receiver.Accepted.IsEmpty), empty => !empty, "the withheld post is announced");

        var announced = Assert.Single(receiver.Accepted);
        Assert.Equal("claim.withheld", announced.Event);
        Assert.True(WebhookSignature.Verify(announced.Signature, announced.Body, secret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        using var body = JsonDocument.Parse(announced.Body);
        Assert.Contains(body.RootElement.GetProperty("articleIds").EnumerateArray(), id => id.GetString() == articleId);
        var watch = await WatchAsync(claimId);
        Assert.Equal("withheld", Text(watch, "state"));
        Assert.True(watch.GetProperty("watching").GetBoolean());
        Assert.Empty((await ClaimAsync(claimId)).GetProperty("corrections").EnumerateArray());
    }

    [Fact]
    public async Task A_resolution_is_announced_to_subscribers_of_its_claimants()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 200);
        var item = await PostClaimItemAsync(NewId("resolved"), url: null, "The army holds the camp.");
        var propositionId = item.GetProperty("propositionId").GetString();
        var secret = await SubscribeAsync(receiver.Url, ["proposition.resolved"], sourceId: item.GetProperty("sourceId").GetString());

        var resolved = await api.Admin.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution", new { option = "the rebels" });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);

        await UntilAsync(() => Task.FromResult(receiver.Accepted.IsEmpty), empty => !empty, "the resolution is announced");
        var announced = Assert.Single(receiver.Accepted);
        Assert.Equal("proposition.resolved", announced.Event);
        Assert.True(WebhookSignature.Verify(announced.Signature, announced.Body, secret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        using var body = JsonDocument.Parse(announced.Body);
        Assert.Equal(propositionId, body.RootElement.GetProperty("data").GetProperty("propositionId").GetString());
        Assert.Equal("the rebels", body.RootElement.GetProperty("data").GetProperty("resolution").GetProperty("option").GetString());
    }

    [Fact]
    public async Task A_resolution_is_announced_to_the_articles_that_cited_its_claims()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 200);
        var firstId = NewId("cited");
        var first = await PostClaimItemAsync(firstId, url: null, "The army repelled the attack.");
        var propositionId = first.GetProperty("propositionId").GetString();
        // A second claimant on the same proposition, and a claim on another one.
        var secondId = NewId("cited");
        var second = await PostClaimItemAsync(secondId, url: null, "The militants took the camp.", question: firstId, option: "the rebels");
        Assert.Equal(propositionId, second.GetProperty("propositionId").GetString());
        var elsewhere = await PostClaimItemAsync(NewId("elsewhere"), url: null, "Another camp.");
        var citing = await ArticleAsync($"https://news.example/{secondId}", secondId);
        var notCiting = await ArticleAsync($"https://news.example/{secondId}-other", elsewhere.GetProperty("id").GetString()!);
        // Subscribed to those two articles alone: only an event that names one of them reaches this receiver.
        var secret = await SubscribeAsync(receiver.Url, ["proposition.resolved"], articleIds: [citing, notCiting]);

        var resolved = await api.Admin.PutAsJsonAsync($"/v1/propositions/{propositionId}/resolution", new { option = "the rebels" });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);

        await UntilAsync(() => Task.FromResult(receiver.Accepted.IsEmpty), empty => !empty, "the resolution is announced to the article");
        var announced = Assert.Single(receiver.Accepted);
        Assert.True(WebhookSignature.Verify(announced.Signature, announced.Body, secret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        using var body = JsonDocument.Parse(announced.Body);
        Assert.Equal([citing], body.RootElement.GetProperty("articleIds").EnumerateArray().Select(id => id.GetString()));
        Assert.Equal(propositionId, body.RootElement.GetProperty("data").GetProperty("propositionId").GetString());
    }

    [Fact]
    public async Task A_claim_its_source_contradicts_later_is_announced_to_the_articles_citing_it()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 200);
        var (citedId, laterId, handle) = (NewId("cited"), NewId("later"), $"desk_{Guid.NewGuid():N}"[..20]);
        object Said(string id, string option, DateTimeOffset at) => new
        {
            id,
            handle = new { platform = "x", handle },
            proposition = new { question = "Who holds the camp? " + citedId, options = new[] { "the army", "the rebels" } },
            option,
            publishedAt = at,
            url = $"https://x.com/{handle}/status/{at.ToUnixTimeSeconds()}",
        };
        var at = DateTimeOffset.UtcNow.AddHours(-5);
        (await api.Contributor.PostAsJsonAsync("/v1/claims", new { claims = new[] { Said(citedId, "the army", at) } })).EnsureSuccessStatusCode();
        var citing = await ArticleAsync($"https://news.example/{citedId}", citedId);
        var secret = await SubscribeAsync(receiver.Url, ["claim.superseded"], articleId: citing);

        // The same account says the opposite hours later, and leaves the cited post up. Saying the
        // same thing again, or an earlier post found late, contradicts nothing and is not announced.
        (await api.Contributor.PostAsJsonAsync("/v1/claims", new { claims = new[] { Said(NewId("again"), "the army", at.AddHours(1)), Said(NewId("older"), "the rebels", at.AddHours(-1)) } }))
            .EnsureSuccessStatusCode();
        (await api.Contributor.PostAsJsonAsync("/v1/claims", new { claims = new[] { Said(laterId, "the rebels", at.AddHours(3)) } })).EnsureSuccessStatusCode();

        await UntilAsync(() => Task.FromResult(receiver.Accepted.IsEmpty), empty => !empty, "the change of mind is announced");
        var announced = Assert.Single(receiver.Accepted);
        Assert.Equal("claim.superseded", announced.Event);
        Assert.True(WebhookSignature.Verify(announced.Signature, announced.Body, secret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        using var body = JsonDocument.Parse(announced.Body);
        Assert.Equal([citing], body.RootElement.GetProperty("articleIds").EnumerateArray().Select(id => id.GetString()));
        var data = body.RootElement.GetProperty("data");
        Assert.Equal(citedId, data.GetProperty("claimId").GetString());
        Assert.Equal(laterId, data.GetProperty("supersededBy").GetProperty("claimId").GetString());
        Assert.Equal("the rebels", data.GetProperty("supersededBy").GetProperty("option").GetString());
    }

    [Fact]
    public async Task A_change_of_mind_recorded_in_the_same_batch_as_the_claim_it_contradicts_is_announced_too()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 200);
        var (firstId, laterId, handle) = (NewId("first"), NewId("turned"), $"desk_{Guid.NewGuid():N}"[..20]);
        var registered = await api.Contributor.PostAsJsonAsync("/v1/sources", new { name = handle, kind = "social-account", handles = new[] { new { platform = "x", handle } } });
        var sourceId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await SubscribeAsync(receiver.Url, ["claim.superseded"], sourceId: sourceId);
        var at = DateTimeOffset.UtcNow.AddHours(-5);
        object Said(string id, string option, DateTimeOffset when) => new
        {
            id,
            sourceId,
            proposition = new { question = "Who holds the bridge? " + firstId, options = new[] { "the army", "the rebels" } },
            option,
            publishedAt = when,
        };

        // One request, so one commit: the first claim is not stored yet when the second is decided.
        (await api.Contributor.PostAsJsonAsync("/v1/claims", new { claims = new[] { Said(firstId, "the army", at), Said(laterId, "the rebels", at.AddHours(2)) } }))
            .EnsureSuccessStatusCode();

        await UntilAsync(() => Task.FromResult(receiver.Accepted.IsEmpty), empty => !empty, "the change of mind is announced");
        var data = JsonDocument.Parse(Assert.Single(receiver.Accepted).Body).RootElement.GetProperty("data");
        Assert.Equal(firstId, data.GetProperty("claimId").GetString());
        Assert.Equal(laterId, data.GetProperty("supersededBy").GetProperty("claimId").GetString());
    }

    [Fact]
    public async Task A_reversal_whose_replacement_contradicts_another_standing_claim_announces_that_claim_superseded()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 200);
        var (standing, reversed, replacement, handle) = (NewId("standing"), NewId("reversed"), NewId("replacement"), $"desk_{Guid.NewGuid():N}"[..20]);
        var registered = await api.Contributor.PostAsJsonAsync("/v1/sources", new { name = handle, kind = "social-account", handles = new[] { new { platform = "x", handle } } });
        var sourceId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var at = DateTimeOffset.UtcNow.AddHours(-5);
        object Said(string id, DateTimeOffset when) => new
        {
            id, sourceId, option = "the army", publishedAt = when,
            proposition = new { question = "Who holds the ford? " + standing, options = new[] { "the army", "the rebels" } },
        };
        (await api.Contributor.PostAsJsonAsync("/v1/claims", new { claims = new[] { Said(standing, at), Said(reversed, at.AddHours(1)) } })).EnsureSuccessStatusCode();
        await SubscribeAsync(receiver.Url, ["claim.superseded", "claim.reversed"], sourceId: sourceId);

        // The account reverses its second post; the first, saying the same, it leaves up.
        (await api.Contributor.PostAsJsonAsync($"/v1/claims/{reversed}/corrections", new
        {
            kind = "reversed",
            at = at.AddHours(2),
            replacement = new { id = replacement, option = "the rebels", publishedAt = at.AddHours(2) },
        })).EnsureSuccessStatusCode();

        var announced = await UntilAsync(() => Task.FromResult(receiver.Accepted.ToList()), found => found.Count >= 2, "the reversal and the change of mind are announced");
        await Task.Delay(500);
        Assert.Equal(2, receiver.Accepted.Count);
        var superseded = JsonDocument.Parse(Assert.Single(announced, a => a.Event == "claim.superseded").Body).RootElement.GetProperty("data");
        Assert.Equal(standing, superseded.GetProperty("claimId").GetString());
        Assert.Equal(replacement, superseded.GetProperty("supersededBy").GetProperty("claimId").GetString());
        Assert.Equal(reversed, JsonDocument.Parse(Assert.Single(announced, a => a.Event == "claim.reversed").Body).RootElement.GetProperty("data").GetProperty("claimId").GetString());
    }

    [Fact]
    public async Task A_new_outside_rating_of_a_cited_source_is_announced_to_the_articles_citing_it()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 200);
        var claimId = NewId("rated");
        var sourceId = await PostClaimAsync(claimId, url: null, "A claim by a source a list later deprecates.");
        var citing = await ArticleAsync($"https://news.example/{claimId}", claimId);
        var secret = await SubscribeAsync(receiver.Url, ["source.rated"], articleId: citing);
        var ratings = $"/v1/sources/{sourceId}/external-ratings/wikipedia-rsp";
        var now = DateTimeOffset.UtcNow;

        (await api.Contributor.PutAsJsonAsync(ratings, new { rating = "Deprecated", url = "https://en.wikipedia.org/wiki/WP:RSP", at = now.AddHours(-1) })).EnsureSuccessStatusCode();
        // An older word recorded late is history, and the same word again is nothing new: neither is announced.
        (await api.Contributor.PutAsJsonAsync(ratings, new { rating = "Generally reliable", at = now.AddDays(-400) })).EnsureSuccessStatusCode();
        (await api.Contributor.PutAsJsonAsync(ratings, new { rating = "Deprecated", url = "https://en.wikipedia.org/wiki/WP:RSP" })).EnsureSuccessStatusCode();
        (await api.Contributor.DeleteAsync(ratings)).EnsureSuccessStatusCode();

        var announced = await UntilAsync(() => Task.FromResult(receiver.Accepted.ToList()), found => found.Count >= 2, "both words are announced");
        Assert.Equal(2, announced.Count);
        Assert.All(announced, a => Assert.Equal("source.rated", a.Event));
        Assert.All(announced, a => Assert.True(WebhookSignature.Verify(a.Signature, a.Body, secret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5))));
        // Deliveries are sent side by side, so they may arrive in either order: ordered by the word's time.
        var data = announced.Select(a => JsonDocument.Parse(a.Body).RootElement.Clone())
            .OrderBy(d => d.GetProperty("data").GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.All(data, d => Assert.Equal([citing], d.GetProperty("articleIds").EnumerateArray().Select(id => id.GetString())));
        Assert.Equal(["Deprecated", null], data.Select(d => d.GetProperty("data").GetProperty("rating").GetString()));
        Assert.Equal("unreliable", data[0].GetProperty("data").GetProperty("expectedBand").GetString());
        Assert.Equal(sourceId, data[0].GetProperty("data").GetProperty("sourceId").GetString());
    }

    [Fact]
    public async Task A_handle_taken_from_a_cited_source_is_announced_to_the_source_and_the_articles_citing_it()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 200);
        var claimId = NewId("taken");
        var handle = "desk_" + claimId.Replace("-", "_", StringComparison.Ordinal);
        var sourceId = await PostClaimAsync(claimId, url: null, "A claim through an account that later changes hands.");
        var citing = await ArticleAsync($"https://news.example/{claimId}", claimId);
        await SubscribeAsync(receiver.Url, ["source.handle-removed"], articleId: citing);
        await SubscribeAsync(receiver.Url, ["source.rated"], sourceId: sourceId);

        (await api.Admin.DeleteAsync($"/v1/sources/{sourceId}/handles/x/{handle}?reason=taken%20over")).EnsureSuccessStatusCode();
        // Taken already: nothing new, nothing announced.
        Assert.Equal(HttpStatusCode.NotFound, (await api.Admin.DeleteAsync($"/v1/sources/{sourceId}/handles/x/{handle}")).StatusCode);

        await UntilAsync(() => Task.FromResult(receiver.Accepted.ToList()), found => found.Count >= 1, "the removal is announced");
        await Task.Delay(500);
        var delivery = Assert.Single(receiver.Accepted);
        Assert.Equal("source.handle-removed", delivery.Event);
        var body = JsonDocument.Parse(delivery.Body).RootElement;
        Assert.Equal([citing], body.GetProperty("articleIds").EnumerateArray().Select(id => id.GetString()));
        var data = body.GetProperty("data");
        Assert.Equal((sourceId, "x", handle, "taken over"), (data.GetProperty("sourceId").GetString(), data.GetProperty("platform").GetString(),
            data.GetProperty("handle").GetString(), data.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task A_merge_is_announced_to_the_subscribers_of_either_source_and_of_articles_citing_the_absorbed_one()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 200);
        var claimId = NewId("merged");
        var absorbed = await PostClaimAsync(claimId, url: null, "A claim by a channel that turns out to be the army's press office.");
        var survivor = "army-" + claimId;
        (await api.Admin.PostAsJsonAsync("/v1/sources", new { id = survivor, name = "Army press office" })).EnsureSuccessStatusCode();
        var citing = await ArticleAsync($"https://news.example/{claimId}", claimId);
        await SubscribeAsync(receiver.Url, ["source.merged"], sourceId: absorbed);
        await SubscribeAsync(receiver.Url, ["source.merged"], sourceId: survivor);
        await SubscribeAsync(receiver.Url, ["source.merged"], articleId: citing);

        (await api.Admin.PostAsJsonAsync($"/v1/sources/{survivor}/merge", new { absorb = absorbed, reason = "one office" })).EnsureSuccessStatusCode();
        // Merged already: nothing new, nothing announced.
        (await api.Admin.PostAsJsonAsync($"/v1/sources/{survivor}/merge", new { absorb = absorbed })).EnsureSuccessStatusCode();

        await UntilAsync(() => Task.FromResult(receiver.Accepted.ToList()), found => found.Count >= 3, "the merge is announced to each subscription");
        await Task.Delay(500);
        Assert.Equal(3, receiver.Accepted.Count);
        foreach (var delivery in receiver.Accepted)
        {
            Assert.Equal("source.merged", delivery.Event);
            var body = JsonDocument.Parse(delivery.Body).RootElement;
            Assert.Equal([citing], body.GetProperty("articleIds").EnumerateArray().Select(id => id.GetString()));
            var data = body.GetProperty("data");
            Assert.Equal((survivor, absorbed, "one office", 1), (data.GetProperty("sourceId").GetString(), data.GetProperty("absorbedId").GetString(),
                data.GetProperty("reason").GetString(), data.GetProperty("claims").GetInt32()));
        }

        // The article cites the survivor now.
        var article = await api.Admin.GetFromJsonAsync<JsonElement>($"/v1/articles/{citing}");
        Assert.Contains(survivor, article.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain($"\"{absorbed}\"", article.ToString(), StringComparison.Ordinal);
    }

    private async Task<string> ArticleAsync(string url, string claimId)
    {
        var article = await api.Contributor.PostAsJsonAsync("/v1/articles", new { url, publishedAt = DateTimeOffset.UtcNow, claimIds = new[] { claimId } });
        Assert.Equal(HttpStatusCode.OK, article.StatusCode);
        return (await article.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task A_receiver_that_fails_three_times_then_succeeds_gets_exactly_one_signed_delivery()
    {
        await using var receiver = await FakeReceiver.StartAsync(n => n <= 3 ? 500 : 200);
        var claimId = NewId("retry");
        var sourceId = await PostClaimAsync(claimId, url: null, "A claim later retracted.");
        var secret = await SubscribeAsync(receiver.Url, ["claim.retracted"], sourceId);
        var subscriptionId = (await api.Admin.GetFromJsonAsync<JsonElement[]>("/v1/webhooks"))!
            .Single(s => s.GetProperty("sourceIds").EnumerateArray().Any(id => id.GetString() == sourceId)).GetProperty("id").GetString();

        await RetractAsync(claimId);

        var deliveries = await UntilAsync(
            async () => (await api.Admin.GetFromJsonAsync<JsonElement[]>($"/v1/webhooks/deliveries?subscription={subscriptionId}"))!,
            found => found.Any(d => Text(d, "state") == "delivered"),
            "the delivery succeeds");
        var delivery = Assert.Single(deliveries);

        Assert.Equal(4, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(4, receiver.Requests);
        var accepted = Assert.Single(receiver.Accepted);
        Assert.Equal(delivery.GetProperty("id").GetString(), accepted.DeliveryId);
        Assert.All(receiver.DeliveryIds, id => Assert.Equal(accepted.DeliveryId, id));
        Assert.Equal("claim.retracted", accepted.Event);
        Assert.True(WebhookSignature.Verify(accepted.Signature, accepted.Body, secret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(accepted.Signature, accepted.Body, "whsec_another_secret", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task A_receiver_that_never_succeeds_ends_in_the_dead_letters_and_a_replay_delivers_it()
    {
        var healthy = false;
        await using var receiver = await FakeReceiver.StartAsync(_ => Volatile.Read(ref healthy) ? 200 : 503);
        var claimId = NewId("dead");
        var sourceId = await PostClaimAsync(claimId, url: null, "A claim later retracted, announced to a broken receiver.");
        await SubscribeAsync(receiver.Url, ["claim.retracted"], sourceId);

        await RetractAsync(claimId);

        static bool About(JsonElement delivery, string claimId) => Text(delivery, "body")!.Contains(claimId, StringComparison.Ordinal);
        var deadLetters = await UntilAsync(
            async () => (await api.Admin.GetFromJsonAsync<JsonElement[]>("/v1/webhooks/dead-letters"))!,
            found => found.Any(d => About(d, claimId)),
            "the delivery is dead-lettered");
        var dead = deadLetters.Single(d => About(d, claimId));
        Assert.Equal(4, dead.GetProperty("attempts").GetInt32());
        Assert.Empty(receiver.Accepted);
        var id = dead.GetProperty("id").GetString();

        Volatile.Write(ref healthy, true);
        using (var replay = await api.Admin.PostAsync($"/v1/webhooks/deliveries/{id}/replay", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        }

        await UntilAsync(() => api.Admin.GetFromJsonAsync<JsonElement>($"/v1/webhooks/deliveries/{id}"), d => Text(d, "state") == "delivered",
            "the replayed delivery succeeds");
        var accepted = Assert.Single(receiver.Accepted);
        Assert.Equal(id, accepted.DeliveryId);
        Assert.DoesNotContain((await api.Admin.GetFromJsonAsync<JsonElement[]>("/v1/webhooks/dead-letters"))!, d => d.GetProperty("id").GetString() == id);

        using var again = await api.Admin.PostAsync($"/v1/webhooks/deliveries/{id}/replay", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_claim_sent_again_keeps_its_first_archive()
    {
        var claimId = NewId("archive");
        await PostClaimAsync(claimId, new Uri("https://x.com/desk/status/1"), "The text as first posted.");
        var first = (await WatchAsync(claimId)).GetProperty("archive");

        await PostClaimAsync(claimId, new Uri("https://x.com/desk/status/1"), "The text as first posted.");
        var second = (await WatchAsync(claimId)).GetProperty("archive");

        Assert.Equal(first.GetProperty("archivedAt").GetDateTimeOffset(), second.GetProperty("archivedAt").GetDateTimeOffset());
        Assert.Equal(first.GetProperty("contentHash").GetString(), second.GetProperty("contentHash").GetString());
        Assert.True(second.GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task Subscriptions_are_listed_without_secrets_and_deleted()
    {
        var created = await api.Admin.PostAsJsonAsync("/v1/webhooks", new { targetUrl = "https://hooks.example/desk", eventKinds = new[] { "proposition.resolved" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var subscription = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = subscription.GetProperty("id").GetString();
        Assert.StartsWith("whsec_", subscription.GetProperty("secret").GetString(), StringComparison.Ordinal);

        var listed = await api.Admin.GetStringAsync("/v1/webhooks");
        var one = await api.Admin.GetFromJsonAsync<JsonElement>($"/v1/webhooks/{id}");
        Assert.Contains(id!, listed, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", listed, StringComparison.Ordinal);
        Assert.False(one.TryGetProperty("secret", out _));

        Assert.Equal(HttpStatusCode.NoContent, (await api.Admin.DeleteAsync($"/v1/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Admin.GetAsync($"/v1/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Admin.DeleteAsync($"/v1/webhooks/{id}")).StatusCode);
    }

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    /// <returns>The claim's source id.</returns>
    private async Task<string> PostClaimAsync(string claimId, Uri? url, string text) =>
        (await PostClaimItemAsync(claimId, url, text)).GetProperty("sourceId").GetString()!;

    /// <returns>The batch's answer for the claim: status, sourceId, propositionId.</returns>
    /// <remarks>The proposition is named after the claim's id, or after <c>question</c> (another claim's id) to put both on one.</remarks>
    private async Task<JsonElement> PostClaimItemAsync(string claimId, Uri? url, string text, string? question = null, string option = "the army")
    {
        var response = await api.Contributor.PostAsJsonAsync("/v1/claims", new
        {
            claims = new[]
            {
                new
                {
                    id = claimId,
                    handle = new { platform = "x", handle = "desk_" + claimId.Replace("-", "_", StringComparison.Ordinal) },
                    proposition = new { question = "Who holds the camp? " + (question ?? claimId), options = new[] { "the army", "the rebels" } },
                    option,
                    publishedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
                    url = url?.ToString(),
                    text,
                },
            },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var item = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0];
        Assert.True(item.GetProperty("status").GetString() is "accepted" or "duplicate", item.ToString());
        return item;
    }

    /// <returns>The subscription's signing secret, shown only now.</returns>
    private async Task<string> SubscribeAsync(Uri target, string[] kinds, string? sourceId = null, string? articleId = null, string[]? articleIds = null)
    {
        var response = await api.Admin.PostAsJsonAsync("/v1/webhooks", new
        {
            targetUrl = target.ToString(),
            eventKinds = kinds,
            sourceIds = sourceId is null ? Array.Empty<string>() : [sourceId],
            articleIds = articleIds ?? (articleId is null ? Array.Empty<string>() : [articleId]),
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
    }

    private async Task CorrectAsync(string claimId, object correction)
    {
        var response = await api.Contributor.PostAsJsonAsync($"/v1/claims/{claimId}/corrections", correction);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private async Task RetractAsync(string claimId)
    {
        var response = await api.Contributor.PostAsJsonAsync($"/v1/claims/{claimId}/corrections", new { kind = "retracted", at = DateTimeOffset.UtcNow });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<JsonElement> ClaimAsync(string claimId) => await api.Admin.GetFromJsonAsync<JsonElement>($"/v1/claims/{claimId}");

    private async Task<JsonElement> WatchAsync(string claimId) => await api.Admin.GetFromJsonAsync<JsonElement>($"/v1/claims/{claimId}/watch");

    private async Task<bool> AnyAsync(IEnumerable<string> claimIds, Func<JsonElement, bool> test)
    {
        foreach (var id in claimIds)
        {
            if (test(await WatchAsync(id)))
            {
                return true;
            }
        }

        return false;
    }

    private async Task<bool> AllAsync(IEnumerable<string> claimIds, Func<JsonElement, bool> test) =>
        !await AnyAsync(claimIds, w => !test(w));

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static async Task UntilAsync(Func<Task<bool>> check, string what) => await UntilAsync(check, done => done, what);

    /// <summary>Polls until <paramref name="done"/> holds for what <paramref name="probe"/> reads; a deadline for liveness, never a timing assertion.</summary>
    private static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Waited {Patience.TotalSeconds} s for: {what}");
    }
}
