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

    [Fact]
    public void The_copy_test_measures_a_source_by_its_resolved_record_where_it_has_enough_of_one()
    {
        // Six sources on the same 40 objects; the first 12 objects are resolved. "steady" is right
        // on every object, "erratic" on every third; the others agree with the truth most of the time.
        var random = new Random(9);
        var claims = new List<TruthClaim>();
        for (var o = 0; o < 40; o++)
        {
            claims.Add(new TruthClaim("steady", $"o{o}", "true"));
            claims.Add(new TruthClaim("erratic", $"o{o}", o % 3 == 0 ? "true" : $"wrong-{o}"));
            for (var s = 0; s < 4; s++)
            {
                claims.Add(new TruthClaim($"other-{s}", $"o{o}", random.NextDouble() < 0.8 ? "true" : $"other-wrong-{s}"));
            }
        }

        var resolved = Enumerable.Range(0, 12).Select(o => new ResolvedTruth($"o{o}", "true")).ToList();
        var index = ClaimIndex.Build(new TruthDiscoveryInput(claims, resolved), TruthPolicy.Default);
        var withoutVerdicts = ClaimIndex.Build(new TruthDiscoveryInput(claims), TruthPolicy.Default);

        var measured = new CopyDetector(index, TruthPolicy.Default).MeasuredAccuracies;
        var byAgreement = new CopyDetector(withoutVerdicts, TruthPolicy.Default).MeasuredAccuracies;

        // Beta(2.4, 0.6) prior (0.8 of 3 pseudo-claims) and 12 resolved claims: 12 right, and 4.
        var (alpha, beta) = (TruthPolicy.Default.PriorReliability * TruthPolicy.Default.PriorStrength, (1 - TruthPolicy.Default.PriorReliability) * TruthPolicy.Default.PriorStrength);
        Assert.Equal((alpha + 12) / (alpha + beta + 12), measured[Array.IndexOf(index.SourceIds, "steady")], 9);
        Assert.Equal((alpha + 4) / (alpha + beta + 12), measured[Array.IndexOf(index.SourceIds, "erratic")], 9);
        Assert.NotEqual(measured[Array.IndexOf(index.SourceIds, "erratic")], byAgreement[Array.IndexOf(withoutVerdicts.SourceIds, "erratic")], 3);
    }
}
