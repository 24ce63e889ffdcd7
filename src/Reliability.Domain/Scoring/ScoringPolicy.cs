using System.Globalization;

namespace Reliability.Domain.Scoring;

/// <summary>
/// Every knob of the Beta–Bernoulli score, named and versioned so a stored score can say which
/// rules produced it and a changed policy re-scores from the history. Defaults and the reason for
/// each are in Scoring/README.md; <see cref="Problems"/> states the allowed range.
/// </summary>
public sealed record ScoringPolicy(
    string Name,
    string Version,
    double PriorConfirmed,
    double PriorRefuted,
    TimeSpan? RecencyHalfLife,
    HedgeWeights Hedges,
    double RelayWeight,
    CorrectionModifiers Corrections,
    double ProvisionalWeight,
    double HindsightWeight,
    double MinimumEvidence,
    double CredibleMass,
    BandThresholds Bands,
    AdmiraltyThresholds Grades)
{
    public static ScoringPolicy Beta { get; } = new(
        Name: "beta",
        Version: "beta-v2",
        PriorConfirmed: 1.0,
        PriorRefuted: 1.0,
        RecencyHalfLife: TimeSpan.FromDays(365),
        Hedges: new HedgeWeights(Asserted: 1.0, Reported: 0.6, Speculative: 0.3),
        RelayWeight: 0.2,
        Corrections: new CorrectionModifiers(
            CorrectedBeforeResolution: 0.25, CorrectedAfterResolution: 0.6, SilentDeletion: 1.0),
        ProvisionalWeight: 0.5,
        HindsightWeight: 0.0,
        MinimumEvidence: 3.0,
        CredibleMass: 0.90,
        Bands: new BandThresholds(Reliable: 0.7, Unreliable: 0.4, Margin: 0.05),
        Grades: new AdmiraltyThresholds(A: 0.8, B: 0.65, C: 0.45, D: 0.25));

    /// <summary>Why this policy is outside the range the score's guarantees are proven for; empty when it is inside.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Require(bool ok, string why)
        {
            if (!ok)
            {
                problems.Add(why);
            }
        }

        Require(!string.IsNullOrWhiteSpace(Name) && !string.IsNullOrWhiteSpace(Version), "name and version are required");
        // Below 0.5 a lopsided record skews the Beta so far that its mean leaves the credible interval.
        Require(PriorConfirmed is >= 0.5 and <= 50 && PriorRefuted is >= 0.5 and <= 50, "priors must lie in [0.5, 50]");
        Require(RecencyHalfLife is null || RecencyHalfLife >= TimeSpan.FromDays(1), "recency half-life must be at least a day (or null: evidence never ages)");
        Require(Hedges.Asserted == 1.0 && Hedges.Reported < Hedges.Asserted && Hedges.Speculative < Hedges.Reported && Hedges.Speculative > 0,
            "hedge weights must satisfy asserted = 1 > reported > speculative > 0");
        Require(RelayWeight is > 0 and < 1, "relay weight must lie in (0, 1)");
        Require(Corrections.CorrectedBeforeResolution >= 0
            && Corrections.CorrectedBeforeResolution < Corrections.CorrectedAfterResolution
            && Corrections.CorrectedAfterResolution < 1.0,
            "corrections must satisfy 0 <= before resolution < after resolution < 1");
        Require(Corrections.SilentDeletion is >= 1.0 and <= 3.0, "a silent deletion must count at least as much as leaving the claim (in [1, 3])");
        Require(ProvisionalWeight is > 0 and <= 1, "provisional weight must lie in (0, 1]");
        Require(HindsightWeight is >= 0 and <= 1, "hindsight weight must lie in [0, 1]");
        Require(MinimumEvidence > 0, "minimum evidence must be positive");
        Require(CredibleMass is >= 0.8 and < 1, "credible mass must lie in [0.8, 1)");
        Require(Bands.Unreliable is > 0 and < 1 && Bands.Reliable is > 0 and < 1 && Bands.Unreliable < Bands.Reliable,
            "band thresholds must satisfy 0 < unreliable < reliable < 1");
        Require(Bands.Margin >= 0 && Bands.Margin < (Bands.Reliable - Bands.Unreliable) / 2,
            "band margin must be non-negative and less than half the mixed band");
        Require(Grades.A > Grades.B && Grades.B > Grades.C && Grades.C > Grades.D && Grades.D > 0 && Grades.A < 1,
            "grade thresholds must satisfy 1 > A > B > C > D > 0");
        return problems;
    }

    public void EnsureValid()
    {
        var problems = Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Scoring policy {Version} is invalid: {string.Join("; ", problems)}"));
        }
    }
}

/// <summary>Weight of a claim by how firmly it was made.</summary>
public sealed record HedgeWeights(double Asserted, double Reported, double Speculative);

/// <summary>
/// Multipliers on the weight a refuted claim counts against its source, by what the source did
/// about it. Public correction must beat silence, and silence must never beat standing by it.
/// </summary>
public sealed record CorrectionModifiers(double CorrectedBeforeResolution, double CorrectedAfterResolution, double SilentDeletion);

/// <summary>Score thresholds of the bands and the hysteresis margin a score must cross them by.</summary>
public sealed record BandThresholds(double Reliable, double Unreliable, double Margin);

/// <summary>Lowest lower-credible-bound for each Admiralty reliability grade; below D is E.</summary>
public sealed record AdmiraltyThresholds(double A, double B, double C, double D);
