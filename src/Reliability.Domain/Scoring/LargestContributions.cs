namespace Reliability.Domain.Scoring;

/// <summary>
/// The claims that weigh most in a score, for an explanation a journalist can read: a source with
/// thousands of claims has thousands of contributions, and the few that move its score most are the
/// ones to show. What is left out is summed, so the listed claims and the rest still add up to the
/// evidence.
/// </summary>
public static class LargestContributions
{
    /// <summary>The contributions left out of a cut: how many, and the evidence they carry.</summary>
    public sealed record LeftOut(int Claims, double Confirmed, double Refuted);

    /// <summary>The <paramref name="top"/> heaviest contributions (confirmed plus refuted weight), heaviest first, ties by claim id.</summary>
    public static (IReadOnlyList<ClaimContribution> Largest, LeftOut Others) Of(IReadOnlyList<ClaimContribution> contributions, int top)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var ordered = contributions
            .OrderByDescending(c => c.Confirmed + c.Refuted)
            .ThenBy(c => c.ClaimId, StringComparer.Ordinal)
            .ToList();
        var largest = ordered.Take(top).ToList();
        var rest = ordered.Skip(top).ToList();
        return (largest, new LeftOut(rest.Count, rest.Sum(c => c.Confirmed), rest.Sum(c => c.Refuted)));
    }
}
