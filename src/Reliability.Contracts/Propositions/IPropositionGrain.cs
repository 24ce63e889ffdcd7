using Orleans.Concurrency;

namespace Reliability.Contracts.Propositions;

/// <summary>A proposition's claims, resolution revisions and provisional truth estimate.</summary>
/// <remarks>Versioned as <c>ISourceGrain</c> is: raised with every method added or changed.</remarks>
[Alias("Reliability.IPropositionGrain")]
[Orleans.CodeGeneration.Version(1)]
public interface IPropositionGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<PropositionView?> GetAsync();

    /// <summary>
    /// The proposition as it stood at <paramref name="asOf"/>, from everything recorded: the claims
    /// published by then, each with the corrections dated by then, and the resolution in force then;
    /// no provisional estimate (a past moment is judged by verdicts alone, as a source's score is).
    /// Null when no proposition has the id or nothing of it was there by then.
    /// </summary>
    [Alias("GetAsOf")]
    Task<PropositionView?> GetAsOfAsync(DateTimeOffset asOf);

    /// <summary>
    /// The proposition as the tracker knew it at <paramref name="knownAt"/>: from the claims,
    /// corrections and resolutions it had recorded by then, as they stood at <paramref name="asOf"/>
    /// (at most <paramref name="knownAt"/>); as of <paramref name="knownAt"/> itself with the
    /// provisional estimate readers were served then. Null when no proposition has the id or the
    /// tracker had nothing of it by then.
    /// </summary>
    [Alias("GetKnownAt")]
    Task<PropositionView?> GetKnownAtAsync(DateTimeOffset knownAt, DateTimeOffset asOf);

    /// <summary>Every revision, oldest first.</summary>
    [Alias("GetResolutions")]
    Task<IReadOnlyList<ResolutionView>?> GetResolutionsAsync();

    [Alias("CatchUp")]
    Task CatchUpAsync(long committedVersion);
}

/// <summary>
/// The provisional truth of every open proposition, estimated jointly with source reliabilities by
/// the domain's truth-discovery engine, with resolved propositions as fixed anchors.
/// </summary>
[Alias("Reliability.ITruthGrain")]
public interface ITruthGrain : IGrainWithIntegerKey
{
    /// <summary>Option probabilities of the open propositions asked for (absent: no estimate).</summary>
    [Alias("GetEstimates")]
    Task<ProvisionalEstimates> GetEstimatesAsync(IReadOnlyList<string> propositionIds);

    /// <summary>
    /// Every open proposition's estimate when it is newer than <paramref name="knownVersion"/>, else
    /// no estimates: the caller's copy is current. Whether a recomputation is pending or running comes either way.
    /// </summary>
    /// <remarks>Answered during a recomputation, from the estimate before it: silos never queue behind one.</remarks>
    [Alias("GetAllIfNewer"), AlwaysInterleave]
    Task<EstimatesUpdate> GetAllIfNewerAsync(long knownVersion);

    /// <summary>
    /// These claims were recorded, and these claims and resolved propositions changed: the grain
    /// puts the first in and reads just the others again, and the estimate is recomputed (debounced).
    /// </summary>
    /// <remarks>
    /// Taken during a recomputation too: on a large record one takes seconds, and every commit's
    /// writer would otherwise wait behind it.
    /// </remarks>
    [Alias("Changed"), AlwaysInterleave]
    Task ChangedAsync(TruthChanges changes);

    /// <summary>The record changed in ways not listed: the grain reads all of it again before the next estimate.</summary>
    [Alias("Invalidate"), AlwaysInterleave]
    Task InvalidateAsync();
}

/// <summary>
/// What one commit wrote that the estimate reads: the claims it recorded, as recorded, and the ids
/// of the claims it changed (corrections) and of the propositions it resolved, to be read again.
/// </summary>
/// <remarks>
/// Recorded claims travel whole so that the grain does not read back what the writer had in hand
/// (a read per claim recorded was 7 % of the database's time in steady ingest). A claim changes
/// after it is recorded only through ids read again, so a recorded claim that reaches the grain
/// after a later change of it was read never replaces what was read.
/// </remarks>
[GenerateSerializer, Immutable, Alias("Reliability.TruthChanges")]
public sealed record TruthChanges(IReadOnlyList<string> ClaimIds, IReadOnlyList<string> PropositionIds, IReadOnlyList<RecordedClaimForTruth>? Recorded = null);

/// <summary>
/// What the truth estimate reads of a claim, as it was recorded. PublishedAt came last and is null
/// from a writer of an earlier version; the estimate then leaves the claim untimed.
/// </summary>
[GenerateSerializer, Immutable, Alias("Reliability.RecordedClaimForTruth")]
public sealed record RecordedClaimForTruth(
    string Id, string SourceId, string PropositionId, string Option, Domain.Model.Hedge Hedge, string? RelayOf, string CorrectionStatus,
    DateTimeOffset? PublishedAt = null);

/// <summary>
/// Version grows each time the estimate is recomputed, so callers can cache by it. Stale: the record
/// has changed since, and a recomputation is scheduled (it waits longer while writes keep coming).
/// </summary>
[GenerateSerializer, Immutable, Alias("Reliability.EstimatesUpdate")]
public sealed record EstimatesUpdate(ProvisionalEstimates? Estimates, bool Stale);

[GenerateSerializer, Immutable, Alias("Reliability.ProvisionalEstimates")]
public sealed record ProvisionalEstimates(long Version, IReadOnlyDictionary<string, IReadOnlyList<OptionProbability>> Propositions, bool Stale = false)
{
    /// <summary>Whether standing claims assert two or more of a proposition's estimated options.</summary>
    public static bool IsContested(IReadOnlyList<OptionProbability> options) => options.Count(o => o.Claimants > 0) > 1;

    /// <summary>
    /// Whether no standing claim but a source's own speaks to a proposition: every claimant the
    /// estimate counted is that source, whose standing claims assert <paramref name="ownOptions"/>
    /// of the options (each source counts once per option it asserts).
    /// </summary>
    public static bool IsUncorroborated(IReadOnlyList<OptionProbability> options, int ownOptions) => options.Sum(o => o.Claimants) <= ownOptions;

    /// <summary>
    /// Whether <see cref="IsUncorroborated"/> can hold for any source, without counting its own
    /// options: a source counts at most once per option, so more claimants than options means
    /// another source speaks too.
    /// </summary>
    public static bool MayBeUncorroborated(IReadOnlyList<OptionProbability> options) => options.Sum(o => o.Claimants) <= options.Count;
}
