using Microsoft.Extensions.Options;
using Reliability.Infrastructure.Watching;

namespace Reliability.Infrastructure.Tests.Watching;

public sealed class WatchScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly WatcherOptions Settings = new()
    {
        FirstCheckDelay = TimeSpan.FromHours(1),
        CheckInterval = TimeSpan.FromHours(6),
        OldClaimCheckInterval = TimeSpan.FromDays(7),
        OldClaimAge = TimeSpan.FromDays(30),
        ScheduleJitter = 0.25,
    };

    private readonly WatchSchedule _schedule = new(Options.Create(Settings));

    [Fact]
    public void A_new_claim_is_first_checked_after_the_first_delay_within_the_jitter_window()
    {
        var claim = new WatchedClaim("claim-1", Now);
        var next = _schedule.NextCheck(claim, lastCheckedAt: null, Now);
        Assert.InRange(next, Now + TimeSpan.FromHours(1), Now + TimeSpan.FromHours(1.25));
    }

    [Fact]
    public void Recent_claims_are_checked_often_and_old_ones_rarely()
    {
        var recent = new WatchedClaim("recent", Now - TimeSpan.FromDays(2));
        var old = new WatchedClaim("old", Now - TimeSpan.FromDays(90));

        var recentNext = _schedule.NextCheck(recent, Now, Now);
        var oldNext = _schedule.NextCheck(old, Now, Now);

        Assert.InRange(recentNext, Now + TimeSpan.FromHours(6), Now + TimeSpan.FromHours(7.5));
        Assert.InRange(oldNext, Now + TimeSpan.FromDays(7), Now + TimeSpan.FromDays(8.75));
    }

    [Fact]
    public void An_old_claim_that_is_cited_again_is_checked_as_often_as_a_recent_one()
    {
        var cited = new WatchedClaim("old-but-cited", Now - TimeSpan.FromDays(90), RecentlyCited: true);
        Assert.Equal(TimeSpan.FromHours(6), _schedule.IntervalFor(cited, Now));
    }

    [Fact]
    public void The_same_claim_gets_the_same_time_and_different_claims_spread()
    {
        var claim = new WatchedClaim("stable", Now);
        Assert.Equal(_schedule.NextCheck(claim, Now, Now), _schedule.NextCheck(claim with { }, Now, Now));

        var times = Enumerable.Range(0, 500)
            .Select(i => _schedule.NextCheck(new WatchedClaim($"claim-{i}", Now - TimeSpan.FromDays(1)), Now, Now))
            .ToList();
        Assert.True(times.Distinct().Count() > 490);
    }

    [Fact]
    public void An_overdue_backlog_is_spread_over_the_jitter_window_instead_of_bursting_now()
    {
        var backlog = Enumerable.Range(0, 1000)
            .Select(i => new WatchedClaim($"imported-{i}", Now - TimeSpan.FromDays(3)))
            .Select(c => _schedule.NextCheck(c, lastCheckedAt: Now - TimeSpan.FromDays(2), Now))
            .ToList();

        var window = TimeSpan.FromHours(6) * 0.25;
        Assert.All(backlog, t => Assert.InRange(t, Now, Now + window));
        // Each tenth of the window gets a share of the backlog, none more than twice the fair share.
        var buckets = backlog.GroupBy(t => (int)((t - Now) / window * 10)).ToList();
        Assert.Equal(10, buckets.Count);
        Assert.All(buckets, b => Assert.InRange(b.Count(), 50, 200));
    }

    [Fact]
    public void Jitter_is_a_fraction_fixed_by_the_id()
    {
        Assert.Equal(WatchSchedule.Jitter("a"), WatchSchedule.Jitter("a"));
        Assert.NotEqual(WatchSchedule.Jitter("a"), WatchSchedule.Jitter("b"));
        Assert.All(Enumerable.Range(0, 200), i => Assert.InRange(WatchSchedule.Jitter(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), 0, 0.9999999));
    }
}
