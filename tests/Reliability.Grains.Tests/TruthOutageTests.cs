using Microsoft.Extensions.Logging.Abstractions;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Propositions;
using Reliability.Grains.Propositions;
using Reliability.Infrastructure.Database;
using Reliability.Testing;
using static Reliability.Grains.Tests.Record;

namespace Reliability.Grains.Tests;

/// <summary>A cluster on a PostgreSQL server of its own, which the test stops and starts again.</summary>
public sealed class OutageCluster : GrainCluster
{
    private readonly TemporaryFolder _folder = new("truth-outage");

    public EmbeddedPostgresServer Server { get; private set; } = null!;

    protected override async Task<string> CreateDatabaseAsync()
    {
        Server = await EmbeddedPostgresServer.StartAsync(_folder.Path, NullLogger.Instance);
        return await Server.CreateDatabaseAsync("truth_outage");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Server.DisposeAsync();
        _folder.Dispose();
    }
}

public sealed class TruthOutageTests(OutageCluster fixture) : IClassFixture<OutageCluster>
{
    [Fact]
    public async Task An_estimate_that_cannot_read_the_record_stays_pending_and_catches_up_when_it_can()
    {
        var claims = Enumerable.Range(0, 40)
            .Select(i => Claim($"out-{i}", $"out-s{i % 5}", $"out-p{i % 8}", "o" + (i % 3 % 2), i)).ToList();
        Assert.All(await fixture.Ledger.RecordClaimsAsync(claims), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        await fixture.AssertTruthEqualsBatchAsync();
        var truth = fixture.Grains.GetGrain<ITruthGrain>(0);
        var before = await truth.GetEstimatesAsync([]);

        await fixture.Server.HaltAsync();
        try
        {
            // Asked to read everything again while the store is down: every attempt fails.
            await truth.InvalidateAsync();
            await Task.Delay(TimeSpan.FromSeconds(3));
            var during = await truth.GetEstimatesAsync([]);
            Assert.True(during.Stale, "an estimate that could not read the record was served as current");
            Assert.Equal(before.Version, during.Version);
        }
        finally
        {
            await fixture.Server.ResumeAsync();
        }

        // Nobody asks again: the grain keeps trying on its own and catches up once the store is back.
        await fixture.AssertTruthEqualsBatchAsync();
        Assert.True((await truth.GetEstimatesAsync([])).Version > before.Version);
    }

    [Fact]
    public async Task An_estimate_that_cannot_be_put_on_record_is_not_served_until_it_is()
    {
        var claims = Enumerable.Range(0, 30)
            .Select(i => Claim($"hist-{i}", $"hist-s{i % 4}", $"hist-p{i % 6}", "o" + (i % 3 % 2), i)).ToList();
        Assert.All(await fixture.Ledger.RecordClaimsAsync(claims), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        await fixture.AssertTruthEqualsBatchAsync();
        var truth = fixture.Grains.GetGrain<ITruthGrain>(0);
        var before = await truth.GetEstimatesAsync([]);

        // The history's table out of reach (the record itself still readable): each run fails at its write.
        await using (await TakeTableAwayAsync(fixture.Store, EstimateHistory.TableName))
        {
            var more = Enumerable.Range(0, 12).Select(i => Claim($"hist-more-{i}", $"hist-t{i % 3}", "hist-p0", "o1", 40 + i)).ToList();
            Assert.All(await fixture.Ledger.RecordClaimsAsync(more), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
            await Task.Delay(TimeSpan.FromSeconds(3));
            var during = await truth.GetEstimatesAsync([]);
            Assert.True(during.Stale, "an estimate not on record was served as current");
            Assert.Equal(before.Version, during.Version);
        }

        // Back within reach: the grain writes and serves the estimate, and the record and history agree.
        await fixture.AssertTruthEqualsBatchAsync();
        Assert.True((await truth.GetEstimatesAsync([])).Version > before.Version);
    }
}
