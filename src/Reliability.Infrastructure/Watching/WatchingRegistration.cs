using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Reliability.Infrastructure.Watching;

public static class WatchingRegistration
{
    /// <summary>
    /// The watcher's services: <see cref="PostWatcher"/>, <see cref="WatchSchedule"/>,
    /// <see cref="ArchivedPostStore"/>, the guarded HTTP client and per-host pipelines, the X adapter
    /// and the default <see cref="IAddressPolicy"/> (replaceable: register yours first).
    /// Needs Marten (<c>AddReliabilityEventStore</c>) for the archive.
    /// </summary>
    public static IServiceCollection AddReliabilityWatcher(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOutboundGuard(configuration);
        // Polly checks its own settings when a host's pipeline is built; these are the watcher's.
        services.AddOptions<WatcherOptions>()
            .Validate(o => o.ConfirmationsForDeletion >= 1, "Reliability:Watcher:ConfirmationsForDeletion must be at least 1.")
            .Validate(o => o.RequestsPerSecondPerHost > 0, "Reliability:Watcher:RequestsPerSecondPerHost must be positive.")
            .Validate(o => o.RetryCount >= 0 && o.RateLimiterQueueLimit >= 0, "Reliability:Watcher:RetryCount and RateLimiterQueueLimit cannot be negative.")
            .Validate(o => o.ScheduleJitter is >= 0 and <= 1, "Reliability:Watcher:ScheduleJitter is a share of an interval, from 0 to 1.")
            .Validate(o => o.TickInterval > TimeSpan.Zero && o.ChecksPerTick >= 1 && o.ChecksAtOnce >= 1,
                "Reliability:Watcher:TickInterval must be positive, ChecksPerTick and ChecksAtOnce at least 1.")
            .ValidateOnStart();
        services.TryAddSingleton<HostPipelines>();
        services.TryAddSingleton<ResilientFetcher>();
        services.TryAddSingleton<GenericHttpAdapter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostStatusAdapter, XStatusAdapter>());
        services.TryAddSingleton<PostWatcher>();
        services.TryAddSingleton<WatchSchedule>();
        services.TryAddSingleton<ArchivedPostStore>();
        return services;
    }

    /// <summary>
    /// The guarded HTTP client every outbound request (watcher and webhooks) goes through, with its
    /// options (<c>Reliability:Watcher</c>) and the default address rule.
    /// </summary>
    public static IServiceCollection AddOutboundGuard(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(GuardedHttpClient)))
        {
            return services;
        }

        services.AddOptions<WatcherOptions>()
            .Bind(configuration.GetSection(WatcherOptions.Section))
            .Validate(o => o.MaxRedirects >= 0 && o.MaxResponseBytes > 0, "Reliability:Watcher:MaxRedirects and MaxResponseBytes must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IAddressPolicy, NetworkAddressPolicy>();
        services.TryAddSingleton<GuardedHttpClient>();
        return services;
    }

    /// <summary>Marten registration for the watcher's documents; call from <c>AddReliabilityEventStore</c>.</summary>
    public static StoreOptions AddWatchingDocuments(this StoreOptions options)
    {
        options.Schema.For<ArchivedPost>();
        return options;
    }
}
