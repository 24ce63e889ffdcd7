using Reliability.Domain.Truth;

namespace Reliability.Domain.Tests.Truth;

public sealed class HeadToHeadTests
{
    private static readonly string[] Aggregators = ["aggregator-a", "aggregator-b", "aggregator-c", "aggregator-d"];

    [Fact]
    public void Only_pairs_that_dispute_again_on_an_open_object_keep_a_shift()
    {
        // The airline wins 12 resolved disputes with four aggregators that share its other 200 flights;
        // a bystander loses 5 to all of them and never speaks on an open flight again. On a large
        // record nearly every disputing pair is like the bystander's, and keeping them all took
        // gigabytes for nothing.
        var claims = new List<TruthClaim>();
        var resolved = new List<ResolvedTruth>();
        for (var i = 0; i < 212; i++)
        {
            var flight = $"flight-{i:D3}";
            claims.Add(new TruthClaim("airline", flight, "on time"));
            claims.AddRange(Aggregators.Select(a => new TruthClaim(a, flight, i >= 200 ? "late" : "on time")));
            claims.Add(new TruthClaim("bystander", flight, i < 5 ? "cancelled" : "on time"));
            resolved.Add(new ResolvedTruth(flight, "on time"));
        }

        claims.Add(new TruthClaim("airline", "open-own-flight", "7:05"));
        claims.AddRange(Aggregators.Select(a => new TruthClaim(a, "open-own-flight", "7:07")));
        var index = ClaimIndex.Build(new TruthDiscoveryInput(claims, resolved), TruthPolicy.Default);

        var shifts = HeadToHead.PairShifts(index, TruthPolicy.Default, new SourcePairSweep(index, TruthPolicy.Default));

        Assert.NotNull(shifts);
        var pairs = shifts.ToDictionary(s => (index.SourceIds[(int)(s.Key >> 32)], index.SourceIds[(int)s.Key]), s => s.Value);
        var expected = Aggregators.SelectMany(a => new[] { ("airline", a), (a, "airline") }).Order().ToArray();
        Assert.Equal(expected, pairs.Keys.Order().ToArray());
        // The airline beat each aggregator more often than their records predict, and they lost to it more often.
        Assert.All(Aggregators, a => Assert.True(pairs[("airline", a)] > 0 && pairs[(a, "airline")] < 0, a));
    }

    [Fact]
    public void Without_resolutions_there_is_nothing_to_test()
    {
        TruthClaim[] claims = [new("airline", "flight", "7:05"), new("aggregator-a", "flight", "7:07")];

        var index = ClaimIndex.Build(new TruthDiscoveryInput(claims), TruthPolicy.Default);

        Assert.Null(HeadToHead.PairShifts(index, TruthPolicy.Default, new SourcePairSweep(index, TruthPolicy.Default)));
    }
}
