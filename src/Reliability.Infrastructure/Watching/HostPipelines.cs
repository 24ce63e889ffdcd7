using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Registry;
using Polly.Retry;
using Polly.Timeout;

namespace Reliability.Infrastructure.Watching;

/// <summary>
/// One resilience pipeline per site (<see cref="PostAddress.SiteOf"/>: the host without "www.", "m."
/// or "mobile.", and its port), so a slow or failing platform only trips its own circuit and spends
/// its own rate budget, whichever of its names a post was cited by. Order, outermost first: total timeout →
/// retry → circuit breaker → rate limiter → attempt timeout. The rate limiter sits inside the retry
/// so every attempt, retries included, takes a token; inside the breaker so waiting for a token is
/// never mistaken for the host failing.
/// </summary>
public sealed class HostPipelines(IOptions<WatcherOptions> options, TimeProvider clock) : IDisposable
{
    private readonly ResiliencePipelineRegistry<string> _registry = new();

    public ResiliencePipeline<FetchResult> For(Uri url) =>
        _registry.GetOrAddPipeline<FetchResult>(PostAddress.SiteOf(url), (builder, context) =>
        {
            var limiter = CreateRateLimiter(options.Value);
            context.OnPipelineDisposed(limiter.Dispose);
            Configure(builder, options.Value, limiter, clock);
        });

    /// <summary>
    /// Transient answers are retried, unless the host asked (Retry-After) for a wait longer than the
    /// whole check may take: then the check ends now as "rate limited" instead of timing out.
    /// </summary>
    public static bool ShouldRetry(Outcome<FetchResult> outcome, WatcherOptions o) =>
        IsTransient(outcome) && !(outcome.Result?.RetryAfter > o.TotalTimeout);

    /// <summary>Answers that say the host, not the post, is in trouble: retried, and counted by the breaker.</summary>
    public static bool IsTransient(Outcome<FetchResult> outcome) => outcome switch
    {
        { Exception: FetchRefusedException or BrokenCircuitException or RateLimiterRejectedException } => false,
        // A connection cut while the body is read is an IOException (HttpIOException), not an HttpRequestException.
        { Exception: HttpRequestException or IOException or TimeoutRejectedException } => true,
        { Result.StatusCode: >= 500 or 429 or 408 } => true,
        _ => false,
    };

    internal static void Configure(ResiliencePipelineBuilder<FetchResult> builder, WatcherOptions o, RateLimiter limiter, TimeProvider clock)
    {
        builder.TimeProvider = clock;
        builder.AddTimeout(o.TotalTimeout);
        // Polly refuses a retry strategy with zero retries; RetryCount = 0 means none.
        if (o.RetryCount > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<FetchResult>
            {
                MaxRetryAttempts = o.RetryCount,
                Delay = o.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, o)),
                // A host's own Retry-After beats our guess; null falls back to the backoff above.
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter),
            });
        }

        builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<FetchResult>
            {
                FailureRatio = o.CircuitBreakerFailureRatio,
                MinimumThroughput = o.CircuitBreakerMinimumThroughput,
                SamplingDuration = o.CircuitBreakerSamplingDuration,
                BreakDuration = o.CircuitBreakerBreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
            })
            .AddRateLimiter(limiter)
            .AddTimeout(o.AttemptTimeout);
    }

    internal static RateLimiter CreateRateLimiter(WatcherOptions o)
    {
        // Below one request a second, one token comes every 1/rate seconds.
        var perSecond = o.RequestsPerSecondPerHost;
        var tokens = perSecond >= 1 ? (int)Math.Ceiling(perSecond) : 1;
        var period = perSecond >= 1 ? TimeSpan.FromSeconds(tokens / perSecond) : TimeSpan.FromSeconds(1 / perSecond);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = o.RateLimiterQueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public void Dispose() => _registry.Dispose();
}
