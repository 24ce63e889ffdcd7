namespace Reliability.Domain.Scoring;

/// <summary>
/// Whether a recomputed score differs from the one last published (the source listing, a
/// subscriber's last score event) by anything a reader could see. Recency decay moves every score a
/// little with the clock, so a live score recomputed a minute later differs in its last digits;
/// counting that as a change rewrote the listing of every source being read once a minute, a steady
/// stream of writes while readers only read, and announced scores nobody could tell apart.
/// </summary>
public static class ScoreNews
{
    /// <summary>
    /// Smallest move of the score or a bound of its interval that is news: a tenth of a percentage
    /// point, ten times finer than the plugin and the listing show them.
    /// </summary>
    public const double ScoreStep = 0.001;

    /// <summary>Smallest move of the effective evidence that is news: a hundredth of a claim (shown to a tenth).</summary>
    public const double EvidenceStep = 0.01;

    public static bool IsNews(SourceScore published, SourceScore recomputed)
    {
        ArgumentNullException.ThrowIfNull(published);
        ArgumentNullException.ThrowIfNull(recomputed);
        return published.Band != recomputed.Band
            || published.Grade != recomputed.Grade
            || published.HasProvisionalEvidence != recomputed.HasProvisionalEvidence
            || Math.Abs(published.Score - recomputed.Score) >= ScoreStep
            || Math.Abs(published.Overall.Lower - recomputed.Overall.Lower) >= ScoreStep
            || Math.Abs(published.Overall.Upper - recomputed.Overall.Upper) >= ScoreStep
            || Math.Abs(published.Overall.EffectiveEvidence - recomputed.Overall.EffectiveEvidence) >= EvidenceStep;
    }
}
