using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Propositions;
using Reliability.Contracts.Sources;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Records;
using static Reliability.Grains.Tests.Record;

namespace Reliability.Grains.Tests;

/// <summary>Its own cluster, whose periodic catch-up never runs by itself: the test runs each round.</summary>
public sealed class ManualCatchUpCluster : GrainCluster
{
    protected override void Configure(RecordOptions options)
    {
        base.Configure(options);
        options.CatchUpInterval = TimeSpan.FromHours(1);
    }
}

public sealed class StreamCatchUpTests(ManualCatchUpCluster fixture) : IClassFixture<ManualCatchUpCluster>
{
    [Fact]
    public async Task A_round_tells_exactly_the_active_grains_that_are_behind_their_streams()
    {
        var claims = Enumerable.Range(0, 12).Select(i => Claim($"cu-{i}", $"cu-s{i % 3}", $"cu-p{i % 2}", "o" + (i % 2), i)).ToList();
        Assert.All(await fixture.Ledger.RecordClaimsAsync(claims), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        foreach (var s in Enumerable.Range(0, 3))
        {
            Assert.Equal(4, (await fixture.Grains.GetGrain<ISourceGrain>($"cu-s{s}").GetProfileAsync())!.ClaimCount);
        }

        // Every active grain was told of every commit: nothing is behind.
        Assert.Equal(0, await RoundAsync());

        var source = fixture.Grains.GetGrain<ISourceGrain>("cu-s1");
        var proposition = fixture.Grains.GetGrain<IPropositionGrain>("cu-p0");
        Assert.Equal("open", (await proposition.GetAsync())!.Claims.Single(c => c.Id == "cu-0").Status);
        await AppendClaimAsync(fixture.Store, "cu-s1", "cu-p0", "cu-missed", 50, withDocument: true);
        await using (var session = fixture.Store.LightweightSession())
        {
            session.Events.Append(PropositionStream("cu-p0"), new CorrectionRecorded(
                new Correction("cu-missed-deletion", "cu-0", CorrectionKind.Deleted, Epoch.AddMinutes(60), null, null, DeletionNotice.Observed, null)));
            await session.SaveChangesAsync();
        }

        Assert.Null(await source.GetClaimAsync("cu-missed"));
        // A proposition's view reads its claims from their documents: a claim it was not told of shows at once.
        Assert.Contains((await proposition.GetAsync())!.Claims, c => c.Id == "cu-missed");
        Assert.Equal("open", (await proposition.GetAsync())!.Claims.Single(c => c.Id == "cu-0").Status);

        // The source's stream and the proposition's, and no other.
        Assert.Equal(2, await RoundAsync());
        Assert.NotNull(await source.GetClaimAsync("cu-missed"));
        Assert.Equal("deleted", (await proposition.GetAsync())!.Claims.Single(c => c.Id == "cu-0").Status);
        Assert.Equal(0, await RoundAsync());
    }

    [Fact]
    public async Task A_grain_that_cannot_catch_up_does_not_hold_back_the_rest_of_the_round()
    {
        var sources = Enumerable.Range(0, 6).Select(i => $"cuf-s{i}").ToList();
        var claims = sources.Select((s, i) => Claim($"cuf-{i}", s, "cuf-p", "o0", i)).ToList();
        Assert.All(await fixture.Ledger.RecordClaimsAsync(claims), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        foreach (var source in sources)
        {
            Assert.Equal(1, (await fixture.Grains.GetGrain<ISourceGrain>(source).GetProfileAsync())!.ClaimCount);
            await AppendClaimAsync(fixture.Store, source, "cuf-p", $"{source}-missed", 50);
        }

        await using (await DamageLastEventAsync(fixture.Store, SourceStream(sources[0])))
        {
            Assert.Equal(sources.Count, await RoundAsync());
            foreach (var source in sources.Skip(1))
            {
                Assert.NotNull(await fixture.Grains.GetGrain<ISourceGrain>(source).GetClaimAsync($"{source}-missed"));
            }
        }

        // The damaged stream is read again by the next round.
        Assert.Equal(1, await RoundAsync());
        Assert.NotNull(await fixture.Grains.GetGrain<ISourceGrain>(sources[0]).GetClaimAsync($"{sources[0]}-missed"));
    }

    /// <summary>One catch-up round on every silo; how many grains they found behind.</summary>
    private async Task<int> RoundAsync()
    {
        var behind = 0;
        foreach (var silo in fixture.Cluster.Silos)
        {
            var catchUp = silo.ServiceProvider.GetServices<IHostedService>().OfType<StreamCatchUp>().Single();
            behind += await catchUp.CatchUpOnceAsync(CancellationToken.None);
        }

        return behind;
    }
}
