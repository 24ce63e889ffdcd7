using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Reliability.Infrastructure.Watching;

namespace Reliability.Infrastructure.Tests.Watching;

/// <summary>The watcher as the service registers it, with test settings: short timeouts, no waits.</summary>
internal static class WatcherHost
{
    public static ServiceProvider Create(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Reliability:Watcher:AllowPrivateNetworks"] = "true",
            ["Reliability:Watcher:ConfirmationsForDeletion"] = "3",
            ["Reliability:Watcher:AttemptTimeout"] = "00:00:02",
            ["Reliability:Watcher:TotalTimeout"] = "00:00:20",
            ["Reliability:Watcher:RetryCount"] = "1",
            ["Reliability:Watcher:RetryBaseDelay"] = "00:00:00.010",
            ["Reliability:Watcher:CircuitBreakerMinimumThroughput"] = "4",
            ["Reliability:Watcher:CircuitBreakerFailureRatio"] = "0.5",
            ["Reliability:Watcher:CircuitBreakerSamplingDuration"] = "00:00:30",
            ["Reliability:Watcher:CircuitBreakerBreakDuration"] = "00:00:00.500",
            ["Reliability:Watcher:RequestsPerSecondPerHost"] = "1000",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        configure?.Invoke(services);
        services.AddReliabilityWatcher(configuration);
        return services.BuildServiceProvider();
    }
}
