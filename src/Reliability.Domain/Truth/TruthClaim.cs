namespace Reliability.Domain.Truth;

/// <summary>
/// One source asserting one value (option) of one object (proposition). Callers lower the weight,
/// in (0, 1], for hedged, old or otherwise weaker claims; RelayOf names the source a claim declares
/// it repeats (retweet, wire copy).
/// </summary>
public sealed record TruthClaim(string SourceId, string ObjectId, string Value, double Weight = 1.0, string? RelayOf = null);

/// <summary>An editor's verdict: the object's true value, held fixed during discovery.</summary>
public sealed record ResolvedTruth(string ObjectId, string Value);

/// <summary>What is believed about a source before discovery, as a Beta(Alpha, Beta) prior.</summary>
public sealed record SourcePrior(string SourceId, double Alpha, double Beta);

public sealed record TruthDiscoveryInput(
    IReadOnlyList<TruthClaim> Claims,
    IReadOnlyList<ResolvedTruth>? Resolved = null,
    IReadOnlyList<SourcePrior>? Priors = null);
