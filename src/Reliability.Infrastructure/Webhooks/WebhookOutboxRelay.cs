using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Reliability.Infrastructure.Webhooks;

/// <summary>
/// Turns outbox events into deliveries. Each event becomes its deliveries and disappears in one
/// transaction; delivery ids derive from the event and the subscription, so two nodes relaying the
/// same event collide on the insert and only one set survives.
/// </summary>
public sealed partial class WebhookOutboxRelay(
    IDocumentStore store,
    WebhookDispatcher dispatcher,
    WebhookSubscriptionStore subscriptions,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<WebhookOutboxRelay> logger) : BackgroundService
{
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RelayBatchAsync(stoppingToken) == BatchSize)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The events stay in the outbox; the next round tries again.
                LogFailed(e);
            }

            await Task.Delay(options.Value.OutboxPollInterval, clock, stoppingToken);
        }
    }

    /// <returns>How many events were read.</returns>
    public async Task<int> RelayBatchAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<WebhookOutboxEvent> pending;
        await using (var query = store.QuerySession())
        {
            pending = await query.Query<WebhookOutboxEvent>().OrderBy(e => e.RecordedAt).Take(BatchSize).ToListAsync(cancellationToken);
        }

        if (pending.Count == 0)
        {
            return 0;
        }

        var current = await subscriptions.ListAsync(cancellationToken);
        foreach (var outboxEvent in pending)
        {
            var deliveries = dispatcher.DeliveriesFor(outboxEvent.ToEvent(), current, outboxEvent.Id);
            await using var session = store.LightweightSession();
            foreach (var delivery in deliveries)
            {
                session.Insert(delivery);
            }

            session.Delete<WebhookOutboxEvent>(outboxEvent.Id);
            try
            {
                await session.SaveChangesAsync(cancellationToken);
            }
            catch (Exception e) when (ExceptionChain.IsDocumentTaken(e))
            {
                // Another node relayed it first; its deliveries stand.
                continue;
            }

            dispatcher.Queue(deliveries);
        }

        return pending.Count;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook events could not be relayed; they stay in the outbox")]
    private partial void LogFailed(Exception exception);
}
