using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reliability.Contracts.Watching;

namespace Reliability.Grains.Watching;

/// <summary>Starts the schedule once the silo answers; retried, because the silo may still be joining.</summary>
public sealed partial class DeletionWatchStarter(IGrainFactory grains, TimeProvider clock, ILogger<DeletionWatchStarter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await grains.GetGrain<IDeletionWatchGrain>(0).StartAsync();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRetry(logger, e, attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt)), clock, stoppingToken);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "The deletion-check schedule could not start yet (attempt {Attempt}); retrying")]
    private static partial void LogRetry(ILogger logger, Exception exception, int attempt);
}
