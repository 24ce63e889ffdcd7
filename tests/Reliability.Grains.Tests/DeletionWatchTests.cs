using Reliability.Contracts.Watching;
using Reliability.Grains.Watching;

namespace Reliability.Grains.Tests;

public sealed class DeletionWatchTests(GrainCluster fixture) : IClassFixture<GrainCluster>
{
    public const int ChecksPerTick = 3;

    [Fact]
    public async Task A_backlog_is_handed_out_a_bounded_number_at_a_time_earliest_first_and_leased()
    {
        var now = DateTimeOffset.UtcNow;
        var prefix = "backlog-" + Guid.NewGuid().ToString("N")[..8];
        var overdue = Enumerable.Range(0, 8)
            .Select(i => new ClaimWatch
            {
                Id = $"{prefix}-{i}",
                SourceId = "desk",
                Url = $"https://posts.example/{i}",
                RecordedAt = now.AddDays(-1),
                NextCheckAt = now.AddMinutes(-10 + i),
            })
            .ToList();
        var notDue = new ClaimWatch { Id = $"{prefix}-later", SourceId = "desk", Url = "https://posts.example/later", RecordedAt = now, NextCheckAt = now.AddHours(1) };
        var finished = new ClaimWatch { Id = $"{prefix}-done", SourceId = "desk", Url = "https://posts.example/done", RecordedAt = now, NextCheckAt = now.AddHours(-2), Finished = true };
        await using (var session = fixture.Store.LightweightSession())
        {
            session.Store([.. overdue, notDue, finished]);
            await session.SaveChangesAsync();
        }

        var schedule = fixture.Grains.GetGrain<IDeletionWatchGrain>(0);
        var first = await schedule.TickAsync();
        // Nobody drains the queue here: while the worker is behind, the schedule hands out nothing more.
        var second = await schedule.TickAsync();

        Assert.Equal(ChecksPerTick, first);
        Assert.Equal(0, second);
        await using var query = fixture.Store.QuerySession();
        var stored = (await query.LoadManyAsync<ClaimWatch>([.. overdue.Select(w => w.Id), notDue.Id, finished.Id])).ToDictionary(w => w.Id);
        var leased = overdue.Where(w => stored[w.Id].NextCheckAt > now).Select(w => w.Id).ToList();
        Assert.Equal(overdue.Take(ChecksPerTick).Select(w => w.Id), leased);
        Assert.Equal(notDue.NextCheckAt, stored[notDue.Id].NextCheckAt);
        Assert.Equal(finished.NextCheckAt, stored[finished.Id].NextCheckAt);
    }
}
