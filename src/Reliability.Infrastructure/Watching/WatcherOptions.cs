namespace Reliability.Infrastructure.Watching;

/// <summary>Bound from <c>Reliability:Watcher</c>. Defaults suit a newsroom-sized backlog checked politely.</summary>
public sealed class WatcherOptions
{
    public const string Section = "Reliability:Watcher";

    /// <summary>Whether the service checks recorded claims' URLs at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the schedule looks for claims due for a check.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>At most this many claims are handed out per tick, so a backlog is worked off gradually.</summary>
    public int ChecksPerTick { get; set; } = 50;

    /// <summary>Checks running at the same time (each host is also rate-limited on its own).</summary>
    public int ChecksAtOnce { get; set; } = 4;

    /// <summary>Lifts the address rule (loopback, private, link-local…); only for tests and closed networks.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How long after a claim is recorded its URL is first checked.</summary>
    public TimeSpan FirstCheckDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Interval between checks of recent or cited claims.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Interval between checks of old, uncited claims.</summary>
    public TimeSpan OldClaimCheckInterval { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Age from which an uncited claim counts as old.</summary>
    public TimeSpan OldClaimAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Share of an interval over which checks are spread, by a jitter derived from the claim id.</summary>
    public double ScheduleJitter { get; set; } = 0.25;

    /// <summary>Consecutive definite "gone" answers before a deletion is confirmed.</summary>
    public int ConfirmationsForDeletion { get; set; } = 3;

    public int MaxRedirects { get; set; } = 5;

    /// <summary>At most this many bytes of a response body are read.</summary>
    public int MaxResponseBytes { get; set; } = 1024 * 1024;

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Bounds one check, retries and rate-limiter queueing included. Under Orleans' default 30 s
    /// response timeout, so a grain awaiting a check gets its verdict rather than a timeout.
    /// </summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(25);

    public int RetryCount { get; set; } = 2;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    public double CircuitBreakerFailureRatio { get; set; } = 0.5;
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Requests per second to any one host (fractions allowed: 0.5 is one request every two seconds).</summary>
    public double RequestsPerSecondPerHost { get; set; } = 2;

    /// <summary>Requests waiting for their host's rate limiter beyond this are refused (and count as unknown).</summary>
    public int RateLimiterQueueLimit { get; set; } = 100;

    /// <summary>
    /// Short-link sites (as <see cref="PostAddress.SiteOf"/> names them): a post cited by such a link is
    /// checked at the address its redirect names, by that address's adapter. Unset: <c>t.co</c>.
    /// </summary>
    /// <remarks>
    /// Null until configured, not the default list: configuration binds an array by appending to the
    /// one it finds, so a list set in configuration could never drop <c>t.co</c>. One blank entry
    /// configures none.
    /// </remarks>
    public string[]? ShortLinkSites { get; set; }

    /// <summary>The short-link sites in force: those configured, or <c>t.co</c>.</summary>
    public IReadOnlyList<string> ShortLinkSitesInForce =>
        ShortLinkSites is null ? ["t.co"] : [.. ShortLinkSites.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim())];

    /// <summary>X/Twitter's public oEmbed endpoint; configurable so tests can point at a local server.</summary>
    public string XOEmbedBaseUrl { get; set; } = "https://publish.twitter.com/oembed";

    public string UserAgent { get; set; } = "ReliabilityWatcher/1.0 (+deletion checks of cited posts)";
}
