using Reliability.Contracts.Claims;
using Reliability.Contracts.Propositions;
using Reliability.Contracts.Sources;
using Reliability.Domain.Model;
using Reliability.Domain.Scoring;

namespace Reliability.Grains.Records;

/// <summary>Domain values as the messages grains and the API hand out.</summary>
public static class Views
{
    /// <summary>An outside rating shown beside a score whose band is <paramref name="band"/>.</summary>
    public static ExternalRatingView Of(ExternalRating r, ReliabilityBand band) =>
        new(r.Rater, r.Rating, r.Url, r.At, r.ExpectedBand is { } expected ? Vocabulary.Band(expected) : null, r.DisagreesWith(band));

    public static ResolutionView Of(Resolution r) =>
        new(r.Revision, Vocabulary.Word(r.Verdict), r.ConfirmedOption, r.EvidenceUrls, r.Editor, r.Note, r.At);

    public static CorrectionView Of(Correction c) =>
        new(c.Id, Vocabulary.Word(c.Kind), c.At, c.Url, c.Note, c.Deletion is { } d ? Vocabulary.Word(d) : null, c.ReplacementClaimId);

    public static ScoreSummary Summary(BetaEstimate estimate, ReliabilityBand band, AdmiraltyReliability grade, bool provisional) =>
        new(estimate.Score, estimate.Lower, estimate.Upper, estimate.EffectiveEvidence, Vocabulary.Band(band), grade.ToString(), provisional);

    public static TagScoreView Of(TagScore tag) =>
        new(tag.Tag, tag.Estimate.Score, tag.Estimate.Lower, tag.Estimate.Upper, tag.Estimate.EffectiveEvidence, tag.Estimate.Insufficient,
            Vocabulary.Band(tag.Band), tag.Grade.ToString(), tag.Provisional);

    public static CorrectionMetricsView Of(CorrectionBehaviour c) =>
        new(c.RefutedClaims, c.CorrectedBySource, c.SelfCorrectedShare, c.SilentDeletions,
            c.MedianTimeToCorrect?.TotalHours, c.ReversalsTowardTruth, c.ReversalsAwayFromTruth, c.ContradictedWithoutCorrection);

    public static ContributionView Of(ClaimContribution c) =>
        new(c.ClaimId, c.PropositionId, c.Confirmed, c.Refuted, c.Provisional, (int)c.Credibility, c.Reason);

    /// <summary>
    /// A claim's status: what became of the post (deleted, reversed, retracted), else whether its
    /// source has since said otherwise (superseded, see <see cref="ChangesOfMind"/>), else what the
    /// resolution in force says (confirmed, refuted), else live or open.
    /// </summary>
    public static ClaimView Of(
        Claim claim, IReadOnlyList<Correction> corrections, Resolution? resolution, double? provisional, bool contested, bool uncorroborated,
        Claim? supersededBy)
    {
        var outcome = resolution switch
        {
            null => "open",
            { Verdict: Verdict.Unresolvable } => "unresolvable",
            { ConfirmedOption: var option } when option == claim.Option => "confirmed",
            _ => "refuted",
        };
        var replacement = corrections.FirstOrDefault(c => c.Kind == CorrectionKind.Reversed)?.ReplacementClaimId;
        // A reader first needs to know the post is gone; a reversal's replacement is linked either way.
        var status = corrections.Any(c => c.Kind == CorrectionKind.Deleted) ? "deleted"
            : corrections.Any(c => c.Kind == CorrectionKind.Reversed) ? "reversed"
            : corrections.Any(c => c.Kind == CorrectionKind.Retracted) ? "retracted"
            : supersededBy is not null ? "superseded"
            : outcome is "confirmed" or "refuted" ? outcome
            : outcome == "open" ? "open" : "live";
        return new ClaimView(
            claim.Id, claim.SourceId, claim.PropositionId, claim.Option, claim.PublishedAt, claim.Url, claim.OriginalText,
            claim.Language, Vocabulary.Word(claim.Hedge), claim.RelayOfClaimId, claim.EvidenceUrls, status, outcome,
            resolution is null ? provisional : null, resolution is null && contested, replacement, [.. corrections.Select(Of)],
            resolution is null && provisional is not null && uncorroborated, supersededBy?.Id);
    }
}
