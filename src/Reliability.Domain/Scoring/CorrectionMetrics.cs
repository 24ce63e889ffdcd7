using Reliability.Domain.Model;

namespace Reliability.Domain.Scoring;

internal static class CorrectionMetrics
{
    public static CorrectionBehaviour From(IReadOnlyList<ClaimAssessment> assessments, Ledger ledger)
    {
        var refuted = assessments.Where(a => a.Outcome == ClaimOutcome.Refuted).ToList();
        var corrected = refuted.Where(a => a.CreditedWithdrawal is not null).ToList();
        var delays = corrected
            .Select(a => a.CreditedWithdrawal!.At - ledger.FindClaim(a.Contribution.ClaimId)!.PublishedAt)
            // A correction timestamped before its claim is a data error, not a negative delay.
            .Select(delay => delay < TimeSpan.Zero ? TimeSpan.Zero : delay)
            .Order()
            .ToList();
        return new CorrectionBehaviour(
            RefutedClaims: refuted.Count,
            CorrectedBySource: corrected.Count,
            SelfCorrectedShare: refuted.Count == 0 ? null : (double)corrected.Count / refuted.Count,
            SilentDeletions: assessments.Count(a => a.SilentlyDeleted),
            MedianTimeToCorrect: Median(delays),
            ReversalsTowardTruth: assessments.Count(a => a.Reversal == ReversalDirection.TowardTruth),
            ReversalsAwayFromTruth: assessments.Count(a => a.Reversal == ReversalDirection.AwayFromTruth),
            ContradictedWithoutCorrection: ContradictedWithoutCorrection(assessments, ledger));
    }

    private static int ContradictedWithoutCorrection(IReadOnlyList<ClaimAssessment> assessments, Ledger ledger)
    {
        var claims = assessments.Select(a => ledger.FindClaim(a.Contribution.ClaimId)).OfType<Claim>().ToList();
        // Any standing claim may be what contradicted another; only an uncorrected one is counted.
        var superseded = ChangesOfMind.Superseded(claims.Where(c => ledger.StillAsserts(c.Id)));
        return claims.Count(c => superseded.ContainsKey(c.Id) && ledger.CorrectionsOf(c.Id).All(k => k.Kind == CorrectionKind.Amended));
    }

    private static TimeSpan? Median(List<TimeSpan> sorted) => sorted.Count switch
    {
        0 => null,
        var n when n % 2 == 1 => sorted[n / 2],
        var n => (sorted[(n / 2) - 1] + sorted[n / 2]) / 2,
    };
}
