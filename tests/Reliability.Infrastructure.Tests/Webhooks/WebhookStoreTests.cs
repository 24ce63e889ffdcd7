using Marten;
using Npgsql;
using Reliability.Infrastructure.EventStore;
using Microsoft.Extensions.DependencyInjection;
using Reliability.Infrastructure.Webhooks;

namespace Reliability.Infrastructure.Tests.Webhooks;

public sealed class WebhookStoreTests
{
    [Fact]
    public async Task Subscriptions_are_created_listed_and_deleted()
    {
        await using var services = await WebhookHost.CreateAsync();
        var store = services.GetRequiredService<WebhookSubscriptionStore>();

        var first = await store.CreateAsync(new("https://newsroom.example/hooks/reliability")
        {
            SourceIds = ["src-1", "src-2"],
            ArticleIds = ["art-9"],
            EventKinds = ["claim.deleted"],
        });
        var second = await store.CreateAsync(new("https://other.example/hook") { Secret = "chosen-secret" });

        Assert.StartsWith("whsec_", first.Secret, StringComparison.Ordinal);
        Assert.True(first.Secret.Length > 40);
        Assert.Equal("chosen-secret", second.Secret);
        var listed = await store.ListAsync();
        Assert.Equal([first.Id, second.Id], listed.Select(s => s.Id));
        var loaded = listed[0];
        Assert.Equal(["src-1", "src-2"], loaded.SourceIds);
        Assert.Equal(["art-9"], loaded.ArticleIds);
        Assert.Equal(["claim.deleted"], loaded.EventKinds);
        Assert.Equal(first.Secret, loaded.Secret);

        Assert.True(await store.DeleteAsync(first.Id));
        Assert.False(await store.DeleteAsync(first.Id));
        Assert.Equal([second.Id], (await store.ListAsync()).Select(s => s.Id));
        Assert.Null(await store.GetAsync(first.Id));
    }

    [Fact]
    public async Task Deliveries_are_listed_by_state_and_subscription_newest_first()
    {
        await using var services = await WebhookHost.CreateAsync();
        var store = services.GetRequiredService<WebhookDeliveryStore>();
        var t0 = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        WebhookDelivery Delivery(string id, string subscription, DeliveryState state, int minutes) => new()
        {
            Id = id,
            SubscriptionId = subscription,
            EventKind = "claim.deleted",
            Body = "{}",
            State = state,
            CreatedAt = t0.AddMinutes(minutes),
        };

        await store.AddAsync(
        [
            Delivery("d1", "s1", DeliveryState.Dead, 1),
            Delivery("d2", "s1", DeliveryState.Delivered, 2),
            Delivery("d3", "s2", DeliveryState.Dead, 3),
            Delivery("d4", "s1", DeliveryState.Pending, 4),
        ]);

        Assert.Equal(["d4", "d3", "d2", "d1"], (await store.ListAsync()).Select(d => d.Id));
        Assert.Equal(["d3", "d1"], (await store.DeadLettersAsync()).Select(d => d.Id));
        Assert.Equal(["d4", "d2", "d1"], (await store.ListAsync(subscriptionId: "s1")).Select(d => d.Id));
        Assert.Equal(["d1"], (await store.ListAsync(DeliveryState.Dead, "s1")).Select(d => d.Id));
        Assert.Equal(["d4", "d3"], (await store.ListAsync(limit: 2)).Select(d => d.Id));
    }

    [Fact]
    public async Task A_delivery_of_a_deleted_subscription_dies_instead_of_being_sent()
    {
        await using var services = await WebhookHost.CreateAsync();
        var subscriptions = services.GetRequiredService<WebhookSubscriptionStore>();
        var subscription = await subscriptions.CreateAsync(new("https://gone.example/hook"));
        var dispatcher = services.GetRequiredService<WebhookDispatcher>();
        var queued = Assert.Single(await dispatcher.EnqueueAsync(new WebhookEvent("claim.deleted", null)));

        await subscriptions.DeleteAsync(subscription.Id);
        var delivery = await dispatcher.DeliverAsync(queued.Id);

        Assert.Equal((DeliveryState.Dead, 0), (delivery!.State, delivery.Attempts));
    }

    [Fact]
    public async Task A_delivery_changed_by_someone_else_since_it_was_read_is_not_overwritten()
    {
        await using var services = await WebhookHost.CreateAsync();
        var store = services.GetRequiredService<WebhookDeliveryStore>();
        await store.AddAsync([new WebhookDelivery { Id = "d1", SubscriptionId = "s1", EventKind = "claim.deleted", Body = "{}", CreatedAt = DateTimeOffset.UtcNow }]);

        // Two nodes read the same record; the first to store wins, the second is told so. The first
        // stores between the second's read and its store, synchronously: nothing waits on another thread.
        var documents = services.GetRequiredService<IDocumentStore>();
        var second = store.ChangeAsync("d1", d =>
        {
            using (var connection = documents.Storage.Database.CreateConnection())
            {
                connection.Open();
                using var first = new NpgsqlCommand(
                    $"update {EventStoreRegistration.SchemaName}.mt_doc_webhookdelivery set mt_version = gen_random_uuid() where id = 'd1'", connection);
                Assert.Equal(1, first.ExecuteNonQuery());
            }

            return d with { LastError = "second" };
        });

        var lost = await Assert.ThrowsAnyAsync<Exception>(() => second);
        Assert.True(ExceptionChain.IsVersionConflict(lost), lost.ToString());
        Assert.Null((await store.GetAsync("d1"))!.LastError);
    }

    [Fact]
    public async Task Due_deliveries_are_the_pending_ones_whose_next_try_has_come_longest_waiting_first()
    {
        await using var services = await WebhookHost.CreateAsync();
        var store = services.GetRequiredService<WebhookDeliveryStore>();
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        WebhookDelivery Delivery(string id, DeliveryState state, DateTimeOffset? next) =>
            new() { Id = id, SubscriptionId = "s1", EventKind = "claim.deleted", Body = "{}", State = state, CreatedAt = now.AddHours(-1), NextAttemptAt = next };

        await store.AddAsync(
        [
            Delivery("later", DeliveryState.Pending, now.AddSeconds(1)),
            Delivery("now", DeliveryState.Pending, now),
            Delivery("earlier", DeliveryState.Pending, now.AddMinutes(-5)),
            Delivery("unscheduled", DeliveryState.Pending, null),
            Delivery("dead", DeliveryState.Dead, null),
            Delivery("delivered", DeliveryState.Delivered, now.AddMinutes(-10)),
        ]);

        Assert.Equal(["earlier", "now", "unscheduled"], await store.DueAsync(now, 10));
        Assert.Equal(["earlier"], await store.DueAsync(now, 1));
    }
}
