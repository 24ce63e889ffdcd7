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
    public static HeadToHead? Find(ClaimIndex index, TruthPolicy policy, SourcePairSweep sweep)
    {
        var shift = PairShifts(index, policy, sweep);
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

    /// <summary>
    /// One order of a pair of sources that disputed resolved objects: how often the first was right,
    /// what the two records predict, and the binomial variance of the rate about the prediction.
    /// </summary>
    private readonly record struct Departure(double Observed, double Predicted, double Variance)
    {
        public static Departure Of(double first, double second, double won, double count, double bothWrongShare)
        {
            var bothWrong = bothWrongShare / count;
            var predicted = first * (1 - second) / ((first * (1 - second)) + ((1 - first) * second) + ((1 - first) * (1 - second) * bothWrong));
            return new Departure(won / count, predicted, predicted * (1 - predicted) / count);
        }

        public double Squared => (Observed - Predicted) * (Observed - Predicted);

        /// <summary>The log-odds by which the rate, drawn from the prediction towards what was observed by <paramref name="spread"/>, beats the prediction.</summary>
        public double Shift(double spread, double floor)
        {
            var drawn = Math.Clamp(Predicted + (spread / (spread + Variance) * (Observed - Predicted)), floor, 1 - floor);
            return Math.Log(drawn / (1 - drawn)) - Math.Log(Predicted / (1 - Predicted));
        }
    }

    /// <summary>
    /// Per ordered pair of sources that disputed resolved objects and meet again on an open one, the
    /// log-odds by which the first's resolved disputes with the second beat the prediction; null when
    /// no pair effect shows. Pairs are reached a source at a time (<see cref="SourcePairSweep"/>) and
    /// only those that meet again are kept: on 200,000 random yes/no claims by 20,000 sources, half of
    /// 2,000 objects resolved, a table of every disputing pair took 0.5 GB, and almost none of them
    /// ever met on an open object.
    /// </summary>
    internal static Dictionary<long, double>? PairShifts(ClaimIndex index, TruthPolicy policy, SourcePairSweep sweep)
    {
        if (Array.TrueForAll(index.ResolvedCandidate, verdict => verdict < 0))
        {
            return null;
        }

        var accuracy = new double[index.SourceCount];
        for (var s = 0; s < accuracy.Length; s++)
        {
            accuracy[s] = Math.Min(Math.Clamp(index.ResolvedAccuracy(s), policy.ReliabilityFloor, 1 - policy.ReliabilityFloor), policy.VoteReliabilityCap);
        }

        double q = 0, excess = 0;
        var tested = 0;
        var meeting = new List<(int Source, int Partner, Departure SourceFirst, Departure PartnerFirst)>();
        sweep.ForEachSourcePair((s, u, pairs) =>
        {
            double count = 0, sourceWon = 0, partnerWon = 0, bothWrongShare = 0;
            var meets = false;
            foreach (var (a, b) in pairs)
            {
                var (valueA, valueB) = (index.ClaimCandidate[a], index.ClaimCandidate[b]);
                if (valueA == valueB)
                {
                    continue;
                }

                var o = index.CandidateObject[valueA];
                var verdict = index.ResolvedCandidate[o];
                if (verdict < 0)
                {
                    meets = true;
                    continue;
                }

                var weight = Math.Min(index.ClaimWeight[a], index.ClaimWeight[b]);
                count += weight;
                sourceWon += valueA == verdict ? weight : 0;
                partnerWon += valueB == verdict ? weight : 0;
                // When neither is right they may still differ: with n false values, in all but 1/n of such cases.
                bothWrongShare += weight * (1 - (1 / Math.Exp(index.LogFalseValues[o])));
            }

            if (count == 0)
            {
                return;
            }

            var sourceFirst = Departure.Of(accuracy[s], accuracy[u], sourceWon, count, bothWrongShare);
            var partnerFirst = Departure.Of(accuracy[u], accuracy[s], partnerWon, count, bothWrongShare);
            // Both orders of a pair hold the same disputes, so each order counts half in the test and
            // the spread (they differ only where both sources were wrong, with different values).
            foreach (var order in (ReadOnlySpan<Departure>)[sourceFirst, partnerFirst])
            {
                q += 0.5 * order.Squared / order.Variance;
                excess += 0.5 * (order.Squared - order.Variance);
            }

            tested++;
            if (meets)
            {
                meeting.Add((s, u, sourceFirst, partnerFirst));
            }
        });

        if (tested == 0)
        {
            return null;
        }

        var spread = excess / tested;
        if (q <= ChiSquared.InvCDF(tested, Significance) || spread <= 0)
        {
            return null;
        }

        var shifts = new Dictionary<long, double>(2 * meeting.Count, PackedPairs.Comparer);
        foreach (var (s, u, sourceFirst, partnerFirst) in meeting)
        {
            shifts[PackedPairs.Key(s, u)] = sourceFirst.Shift(spread, policy.ReliabilityFloor);
            shifts[PackedPairs.Key(u, s)] = partnerFirst.Shift(spread, policy.ReliabilityFloor);
        }

        return shifts;
    }
}
