namespace Reliability.Infrastructure.Webhooks;

/// <summary>
/// Bound from <c>Reliability:Webhooks</c>. Targets obey the watcher's address rule
/// (<c>Reliability:Watcher:AllowPrivateNetworks</c>) and response size cap: one outbound guard.
/// </summary>
public sealed class WebhookOptions
{
    public const string Section = "Reliability:Webhooks";

    /// <summary>Tries per delivery (first attempt included) before it is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>First retry delay; later ones grow exponentially, with jitter, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries sent at the same time by the background sender.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>How often the outbox of recorded events is turned into deliveries.</summary>
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
