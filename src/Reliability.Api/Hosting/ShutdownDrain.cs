namespace Reliability.Api.Hosting;

/// <summary>
/// A graceful stop (SIGTERM) in three steps: readiness turns unhealthy at once, so a load balancer
/// stops sending new requests; after <see cref="ClusterSettings.DrainDelay"/> the web server stops
/// accepting connections and lets in-flight requests finish; only then does the silo leave the
/// cluster. <see cref="IHostedLifecycleService.StoppingAsync"/> runs before any service stops.
/// </summary>
internal sealed partial class ShutdownDrain(ClusterSettings cluster, ILogger<ShutdownDrain> logger) : IHostedLifecycleService
{
    private volatile bool _draining;

    public bool IsDraining => _draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        LogDraining(logger, cluster.DrainDelay.TotalSeconds);
        if (cluster.DrainDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(cluster.DrainDelay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The host's shutdown timeout ran out; stop now.
            }
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Stopping: not ready any more; serving for {Seconds} s more before closing the listener")]
    private static partial void LogDraining(ILogger logger, double seconds);
}
