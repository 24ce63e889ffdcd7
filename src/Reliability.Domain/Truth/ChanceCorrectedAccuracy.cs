using MathNet.Numerics.Distributions;

namespace Reliability.Domain.Truth;

/// <summary>
/// How much the sources' agreement shows they know, chance agreement taken out, for the record as
/// a whole. Two sources right with probability q, wrong at random among n false values, agree on
/// q² + (1 − q)²/n of what they share: on a yes/no question two coin flips agree half the time, and
/// so do sources rated 0.7 by an estimate they talked each other into. No verdict enters this, so
/// a group cannot raise it by rating itself up on the objects it decides.
/// </summary>
internal static class ChanceCorrectedAccuracy
{
    /// <summary>
    /// Each source's rating, its margin over chance shrunk by as much as the sources' mean rating
    /// overstates the mean accuracy their agreement shows (at the lower end of its interval, so that
    /// a record of noise that happens to agree a little more than chance is not read as knowledge).
    /// Where the agreement shows as much as the ratings claim, the ratings stand.
    /// </summary>
    /// <param name="rates">The sources' agreement, summed per source.</param>
    /// <param name="policy">Its credible mass sets how low in its interval the agreement is read.</param>
    /// <param name="rating">What each source votes with.</param>
    /// <param name="claims">Claims per source: how much each source's agreement is worth as evidence.</param>
    public static double[] Shrink(AgreementRates rates, TruthPolicy policy, IReadOnlyList<double> rating, IReadOnlyList<int> claims)
    {
        double shared = 0, agreed = 0, chance = 0, rated = 0, evidence = 0;
        for (var s = 0; s < rating.Count; s++)
        {
            shared += rates.Shared[s];
            agreed += rates.Agreed[s];
            chance += rates.Chance[s];
            rated += rates.Shared[s] * rating[s];
            evidence += rates.Shared[s] > 0 ? claims[s] : 0;
        }

        var modest = rating.ToArray();
        if (shared < AgreementRates.MinShared)
        {
            return modest;
        }

        // Claim pairs share claims, so the claims, not the pairs, measure how firm the rate is.
        var rate = agreed / shared;
        var firm = rate - (Normal.InvCDF(0, 1, 1 - ((1 - policy.CredibleMass) / 2)) * Math.Sqrt(rate * (1 - rate) / evidence));
        var c = chance / shared;
        // rate = q² + (1 − q)²·c, solved for q at or above chance.
        var q = (c + Math.Sqrt(Math.Max(0, (c * c) - ((1 + c) * (c - firm))))) / (1 + c);
        var chanceLevel = c / (1 + c);
        var meanRating = rated / shared;
        var shrink = meanRating > chanceLevel ? Math.Clamp((q - chanceLevel) / (meanRating - chanceLevel), 0, 1) : 1;
        for (var s = 0; s < modest.Length; s++)
        {
            if (rates.Shared[s] > 0)
            {
                var level = rates.ChanceLevel(s);
                modest[s] = level + ((rating[s] - level) * shrink);
            }
        }

        return modest;
    }
}
