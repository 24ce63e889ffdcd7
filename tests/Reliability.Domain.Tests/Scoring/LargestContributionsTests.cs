namespace Reliability.Domain.Tests.Scoring;

/// <summary>An explanation cut to its heaviest claims still accounts for every claim's evidence.</summary>
public sealed class LargestContributionsTests
{
    private static ClaimContribution Contribution(string id, double confirmed, double refuted) =>
        new(id, "p-" + id, confirmed, refuted, false, AdmiraltyCredibility.PossiblyTrue, "test");

    [Fact]
    public void The_heaviest_come_first_ties_by_claim_id_and_the_rest_is_summed()
    {
        ClaimContribution[] contributions =
        [
            Contribution("c", 0.2, 0), Contribution("a", 0, 0.9), Contribution("b", 0.5, 0.4), Contribution("d", 0.1, 0.05),
        ];

        var (largest, others) = LargestContributions.Of(contributions, 2);

        Assert.Equal(["a", "b"], largest.Select(c => c.ClaimId));
        Assert.Equal(2, others.Claims);
        Assert.Equal(0.3, others.Confirmed, 12);
        Assert.Equal(0.05, others.Refuted, 12);
    }

    [Fact]
    public void Asking_for_more_than_there_are_leaves_nothing_out()
    {
        var (largest, others) = LargestContributions.Of([Contribution("a", 1, 0)], 5);

        Assert.Single(largest);
        Assert.Equal(new LargestContributions.LeftOut(0, 0, 0), others);
    }
}
