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

    public static bool IsNews(PublishedScore published, SourceScore recomputed)
    {
        ArgumentNullException.ThrowIfNull(published);
        ArgumentNullException.ThrowIfNull(recomputed);
        return published.Band != recomputed.Band
            || published.Grade != recomputed.Grade
            || published.Provisional != recomputed.HasProvisionalEvidence
            || Math.Abs(published.Score - recomputed.Score) >= ScoreStep
            || Math.Abs(published.Lower - recomputed.Overall.Lower) >= ScoreStep
            || Math.Abs(published.Upper - recomputed.Overall.Upper) >= ScoreStep
            || Math.Abs(published.EffectiveEvidence - recomputed.Overall.EffectiveEvidence) >= EvidenceStep;
    }

    /// <summary>
    /// Whether a topic's or a region's band moved since the score was published (one new or gone
    /// included): the listing finds sources by their band on a topic, and articles take a newly cited
    /// source's bands on their topics and regions from it; those can move while the overall score does not.
    /// </summary>
    public static bool TagBandsMoved(PublishedScore published, SourceScore recomputed)
    {
        ArgumentNullException.ThrowIfNull(published);
        ArgumentNullException.ThrowIfNull(recomputed);
        static bool Moved(IReadOnlyDictionary<string, ReliabilityBand> was, IReadOnlyList<TagScore> now) =>
            was.Count != now.Count || now.Any(t => !was.TryGetValue(t.Tag, out var band) || band != t.Band);
        return Moved(published.TopicBands, recomputed.Topics) || Moved(published.RegionBands, recomputed.Regions);
    }
}

/// <summary>
/// What a published score showed, and all that <see cref="ScoreNews"/> compares: a source's grain
/// keeps this of the score it last published, not the whole score with a contribution per claim
/// and a point per event, which it would otherwise hold twice once its live score had drifted.
/// </summary>
/// <remarks>TopicBands, RegionBands: the band of each topic and region the source claimed on, by tag.</remarks>
public sealed record PublishedScore(
    ReliabilityBand Band,
    AdmiraltyReliability Grade,
    bool Provisional,
    double Score,
    double Lower,
    double Upper,
    double EffectiveEvidence,
    IReadOnlyDictionary<string, ReliabilityBand> TopicBands,
    IReadOnlyDictionary<string, ReliabilityBand> RegionBands)
{
    public static PublishedScore Of(SourceScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return new(score.Band, score.Grade, score.HasProvisionalEvidence, score.Score, score.Overall.Lower, score.Overall.Upper,
            score.Overall.EffectiveEvidence, score.Topics.ToDictionary(t => t.Tag, t => t.Band, StringComparer.Ordinal),
            score.Regions.ToDictionary(t => t.Tag, t => t.Band, StringComparer.Ordinal));
    }
}
