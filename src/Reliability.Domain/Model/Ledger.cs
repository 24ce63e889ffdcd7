using Reliability.Domain.Events;

namespace Reliability.Domain.Model;

/// <summary>
/// The tracker's record folded from its event history. Nothing is ever removed: a deletion is a
/// correction added beside the claim, never the claim's disappearance.
/// </summary>
public sealed class Ledger
{
    private readonly Dictionary<string, Source> _sources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Proposition> _propositions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Claim> _claims = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Claim>> _claimsBySource = new(StringComparer.Ordinal);
    private readonly Dictionary<(string SourceId, string PropositionId), List<Claim>> _claimsOnProposition = [];
    private readonly Dictionary<string, List<Correction>> _correctionsByClaim = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Correction>> _reversalsByReplacement = new(StringComparer.Ordinal);
    private readonly HashSet<string> _correctionIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Resolution>> _resolutions = new(StringComparer.Ordinal);
    private readonly List<Citation> _citations = [];
    private readonly Dictionary<string, SortedDictionary<string, ExternalRatingRecorded>> _externalRatings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _mergedInto = new(StringComparer.Ordinal);

    /// <summary>
    /// Events in the order they are applied: by <see cref="IReliabilityEvent.OccurredAt"/>, ties in
    /// the order given. Sorting first makes "the history up to t" a prefix of the whole history,
    /// so replaying to t and scoring as of t cannot disagree.
    /// </summary>
    public static IReadOnlyList<IReliabilityEvent> InOrder(IEnumerable<IReliabilityEvent> history) =>
        [.. history.OrderBy(e => e.OccurredAt)];

    /// <summary>Folds every event at or before <paramref name="asOf"/>.</summary>
    public static Ledger Replay(IEnumerable<IReliabilityEvent> history, DateTimeOffset asOf)
    {
        var ledger = new Ledger();
        foreach (var e in InOrder(history).TakeWhile(e => e.OccurredAt <= asOf))
        {
            ledger.Apply(e);
        }

        return ledger;
    }

    /// <summary>Applies one event; returns false when it was already applied (a no-op).</summary>
    public bool Apply(IReliabilityEvent e) => e switch
    {
        SourceRegistered r => _sources.TryAdd(r.Source.Id, r.Source),
        SourceHandleAdded h => AddHandle(h),
        SourceHandleRemoved h => RemoveHandle(h),
        SourceAmended a => Amend(a),
        ExternalRatingRecorded r => Rate(r),
        PropositionOpened p => _propositions.TryAdd(p.Proposition.Id, p.Proposition),
        ClaimRecorded c => AddClaim(c.Claim, c.Proposition),
        CorrectionRecorded c => AddCorrection(c.Correction),
        PropositionResolved r => AddResolution(r.Resolution),
        CitationRecorded c => AddCitation(c.Citation),
        SourceMerged m => _mergedInto.TryAdd(m.SourceId, m.MergedInto),
        SourceAbsorbed a => Absorb(a.AsSurvivorEvents()),
        SourceAbsorbedPart p => Absorb(p.AsSurvivorEvents()),
        _ => throw new ArgumentException($"Unknown event {e.GetType().Name}", nameof(e)),
    };

    public Source? FindSource(string id) => _sources.GetValueOrDefault(id);

    /// <summary>The source this one was merged into (see <see cref="SourceMerged"/>); null while it stands on its own.</summary>
    public string? MergedInto(string sourceId) => _mergedInto.GetValueOrDefault(sourceId);

    /// <summary>Each rater's standing rating of the source, by rater.</summary>
    public IReadOnlyList<ExternalRating> ExternalRatingsOf(string sourceId) =>
        _externalRatings.TryGetValue(sourceId, out var words)
            ? [.. words.Values.Where(w => w.Rating is not null).Select(w => new ExternalRating(w.Rater, w.Rating!, w.Url, w.At))]
            : [];

    /// <summary>
    /// Each rater's latest word on the source, by rater, a withdrawal (its rating null) included: what
    /// a copy of the record must carry so that the later word wins wherever it is applied.
    /// </summary>
    public IReadOnlyList<ExternalRatingRecorded> RaterWordsOf(string sourceId) =>
        _externalRatings.TryGetValue(sourceId, out var words) ? [.. words.Values] : [];

    public Proposition? FindProposition(string id) => _propositions.GetValueOrDefault(id);

    public Claim? FindClaim(string id) => _claims.GetValueOrDefault(id);

    public IReadOnlyList<Claim> ClaimsBy(string sourceId) =>
        _claimsBySource.TryGetValue(sourceId, out var claims) ? claims : [];

    /// <summary>One source's claims on one proposition, in the order applied.</summary>
    public IReadOnlyList<Claim> ClaimsOn(string sourceId, string propositionId) =>
        _claimsOnProposition.TryGetValue((sourceId, propositionId), out var claims) ? claims : [];

    /// <summary>The reversals naming this claim as their replacement, in the order applied.</summary>
    public IReadOnlyList<Correction> ReversalsInto(string claimId) =>
        _reversalsByReplacement.TryGetValue(claimId, out var reversals) ? reversals : [];

    /// <summary>Corrections in the order applied; they may arrive before the claim itself.</summary>
    public IReadOnlyList<Correction> CorrectionsOf(string claimId) =>
        _correctionsByClaim.TryGetValue(claimId, out var corrections) ? corrections : [];

    /// <summary>
    /// Whether the claim still asserts its option: not retracted or reversed (see
    /// <see cref="Correction.EndsAssertion"/>). A deleted claim still does.
    /// </summary>
    public bool StillAsserts(string claimId) => !CorrectionsOf(claimId).Any(c => c.EndsAssertion);

    /// <summary>Every revision, lowest first.</summary>
    public IReadOnlyList<Resolution> ResolutionsOf(string propositionId) =>
        _resolutions.TryGetValue(propositionId, out var revisions) ? revisions : [];

    public Resolution? ResolutionInForce(string propositionId) =>
        _resolutions.TryGetValue(propositionId, out var revisions) ? revisions[^1] : null;

    public IReadOnlyList<Citation> CitationsOf(string claimId) =>
        [.. _citations.Where(c => c.CitedClaimIds.Contains(claimId, StringComparer.Ordinal))];

    public bool HasClaimOn(string sourceId, string propositionId) =>
        ClaimsBy(sourceId).Any(c => c.PropositionId == propositionId);

    /// <summary>A source's state: who it is and everything it claimed, with what became of it.</summary>
    public SourceRecord RecordOf(string sourceId) =>
        new(sourceId, FindSource(sourceId),
            [.. ClaimsBy(sourceId).Select(c => new ClaimHistory(
                c, CorrectionsOf(c.Id), FindProposition(c.PropositionId), ResolutionsOf(c.PropositionId)))]);

    // Every part is applied, whichever of them was already known (a proposition both sources claimed on).
    private bool Absorb(IEnumerable<IReliabilityEvent> copied)
    {
        var changed = false;
        foreach (var e in copied)
        {
            changed |= Apply(e);
        }

        return changed;
    }

    private bool AddHandle(SourceHandleAdded added)
    {
        if (!_sources.TryGetValue(added.SourceId, out var source) || source.Handles.Contains(added.Handle))
        {
            return false;
        }

        _sources[added.SourceId] = source with { Handles = [.. source.Handles, added.Handle] };
        return true;
    }

    private bool RemoveHandle(SourceHandleRemoved removed)
    {
        // Handles compare without case, as the record's index of them does.
        bool Same(SourceHandle h) =>
            string.Equals(h.Platform, removed.Handle.Platform, StringComparison.OrdinalIgnoreCase)
            && string.Equals(h.Handle, removed.Handle.Handle, StringComparison.OrdinalIgnoreCase);
        if (!_sources.TryGetValue(removed.SourceId, out var source) || !source.Handles.Any(Same))
        {
            return false;
        }

        _sources[removed.SourceId] = source with { Handles = [.. source.Handles.Where(h => !Same(h))] };
        return true;
    }

    private bool Amend(SourceAmended amended)
    {
        if (!_sources.TryGetValue(amended.SourceId, out var source))
        {
            return false;
        }

        var described = source with { Name = amended.Name, Kind = amended.Kind, InterestedParty = amended.InterestedParty };
        _sources[amended.SourceId] = described;
        return described != source;
    }

    // The rater's word that stands is decided by RaterWords, whatever order the words arrive in.
    private bool Rate(ExternalRatingRecorded recorded)
    {
        // Kept even for a source not registered by then: a rater's word carries its own date, often
        // older than the day the desk first met the source, and a replay in time order meets it first.
        if (!_externalRatings.TryGetValue(recorded.SourceId, out var words))
        {
            _externalRatings[recorded.SourceId] = words = new SortedDictionary<string, ExternalRatingRecorded>(StringComparer.Ordinal);
        }

        if (words.TryGetValue(recorded.Rater, out var standing) && !RaterWords.Replaces(recorded, standing))
        {
            return false;
        }

        words[recorded.Rater] = recorded;
        return true;
    }

    private bool AddClaim(Claim claim, Proposition? proposition)
    {
        if (proposition is not null)
        {
            _propositions.TryAdd(proposition.Id, proposition);
        }

        if (!_claims.TryAdd(claim.Id, claim))
        {
            return false;
        }

        _claimsBySource.ListFor(claim.SourceId).Add(claim);
        _claimsOnProposition.ListFor((claim.SourceId, claim.PropositionId)).Add(claim);
        return true;
    }

    private bool AddCorrection(Correction correction)
    {
        if (!_correctionIds.Add(correction.Id))
        {
            return false;
        }

        _correctionsByClaim.ListFor(correction.ClaimId).Add(correction);
        if (correction is { Kind: CorrectionKind.Reversed, ReplacementClaimId: { } replacement })
        {
            _reversalsByReplacement.ListFor(replacement).Add(correction);
        }

        return true;
    }

    private bool AddResolution(Resolution resolution)
    {
        var revisions = _resolutions.ListFor(resolution.PropositionId);
        if (revisions.Any(r => r.Revision == resolution.Revision))
        {
            return false;
        }

        // Keep revisions ordered by number so the one in force is always the last.
        var index = revisions.FindIndex(r => r.Revision > resolution.Revision);
        revisions.Insert(index < 0 ? revisions.Count : index, resolution);
        return true;
    }

    private bool AddCitation(Citation citation)
    {
        if (_citations.Contains(citation))
        {
            return false;
        }

        _citations.Add(citation);
        return true;
    }
}

public sealed record ClaimHistory(
    Claim Claim,
    IReadOnlyList<Correction> Corrections,
    Proposition? Proposition,
    IReadOnlyList<Resolution> Resolutions);

public sealed record SourceRecord(string SourceId, Source? Source, IReadOnlyList<ClaimHistory> Claims);
