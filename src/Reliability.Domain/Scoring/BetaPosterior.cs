using MathNet.Numerics.Distributions;

namespace Reliability.Domain.Scoring;

public static class BetaPosterior
{
    public static BetaEstimate From(double confirmed, double refuted, ScoringPolicy policy)
    {
        var a = policy.PriorConfirmed + confirmed;
        var b = policy.PriorRefuted + refuted;
        var tail = (1.0 - policy.CredibleMass) / 2.0;
        return new BetaEstimate(
            Score: Mean(confirmed, refuted, policy),
            Lower: Beta.InvCDF(a, b, tail),
            Upper: Beta.InvCDF(a, b, 1.0 - tail),
            Confirmed: confirmed,
            Refuted: refuted,
            Insufficient: confirmed + refuted < policy.MinimumEvidence);
    }

    /// <summary>The mean alone, for the band walk along the history where intervals are not shown.</summary>
    public static double Mean(double confirmed, double refuted, ScoringPolicy policy) =>
        (policy.PriorConfirmed + confirmed) / (policy.PriorConfirmed + policy.PriorRefuted + confirmed + refuted);

    public static AdmiraltyReliability Grade(BetaEstimate estimate, AdmiraltyThresholds grades) => estimate switch
    {
        { Insufficient: true } => AdmiraltyReliability.F,
        { Lower: var l } when l >= grades.A => AdmiraltyReliability.A,
        { Lower: var l } when l >= grades.B => AdmiraltyReliability.B,
        { Lower: var l } when l >= grades.C => AdmiraltyReliability.C,
        { Lower: var l } when l >= grades.D => AdmiraltyReliability.D,
        _ => AdmiraltyReliability.E,
    };
}
