using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Reliability.Infrastructure.Webhooks;

/// <summary>
/// At start-up, seals again with the current key the secrets stored in the clear or sealed with a
/// previous one, so a rotated key can be retired once every node has started with the new one.
/// In the background: a database that is not up yet delays this, never the node's start.
/// </summary>
internal sealed partial class WebhookSecretsResealer(WebhookSubscriptionStore subscriptions, ILogger<WebhookSecretsResealer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var delay = TimeSpan.FromSeconds(1); !stoppingToken.IsCancellationRequested; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(5).Ticks)))
        {
            try
            {
                if (await subscriptions.SealAgainAsync(stoppingToken) is > 0 and var count)
                {
                    LogSealedAgain(logger, count);
                }

                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e, delay);
            }

            await Task.Delay(delay, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sealed {Count} webhook secrets again with the current key")]
    private static partial void LogSealedAgain(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not seal webhook secrets again with the current key; trying again in {Delay}")]
    private static partial void LogFailed(ILogger logger, Exception exception, TimeSpan delay);
}
