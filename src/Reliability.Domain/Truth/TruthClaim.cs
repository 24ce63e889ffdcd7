namespace Reliability.Domain.Truth;

/// <summary>
/// One source asserting one value (option) of one object (proposition). Callers lower the weight,
/// in (0, 1], for hedged, old or otherwise weaker claims; RelayOf names the source a claim declares
/// it repeats (retweet, wire copy). At, where known, is when the source said it: a source's later
/// claim of another value on the same object supersedes the earlier one (it changed its mind), and
/// of two sources that copy one another the one that said their shared values later is taken for
/// the copier.
/// </summary>
public sealed record TruthClaim(string SourceId, string ObjectId, string Value, double Weight = 1.0, string? RelayOf = null, DateTimeOffset? At = null);

/// <summary>An editor's verdict: the object's true value, held fixed during discovery.</summary>
public sealed record ResolvedTruth(string ObjectId, string Value);

/// <summary>What is believed about a source before discovery, as a Beta(Alpha, Beta) prior.</summary>
public sealed record SourcePrior(string SourceId, double Alpha, double Beta);

/// <summary>
/// What discovery reads. <paramref name="Options"/> gives, where known, the mutually exclusive values
/// an object can take (a proposition's options). Such an object is weighed over all of them: an option
/// nobody claims keeps its share of the probability, so one claim alone is as likely as its source is
/// reliable rather than certain, and Accu's vote counts exactly the other options as false values
/// instead of assuming at least <see cref="TruthPolicy.MinFalseValues"/>. A value claimed but not
/// declared still counts; options of an object nobody claims or resolved are ignored.
/// </summary>
public sealed record TruthDiscoveryInput(
    IReadOnlyList<TruthClaim> Claims,
    IReadOnlyList<ResolvedTruth>? Resolved = null,
    IReadOnlyList<SourcePrior>? Priors = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Options = null);
