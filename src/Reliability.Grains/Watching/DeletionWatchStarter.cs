using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Reliability.Contracts.Watching;

namespace Reliability.Grains.Watching;

/// <summary>Starts the schedule once the silo answers; retried, because the silo may still be joining.</summary>
public sealed partial class DeletionWatchStarter(IGrainFactory grains, TimeProvider clock, ILogger<DeletionWatchStarter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Until it works or the service stops: one more second between attempts each time, at most 30.
        var retry = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Linear,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(30),
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                OnRetry = arguments =>
                {
                    LogRetry(logger, arguments.Outcome.Exception, arguments.AttemptNumber + 1);
                    return default;
                },
            })
            .Build();
        await retry.ExecuteAsync(async _ => await grains.GetGrain<IDeletionWatchGrain>(0).StartAsync(), stoppingToken);
    }

    [LoggerMessage(LogLevel.Warning, "The deletion-check schedule could not start yet (attempt {Attempt}); retrying")]
    private static partial void LogRetry(ILogger logger, Exception? exception, int attempt);
}
