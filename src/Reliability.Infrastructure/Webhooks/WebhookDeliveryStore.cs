using Marten;

namespace Reliability.Infrastructure.Webhooks;

/// <summary>
/// Delivery records as Marten documents: the outbox, the history and the dead-letter list. A record is
/// changed only with a version check (<see cref="ChangeAsync"/>): two nodes may pick up the same due
/// delivery, and the one whose change lands second must not send it again, nor overwrite what the
/// first recorded.
/// </summary>
public sealed class WebhookDeliveryStore(IDocumentStore store)
{
    /// <summary>Stores new deliveries.</summary>
    public async Task AddAsync(IEnumerable<WebhookDelivery> deliveries, CancellationToken cancellationToken = default)
    {
        await using var session = store.LightweightSession();
        session.Insert([.. deliveries]);
        await session.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Reads a delivery, lets <paramref name="change"/> decide its next state (null or the same record:
    /// nothing to store), and stores that only if nobody changed the record since it was read.
    /// </summary>
    /// <returns>The record as read and as stored; null when there is no such delivery.</returns>
    /// <exception cref="Exception">A version conflict (<see cref="ExceptionChain.IsVersionConflict"/>): someone else changed it first.</exception>
    public async Task<(WebhookDelivery Read, WebhookDelivery Stored)?> ChangeAsync(
        string id, Func<WebhookDelivery, WebhookDelivery?> change, CancellationToken cancellationToken = default)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<WebhookDelivery>(id, cancellationToken) is not { } read)
        {
            return null;
        }

        if (change(read) is not { } changed || changed == read)
        {
            return (read, read);
        }

        // The version Marten checks is the one this session read for the id.
        session.Store(changed);
        await session.SaveChangesAsync(cancellationToken);
        return (read, changed);
    }

    public async Task<WebhookDelivery?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<WebhookDelivery>(id, cancellationToken);
    }

    /// <summary>The ids of pending deliveries whose next try is due, the longest waiting first.</summary>
    public async Task<IReadOnlyList<string>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        return [.. await session.Query<WebhookDelivery>()
            .Where(d => d.State == DeliveryState.Pending && (d.NextAttemptAt == null || d.NextAttemptAt <= now))
            .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.CreatedAt)
            .Select(d => d.Id)
            .Take(limit)
            .ToListAsync(cancellationToken)];
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
