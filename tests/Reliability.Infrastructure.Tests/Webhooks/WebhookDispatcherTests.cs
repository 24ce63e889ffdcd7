using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Reliability.Infrastructure.Webhooks;
using Reliability.Testing;

namespace Reliability.Infrastructure.Tests.Webhooks;

public sealed class WebhookDispatcherTests
{
    private const string Secret = "whsec_receiver";
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private static readonly WebhookEvent Deleted =
        new("claim.deleted", new { claimId = "c-1", url = "https://x.com/desk/status/1" }) { SourceId = "src-1", ArticleId = "art-1" };

    [Fact]
    public async Task A_receiver_failing_three_times_then_succeeding_gets_exactly_one_signed_delivery()
    {
        await using var receiver = await FakeReceiver.StartAsync(n => n <= 3 ? 500 : 200);
        await using var services = await WebhookHost.CreateAsync(maxAttempts: 5);
        await services.GetRequiredService<WebhookSubscriptionStore>().CreateAsync(new(receiver.Url.ToString()) { Secret = Secret });
        var dispatcher = services.GetRequiredService<WebhookDispatcher>();

        var queued = Assert.Single(await dispatcher.EnqueueAsync(Deleted));
        Assert.Equal(DeliveryState.Pending, (await services.GetRequiredService<WebhookDeliveryStore>().GetAsync(queued.Id))!.State);
        var delivered = await dispatcher.DeliverAsync(queued.Id);

        var accepted = Assert.Single(receiver.Accepted);
        Assert.Equal(4, receiver.Requests);
        Assert.Equal([queued.Id, queued.Id, queued.Id, queued.Id], receiver.DeliveryIds);
        Assert.Equal(queued.Id, accepted.DeliveryId);
        Assert.Equal("claim.deleted", accepted.Event);
        Assert.True(WebhookSignature.Verify(accepted.Signature, accepted.Body, Secret, DateTimeOffset.UtcNow, Tolerance));
        Assert.False(WebhookSignature.Verify(accepted.Signature, accepted.Body, "whsec_other", DateTimeOffset.UtcNow, Tolerance));
        using var body = JsonDocument.Parse(accepted.Body);
        Assert.Equal(queued.Id, body.RootElement.GetProperty("id").GetString());
        Assert.Equal("src-1", body.RootElement.GetProperty("sourceId").GetString());
        Assert.Equal("c-1", body.RootElement.GetProperty("data").GetProperty("claimId").GetString());

        var stored = await services.GetRequiredService<WebhookDeliveryStore>().GetAsync(queued.Id);
        Assert.Equal(delivered, stored);
        Assert.Equal((DeliveryState.Delivered, 4, 200), (stored!.State, stored.Attempts, stored.LastStatus));
        Assert.NotNull(stored.DeliveredAt);
    }

    [Fact]
    public async Task A_receiver_that_never_succeeds_ends_dead_and_replay_sends_it_again()
    {
        var failing = true;
        await using var receiver = await FakeReceiver.StartAsync(_ => Volatile.Read(ref failing) ? 503 : 204);
        await using var services = await WebhookHost.CreateAsync(maxAttempts: 3);
        await services.GetRequiredService<WebhookSubscriptionStore>().CreateAsync(new(receiver.Url.ToString()) { Secret = Secret });
        var dispatcher = services.GetRequiredService<WebhookDispatcher>();
        var store = services.GetRequiredService<WebhookDeliveryStore>();

        var queued = Assert.Single(await dispatcher.EnqueueAsync(Deleted));
        var dead = await dispatcher.DeliverAsync(queued.Id);

        Assert.Equal((DeliveryState.Dead, 3, 503, "HTTP 503"), (dead!.State, dead.Attempts, dead.LastStatus, dead.LastError));
        Assert.Equal(3, receiver.Requests);
        Assert.Empty(receiver.Accepted);
        Assert.Equal(queued.Id, Assert.Single(await store.DeadLettersAsync()).Id);
        // A dead delivery is not sent again by accident.
        Assert.Equal(DeliveryState.Dead, (await dispatcher.DeliverAsync(queued.Id))!.State);
        Assert.Equal(3, receiver.Requests);

        Volatile.Write(ref failing, false);
        var replayed = await dispatcher.ReplayAsync(queued.Id);

        Assert.Equal((DeliveryState.Delivered, 4, 204), (replayed!.State, replayed.Attempts, replayed.LastStatus));
        var accepted = Assert.Single(receiver.Accepted);
        Assert.Equal(queued.Id, accepted.DeliveryId);
        Assert.Equal(queued.Body, accepted.Body);
        Assert.Empty(await store.DeadLettersAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => dispatcher.ReplayAsync(queued.Id));
        Assert.Null(await dispatcher.ReplayAsync("no-such-delivery"));
    }

    [Fact]
    public async Task Only_matching_subscriptions_get_a_delivery()
    {
        await using var services = await WebhookHost.CreateAsync();
        var subscriptions = services.GetRequiredService<WebhookSubscriptionStore>();
        var all = await subscriptions.CreateAsync(new("https://all.example/hook"));
        var bySource = await subscriptions.CreateAsync(new("https://source.example/hook") { SourceIds = ["src-1"] });
        await subscriptions.CreateAsync(new("https://other-source.example/hook") { SourceIds = ["src-2"] });
        var byKind = await subscriptions.CreateAsync(new("https://kind.example/hook") { EventKinds = ["claim.deleted"], ArticleIds = ["art-1"] });
        await subscriptions.CreateAsync(new("https://other-kind.example/hook") { EventKinds = ["score.changed"] });

        var deliveries = await services.GetRequiredService<WebhookDispatcher>().EnqueueAsync(Deleted);

        Assert.Equal(
            new[] { all.Id, bySource.Id, byKind.Id }.Order(),
            deliveries.Select(d => d.SubscriptionId).Order());
        Assert.Equal(3, deliveries.Select(d => d.Id).Distinct().Count());
        Assert.Equal(3, (await services.GetRequiredService<WebhookDeliveryStore>().ListAsync(DeliveryState.Pending)).Count);
    }

    [Fact]
    public async Task Targets_obey_the_outbound_address_rule()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 200);
        await using var services = await WebhookHost.CreateAsync(allowPrivateNetworks: false);
        var subscriptions = services.GetRequiredService<WebhookSubscriptionStore>();

        await Assert.ThrowsAsync<ArgumentException>(() => subscriptions.CreateAsync(new(receiver.Url.ToString())));
        await Assert.ThrowsAsync<ArgumentException>(() => subscriptions.CreateAsync(new("http://169.254.169.254/latest/meta-data/")));
        await Assert.ThrowsAsync<ArgumentException>(() => subscriptions.CreateAsync(new("ftp://example.org/hook")));
        await Assert.ThrowsAsync<ArgumentException>(() => subscriptions.CreateAsync(new("/relative")));

        // A name is only resolved when sending: refused then, without retries, and dead at once.
        await subscriptions.CreateAsync(new($"http://localhost:{receiver.Url.Port}/hook"));
        var dispatcher = services.GetRequiredService<WebhookDispatcher>();
        var delivery = await dispatcher.DeliverAsync(Assert.Single(await dispatcher.EnqueueAsync(Deleted)).Id);

        Assert.Equal((DeliveryState.Dead, 1, null), (delivery!.State, delivery.Attempts, delivery.LastStatus));
        Assert.Contains("may not reach", delivery.LastError, StringComparison.Ordinal);
        Assert.Equal(0, receiver.Requests);
    }

    [Fact]
    public async Task A_redirecting_receiver_is_a_failed_try_not_a_followed_one()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 307);
        await using var services = await WebhookHost.CreateAsync(maxAttempts: 2);
        await services.GetRequiredService<WebhookSubscriptionStore>().CreateAsync(new(receiver.Url.ToString()));
        var dispatcher = services.GetRequiredService<WebhookDispatcher>();

        var delivery = await dispatcher.DeliverAsync(Assert.Single(await dispatcher.EnqueueAsync(Deleted)).Id);

        Assert.Equal((DeliveryState.Dead, 2, 307), (delivery!.State, delivery.Attempts, delivery.LastStatus));
    }

    [Fact]
    public async Task The_background_sender_delivers_what_is_enqueued_and_what_was_left_pending()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 200);
        await using var services = await WebhookHost.CreateAsync();
        await services.GetRequiredService<WebhookSubscriptionStore>().CreateAsync(new(receiver.Url.ToString()) { Secret = Secret });
        var store = services.GetRequiredService<WebhookDeliveryStore>();
        // As if the process had died after storing this one and before sending it.
        var leftOver = new WebhookDelivery
        {
            Id = "left-over",
            SubscriptionId = (await services.GetRequiredService<WebhookSubscriptionStore>().ListAsync())[0].Id,
            EventKind = "claim.deleted",
            Body = "{}",
            CreatedAt = DateTimeOffset.UtcNow,
        };
        await store.AddAsync([leftOver]);
        var sender = services.GetServices<IHostedService>().OfType<WebhookDeliveryService>().Single();

        await sender.StartAsync(CancellationToken.None);
        try
        {
            var queued = Assert.Single(await services.GetRequiredService<WebhookDispatcher>().EnqueueAsync(Deleted));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while ((await store.ListAsync(DeliveryState.Delivered)).Count < 2 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.Equal(new[] { "left-over", queued.Id }.Order(), (await store.ListAsync(DeliveryState.Delivered)).Select(d => d.Id).Order());
            Assert.Equal(new[] { "left-over", queued.Id }.Order(), receiver.Accepted.Select(r => r.DeliveryId).Order());
        }
        finally
        {
            await sender.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_receiver_that_is_down_does_not_hold_up_another_subscribers_deliveries()
    {
        // One sending slot, and retries minutes apart: a sender that waited out a retry in its slot
        // would deliver nothing else for minutes.
        await using var down = await FakeReceiver.StartAsync(_ => 503);
        await using var up = await FakeReceiver.StartAsync(_ => 200);
        await using var services = await WebhookHost.CreateAsync(maxAttempts: 3, settings: new Dictionary<string, string?>
        {
            ["Reliability:Webhooks:Concurrency"] = "1",
            ["Reliability:Webhooks:RetryBaseDelay"] = "00:10:00",
            ["Reliability:Webhooks:RetryMaxDelay"] = "00:10:00",
        });
        var subscriptions = services.GetRequiredService<WebhookSubscriptionStore>();
        var downSubscription = await subscriptions.CreateAsync(new(down.Url.ToString()) { EventKinds = ["claim.deleted"] });
        await subscriptions.CreateAsync(new(up.Url.ToString()) { EventKinds = ["claim.retracted"] });
        var dispatcher = services.GetRequiredService<WebhookDispatcher>();
        var store = services.GetRequiredService<WebhookDeliveryStore>();
        var sender = services.GetServices<IHostedService>().OfType<WebhookDeliveryService>().Single();

        await sender.StartAsync(CancellationToken.None);
        try
        {
            var failing = (await dispatcher.EnqueueAsync(Deleted)).Concat(await dispatcher.EnqueueAsync(Deleted)).ToList();
            var healthy = Assert.Single(await dispatcher.EnqueueAsync(Deleted with { Kind = "claim.retracted" }));
            await WaitUntilAsync(async () => (await store.GetAsync(healthy.Id))!.State == DeliveryState.Delivered && down.Requests == 2);

            Assert.Equal(healthy.Id, Assert.Single(up.Accepted).DeliveryId);
            foreach (var delivery in failing)
            {
                var stored = (await store.GetAsync(delivery.Id))!;
                Assert.Equal((DeliveryState.Pending, 1, 1, 503), (stored.State, stored.Attempts, stored.RoundAttempts, stored.LastStatus));
                Assert.Equal(downSubscription.Id, stored.SubscriptionId);
                // Between half and all of the ten minutes from the try.
                Assert.InRange(stored.NextAttemptAt!.Value - stored.LastAttemptAt!.Value, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10.5));
            }
        }
        finally
        {
            await sender.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_receiver_whose_tries_keep_failing_is_left_alone_for_a_while_instead_of_being_tried_for_every_delivery()
    {
        await using var down = await FakeReceiver.StartAsync(_ => 503);
        await using var services = await WebhookHost.CreateAsync(maxAttempts: 8, settings: new Dictionary<string, string?>
        {
            ["Reliability:Webhooks:CircuitBreakerMinimumThroughput"] = "3",
            ["Reliability:Webhooks:CircuitBreakerBreakDuration"] = "00:00:30",
        });
        await services.GetRequiredService<WebhookSubscriptionStore>().CreateAsync(new(down.Url.ToString()));
        var dispatcher = services.GetRequiredService<WebhookDispatcher>();
        var queued = new List<WebhookDelivery>();
        for (var i = 0; i < 10; i++)
        {
            queued.Add(Assert.Single(await dispatcher.EnqueueAsync(Deleted)));
        }

        var tried = new List<WebhookDelivery>();
        foreach (var delivery in queued)
        {
            tried.Add((await dispatcher.AttemptAsync(delivery.Id))!);
        }

        // Three tries fail; the other seven wait out the pause untried, none of their tries used up.
        Assert.Equal(3, down.Requests);
        Assert.All(tried, d => Assert.Equal(DeliveryState.Pending, d.State));
        Assert.Equal([.. Enumerable.Repeat(1, 3), .. Enumerable.Repeat(0, 7)], tried.Select(d => d.Attempts));
        Assert.All(tried.Skip(3), d => Assert.InRange(d.NextAttemptAt!.Value - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(31)));
    }

    [Fact]
    public async Task A_receiver_asking_to_retry_later_is_tried_no_sooner()
    {
        await using var receiver = await FakeReceiver.StartAsync(n => n == 1 ? 429 : 200, retryAfter: n => n == 1 ? TimeSpan.FromMinutes(15) : null);
        await using var services = await WebhookHost.CreateAsync();
        await services.GetRequiredService<WebhookSubscriptionStore>().CreateAsync(new(receiver.Url.ToString()));
        var dispatcher = services.GetRequiredService<WebhookDispatcher>();
        var queued = Assert.Single(await dispatcher.EnqueueAsync(Deleted));

        var tried = await dispatcher.AttemptAsync(queued.Id);

        Assert.Equal((DeliveryState.Pending, 1, 429), (tried!.State, tried.Attempts, tried.LastStatus));
        Assert.True(tried.NextAttemptAt >= tried.LastAttemptAt!.Value.AddMinutes(15), $"next try at {tried.NextAttemptAt:O}");
        // Not due yet: trying again sends nothing.
        Assert.Equal(tried, await dispatcher.AttemptAsync(queued.Id));
        Assert.Equal(1, receiver.Requests);
    }

    [Fact]
    public async Task A_subscription_deleted_between_tries_gets_no_further_try()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 500);
        await using var services = await WebhookHost.CreateAsync(settings: new Dictionary<string, string?> { ["Reliability:Webhooks:RetryMaxDelay"] = "00:00:00.010" });
        var subscriptions = services.GetRequiredService<WebhookSubscriptionStore>();
        var subscription = await subscriptions.CreateAsync(new(receiver.Url.ToString()));
        var dispatcher = services.GetRequiredService<WebhookDispatcher>();
        var queued = Assert.Single(await dispatcher.EnqueueAsync(Deleted));

        Assert.Equal(DeliveryState.Pending, (await dispatcher.AttemptAsync(queued.Id))!.State);
        await subscriptions.DeleteAsync(subscription.Id);
        await Task.Delay(50);
        var ended = await dispatcher.AttemptAsync(queued.Id);

        Assert.Equal((DeliveryState.Dead, 1, "The subscription was deleted."), (ended!.State, ended.Attempts, ended.LastError));
        Assert.Equal(1, receiver.Requests);
    }

    [Fact]
    public async Task Two_nodes_taking_up_the_same_delivery_send_it_once()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 200, delay: TimeSpan.FromMilliseconds(300));
        await using var services = await WebhookHost.CreateAsync();
        await services.GetRequiredService<WebhookSubscriptionStore>().CreateAsync(new(receiver.Url.ToString()));
        var first = services.GetRequiredService<WebhookDispatcher>();
        // A second node: its own dispatcher (and in-process guard) over the same database.
        var second = ActivatorUtilities.CreateInstance<WebhookDispatcher>(services);
        var queued = Assert.Single(await first.EnqueueAsync(Deleted));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => (i % 2 == 0 ? first : second).AttemptAsync(queued.Id))));

        Assert.Equal(1, receiver.Requests);
        var stored = (await services.GetRequiredService<WebhookDeliveryStore>().GetAsync(queued.Id))!;
        Assert.Equal((DeliveryState.Delivered, 1), (stored.State, stored.Attempts));
        Assert.Contains(outcomes, o => o is { State: DeliveryState.Delivered });
    }

    [Fact]
    public async Task A_try_whose_sender_died_is_made_again_once_its_lease_runs_out()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 200);
        await using var services = await WebhookHost.CreateAsync();
        var subscription = await services.GetRequiredService<WebhookSubscriptionStore>().CreateAsync(new(receiver.Url.ToString()));
        var store = services.GetRequiredService<WebhookDeliveryStore>();
        var sender = services.GetServices<IHostedService>().OfType<WebhookDeliveryService>().Single();
        WebhookDelivery Leased(string id, TimeSpan leaseLeft) => new()
        {
            Id = id, SubscriptionId = subscription.Id, EventKind = "claim.deleted", Body = "{}",
            CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-1), NextAttemptAt = DateTimeOffset.UtcNow + leaseLeft,
        };

        await sender.StartAsync(CancellationToken.None);
        try
        {
            // Stored while the sender runs, as another node that died mid-try would leave them.
            await store.AddAsync([Leased("lease-ran-out", TimeSpan.FromSeconds(-1)), Leased("lease-held", TimeSpan.FromMinutes(5))]);
            await WaitUntilAsync(async () => (await store.GetAsync("lease-ran-out"))!.State == DeliveryState.Delivered);

            Assert.Equal(["lease-ran-out"], receiver.DeliveryIds);
            Assert.Equal(DeliveryState.Pending, (await store.GetAsync("lease-held"))!.State);
        }
        finally
        {
            await sender.StopAsync(CancellationToken.None);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting.");
            await Task.Delay(50);
        }
    }
}
