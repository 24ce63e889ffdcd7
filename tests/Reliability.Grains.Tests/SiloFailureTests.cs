using System.Collections.Concurrent;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Propositions;
using Reliability.Contracts.Sources;
using Reliability.Grains.Records;
using static Reliability.Grains.Tests.Record;

namespace Reliability.Grains.Tests;

/// <summary>Its own cluster: the test leaves it with one silo.</summary>
public sealed class SiloFailureCluster : GrainCluster;

public sealed class SiloFailureTests(SiloFailureCluster fixture) : IClassFixture<SiloFailureCluster>
{
    [Fact]
    public async Task A_silo_killed_mid_update_loses_no_acknowledged_write()
    {
        var acknowledged = new ConcurrentBag<ClaimSubmission>();
        var failed = 0;
        var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var batch = Enumerable.Range(0, 3)
                    .Select(i => Claim($"k-{w}-{n}-{i}", $"k-s{(n + i) % 5}", $"k-p{(w + n * 3 + i) % 7}", "o" + (i % 2), n)).ToList();
                try
                {
                    var results = await fixture.Ledger.RecordClaimsAsync(batch);
                    foreach (var claim in results.Accepted(batch))
                    {
                        acknowledged.Add(claim);
                    }
                }
                catch (Exception)
                {
                    // Not acknowledged, so not promised; only acknowledged writes are checked.
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToList();

        await EventuallyAsync(() => Task.FromResult(acknowledged.Count >= 30), "some writes before the kill");
        await fixture.Cluster.KillSiloAsync(fixture.Cluster.Silos[1]);
        var atKill = acknowledged.Count;
        await EventuallyAsync(() => Task.FromResult(acknowledged.Count >= atKill + 30), "writes after the kill");
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var claims = acknowledged.ToList();
        Assert.True(claims.Count >= 60);
        foreach (var bySource in claims.GroupBy(c => c.SourceId!))
        {
            var stream = await ClaimIdsAsync(fixture.Store, SourceStream(bySource.Key));
            Assert.Empty(bySource.Select(c => c.Id).Except(stream));
            Assert.Equal(stream.Count, stream.Distinct().Count());
        }

        foreach (var byProposition in claims.GroupBy(c => c.Proposition!.Id!))
        {
            var stored = await ClaimIdsOnAsync(fixture.Store, byProposition.Key);
            Assert.Empty(byProposition.Select(c => c.Id).Except(stored));
            Assert.Equal(stored.Count, stored.Distinct().Count());
        }

        await using (var session = fixture.Store.QuerySession())
        {
            var ids = claims.Select(c => c.Id).ToArray();
            Assert.Equal(ids.Length, (await session.LoadManyAsync<ClaimDocument>(ids)).Count);
        }

        // Grains of the dead silo come back on the survivor, rebuilt from their streams.
        foreach (var source in Enumerable.Range(0, 5).Select(i => $"k-s{i}"))
        {
            var expected = (await ClaimIdsAsync(fixture.Store, SourceStream(source))).Count;
            Assert.Equal(expected, (await new RecordQueries(fixture.Store).ClaimCountsAsync([source])).GetValueOrDefault(source));
            await EventuallyAsync(async () => (await fixture.Grains.GetGrain<ISourceGrain>(source).GetProfileAsync())?.ClaimCount == expected,
                $"source {source} serves its {expected} claims");
        }

        foreach (var proposition in Enumerable.Range(0, 7).Select(i => $"k-p{i}"))
        {
            var expected = (await ClaimIdsOnAsync(fixture.Store, proposition)).Count;
            await EventuallyAsync(async () => (await fixture.Grains.GetGrain<IPropositionGrain>(proposition).GetAsync())?.Claims.Count == expected,
                $"proposition {proposition} serves its {expected} claims");
        }
    }
}
