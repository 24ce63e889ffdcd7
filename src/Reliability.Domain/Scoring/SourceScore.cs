namespace Reliability.Domain.Scoring;

public enum ReliabilityBand
{
    InsufficientRecord,
    Unreliable,
    Mixed,
    Reliable,
}

/// <summary>Admiralty/NATO source reliability: A completely reliable … E unreliable, F cannot be judged.</summary>
public enum AdmiraltyReliability
{
    A,
    B,
    C,
    D,
    E,
    F,
}

/// <summary>Admiralty/NATO information credibility, 1 to 6.</summary>
public enum AdmiraltyCredibility
{
    Confirmed = 1,
    ProbablyTrue = 2,
    PossiblyTrue = 3,
    Doubtful = 4,
    Improbable = 5,
    CannotBeJudged = 6,
}

/// <summary>
/// A Beta posterior from weighted confirmed and refuted evidence. <see cref="Score"/> is the
/// posterior mean; <see cref="Lower"/>/<see cref="Upper"/> bound the central credible interval.
/// </summary>
public sealed record BetaEstimate(
    double Score,
    double Lower,
    double Upper,
    double Confirmed,
    double Refuted,
    bool Insufficient)
{
    public double EffectiveEvidence => Confirmed + Refuted;
}

/// <summary>
/// What one claim adds to its source's evidence. The contributions of a score add up exactly to
/// its confirmed and refuted totals, so every score can be audited claim by claim.
/// </summary>
/// <remarks>Provisional: the weight comes from a truth-discovery estimate, not a resolution.</remarks>
public sealed record ClaimContribution(
    string ClaimId,
    string PropositionId,
    double Confirmed,
    double Refuted,
    bool Provisional,
    AdmiraltyCredibility Credibility,
    string Reason);

/// <summary>
/// A source's score on the claims of one topic or region: its band walked along the history as the
/// overall band is, with hysteresis, and its grade under the same policy.
/// </summary>
/// <remarks>Provisional: part of the evidence is a provisional estimate, to be labelled so.</remarks>
public sealed record TagScore(string Tag, BetaEstimate Estimate, ReliabilityBand Band, AdmiraltyReliability Grade, bool Provisional);

/// <summary>How a source behaves once it is wrong, judged on resolved propositions only.</summary>
/// <remarks>
/// SelfCorrectedShare: refuted claims the source withdrew publicly (retraction, announced deletion,
/// reversal toward the truth) over all its refuted claims; null without refuted claims. A claim
/// returning to an option the source had already withdrawn is not counted corrected when withdrawn
/// again, as its score does not credit it: going back and forth would otherwise read as correcting.
/// ReversalsTowardTruth, like ReversalsAwayFromTruth, counts every such reversal made.
/// SilentDeletions: claims deleted without any public withdrawal, whatever their outcome.
/// ReversalsAwayFromTruth: a confirmed claim reversed to another option; a reversal between two
/// wrong options is neither toward nor away.
/// ContradictedWithoutCorrection: claims the source contradicted by later claiming another option
/// (see <see cref="Model.ChangesOfMind"/>) and left standing, neither deleted, retracted nor reversed,
/// whatever their outcome: the change of mind a reader of the first post never hears of.
/// </remarks>
public sealed record CorrectionBehaviour(
    int RefutedClaims,
    int CorrectedBySource,
    double? SelfCorrectedShare,
    int SilentDeletions,
    TimeSpan? MedianTimeToCorrect,
    int ReversalsTowardTruth,
    int ReversalsAwayFromTruth,
    int ContradictedWithoutCorrection);

/// <summary>One point of a source's score series: after each of its events, and at the as-of time.</summary>
public sealed record ScorePoint(DateTimeOffset At, double Score, double EffectiveEvidence, ReliabilityBand Band);

public sealed record SourceScore(
    string SourceId,
    string PolicyVersion,
    DateTimeOffset AsOf,
    BetaEstimate Overall,
    ReliabilityBand Band,
    AdmiraltyReliability Grade,
    CorrectionBehaviour Corrections,
    IReadOnlyList<TagScore> Topics,
    IReadOnlyList<TagScore> Regions,
    IReadOnlyList<ClaimContribution> Contributions,
    IReadOnlyList<ScorePoint> History)
{
    public double Score => Overall.Score;

    /// <summary>Part of the evidence is a provisional estimate and must be labelled so wherever it shows.</summary>
    public bool HasProvisionalEvidence => ProvisionalEvidence > 0;

    /// <summary>How much of <see cref="BetaEstimate.EffectiveEvidence"/> is provisional.</summary>
    public double ProvisionalEvidence => Contributions.Where(c => c.Provisional).Sum(c => c.Confirmed + c.Refuted);

    /// <summary>
    /// The same score showing another band, at its final point too: the band a held band learnt after
    /// the score was worked out leads to, or the band last recorded while this one could not be.
    /// </summary>
    public SourceScore ShowingBand(ReliabilityBand band) =>
        this with { Band = band, History = [.. History.Take(History.Count - 1), History[^1] with { Band = band }] };

    /// <summary>
    /// The same score with each topic and region of a record of its own showing the band
    /// <paramref name="band"/> gives it (null: the band it has), as <see cref="ShowingBand"/> for the overall band.
    /// </summary>
    public SourceScore ShowingTagBands(Func<TagKind, TagScore, ReliabilityBand?> band)
    {
        ArgumentNullException.ThrowIfNull(band);
        List<TagScore> Showing(TagKind kind, IReadOnlyList<TagScore> tags) =>
            [.. tags.Select(t => t.Band != ReliabilityBand.InsufficientRecord && band(kind, t) is { } shown ? t with { Band = shown } : t)];
        return this with { Topics = Showing(TagKind.Topic, Topics), Regions = Showing(TagKind.Region, Regions) };
    }
}
