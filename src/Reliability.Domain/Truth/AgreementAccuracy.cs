using MathNet.Numerics.Statistics;

namespace Reliability.Domain.Truth;

/// <summary>
/// Each source's accuracy as its agreement with other sources shows it, without any verdict: two
/// independent sources right with probabilities q_s and q_u agree on about q_s·q_u of the objects
/// they share, so q_s is about their agreement rate over q_u; across a source's partners, the median
/// of those ratios, refined until the estimates settle.
/// The copy test judges agreement with these, not with the engine's ratings: a group whose copies
/// made the verdicts on its own objects earns ratings far above its accuracy, and judged with them
/// its members look like several very accurate independent sources. Each partner counts once,
/// however much it shares, so followers who share much with a source weigh no more than their
/// number, and a few of them among many others do not move the median.
/// </summary>
internal static class AgreementAccuracy
{
    // Least partners (each sharing enough objects) a source must have.
    private const int MinPartners = 3;
    private const int Rounds = 30;

    /// <returns>Per source, the estimate; NaN where a source shares too little with too few others.</returns>
    public static double[] Estimate(ClaimIndex index, TruthPolicy policy) =>
        Estimate(AgreementRates.Measure(index, new SourcePairSweep(index, policy)), policy);

    /// <inheritdoc cref="Estimate(ClaimIndex, TruthPolicy)"/>
    public static double[] Estimate(AgreementRates rates, TruthPolicy policy)
    {
        var partners = rates.Partners;
        var accuracy = new double[partners.Count];
        for (var s = 0; s < accuracy.Length; s++)
        {
            accuracy[s] = partners[s] is { Count: >= MinPartners } ? policy.PriorReliability : double.NaN;
        }

        var next = new double[accuracy.Length];
        var ratios = new List<double>();
        var change = 1.0;
        for (var round = 0; round < Rounds && change > policy.Tolerance; round++)
        {
            change = 0;
            for (var s = 0; s < accuracy.Length; s++)
            {
                next[s] = accuracy[s];
                if (double.IsNaN(accuracy[s]))
                {
                    continue;
                }

                ratios.Clear();
                foreach (var (u, rate) in partners[s]!)
                {
                    if (!double.IsNaN(accuracy[u]))
                    {
                        ratios.Add(rate / accuracy[u]);
                    }
                }

                if (ratios.Count > 0)
                {
                    var median = Math.Clamp(ratios.Median(), policy.ReliabilityFloor, 1 - policy.ReliabilityFloor);
                    // Halfway (geometrically) towards the new estimate: a plain update can swing between two states.
                    next[s] = Math.Sqrt(accuracy[s] * median);
                    change = Math.Max(change, Math.Abs(next[s] - accuracy[s]));
                }
            }

            (accuracy, next) = (next, accuracy);
        }

        return accuracy;
    }
}
