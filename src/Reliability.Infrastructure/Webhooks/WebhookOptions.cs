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

    /// <summary>The longest Retry-After a receiver's answer (429, 503) may ask for and be given.</summary>
    public TimeSpan RetryAfterLimit { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Failed tries of one receiver within <see cref="CircuitBreakerSamplingDuration"/>, with none succeeding, after which its deliveries wait untried.</summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 3;

    /// <summary>The window in which a receiver's failed tries are counted.</summary>
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a receiver whose tries all failed is left alone before one try decides again.</summary>
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Tries sent at the same time by the background sender.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>
    /// How often the background sender looks for deliveries whose next try is due: retries, a
    /// replay, or a try whose sender died (its lease ran out).
    /// </summary>
    public TimeSpan DuePollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A 256-bit key, in base64, that seals subscriptions' signing secrets in the database (AES-GCM).
    /// Keep it outside the database (an environment variable or a secret store): a copy of the database
    /// then cannot sign deliveries receivers would trust. Empty: secrets are stored as they are.
    /// Secrets sealed with one key cannot be read with another; a secret stored before a key was set
    /// is still read as it is.
    /// </summary>
    public string? SecretKey { get; set; }

    /// <summary>
    /// Keys that sealed secrets before <see cref="SecretKey"/> replaced them, in base64 as it is: they
    /// still open what they sealed, and each node seals those secrets again with the current key as it
    /// starts. Once every node has started with the new key, the old ones can go.
    /// </summary>
    public string[]? PreviousSecretKeys { get; set; }

    /// <summary>How often the outbox of recorded events is turned into deliveries.</summary>
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
