namespace Reliability.Domain.Truth;

/// <summary>
/// A value's probability, and how many sources back it with a claim: none for a declared option
/// nobody claims or a verdict nobody claimed.
/// </summary>
public sealed record ValueProbability(string Value, double Probability, int Claimants);

/// <summary>The estimate for one object; <see cref="Candidates"/> are in value order and sum to 1.</summary>
public sealed record ObjectVerdict(
    string ObjectId,
    string MostProbableValue,
    double Probability,
    bool IsResolved,
    IReadOnlyList<ValueProbability> Candidates);

/// <summary>
/// Estimated accuracy of a source with its credible interval (90% by default) and the weighted
/// number of claims behind it (after relay discounts and the split of hedged claims; claims on
/// unresolved objects count at <see cref="TruthPolicy.ProvisionalEvidenceWeight"/>).
/// </summary>
public sealed record SourceReliability(
    string SourceId,
    double Reliability,
    double Lower,
    double Upper,
    double EffectiveEvidence);

/// <summary>Objects and sources are in ordinal order of their ids.</summary>
public sealed record TruthDiscoveryResult(
    IReadOnlyList<ObjectVerdict> Objects,
    IReadOnlyList<SourceReliability> Sources,
    int Iterations,
    bool Converged);
