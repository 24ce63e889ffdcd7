using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Reliability.Infrastructure.Webhooks;

/// <summary>
/// Sends queued deliveries outside any grain turn, one try per turn of a sending slot: a delivery
/// whose try failed is scheduled again in its record and gives its slot up, so a receiver that is
/// down delays nobody else's deliveries by more than a try. Every <see cref="WebhookOptions.DuePollInterval"/>
/// a sweep queues the pending deliveries that are due: retries, replays, deliveries stored just
/// before a crash, and tries whose sender died (their lease ran out).
/// </summary>
public sealed partial class WebhookDeliveryService(
    WebhookDeliveryQueue queue,
    WebhookDispatcher dispatcher,
    WebhookDeliveryStore deliveries,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<WebhookDeliveryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, o.Concurrency), CancellationToken = stoppingToken };
        var sending = Parallel.ForEachAsync(queue.ReadAllAsync(stoppingToken), parallel, async (id, token) =>
        {
            try
            {
                var delivery = await dispatcher.AttemptAsync(id, token);
                if (delivery is { State: DeliveryState.Dead })
                {
                    LogDead(id, delivery.Attempts, delivery.LastError);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database blinked, say: the delivery stays pending and a later sweep finds it due.
                LogFailed(e, id);
            }
        });

        while (!stoppingToken.IsCancellationRequested)
        {
            await SweepAsync(o, stoppingToken);
            try
            {
                await Task.Delay(o.DuePollInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        try
        {
            await sending;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SweepAsync(WebhookOptions o, CancellationToken stoppingToken)
    {
        // No more than the slots can take before the next sweep: the rest stays due in the table.
        var room = (o.Concurrency * 25) - queue.Waiting;
        if (room <= 0)
        {
            return;
        }

        try
        {
            foreach (var id in await deliveries.DueAsync(clock.GetUtcNow(), room, stoppingToken))
            {
                queue.Post(id);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSweepFailed(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} dead after {Attempts} tries: {Error}")]
    private partial void LogDead(string deliveryId, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook delivery {DeliveryId} could not be processed; it stays pending")]
    private partial void LogFailed(Exception exception, string deliveryId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Due webhook deliveries could not be read; the next sweep tries again")]
    private partial void LogSweepFailed(Exception exception);
}
