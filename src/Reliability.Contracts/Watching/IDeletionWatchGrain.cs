namespace Reliability.Contracts.Watching;

/// <summary>
/// The schedule of deletion checks: one activation (key 0) hands claims that are due to the silo's
/// check worker, a bounded number per tick. A reminder keeps it running across restarts.
/// </summary>
[Alias("Reliability.IDeletionWatchGrain")]
public interface IDeletionWatchGrain : IGrainWithIntegerKey
{
    /// <summary>Registers the reminder (idempotent) and activates the grain, which starts ticking.</summary>
    [Alias("Start")]
    Task StartAsync();

    /// <summary>Hands out the claims due now; returns how many. The timer calls it; tests may too.</summary>
    [Alias("Tick")]
    Task<int> TickAsync();
}
