using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Reliability.Infrastructure.Watching;

namespace Reliability.Infrastructure.Webhooks;

public static class WebhookRegistration
{
    /// <summary>
    /// Webhook stores, the dispatcher and the background sender. Shares the watcher's outbound guard
    /// (address rule, size cap). Needs Marten (<c>AddReliabilityEventStore</c>).
    /// </summary>
    public static IServiceCollection AddReliabilityWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>()
            .Bind(configuration.GetSection(WebhookOptions.Section))
            .Validate(o => o.MaxAttempts >= 1 && o.Concurrency >= 1, "Reliability:Webhooks:MaxAttempts and Concurrency must be at least 1.")
            .Validate(o => o.OutboxPollInterval > TimeSpan.Zero && o.DuePollInterval > TimeSpan.Zero, "Reliability:Webhooks:OutboxPollInterval and DuePollInterval must be positive.")
            .Validate(o => o.AttemptTimeout > TimeSpan.Zero && o.RetryBaseDelay >= TimeSpan.Zero && o.RetryMaxDelay >= o.RetryBaseDelay && o.RetryAfterLimit >= TimeSpan.Zero,
                "Reliability:Webhooks:AttemptTimeout must be positive, RetryMaxDelay at least RetryBaseDelay, and no delay negative.")
            .Validate(o => o.CircuitBreakerMinimumThroughput >= 2 && o.CircuitBreakerBreakDuration >= TimeSpan.FromSeconds(0.5)
                    && o.CircuitBreakerSamplingDuration >= TimeSpan.FromSeconds(0.5),
                "Reliability:Webhooks:CircuitBreakerMinimumThroughput must be at least 2, and its durations at least half a second.")
            .Validate(o => WebhookSecrets.IsValidKey(o.SecretKey) && (o.PreviousSecretKeys ?? []).All(WebhookSecrets.IsValidKey), WebhookSecrets.KeyRule)
            .ValidateOnStart();
        services.AddOutboundGuard(configuration);
        services.TryAddSingleton<WebhookSecrets>();
        services.TryAddSingleton<WebhookSubscriptionStore>();
        services.TryAddSingleton<WebhookDeliveryStore>();
        services.TryAddSingleton<WebhookDeliveryQueue>();
        services.TryAddSingleton<WebhookDispatcher>();
        services.AddHostedService<WebhookDeliveryService>();
        services.AddHostedService<WebhookOutboxRelay>();
        services.AddHostedService<WebhookSecretsResealer>();
        return services;
    }

    /// <summary>Marten registration for the webhook documents; call from <c>AddReliabilityEventStore</c>.</summary>
    public static StoreOptions AddWebhookDocuments(this StoreOptions options)
    {
        options.Schema.For<WebhookSubscription>();
        // Versioned: two nodes may take up the same due delivery, and only one may make the try.
        options.Schema.For<WebhookDelivery>().Index(d => d.State).Index(d => d.SubscriptionId).Duplicate(d => d.NextAttemptAt).UseOptimisticConcurrency(true);
        options.Schema.For<WebhookOutboxEvent>().Index(e => e.RecordedAt);
        return options;
    }
}
