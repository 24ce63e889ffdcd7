using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
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
    IDocumentStore store, DeletionCheckQueue queue, IOptions<WatcherOptions> options, TimeProvider clock, TickInterleaving interleaving)
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
        var due = new List<(string Id, Guid Version, string LeaseId)>();
        await using (var session = store.LightweightSession())
        {
            foreach (var watch in await session.Query<ClaimWatch>()
                .Where(w => !w.Finished && w.NextCheckAt <= now)
                .OrderBy(w => w.NextCheckAt)
                .Take(room)
                .ToListAsync())
            {
                if (session.VersionFor(watch) is { } version)
                {
                    due.Add((watch.Id, version, Guid.NewGuid().ToString("N")));
                }
            }
        }

        if (due.Count == 0)
        {
            return 0;
        }

        await interleaving.RunAsync();

        // The lease: a claim whose worker died (or whose check outlived it) comes due again. Its id
        // tells the worker whether the hand-out it holds is still the claim's latest.
        var leased = await LeaseAsync(due, now + (o.TotalTimeout * 2) + o.TickInterval);
        foreach (var (id, _, leaseId) in due)
        {
            if (leased.Contains(id))
            {
                queue.Post(new DeletionCheck(id, leaseId));
            }
        }

        return leased.Count;
    }

    /// <summary>
    /// Leases the claims read, in one statement, each only while it is still the version read: a
    /// watch a correction, a citation or a merge stored meanwhile is left to a later tick (if still
    /// due then), where saving the whole tick as one batch failed it for every claim. Every watch
    /// leased gets a new version, as a store through the session would give it, so a worker holding
    /// a copy from before the lease cannot store over it. Returns the ids leased.
    /// </summary>
    private async Task<HashSet<string>> LeaseAsync(List<(string Id, Guid Version, string LeaseId)> due, DateTimeOffset until)
    {
        var table = store.Options.Schema.For<ClaimWatch>();
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var lease = new NpgsqlCommand($$"""
            update {{table}} w set
                data = jsonb_set(jsonb_set(w.data, '{{{nameof(ClaimWatch.NextCheckAt)}}}', $4::jsonb, true), '{{{nameof(ClaimWatch.LeaseId)}}}', to_jsonb(l.lease_id), true),
                next_check_at = $5,
                mt_version = gen_random_uuid(),
                mt_last_modified = transaction_timestamp()
            from unnest($1::text[], $2::uuid[], $3::text[]) as l(id, version, lease_id)
            where w.id = l.id and w.mt_version = l.version
            returning w.id
            """, connection);
        lease.Parameters.Add(new NpgsqlParameter { Value = due.Select(d => d.Id).ToArray() });
        lease.Parameters.Add(new NpgsqlParameter { Value = due.Select(d => d.Version).ToArray() });
        lease.Parameters.Add(new NpgsqlParameter { Value = due.Select(d => d.LeaseId).ToArray() });
        lease.Parameters.Add(new NpgsqlParameter { Value = store.Options.Serializer().ToJson(until) });
        lease.Parameters.Add(new NpgsqlParameter { Value = until });
        var leased = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await lease.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            leased.Add(reader.GetString(0));
        }

        return leased;
    }
}
