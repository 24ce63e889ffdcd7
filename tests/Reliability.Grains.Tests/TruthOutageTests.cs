using Microsoft.Extensions.Logging.Abstractions;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Propositions;
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
}
