using MathNet.Numerics.Distributions;

namespace Reliability.Domain.Truth;

/// <summary>
/// How much the sources' agreement shows they know, chance agreement taken out, one connected
/// record at a time. Two sources right with probability q, wrong at random among n false values, agree on
/// q² + (1 − q)²/n of what they share: on a yes/no question two coin flips agree half the time, and
/// so do sources rated 0.7 by an estimate they talked each other into. No verdict enters this, so
/// a group cannot raise it by rating itself up on the objects it decides.
/// </summary>
internal static class ChanceCorrectedAccuracy
{
    /// <summary>
    /// Each source's rating, its margin over chance shrunk by as much as its sources' mean rating
    /// overstates the mean accuracy their agreement shows (at the lower end of its interval, so that
    /// noise that happens to agree a little more than chance is not read as knowledge). Where the
    /// agreement shows as much as the ratings claim, the ratings stand. Sources are measured by
    /// connected record: sources linked through the objects they claim on, directly or through
    /// others; records that share no source and no object tell nothing of each other, in the
    /// estimate or here, so a desk's noisy questions do not flatten another desk's. A source with a
    /// record on resolved objects is measured by verdicts, not agreement, and keeps its rating.
    /// </summary>
    /// <param name="index">The claims.</param>
    /// <param name="rates">The sources' agreement, summed per source.</param>
    /// <param name="policy">Its credible mass sets how low in its interval the agreement is read.</param>
    /// <param name="rating">What each source votes with.</param>
    public static double[] Shrink(ClaimIndex index, AgreementRates rates, TruthPolicy policy, IReadOnlyList<double> rating)
    {
        var sources = rating.Count;
        var parent = Enumerable.Range(0, sources).ToArray();
        for (var o = 0; o < index.ObjectCount; o++)
        {
            for (var c = index.ClaimStart[o]; c < index.ClaimStart[o + 1]; c++)
            {
                Join(parent, index.ClaimSource[c], index.ClaimSource[index.ClaimStart[o]]);
            }
        }

        // Sources sharing nothing say nothing by agreement; those with a resolved record are measured by it.
        bool ByAgreement(int s) => rates.Shared[s] > 0 && index.SourceResolvedClaims[s] < CopyDetector.MinResolvedClaims;

        var groups = new Dictionary<int, Pool>();
        for (var s = 0; s < sources; s++)
        {
            if (!ByAgreement(s))
            {
                continue;
            }

            var root = Find(parent, s);
            var pool = groups.GetValueOrDefault(root);
            groups[root] = pool with
            {
                Shared = pool.Shared + rates.Shared[s],
                Agreed = pool.Agreed + rates.Agreed[s],
                Chance = pool.Chance + rates.Chance[s],
                Rated = pool.Rated + (rates.Shared[s] * rating[s]),
                Claims = pool.Claims + index.SourceClaims[s],
            };
        }

        var shrink = groups.ToDictionary(g => g.Key, g => g.Value.Shrink(policy));
        var modest = rating.ToArray();
        for (var s = 0; s < sources; s++)
        {
            if (ByAgreement(s))
            {
                var level = rates.ChanceLevel(s);
                modest[s] = level + ((rating[s] - level) * shrink[Find(parent, s)]);
            }
        }

        return modest;
    }

    private static int Find(int[] parent, int s)
    {
        while (parent[s] != s)
        {
            // Halving the path on the way up keeps every later find short.
            parent[s] = parent[parent[s]];
            s = parent[s];
        }

        return s;
    }

    private static void Join(int[] parent, int a, int b) => parent[Find(parent, a)] = Find(parent, b);

    /// <summary>What a connected record's sources share, summed.</summary>
    private readonly record struct Pool(double Shared, double Agreed, double Chance, double Rated, double Claims)
    {
        /// <summary>The factor by which the sources' margins over chance are shrunk: 1 where agreement bears them out.</summary>
        public double Shrink(TruthPolicy policy)
        {
            if (Shared < AgreementRates.MinShared)
            {
                return 1;
            }

            // Claim pairs share claims, so the claims, not the pairs, measure how firm the rate is.
            var rate = Agreed / Shared;
            var firm = rate - (Normal.InvCDF(0, 1, 1 - ((1 - policy.CredibleMass) / 2)) * Math.Sqrt(rate * (1 - rate) / Claims));
            var c = Chance / Shared;
            // rate = q² + (1 − q)²·c, solved for q at or above chance.
            var q = (c + Math.Sqrt(Math.Max(0, (c * c) - ((1 + c) * (c - firm))))) / (1 + c);
            var chanceLevel = c / (1 + c);
            var meanRating = Rated / Shared;
            return meanRating > chanceLevel ? Math.Clamp((q - chanceLevel) / (meanRating - chanceLevel), 0, 1) : 1;
        }
    }
}
