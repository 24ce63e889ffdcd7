using Marten;
using Microsoft.Extensions.Options;
using Reliability.Contracts.Watching;
using Reliability.Infrastructure.Watching;

namespace Reliability.Grains.Watching;

/// <summary>
/// The deletion-check schedule. A reminder (which survives restarts) keeps it activated; a timer
/// ticks every <see cref="WatcherOptions.TickInterval"/>, finds the claims due in PostgreSQL, leases
/// them and hands them to the silo's <see cref="DeletionCheckWorker"/>, so no network wait happens
/// in this grain's turn. At most <see cref="WatcherOptions.ChecksPerTick"/> per tick, fewer while the
/// worker is still behind, so a backlog is worked off gradually.
/// </summary>
public sealed class DeletionWatchGrain(
    IDocumentStore store, DeletionCheckQueue queue, IOptions<WatcherOptions> options, TimeProvider clock)
    : Grain, IDeletionWatchGrain, IRemindable
{
    private const string ReminderName = "deletion-checks";

    // Reminders are coarse (a minute at least); they only need to bring the grain back after a restart.
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var tick = options.Value.TickInterval;
        this.RegisterGrainTimer(async () => await TickAsync(), new GrainTimerCreationOptions(tick, tick) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public async Task StartAsync() => await this.RegisterOrUpdateReminder(ReminderName, ReminderPeriod, ReminderPeriod);

    // Activation registered the timer; the reminder's only job was to activate.
    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    public async Task<int> TickAsync()
    {
        var o = options.Value;
        var room = o.ChecksPerTick - queue.Waiting;
        if (room <= 0)
        {
            return 0;
        }

        var now = clock.GetUtcNow();
        await using var session = store.LightweightSession();
        var due = await session.Query<ClaimWatch>()
            .Where(w => !w.Finished && w.NextCheckAt <= now)
            .OrderBy(w => w.NextCheckAt)
            .Take(room)
            .ToListAsync();
        if (due.Count == 0)
        {
            return 0;
        }

        // The lease: a claim whose worker died (or whose check outlived it) comes due again. Its id
        // tells the worker whether the hand-out it holds is still the claim's latest.
        var lease = now + (o.TotalTimeout * 2) + o.TickInterval;
        foreach (var watch in due)
        {
            watch.NextCheckAt = lease;
            watch.LeaseId = Guid.NewGuid().ToString("N");
            session.Store(watch);
        }

        await session.SaveChangesAsync();
        foreach (var watch in due)
        {
            queue.Post(new DeletionCheck(watch.Id, watch.LeaseId!));
        }

        return due.Count;
    }
}
