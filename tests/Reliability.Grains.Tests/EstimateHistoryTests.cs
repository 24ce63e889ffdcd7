using Reliability.Contracts.Propositions;
using Reliability.Grains.Propositions;

namespace Reliability.Grains.Tests;

/// <summary>The truth estimate's history: what a run writes, and what a read known at a moment finds.</summary>
public sealed class EstimateHistoryTests() : RecordStoreTests("estimate_history")
{
    private static Dictionary<string, IReadOnlyList<OptionProbability>> Estimate(params (string Proposition, double Yes, int Claimants)[] propositions) =>
        propositions.ToDictionary(
            p => p.Proposition,
            p => (IReadOnlyList<OptionProbability>)[new("yes", p.Yes, p.Claimants), new("no", 1 - p.Yes, 1)],
            StringComparer.Ordinal);

    [Fact]
    public void Only_moves_of_the_tolerance_or_more_or_of_options_and_claimants_are_changes()
    {
        var written = Estimate(("p1", 0.70, 2), ("p2", 0.40, 1), ("p3", 0.55, 1), ("gone", 0.9, 1));
        var now = Estimate(("p1", 0.70 + (EstimateHistory.Tolerance / 2), 2), ("p2", 0.40 + EstimateHistory.Tolerance, 1), ("p3", 0.55, 2), ("new", 0.5, 1));
        var changes = EstimateHistory.Changes(written, now);

        Assert.Equal(["gone", "new", "p2", "p3"], changes.Select(c => c.PropositionId));
        Assert.Null(changes.Single(c => c.PropositionId == "gone").Options);
        Assert.Same(now["p2"], changes.Single(c => c.PropositionId == "p2").Options);

        // An option more or less is a change, whatever the probabilities.
        IReadOnlyList<OptionProbability> three = [new("yes", 0.70, 2), new("no", 0.30, 1), new("maybe", 0, 0)];
        Assert.False(EstimateHistory.Same(written["p1"], three));
        Assert.Empty(EstimateHistory.Changes(written, written));
    }

    [Fact]
    public async Task A_read_known_at_a_moment_finds_the_estimate_then_and_a_new_activation_writes_only_what_moved()
    {
        var log = new EstimateLog(Store);
        await log.RecordAsync(1, Estimate(("p1", 0.70, 2), ("p2", 0.40, 1)));
        var first = await MomentAsync();

        // A move under the tolerance writes nothing; p1 leaves the estimate (resolved, say).
        await log.RecordAsync(2, Estimate(("p2", 0.40 + (EstimateHistory.Tolerance / 3), 1)));
        var second = await MomentAsync();
        Assert.Equal(3L, await RowsAsync());

        // A new activation of the truth grain starts from what the history says, not from nothing.
        var again = new EstimateLog(Store);
        await again.RecordAsync(3, Estimate(("p2", 0.40 + (EstimateHistory.Tolerance / 3), 1)));
        Assert.Equal(3L, await RowsAsync());
        await again.RecordAsync(4, Estimate(("p2", 0.25, 2)));
        var third = await MomentAsync();

        var atFirst = await EstimateHistory.KnownAtAsync(Store, ["p1", "p2", "p9"], first);
        Assert.Equal(["p1", "p2"], atFirst.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0.70, atFirst["p1"].Single(o => o.Option == "yes").Probability);
        Assert.Equal(2, atFirst["p1"].Single(o => o.Option == "yes").Claimants);
        var atSecond = await EstimateHistory.KnownAtAsync(Store, ["p1", "p2"], second);
        Assert.Equal(["p2"], atSecond.Keys);
        Assert.Equal(0.40, atSecond["p2"].Single(o => o.Option == "yes").Probability);
        var atThird = await EstimateHistory.KnownAtAsync(Store, ["p1", "p2"], third);
        Assert.Equal(0.25, atThird["p2"].Single(o => o.Option == "yes").Probability);
        Assert.Empty(await EstimateHistory.KnownAtAsync(Store, ["p1", "p2"], first.AddMinutes(-5)));
    }

    /// <summary>A moment between two writes, as the store stamps them.</summary>
    private static async Task<DateTimeOffset> MomentAsync()
    {
        await Task.Delay(TimeSpan.FromMilliseconds(50));
        var moment = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromMilliseconds(50));
        return moment;
    }

    private Task<long> RowsAsync() => ScalarAsync($"select count(*) from {EstimateHistory.QualifiedName(Store)}");
}
