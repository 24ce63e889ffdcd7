using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Reliability.Infrastructure.Webhooks;

/// <summary>
/// Sends queued deliveries outside any grain turn (retries wait minutes). On start it queues every
/// delivery still pending, which is what makes a crash between storing and sending harmless.
/// </summary>
public sealed partial class WebhookDeliveryService(
    WebhookDeliveryQueue queue,
    WebhookDispatcher dispatcher,
    WebhookDeliveryStore deliveries,
    IOptions<WebhookOptions> options,
    ILogger<WebhookDeliveryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var pending in await deliveries.ListAsync(DeliveryState.Pending, limit: int.MaxValue, cancellationToken: stoppingToken))
        {
            queue.Post(pending.Id);
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.Concurrency), CancellationToken = stoppingToken };
        await Parallel.ForEachAsync(queue.ReadAllAsync(stoppingToken), parallel, async (id, token) =>
        {
            try
            {
                var delivery = await dispatcher.DeliverAsync(id, token);
                if (delivery is { State: DeliveryState.Dead })
                {
                    LogDead(id, delivery.Attempts, delivery.LastError);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One broken delivery (say the database blinked) must not stop the sender; it stays pending.
                LogFailed(e, id);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} dead after {Attempts} tries: {Error}")]
    private partial void LogDead(string deliveryId, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook delivery {DeliveryId} could not be processed; it stays pending")]
    private partial void LogFailed(Exception exception, string deliveryId);
}
