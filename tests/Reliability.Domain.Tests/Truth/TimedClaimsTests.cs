using Reliability.Domain.Truth;

namespace Reliability.Domain.Tests.Truth;

/// <summary>What the engine reads from when claims were made: who changed their mind, and who copied whom.</summary>
public sealed class TimedClaimsTests
{
    private static readonly TruthDiscoveryEngine Engine = new();
    private static readonly DateTimeOffset Attack = new(2023, 9, 28, 6, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, IReadOnlyList<string>> BaseOptions = new() { ["base-held"] = ["repelled", "taken"] };

    private static TruthClaim Said(string source, string value, double? hoursAfter) =>
        new(source, "base-held", value, At: hoursAfter is { } h ? Attack.AddHours(h) : null);

    // Other sources on the base, and a record on which the army and the agency are rated. Untimed,
    // so that no pair of sources here is ordered by time: only the army's own claims are.
    private static IEnumerable<TruthClaim> Context() =>
    [
        Said("agency", "repelled", null),
        Said("local", "taken", null),
        .. Enumerable.Range(0, 6).SelectMany(i => new[]
        {
            new TruthClaim("army", $"convoy-{i}", i % 3 == 0 ? "ambushed" : "arrived"),
            new TruthClaim("agency", $"convoy-{i}", "arrived"),
            new TruthClaim("local", $"convoy-{i}", i % 2 == 0 ? "ambushed" : "arrived"),
        }),
    ];

    private static TruthDiscoveryResult Discover(params TruthClaim[] army) =>
        Engine.Discover(new TruthDiscoveryInput([.. army, .. Context()], Options: BaseOptions));

    private static double Taken(TruthDiscoveryResult result) =>
        result.Objects.Single(o => o.ObjectId == "base-held").Candidates.Single(c => c.Value == "taken").Probability;

    private static double Army(TruthDiscoveryResult result) => result.Sources.Single(s => s.SourceId == "army").Reliability;

    [Fact]
    public void A_later_claim_of_another_option_supersedes_the_earlier_one()
    {
        // "I deleted the old post saying the army repelled the attack; the militants took the camp."
        var changedMind = Discover(Said("army", "repelled", 1), Said("army", "taken", 30));
        var onlyTheLater = Discover(Said("army", "taken", 30));
        var untimed = Discover(Said("army", "repelled", null), Said("army", "taken", null));

        Assert.Equal(Taken(onlyTheLater), Taken(changedMind), 12);
        Assert.Equal(Army(onlyTheLater), Army(changedMind), 12);
        // Without times nothing says which came last: the army's weight is split, and the estimate differs.
        Assert.True(Taken(untimed) < Taken(changedMind) - 0.01, $"untimed {Taken(untimed):0.000}, timed {Taken(changedMind):0.000}");
    }

    [Fact]
    public void Going_back_to_the_first_option_makes_it_stand_again()
    {
        var backAgain = Discover(Said("army", "repelled", 1), Said("army", "taken", 30), Said("army", "repelled", 50));
        var onlyTheLast = Discover(Said("army", "repelled", 50));

        Assert.Equal(Taken(onlyTheLast), Taken(backAgain), 12);
        Assert.Equal(Army(onlyTheLast), Army(backAgain), 12);
    }

    [Fact]
    public void Claims_at_the_same_moment_or_without_a_time_are_not_ordered_and_both_stand()
    {
        var untimed = Discover(Said("army", "repelled", null), Said("army", "taken", null));
        var sameMoment = Discover(Said("army", "repelled", 3), Said("army", "taken", 3));
        var oneUntimed = Discover(Said("army", "repelled", null), Said("army", "taken", 30));

        Assert.Equal(Taken(untimed), Taken(sameMoment), 12);
        Assert.Equal(Taken(untimed), Taken(oneUntimed), 12);
    }

    [Fact]
    public void Repeating_an_option_counts_once_whenever_it_was_said()
    {
        var repeated = Discover(Said("army", "taken", 10), Said("army", "taken", 30));
        var once = Discover(Said("army", "taken", 30));

        Assert.Equal(Taken(once), Taken(repeated), 12);
    }

    [Fact]
    public void Of_two_sources_that_copy_one_another_the_one_that_said_it_later_is_discounted()
    {
        // Aggregators rated well on their own picking up a rumour channel's posts: without times the
        // copy test takes the better-rated aggregators for the originals and discounts the channel,
        // so the copies outvote the independent sources; with times the copies are the aggregators'.
        var timedAccuracy = new List<double>();
        var untimedAccuracy = new List<double>();
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var record = SyntheticNewsroom.WithAggregators(objects: 400, seed);
            var untimed = record.Claims.Select(c => c with { At = null }).ToList();
            timedAccuracy.Add(record.AccuracyOf(Engine.Discover(new TruthDiscoveryInput(record.Claims))));
            untimedAccuracy.Add(record.AccuracyOf(Engine.Discover(new TruthDiscoveryInput(untimed))));
        }

        Assert.All(timedAccuracy.Zip(untimedAccuracy), pair =>
            Assert.True(pair.First > pair.Second + 0.05, $"with times {pair.First:0.000}, without {pair.Second:0.000}"));
        Assert.All(timedAccuracy, accuracy => Assert.True(accuracy > 0.9, $"with times {accuracy:0.000}"));
    }

    [Theory]
    [InlineData(3, "later")]
    [InlineData(2, "earlier")]
    public void Time_decides_which_of_two_sources_copied_only_on_enough_shared_values(int shared, string discounted)
    {
        // "later" said every shared value an hour after "earlier", and has more claims of its own,
        // which without times makes "earlier" the likelier copy.
        var claims = new List<TruthClaim>();
        for (var o = 0; o < shared; o++)
        {
            claims.Add(new TruthClaim("earlier", $"shared-{o}", "x", At: Attack.AddDays(o)));
            claims.Add(new TruthClaim("later", $"shared-{o}", "x", At: Attack.AddDays(o).AddHours(1)));
        }

        claims.AddRange(Enumerable.Range(0, 4).Select(o => new TruthClaim("later", $"own-{o}", "y")));
        var index = ClaimIndex.Build(new TruthDiscoveryInput(claims), TruthPolicy.Default);
        var reliability = Enumerable.Repeat(0.8, index.SourceCount).ToArray();
        var probability = Enumerable.Repeat(0.5, index.CandidateValues.Length).ToArray();
        var discount = new double[index.ClaimSource.Length];

        new CopyDetector(index, TruthPolicy.Default).Discount(reliability, probability, discount);

        var bySource = Enumerable.Range(0, discount.Length).Where(c => index.ObjectIds[index.CandidateObject[index.ClaimCandidate[c]]].StartsWith("shared"))
            .GroupBy(c => index.SourceIds[index.ClaimSource[c]]).ToDictionary(g => g.Key, g => g.Select(c => discount[c]).ToList());
        Assert.All(bySource[discounted], d => Assert.True(d < 1, $"{discounted}: {d}"));
        Assert.All(bySource[discounted == "later" ? "earlier" : "later"], d => Assert.Equal(1.0, d));
    }

    [Fact]
    public void Times_on_independent_sources_leave_the_verdicts_as_they_were()
    {
        var (record, _) = SyntheticNewsroom.YesNo(questions: 300, sources: 20, perQuestion: 6, lowest: 0.6, highest: 0.9, seed: 7);
        var random = new Random(7);
        var timed = record.Claims.Select(c => c with { At = Attack.AddMinutes(random.Next(100_000)) }).ToList();

        var plain = Engine.Discover(new TruthDiscoveryInput(record.Claims)).Objects.ToDictionary(o => o.ObjectId, o => o.MostProbableValue);
        var withTimes = Engine.Discover(new TruthDiscoveryInput(timed)).Objects.ToDictionary(o => o.ObjectId, o => o.MostProbableValue);

        Assert.Equal(plain, withTimes);
    }
}
