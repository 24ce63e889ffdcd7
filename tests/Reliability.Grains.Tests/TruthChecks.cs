using System.Text.Json;
using Marten;
using Reliability.Contracts.Propositions;
using Reliability.Domain.Scoring;
using Reliability.Domain.Truth;
using Reliability.Grains.Propositions;
using Reliability.Grains.Records;

namespace Reliability.Grains.Tests;

/// <summary>The live truth estimate held against the batch engine run on everything stored.</summary>
public static class TruthChecks
{
    public static async Task WaitForQuietTruthAsync(ITruthGrain truth)
    {
        // Quiet: no recomputation pending, however long the grain chose to wait after the last writes.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await truth.GetEstimatesAsync([])).Stale)
        {
            Assert.True(DateTime.UtcNow < deadline, "the truth estimate never caught up with the record");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Waits until the truth grain is quiet, then checks it against the batch engine on everything stored.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<ValueProbability>>> AssertTruthEqualsBatchAsync(
        this GrainCluster fixture, int minimumOpen = 1)
    {
        var truth = fixture.Grains.GetGrain<ITruthGrain>(0);
        await WaitForQuietTruthAsync(truth);

        await using var session = fixture.Store.QuerySession();
        var stored = await session.Query<ClaimDocument>().ToListAsync();
        // The grain reads only the fields it needs, selected by the query: they must be the documents' own.
        var selected = await ClaimForEstimate.Select(session.Query<ClaimDocument>()).ToListAsync();
        Assert.Equal(
            stored.Select(ClaimForEstimate.Of).Select(c => JsonSerializer.Serialize(c)).Order(StringComparer.Ordinal),
            selected.Select(c => JsonSerializer.Serialize(c)).Order(StringComparer.Ordinal));
        var propositions = await session.Query<PropositionDocument>().ToListAsync();
        var options = await PropositionOptions.Select(session.Query<PropositionDocument>()).ToListAsync();
        Assert.Equal(
            propositions.Select(PropositionOptions.Of).Select(p => JsonSerializer.Serialize(p)).Order(StringComparer.Ordinal),
            options.Select(p => JsonSerializer.Serialize(p)).Order(StringComparer.Ordinal));
        var engine = new TruthDiscoveryEngine().Discover(TruthRecord.From(stored, propositions).ToInput(ScoringPolicy.Beta.Hedges));
        var open = engine.Objects.Where(o => !o.IsResolved).ToList();
        Assert.True(open.Count >= minimumOpen);

        var live = await truth.GetEstimatesAsync([.. open.Select(o => o.ObjectId)]);
        Assert.Equal(open.Count, live.Propositions.Count);
        foreach (var expected in open)
        {
            var actual = live.Propositions[expected.ObjectId];
            Assert.Equal(expected.Candidates.Count, actual.Count);
            foreach (var candidate in expected.Candidates)
            {
                var probability = actual.Single(a => a.Option == candidate.Value).Probability;
                // The grain serves an estimate as recorded: a move under the history's tolerance keeps the last one written.
                Assert.True(Math.Abs(probability - candidate.Probability) <= 1e-3 + EstimateHistory.Tolerance,
                    $"{expected.ObjectId}/{candidate.Value}: grain {probability}, batch {candidate.Probability}");
            }
        }

        // Every estimate served is on record, exactly as served, for reads known at a later moment.
        var recorded = await EstimateHistory.LatestAsync(fixture.Store);
        Assert.Equal(open.Select(o => o.ObjectId).Order(StringComparer.Ordinal), recorded.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, served) in live.Propositions)
        {
            Assert.Equal(JsonSerializer.Serialize(served), JsonSerializer.Serialize(recorded[id]));
        }

        return open.ToDictionary(o => o.ObjectId, o => o.Candidates, StringComparer.Ordinal);
    }
}
