using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Reliability.Infrastructure.Webhooks;

namespace Reliability.Infrastructure.Tests.Webhooks;

public sealed class WebhookOutboxTests
{
    [Fact]
    public async Task An_outbox_event_becomes_one_delivery_per_matching_subscription_even_when_two_relays_race()
    {
        await using var services = await WebhookHost.CreateAsync();
        var subscriptions = services.GetRequiredService<WebhookSubscriptionStore>();
        var byArticle = await subscriptions.CreateAsync(new("https://desk.example/hook") { ArticleIds = ["art-2"] });
        var byKind = await subscriptions.CreateAsync(new("https://kind.example/hook") { EventKinds = ["claim.retracted"] });
        await subscriptions.CreateAsync(new("https://other.example/hook") { SourceIds = ["src-9"] });
        var store = services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession())
        {
            // An event concerning several articles: a filter naming any of them matches.
            WebhookOutbox.Add(session, new WebhookEvent("claim.deleted", new { claimId = "c-1" })
            {
                SourceId = "src-1",
                ArticleIds = ["art-1", "art-2"],
            }, DateTimeOffset.UtcNow);
            await session.SaveChangesAsync();
        }

        var relays = Enumerable.Range(0, 2).Select(_ => ActivatorUtilities.CreateInstance<WebhookOutboxRelay>(services)).ToList();
        await Task.WhenAll(relays.Select(r => r.RelayBatchAsync(CancellationToken.None)));
        await relays[0].RelayBatchAsync(CancellationToken.None);

        var delivery = Assert.Single(await services.GetRequiredService<WebhookDeliveryStore>().ListAsync());
        Assert.Equal(byArticle.Id, delivery.SubscriptionId);
        Assert.Equal((DeliveryState.Pending, "claim.deleted"), (delivery.State, delivery.EventKind));
        Assert.Contains("\"c-1\"", delivery.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(byKind.Id, delivery.Body, StringComparison.Ordinal);
        await using var query = store.QuerySession();
        Assert.Equal(0, await query.Query<WebhookOutboxEvent>().CountAsync());
        Assert.Contains(services.GetServices<IHostedService>(), s => s is WebhookOutboxRelay);
    }

    [Fact]
    public async Task An_event_written_by_a_transaction_that_fails_never_reaches_the_outbox()
    {
        await using var services = await WebhookHost.CreateAsync();
        var store = services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession())
        {
            WebhookOutbox.Add(session, new WebhookEvent("claim.retracted", new { claimId = "c-2" }), DateTimeOffset.UtcNow);
            var subscription = new WebhookSubscription { Id = "taken", TargetUrl = "https://a.example/", Secret = "s", CreatedAt = DateTimeOffset.UtcNow };
            await using (var first = store.LightweightSession())
            {
                first.Insert(subscription);
                await first.SaveChangesAsync();
            }

            // The same transaction fails on a conflicting insert: the event goes with it.
            session.Insert(subscription);
            await Assert.ThrowsAnyAsync<Exception>(() => session.SaveChangesAsync());
        }

        await using var query = store.QuerySession();
        Assert.Equal(0, await query.Query<WebhookOutboxEvent>().CountAsync());
    }
}
