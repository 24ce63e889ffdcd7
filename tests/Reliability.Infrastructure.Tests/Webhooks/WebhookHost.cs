using Microsoft.Extensions.DependencyInjection;
using Reliability.Infrastructure.Webhooks;

namespace Reliability.Infrastructure.Tests.Webhooks;

/// <summary>Webhooks as the service registers them, on a fresh database, with retries in milliseconds unless told otherwise.</summary>
internal static class WebhookHost
{
    public static Task<ServiceProvider> CreateAsync(
        int maxAttempts = 5, bool allowPrivateNetworks = true, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Reliability:Watcher:AllowPrivateNetworks"] = allowPrivateNetworks ? "true" : "false",
            ["Reliability:Webhooks:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Reliability:Webhooks:RetryBaseDelay"] = "00:00:00.010",
            ["Reliability:Webhooks:RetryMaxDelay"] = "00:00:00.050",
            ["Reliability:Webhooks:AttemptTimeout"] = "00:00:05",
            ["Reliability:Webhooks:DuePollInterval"] = "00:00:00.100",
            // Only the test of the breaker lets it pause a receiver: the others count every try.
            ["Reliability:Webhooks:CircuitBreakerMinimumThroughput"] = "1000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return StoreHost.CreateAsync("webhooks", (services, configuration) => services.AddReliabilityWebhooks(configuration), settings: all);
    }
}
