using Reliability.Contracts.Ledger;
using Reliability.Grains.Watching;
using Reliability.Infrastructure;
using static Reliability.Grains.Tests.Record;

namespace Reliability.Grains.Tests;

/// <summary>A deletion check that loaded a watch before its source was merged cannot store the old source back.</summary>
public sealed class SourceMergeWatchTests(GrainCluster fixture) : IClassFixture<GrainCluster>
{
    [Fact]
    public async Task A_watch_loaded_before_a_merge_is_a_conflict_when_stored_after_it()
    {
        var absorbed = Claim("mw-c1", "mw-absorbed", "mw-p1", "o0", 1);
        var survivor = Claim("mw-c2", "mw-survivor", "mw-p2", "o0", 2);
        Assert.All(await fixture.Ledger.RecordClaimsAsync([absorbed, survivor]), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));

        // What a check does: it loads the watch, asks the platform, then stores what it found.
        await using var check = fixture.Store.LightweightSession();
        var watch = (await check.LoadAsync<ClaimWatch>(absorbed.Id))!;
        Assert.Equal("mw-absorbed", watch.SourceId);

        Assert.True((await fixture.Ledger.MergeSourcesAsync("mw-survivor", "mw-absorbed", "the same desk")).Succeeded);

        watch.NextCheckAt = watch.NextCheckAt.AddHours(1);
        check.Store(watch);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => check.SaveChangesAsync());
        Assert.True(ExceptionChain.IsVersionConflict(refused), refused.ToString());
        Assert.Equal("mw-survivor", (await LoadAsync<ClaimWatch>(fixture.Store, absorbed.Id))!.SourceId);
    }
}
