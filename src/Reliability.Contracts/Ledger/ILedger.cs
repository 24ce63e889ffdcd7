using Reliability.Contracts.Articles;
using Reliability.Contracts.Claims;
using Reliability.Contracts.Propositions;
using Reliability.Contracts.Sources;

namespace Reliability.Contracts.Ledger;

/// <summary>
/// Every write to the record. Each command is one PostgreSQL transaction appending to every
/// stream it affects (source and proposition streams) and updating the read models; the affected
/// grains are told afterwards and catch up from their streams. Everything is idempotent by id.
/// </summary>
public interface ILedger
{
    /// <summary>Records a batch; each item is accepted (durably stored), a duplicate, or rejected.</summary>
    Task<IReadOnlyList<SubmissionResult>> RecordClaimsAsync(IReadOnlyList<ClaimSubmission> claims, CancellationToken cancellationToken = default);

    Task<LedgerOutcome<ClaimView>> RecordCorrectionAsync(string claimId, CorrectionSubmission correction, CancellationToken cancellationToken = default);

    Task<LedgerOutcome<PropositionView>> OpenPropositionAsync(NewProposition proposition, CancellationToken cancellationToken = default);

    /// <summary>Adds a resolution revision and re-scores every source with a claim on the proposition.</summary>
    Task<LedgerOutcome<ResolutionView>> ResolveAsync(string propositionId, ResolutionSubmission resolution, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers a source, or returns the existing one with that id or those handles, with any of the
    /// handles it lacked added. Without an id, the id comes from the first handle (so registering twice
    /// is harmless) or is new. Handles of another source are a conflict.
    /// </summary>
    Task<LedgerOutcome<SourceProfile>> RegisterSourceAsync(string name, string kind, bool interestedParty, IReadOnlyList<HandleView> handles, CancellationToken cancellationToken = default, string? id = null);

    /// <summary>
    /// Adds handles to a source: claims and lookups by any of them then find it. Handles it has are
    /// left alone; a handle of another source is a conflict, and then none is added.
    /// </summary>
    Task<LedgerOutcome<SourceProfile>> AddHandlesAsync(string sourceId, IReadOnlyList<HandleView> handles, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes a handle from a source (the account changed hands, or was given to the wrong source). The
    /// source keeps its claims; claims and lookups by the handle no longer find it. Not found: no such
    /// source, or the handle is not the source's.
    /// </summary>
    Task<LedgerOutcome<SourceProfile>> RemoveHandleAsync(string sourceId, HandleView handle, string? reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// The survivor takes the absorbed source over: its claims, handles and outside ratings are the
    /// survivor's from now on, and the absorbed source answers for nothing itself. Not found: no
    /// survivor; invalid: the absorbed source is the survivor or unknown; conflict: either was merged
    /// into another already. The same pair merged again changes nothing.
    /// </summary>
    Task<LedgerOutcome<SourceProfile>> MergeSourcesAsync(string survivorId, string absorbedId, string? reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records what a rater outside the newsroom says of a source, in its own words, or with a null
    /// rating that it no longer rates it. The rater's latest word stands.
    /// </summary>
    Task<LedgerOutcome<SourceProfile>> RecordExternalRatingAsync(
        string sourceId, string rater, string? rating, string? url, DateTimeOffset? at, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records many outside ratings, registering sources by their handles where needed; each item is
    /// accepted (recorded), a duplicate (that word already stands) or rejected, one at a time.
    /// </summary>
    Task<IReadOnlyList<SubmissionResult>> ImportExternalRatingsAsync(IReadOnlyList<ExternalRatingSubmission> ratings, CancellationToken cancellationToken = default);

    /// <summary>Changes a source's name, kind or interested-party flag; a null keeps what it is.</summary>
    Task<LedgerOutcome<SourceProfile>> AmendSourceAsync(string sourceId, string? name, string? kind, bool? interestedParty, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers or updates an article and its citations. Each newly cited source's current band is
    /// kept as the baseline its alerts compare against; unknown claim ids are field errors.
    /// </summary>
    Task<LedgerOutcome<ArticleView>> RegisterArticleAsync(ArticleSubmission article, CancellationToken cancellationToken = default);
}
