using Marten;

namespace Reliability.Infrastructure.Webhooks;

/// <summary>Delivery records as Marten documents: the outbox, the history and the dead-letter list.</summary>
public sealed class WebhookDeliveryStore(IDocumentStore store)
{
    public async Task SaveAsync(IEnumerable<WebhookDelivery> deliveries, CancellationToken cancellationToken = default)
    {
        await using var session = store.LightweightSession();
        session.Store([.. deliveries]);
        await session.SaveChangesAsync(cancellationToken);
    }

    public Task SaveAsync(WebhookDelivery delivery, CancellationToken cancellationToken = default) =>
        SaveAsync([delivery], cancellationToken);

    public async Task<WebhookDelivery?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<WebhookDelivery>(id, cancellationToken);
    }

    /// <summary>Newest first; optionally only one state and/or one subscription.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> ListAsync(
        DeliveryState? state = null, string? subscriptionId = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        IQueryable<WebhookDelivery> query = session.Query<WebhookDelivery>();
        if (state is { } s)
        {
            query = query.Where(d => d.State == s);
        }

        if (subscriptionId is not null)
        {
            query = query.Where(d => d.SubscriptionId == subscriptionId);
        }

        return [.. await query.OrderByDescending(d => d.CreatedAt).Take(limit).ToListAsync(cancellationToken)];
    }

    public Task<IReadOnlyList<WebhookDelivery>> DeadLettersAsync(int limit = 100, CancellationToken cancellationToken = default) =>
        ListAsync(DeliveryState.Dead, limit: limit, cancellationToken: cancellationToken);
}
