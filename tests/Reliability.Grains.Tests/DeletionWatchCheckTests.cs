using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Watching;
using Reliability.Grains.Records;
using Reliability.Grains.Watching;
using Reliability.Infrastructure;
using Reliability.Infrastructure.Watching;
using Reliability.Testing;

namespace Reliability.Grains.Tests;

/// <summary>
/// The check worker against real posts (loopback servers) and the record, on a cluster of its own:
/// only this class's claims are ever due, so the schedule hands out exactly what a test set up.
/// </summary>
public sealed class DeletionWatchCheckTests(GrainCluster fixture) : IClassFixture<GrainCluster>
{
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task A_claim_leased_again_while_it_waits_is_checked_once()
    {
        var hits = 0;
        await using var platform = await GonePlatformAsync(() => Interlocked.Increment(ref hits));
        await using var services = CheckWorker();
        var id = await WatchAsync(platform.Url("/post"), w => w.NextCheckAt = _now.AddDays(-30));
        var schedule = fixture.Grains.GetGrain<IDeletionWatchGrain>(0);

        Assert.Equal(1, await schedule.TickAsync());
        // The worker is slow to reach it and its lease runs out (the test's schedule ticks hourly, so by hand).
        await ChangeAsync(id, w => w.NextCheckAt = _now.AddDays(-30));
        Assert.Equal(1, await schedule.TickAsync());

        var worker = services.GetRequiredService<DeletionCheckWorker>();
        foreach (var handedOut in await HandedOutAsync())
        {
            await worker.CheckAsync(handedOut, CancellationToken.None);
        }

        var watch = await LoadAsync(id);
        Assert.Equal(1, hits);
        Assert.Equal((EvidenceState.SuspectedGone, 1, 1), (watch.State, watch.ConsecutiveGone, watch.Checks));
        Assert.Null(watch.LeaseId);
    }

    /// <summary>
    /// An article cites one of the due claims between the tick's read and its lease: that watch has
    /// a new version, so the tick leaves it for later; the others are handed out all the same.
    /// </summary>
    [Fact]
    public async Task A_watch_stored_by_another_writer_during_a_tick_waits_for_the_next_and_the_rest_are_handed_out()
    {
        var due = new List<string>();
        for (var i = 0; i < DeletionWatchTests.ChecksPerTick; i++)
        {
            due.Add(await WatchAsync(new Uri($"https://posts.example/{i}"), w => w.NextCheckAt = _now.AddDays(-30).AddMinutes(i)));
        }

        var cited = due[1];
        var citing = 0;
        var hooks = fixture.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<TickInterleaving>()).ToList();
        foreach (var hook in hooks)
        {
            // Armed on both silos, whichever holds the schedule; the write runs once.
            hook.Arm(async () =>
            {
                if (Interlocked.Increment(ref citing) == 1)
                {
                    await ChangeAsync(cited, w => w.CitedAt = _now);
                }
            });
        }

        var schedule = fixture.Grains.GetGrain<IDeletionWatchGrain>(0);
        var first = await schedule.TickAsync();
        var firstHandedOut = await HandedOutAsync();

        Assert.Contains(hooks, h => h.Fired);
        Assert.Equal(due.Count - 1, first);
        Assert.Equal(due.Where(id => id != cited).Order(StringComparer.Ordinal), firstHandedOut.Select(h => h.ClaimId).Order(StringComparer.Ordinal));
        foreach (var handedOut in firstHandedOut)
        {
            Assert.Equal(handedOut.LeaseId, (await LoadAsync(handedOut.ClaimId)).LeaseId);
        }

        var waiting = await LoadAsync(cited);
        Assert.Equal((_now, (string?)null), (waiting.CitedAt, waiting.LeaseId));
        Assert.True(waiting.NextCheckAt < _now);

        // Still due, the next tick hands it out, citation kept.
        Assert.Equal(1, await schedule.TickAsync());
        var second = Assert.Single(await HandedOutAsync());
        Assert.Equal(cited, second.ClaimId);
        var leased = await LoadAsync(cited);
        Assert.Equal((_now, second.LeaseId), (leased.CitedAt, leased.LeaseId));
        Assert.True(leased.NextCheckAt > _now);
    }

    [Fact]
    public async Task A_hand_out_the_schedule_has_since_replaced_checks_nothing()
    {
        var hits = 0;
        await using var platform = await GonePlatformAsync(() => Interlocked.Increment(ref hits));
        await using var services = CheckWorker();
        var id = await WatchAsync(platform.Url("/post"), w => w.LeaseId = "newer");

        await services.GetRequiredService<DeletionCheckWorker>().CheckAsync(new DeletionCheck(id, "older"), CancellationToken.None);

        var watch = await LoadAsync(id);
        Assert.Equal(0, hits);
        Assert.Equal((0, 0, "newer"), (watch.Checks, watch.ConsecutiveGone, watch.LeaseId));
    }

    [Fact]
    public async Task A_gone_answer_minutes_after_the_last_check_is_not_another_confirmation()
    {
        await using var platform = await GonePlatformAsync(() => 0);
        await using var services = CheckWorker();
        var worker = services.GetRequiredService<DeletionCheckWorker>();
        var soon = await WatchAsync(platform.Url("/post"), w => Suspected(w, _now.AddMinutes(-3)));
        var later = await WatchAsync(platform.Url("/post"), w => Suspected(w, _now.AddHours(-6)));

        await worker.CheckAsync(new DeletionCheck(soon, "lease"), CancellationToken.None);
        await worker.CheckAsync(new DeletionCheck(later, "lease"), CancellationToken.None);

        var checkedSoon = await LoadAsync(soon);
        Assert.Equal((EvidenceState.SuspectedGone, 1, 1), (checkedSoon.State, checkedSoon.ConsecutiveGone, checkedSoon.Checks));
        Assert.True(checkedSoon.LastCheckedAt > _now);
        Assert.Equal((PostVerdict.Unknown, UnknownReason.TooSoon), (checkedSoon.LastVerdict, checkedSoon.LastReason));
        var checkedLater = await LoadAsync(later);
        Assert.Equal((2, PostVerdict.Gone, (UnknownReason?)null), (checkedLater.ConsecutiveGone, checkedLater.LastVerdict, checkedLater.LastReason));

        static void Suspected(ClaimWatch watch, DateTimeOffset lastCheckedAt)
        {
            watch.State = EvidenceState.SuspectedGone;
            watch.ConsecutiveGone = 1;
            watch.LastCheckedAt = lastCheckedAt;
            watch.LeaseId = "lease";
        }
    }

    [Fact]
    public async Task A_deletion_the_record_refuses_for_good_ends_the_watch_saying_why()
    {
        // The claim says it was published ten minutes after the post was first seen gone.
        var claimId = "refused-" + Guid.NewGuid().ToString("N")[..8];
        Assert.All(await fixture.Ledger.RecordClaimsAsync([Record.Claim(claimId, "refused-desk", claimId + "-p", "o0", minute: 10)]),
            r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        await ChangeAsync(claimId, w =>
        {
            w.State = EvidenceState.ConfirmedGone;
            w.ConsecutiveGone = 3;
            w.LastStatus = 404;
            w.ConfirmedAt = Record.Epoch;
            w.LeaseId = "lease";
        });
        await using var services = CheckWorker();

        await services.GetRequiredService<DeletionCheckWorker>().CheckAsync(new DeletionCheck(claimId, "lease"), CancellationToken.None);

        var view = (await ClaimWatchView.ReadAsync(fixture.Store, claimId, CancellationToken.None))!;
        Assert.False(view.Watching);
        Assert.Contains("cannot come before the claim", view.DeletionRefused, StringComparison.Ordinal);
        Assert.Equal("live", (await Record.LoadAsync<ClaimDocument>(fixture.Store, claimId))!.CorrectionStatus);
    }

    [Fact]
    public async Task A_claim_corrected_before_it_came_due_is_never_handed_out_nor_its_post_asked()
    {
        var hits = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await using var platform = await LoopbackServer.StartAsync(app => app.MapGet("/posts/{id}", (string id) =>
        {
            hits.AddOrUpdate(id, 1, (_, n) => n + 1);
            return Results.Ok("still up");
        }));
        await using var services = CheckWorker();
        var (retracted, standing) = await TwoWatchedClaimsAsync("due", platform);
        Assert.True((await fixture.Ledger.RecordCorrectionAsync(retracted, new CorrectionSubmission("retracted", Record.Epoch.AddHours(2), null, null, null))).Succeeded);

        // Both come due.
        await ChangeAsync(retracted, w => w.NextCheckAt = _now.AddDays(-30));
        await ChangeAsync(standing, w => w.NextCheckAt = _now.AddDays(-30));
        Assert.Equal(1, await fixture.Grains.GetGrain<IDeletionWatchGrain>(0).TickAsync());
        var worker = services.GetRequiredService<DeletionCheckWorker>();
        foreach (var handedOut in await HandedOutAsync())
        {
            await worker.CheckAsync(handedOut, CancellationToken.None);
        }

        Assert.Equal(0, hits.GetValueOrDefault(retracted));
        Assert.Equal(1, hits.GetValueOrDefault(standing));
        var ended = await LoadAsync(retracted);
        Assert.True(ended.Finished);
        Assert.Equal(("retracted", (string?)null, Record.Epoch.AddHours(2)), (ended.EndedBy!.Correction, ended.EndedBy.Deletion, ended.EndedBy.CorrectedAt));
        Assert.Null((await LoadAsync(standing)).EndedBy);
    }

    [Fact]
    public async Task A_correction_recorded_while_its_post_is_being_checked_is_not_undone_by_the_check()
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var platform = await LoopbackServer.StartAsync(app => app.MapGet("/posts/{id}", async () =>
        {
            asked.TrySetResult();
            await answer.Task;
            return Results.NotFound();
        }));
        await using var services = CheckWorker();
        var (claimId, _) = await TwoWatchedClaimsAsync("race", platform);
        await ChangeAsync(claimId, w => w.LeaseId = "lease");

        // The check has loaded the watch and waits for the platform when the editor's deletion commits.
        var check = services.GetRequiredService<DeletionCheckWorker>().CheckAsync(new DeletionCheck(claimId, "lease"), CancellationToken.None);
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True((await fixture.Ledger.RecordCorrectionAsync(
            claimId, new CorrectionSubmission("deleted", Record.Epoch.AddHours(3), null, "The desk saw it go.", null, "announced"))).Succeeded);
        answer.SetResult();

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => check);
        Assert.True(ExceptionChain.IsVersionConflict(refused), refused.ToString());
        var watch = await LoadAsync(claimId);
        Assert.True(watch.Finished);
        Assert.Equal(("deleted", "announced"), (watch.EndedBy!.Correction, watch.EndedBy.Deletion));
        Assert.Equal((0, 0, EvidenceState.Live), (watch.Checks, watch.ConsecutiveGone, watch.State));
    }

    [Fact]
    public async Task A_watch_left_running_on_a_claim_withdrawn_earlier_ends_at_its_next_hand_out_unchecked()
    {
        var hits = 0;
        await using var platform = await LoopbackServer.StartAsync(app => app.MapGet("/posts/{id}", () =>
        {
            Interlocked.Increment(ref hits);
            return Results.Ok("still up");
        }));
        await using var services = CheckWorker();
        var (claimId, _) = await TwoWatchedClaimsAsync("legacy", platform);
        Assert.True((await fixture.Ledger.RecordCorrectionAsync(claimId, new CorrectionSubmission("reversed", Record.Epoch.AddHours(2), null, null,
            Record.Claim(claimId + "-r", "legacy-desk", claimId + "-p", "o1", minute: 90)))).Succeeded);
        // As a correction recorded before corrections ended watches left it.
        await ChangeAsync(claimId, w => (w.Finished, w.EndedBy, w.LeaseId) = (false, null, "lease"));

        await services.GetRequiredService<DeletionCheckWorker>().CheckAsync(new DeletionCheck(claimId, "lease"), CancellationToken.None);

        Assert.Equal(0, hits);
        var watch = await LoadAsync(claimId);
        Assert.True(watch.Finished);
        Assert.Equal(("reversed", (string?)null, (DateTimeOffset?)null), (watch.EndedBy!.Correction, watch.EndedBy.CorrectionId, watch.EndedBy.CorrectedAt));
        var view = (await ClaimWatchView.ReadAsync(fixture.Store, claimId, CancellationToken.None))!;
        Assert.Equal((false, (DateTimeOffset?)null, "reversed"), (view.Watching, view.NextCheckAt, view.EndedBy?.Correction));
    }

    /// <summary>Two claims of one source recorded with posts on the platform, each watched from its recording.</summary>
    private async Task<(string First, string Second)> TwoWatchedClaimsAsync(string prefix, LoopbackServer platform)
    {
        var (first, second) = ($"{prefix}-{Guid.NewGuid():N}"[..16], $"{prefix}-{Guid.NewGuid():N}"[..16]);
        var claims = new[] { first, second }.Select((id, i) =>
            Record.Claim(id, prefix + "-desk", id + "-p", "o0", minute: i) with { Url = platform.Url($"/posts/{id}").ToString() }).ToList();
        Assert.All(await fixture.Ledger.RecordClaimsAsync(claims), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        return (first, second);
    }

    [Fact]
    public async Task A_claim_waits_in_the_queue_once_with_its_latest_lease()
    {
        var queue = new DeletionCheckQueue();

        queue.Post(new DeletionCheck("a", "first"));
        queue.Post(new DeletionCheck("b", "only"));
        queue.Post(new DeletionCheck("a", "second"));

        Assert.Equal(2, queue.Waiting);
        Assert.Equal([new DeletionCheck("a", "second"), new DeletionCheck("b", "only")], await DrainAsync(queue));
        Assert.Equal(0, queue.Waiting);
    }

    private static Task<LoopbackServer> GonePlatformAsync(Func<int> hit) =>
        LoopbackServer.StartAsync(app => app.MapGet("/post", () =>
        {
            hit();
            return Results.NotFound();
        }));

    /// <summary>A check worker as the service runs it, on the cluster's record, for posts on loopback.</summary>
    private ServiceProvider CheckWorker()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Reliability:Watcher:AllowPrivateNetworks"] = "true",
            ["Reliability:Watcher:RetryCount"] = "0",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(fixture.Store);
        services.AddSingleton(fixture.Ledger);
        services.AddReliabilityWatcher(configuration);
        services.AddSingleton<DeletionCheckQueue>();
        services.AddSingleton<DeletionCheckWorker>();
        return services.BuildServiceProvider();
    }

    private async Task<string> WatchAsync(Uri url, Action<ClaimWatch> setUp)
    {
        var watch = new ClaimWatch
        {
            Id = "watched-" + Guid.NewGuid().ToString("N")[..8],
            SourceId = "desk",
            Url = url.ToString(),
            RecordedAt = _now.AddDays(-2),
            NextCheckAt = _now.AddHours(1),
        };
        setUp(watch);
        await using var session = fixture.Store.LightweightSession();
        session.Store(watch);
        await session.SaveChangesAsync();
        return watch.Id;
    }

    private async Task ChangeAsync(string id, Action<ClaimWatch> change)
    {
        await using var session = fixture.Store.LightweightSession();
        var watch = (await session.LoadAsync<ClaimWatch>(id))!;
        change(watch);
        session.Store(watch);
        await session.SaveChangesAsync();
    }

    private async Task<ClaimWatch> LoadAsync(string id)
    {
        await using var session = fixture.Store.QuerySession();
        return (await session.LoadAsync<ClaimWatch>(id))!;
    }

    /// <summary>Whatever the schedule handed to either silo's worker.</summary>
    private async Task<List<DeletionCheck>> HandedOutAsync()
    {
        var all = new List<DeletionCheck>();
        foreach (var silo in fixture.Cluster.Silos)
        {
            all.AddRange(await DrainAsync(silo.ServiceProvider.GetRequiredService<DeletionCheckQueue>()));
        }

        return all;
    }

    private static async Task<List<DeletionCheck>> DrainAsync(DeletionCheckQueue queue)
    {
        var taken = new List<DeletionCheck>();
        while (queue.Waiting > 0)
        {
            await using var reader = queue.ReadAllAsync(CancellationToken.None).GetAsyncEnumerator();
            await reader.MoveNextAsync();
            taken.Add(reader.Current);
        }

        return taken;
    }
}
