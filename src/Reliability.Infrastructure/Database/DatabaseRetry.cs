using Polly;
using Polly.Retry;

namespace Reliability.Infrastructure.Database;

/// <summary>
/// The retry a node's own conversation with the database takes (its LISTEN connections, its
/// notices to other nodes): the wait doubles from a fifth of a second up to ten, with jitter so
/// nodes that lost the database together do not come back in step; stopping is never retried.
/// </summary>
public static class DatabaseRetry
{
    public static ResiliencePipeline Pipeline(TimeProvider clock, int maxAttempts, Action<Exception?, int> onRetry) =>
        new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = maxAttempts,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(10),
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                OnRetry = arguments =>
                {
                    onRetry(arguments.Outcome.Exception, arguments.AttemptNumber + 1);
                    return default;
                },
            })
            .Build();
}
