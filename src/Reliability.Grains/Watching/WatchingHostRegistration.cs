using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Reliability.Infrastructure.Watching;
using Reliability.Infrastructure.Webhooks;

namespace Reliability.Grains.Watching;

public static class WatchingHostRegistration
{
    /// <summary>
    /// The deletion watcher running in a silo host (the schedule grain's starter and this silo's check
    /// worker, when <c>Reliability:Watcher:Enabled</c>) and webhook delivery. The host must also give
    /// the silo reminder storage.
    /// </summary>
    public static IServiceCollection AddReliabilityWatching(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddReliabilityWatcher(configuration);
        services.AddReliabilityWebhooks(configuration);
        services.AddSingleton<DeletionCheckQueue>();
        services.TryAddSingleton<TickInterleaving>();
        if (configuration.GetValue($"{WatcherOptions.Section}:{nameof(WatcherOptions.Enabled)}", true))
        {
            services.AddHostedService<DeletionCheckWorker>();
            services.AddHostedService<DeletionWatchStarter>();
        }

        return services;
    }
}
