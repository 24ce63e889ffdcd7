using MathNet.Numerics.Distributions;

namespace Reliability.Domain.Truth;

/// <summary>
/// What resolved disputes say about two sources that their separate records do not. Each source's
/// record on resolved objects predicts how often it wins a dispute with another, were their mistakes
/// independent: right with probability a against b, P(a right | they disagree) =
/// a(1 − b) / (a(1 − b) + (1 − a)b + (1 − a)(1 − b)(1 − 1/n)). Where one of them keeps winning far
/// more often than that (on flights, the airline's own site against aggregators that are right on
/// most flights but share their mistakes on its flights), the record carries a pair effect that a
/// rating per source cannot hold. Such effects are used only where the resolved disputes show them
/// beyond chance: the pairs' departures from the prediction, squared over their binomial variance,
/// must exceed the 95 % point of χ² with one degree of freedom per pair of sources (Cochran's Q;
/// sources that copy each other make their pairs with a third source agree, so the test is not
/// as strict as its level says where copying is rife). Their spread
/// τ² is then estimated by moments (mean squared departure less its binomial variance), and each
/// pair's rate is drawn towards the prediction by τ² / (τ² + variance), so a pair with two disputes
/// moves little. Where sources err independently, as in every generated record, the test finds
/// nothing and the vote is Accu's alone.
/// </summary>
/// <remarks>
/// The prediction uses the records on resolved objects only, not the estimate: judged by the
/// engine's ratings, which the adjustment itself moves, a record of verbatim relays never settled
/// (100 rounds) and its accuracy fell from 0.965 to 0.871.
/// </remarks>
internal sealed class HeadToHead
{
    /// <summary>Level of the test that resolved disputes show pair effects beyond chance.</summary>
    internal const double Significance = 0.95;

    private readonly int[] _claimStart;
    private readonly int[] _opposingClaim;
    private readonly double[] _logOddsShift;

    private HeadToHead(int[] claimStart, int[] opposingClaim, double[] logOddsShift) =>
        (_claimStart, _opposingClaim, _logOddsShift) = (claimStart, opposingClaim, logOddsShift);

    /// <summary>Null where nothing resolved shows a pair effect, or nothing open has a pair that has one.</summary>
    public static HeadToHead? Find(ClaimIndex index, TruthPolicy policy)
    {
        var disputes = Disputes(index, policy);
        if (disputes.Count == 0)
        {
            return null;
        }

        var shift = PairShifts(index, policy, disputes);
        if (shift is null)
        {
            return null;
        }

        // Per claim on an open object, the claims on other values whose sources it has a shift against.
        var claimStart = new int[index.ClaimWeight.Length + 1];
        var opposing = new List<int>();
        var shifts = new List<double>();
        for (var o = 0; o < index.ObjectCount; o++)
        {
            var (first, end) = (index.ClaimStart[o], index.ClaimStart[o + 1]);
            // Resolved objects are fixed at their verdict; larger ones are left out, as by the copy test.
            var weighed = index.ResolvedCandidate[o] < 0 && end - first <= policy.CopyTestMaxClaimsPerObject;
            for (var a = first; a < end; a++)
            {
                for (var b = first; weighed && b < end; b++)
                {
                    if (index.ClaimCandidate[a] != index.ClaimCandidate[b]
                        && shift.TryGetValue(PackedPairs.Key(index.ClaimSource[a], index.ClaimSource[b]), out var pairShift) && pairShift != 0)
                    {
                        opposing.Add(b);
                        shifts.Add(pairShift);
                    }
                }

                claimStart[a + 1] = opposing.Count;
            }
        }

        return opposing.Count == 0 ? null : new HeadToHead(claimStart, [.. opposing], [.. shifts]);
    }

    /// <summary>
    /// Adds to each open claim's vote its source's shifts against the sources claiming other values
    /// there, each opposing claim counted at its copy discount (a copying group is about one
    /// opponent, not ten), and the claim's own weight and discount, as its vote is.
    /// </summary>
    public void AddTo(ClaimIndex index, double[] discount, double[] score)
    {
        for (var c = 0; c < index.ClaimWeight.Length; c++)
        {
            var shift = 0.0;
            for (var i = _claimStart[c]; i < _claimStart[c + 1]; i++)
            {
                shift += _logOddsShift[i] * discount[_opposingClaim[i]];
            }

            score[index.ClaimCandidate[c]] += index.ClaimWeight[c] * discount[c] * shift;
        }
    }

    private sealed class Dispute
    {
        public double Count;
        public double Won;
        public double BothWrongShare;
    }

    /// <summary>Per ordered pair of sources that claimed different values of a resolved object: how often, and how often the first was right.</summary>
    private static Dictionary<long, Dispute> Disputes(ClaimIndex index, TruthPolicy policy)
    {
        // Packed pairs hash apart: a long's own hash XORs its halves, and a few hundred sources'
        // pairs then share a few hundred buckets (10 s against 0.4 for 200,000 claims on 2,000 objects, half of them resolved).
        var disputes = new Dictionary<long, Dispute>(PackedPairs.Comparer);
        for (var o = 0; o < index.ObjectCount; o++)
        {
            var verdict = index.ResolvedCandidate[o];
            var (first, end) = (index.ClaimStart[o], index.ClaimStart[o + 1]);
            if (verdict < 0 || end - first > policy.CopyTestMaxClaimsPerObject)
            {
                continue;
            }

            // When neither is right they may still differ: with n false values, in all but 1/n of such cases.
            var differWhenBothWrong = 1 - (1 / Math.Exp(index.LogFalseValues[o]));
            for (var a = first; a < end; a++)
            {
                for (var b = first; b < end; b++)
                {
                    // A source that backs two values of an object is not in dispute with itself.
                    if (index.ClaimCandidate[a] == index.ClaimCandidate[b] || index.ClaimSource[a] == index.ClaimSource[b])
                    {
                        continue;
                    }

                    var key = PackedPairs.Key(index.ClaimSource[a], index.ClaimSource[b]);
                    if (!disputes.TryGetValue(key, out var dispute))
                    {
                        disputes[key] = dispute = new Dispute();
                    }

                    var weight = Math.Min(index.ClaimWeight[a], index.ClaimWeight[b]);
                    dispute.Count += weight;
                    dispute.Won += index.ClaimCandidate[a] == verdict ? weight : 0;
                    dispute.BothWrongShare += weight * differWhenBothWrong;
                }
            }
        }

        return disputes;
    }

    /// <summary>Per pair, the log-odds by which the first source's resolved disputes with the second beat the prediction; null when no pair effect shows.</summary>
    private static Dictionary<long, double>? PairShifts(ClaimIndex index, TruthPolicy policy, Dictionary<long, Dispute> disputes)
    {
        var accuracy = new double[index.SourceCount];
        for (var s = 0; s < accuracy.Length; s++)
        {
            accuracy[s] = Math.Min(Math.Clamp(index.ResolvedAccuracy(s), policy.ReliabilityFloor, 1 - policy.ReliabilityFloor), policy.VoteReliabilityCap);
        }

        var pairs = new List<(long Key, double Observed, double Predicted, double Variance)>(disputes.Count);
        double q = 0, excess = 0;
        var tested = 0;
        foreach (var (key, dispute) in disputes)
        {
            var (s, u) = ((int)(key >> 32), (int)key);
            var (a, b) = (accuracy[s], accuracy[u]);
            var bothWrong = dispute.BothWrongShare / dispute.Count;
            var predicted = a * (1 - b) / ((a * (1 - b)) + ((1 - a) * b) + ((1 - a) * (1 - b) * bothWrong));
            var observed = dispute.Won / dispute.Count;
            var variance = predicted * (1 - predicted) / dispute.Count;
            pairs.Add((key, observed, predicted, variance));

            // Both orders of a pair hold the same disputes, so each order counts half in the test and
            // the spread (they differ only where both sources were wrong, with different values).
            q += 0.5 * (observed - predicted) * (observed - predicted) / variance;
            excess += 0.5 * (((observed - predicted) * (observed - predicted)) - variance);
            tested += s < u ? 1 : 0;
        }

        if (tested == 0)
        {
            return null;
        }

        var spread = excess / tested;
        if (q <= ChiSquared.InvCDF(tested, Significance) || spread <= 0)
        {
            return null;
        }

        var shifts = new Dictionary<long, double>(pairs.Count, PackedPairs.Comparer);
        foreach (var (key, observed, predicted, variance) in pairs)
        {
            var drawn = predicted + (spread / (spread + variance) * (observed - predicted));
            var floor = policy.ReliabilityFloor;
            drawn = Math.Clamp(drawn, floor, 1 - floor);
            shifts[key] = Math.Log(drawn / (1 - drawn)) - Math.Log(predicted / (1 - predicted));
        }

        return shifts;
    }
}
