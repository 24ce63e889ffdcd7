using Microsoft.Extensions.DependencyInjection;
using Reliability.Infrastructure.Webhooks;

namespace Reliability.Infrastructure.Tests.Webhooks;

/// <summary>Webhooks as the service registers them, on a fresh database, with retries in milliseconds.</summary>
internal static class WebhookHost
{
    public static Task<ServiceProvider> CreateAsync(int maxAttempts = 5, bool allowPrivateNetworks = true) =>
        StoreHost.CreateAsync(
            "webhooks",
            (services, configuration) => services.AddReliabilityWebhooks(configuration),
            settings: new()
            {
                ["Reliability:Watcher:AllowPrivateNetworks"] = allowPrivateNetworks ? "true" : "false",
                ["Reliability:Webhooks:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Reliability:Webhooks:RetryBaseDelay"] = "00:00:00.010",
                ["Reliability:Webhooks:RetryMaxDelay"] = "00:00:00.050",
                ["Reliability:Webhooks:AttemptTimeout"] = "00:00:05",
            });
}
