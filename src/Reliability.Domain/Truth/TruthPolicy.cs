namespace Reliability.Domain.Truth;

/// <summary>
/// The one configuration truth discovery runs with. Defaults were chosen on public benchmarks
/// (flights, books, population) and are meant to hold for unseen data, not for any one of them.
/// </summary>
public sealed record TruthPolicy
{
    public static TruthPolicy Default { get; } = new();

    /// <summary>Reliability assumed for a source with no record.</summary>
    public double PriorReliability { get; init; } = 0.8;

    /// <summary>
    /// Pseudo-claims behind the prior. Kept small: most sources make one claim, and a strong prior
    /// would drown what little record they have; a weak one still keeps 1-of-1 from reading as 100%.
    /// </summary>
    public double PriorStrength { get; init; } = 3.0;

    /// <summary>
    /// Highest reliability a source votes with. A record above it is mostly agreement with the
    /// consensus, which the source itself helps make: it says the source is good, not that it is
    /// more nearly infallible than another good source, so such records should not outvote each other.
    /// </summary>
    public double VoteReliabilityCap { get; init; } = 0.96;

    /// <summary>Weight multiplier for a claim that declares it relays another source.</summary>
    public double RelayWeight { get; init; } = 0.2;

    /// <summary>Share of a similar value's support a candidate receives (0 = single-truth voting).</summary>
    public double SimilarityInfluence { get; init; } = 0.5;

    public IValueSimilarity Similarity { get; init; } = DefaultValueSimilarity.Instance;

    /// <summary>Least number of false values assumed for an object in Accu's vote ln(n·A/(1−A)).</summary>
    public double MinFalseValues { get; init; } = 5;

    /// <summary>
    /// Weight of a claim on an unresolved object, relative to one on a resolved object, as evidence
    /// of its source's reliability: a verdict is firmer ground than the engine's own estimate.
    /// </summary>
    public double ProvisionalEvidenceWeight { get; init; } = 0.5;

    /// <summary>
    /// Most claims a source may have in the whole record and still count as a newcomer: it has no
    /// record to speak of, so its rating is the prior.
    /// </summary>
    public int NewcomerClaims { get; init; } = 2;

    /// <summary>
    /// Pseudo-claims at <see cref="PriorReliability"/> that newcomers' record on resolved objects is
    /// weighed against when it sets every newcomer's prior mean. More than one source's prior: it
    /// speaks for all of them, and two resolved claims should not set it alone.
    /// </summary>
    public double NewcomerPriorPseudoClaims { get; init; } = 10;

    /// <summary>
    /// Most claims an open object may have for a contest on it that a newcomer takes part in to be
    /// decided by the newcomer's prior. There a claim counts towards its source's rating as far as its
    /// value is backed, not as far as it won: otherwise a careful source disputed one to one by
    /// accounts that never posted before loses every dispute to the prior, and its rating with them.
    /// </summary>
    public int SmallContestClaims { get; init; } = 6;

    public bool DetectCopying { get; init; } = true;

    /// <summary>
    /// Whether resolved disputes between two sources weigh in where they meet again on an open
    /// object, when they show more than the sources' separate records predict (<see cref="HeadToHead"/>).
    /// </summary>
    public bool WeighHeadToHead { get; init; } = true;

    /// <summary>Prior probability that two sources sharing objects are copying each other.</summary>
    public double CopyPrior { get; init; } = 0.1;

    /// <summary>Share of a copier's values assumed taken from the source it copies.</summary>
    public double CopySelectivity { get; init; } = 0.8;

    /// <summary>Highest reliability assumed when testing two sources for copying.</summary>
    public double CopyTestReliabilityCap { get; init; } = 0.95;

    /// <summary>Objects with more claims than this are left out of the copying test, to bound its cost.</summary>
    public int CopyTestMaxClaimsPerObject { get; init; } = 300;

    /// <summary>Reliabilities are kept inside (Floor, 1 − Floor) so vote weights stay finite.</summary>
    public double ReliabilityFloor { get; init; } = 0.01;

    public int MaxIterations { get; init; } = 100;

    /// <summary>Iteration stops when no source reliability moves more than this.</summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>
    /// Whether a verdict is stated no surer than the sources' chance-corrected agreement supports
    /// (see <see cref="TruthDiscoveryEngine"/>). Verdicts and ratings are the same either way.
    /// </summary>
    public bool TemperByAgreement { get; init; } = true;

    /// <summary>Mass of the reported credible interval.</summary>
    public double CredibleMass { get; init; } = 0.9;
}
