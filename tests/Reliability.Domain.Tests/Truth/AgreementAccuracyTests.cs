using Reliability.Domain.Truth;

namespace Reliability.Domain.Tests.Truth;

public sealed class AgreementAccuracyTests
{
    private static double[] Estimate(IReadOnlyList<TruthClaim> claims, out ClaimIndex index)
    {
        index = ClaimIndex.Build(new TruthDiscoveryInput(claims), TruthPolicy.Default);
        return AgreementAccuracy.Estimate(index, TruthPolicy.Default);
    }

    [Fact]
    public void Independent_sources_are_measured_near_their_accuracy_without_any_verdict()
    {
        var random = new Random(3);
        var accuracy = Enumerable.Range(0, 12).Select(s => 0.55 + (0.04 * s)).ToArray();
        var claims = new List<TruthClaim>();
        for (var o = 0; o < 2_000; o++)
        {
            for (var s = 0; s < accuracy.Length; s++)
            {
                if (random.NextDouble() < 0.5)
                {
                    claims.Add(new TruthClaim($"s{s}", $"o{o}", random.NextDouble() < accuracy[s] ? "true" : $"wrong-{random.Next(20)}"));
                }
            }
        }

        var estimate = Estimate(claims, out var index);

        for (var s = 0; s < accuracy.Length; s++)
        {
            Assert.InRange(estimate[Array.IndexOf(index.SourceIds, $"s{s}")], accuracy[s] - 0.05, accuracy[s] + 0.05);
        }
    }

    [Fact]
    public void A_copy_partner_does_not_lift_a_source_measured_against_many_others()
    {
        var data = SyntheticNewsroom.WithPartialCopyingGroup(objects: 1_000, seed: 5);

        var estimate = Estimate(data.Claims, out var index);

        // The origin agrees with its followers nine times in ten; right 70 % of the time, it is
        // measured by the thirty independent sources, not by them.
        Assert.InRange(estimate[Array.IndexOf(index.SourceIds, "origin")], 0.6, 0.8);
    }

    [Fact]
    public void A_source_that_shares_too_little_is_not_measured()
    {
        var estimate = Estimate(
        [
            new TruthClaim("a", "o1", "x"), new TruthClaim("b", "o1", "x"), new TruthClaim("c", "o1", "y"),
        ], out _);

        Assert.All(estimate, e => Assert.True(double.IsNaN(e)));
    }
}
