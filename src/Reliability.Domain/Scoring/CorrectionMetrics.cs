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
        var uncorrected = assessments.Select(a => ledger.FindClaim(a.Contribution.ClaimId)).OfType<Claim>()
            .Where(c => ledger.CorrectionsOf(c.Id).All(k => k.Kind == CorrectionKind.Amended))
            .ToList();
        // Only an uncorrected claim can be counted, but any standing claim may be what contradicted it.
        var standing = assessments.Select(a => ledger.FindClaim(a.Contribution.ClaimId)).OfType<Claim>()
            .Where(c => !ledger.CorrectionsOf(c.Id).Any(k => k.EndsAssertion));
        var superseded = ChangesOfMind.Superseded(standing);
        return uncorrected.Count(c => superseded.ContainsKey(c.Id));
    }

    private static TimeSpan? Median(List<TimeSpan> sorted) => sorted.Count switch
    {
        0 => null,
        var n when n % 2 == 1 => sorted[n / 2],
        var n => (sorted[(n / 2) - 1] + sorted[n / 2]) / 2,
    };
}
