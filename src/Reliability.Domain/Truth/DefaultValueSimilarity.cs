using System.Globalization;

namespace Reliability.Domain.Truth;

/// <summary>
/// Numbers support nearby numbers (a rounded figure is partly right); `;`-separated sets support
/// candidates that contain their members (an incomplete author list is not a wrong one).
/// Any other pair of different values gives no support.
/// </summary>
public sealed class DefaultValueSimilarity : IValueSimilarity
{
    public static DefaultValueSimilarity Instance { get; } = new();

    /// <summary>Relative distance at which numeric support reaches 0.</summary>
    public double NumericTolerance { get; init; } = 0.01;

    public char SetSeparator { get; init; } = ';';

    public double Support(string candidate, string claimed)
    {
        if (candidate == claimed)
        {
            return 1.0;
        }

        if (TryNumber(candidate, out var c) && TryNumber(claimed, out var k))
        {
            return NumericSupport(c, k);
        }

        return SetSupport(candidate, claimed);
    }

    private double NumericSupport(double candidate, double claimed)
    {
        var scale = Math.Max(Math.Abs(candidate), Math.Abs(claimed));
        if (scale == 0 || NumericTolerance <= 0)
        {
            return 0;
        }

        return Math.Max(0, 1 - (Math.Abs(candidate - claimed) / (NumericTolerance * scale)));
    }

    // The share of the claimed members that the candidate also lists: the claim is
    // consistent with the candidate except for what it names that the candidate lacks.
    private double SetSupport(string candidate, string claimed)
    {
        if (candidate.IndexOf(SetSeparator) < 0 && claimed.IndexOf(SetSeparator) < 0)
        {
            return 0;
        }

        var candidateMembers = Members(candidate);
        var claimedMembers = Members(claimed);
        if (claimedMembers.Count == 0)
        {
            return 0;
        }

        var shared = claimedMembers.Count(candidateMembers.Contains);
        return (double)shared / claimedMembers.Count;
    }

    private HashSet<string> Members(string value) =>
        value.Split(SetSeparator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToHashSet(StringComparer.Ordinal);

    private static bool TryNumber(string value, out double number) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number)
        && double.IsFinite(number);
}
