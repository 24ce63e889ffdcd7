using Marten;
using Reliability.Contracts.Propositions;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Recording;
using Reliability.Grains.Records;

namespace Reliability.Grains.Propositions;

/// <summary>
/// A proposition, its resolution revisions and its claims' corrections, folded from its stream; its
/// claims are read from their documents on each view (a claim's one event is in its source's
/// stream). Claims recorded before that were copied into the proposition's stream, and are read there.
/// </summary>
public sealed class PropositionGrain(
    EventStreams streams, RecordQueries queries, TruthEstimates truth, ActiveStreams active, IDocumentStore store)
    : Grain, IPropositionGrain, IPropositionStreamGrain
{
    private readonly Ledger _ledger = new();

    // Claims copied into the stream before claims were read from their documents.
    private readonly List<Claim> _streamClaims = [];
    private long _streamVersion;
    private HeldStream? _held;
    private bool _loaded;

    private string PropositionId => this.GetPrimaryKeyString();

    // Mirrored in the silo's held streams (see SourceGrain.StreamVersion).
    private long StreamVersion
    {
        get => _streamVersion;
        set => _streamVersion = _held?.Track(value) ?? value;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_held is not null)
        {
            active.Release(_held);
        }

        return Task.CompletedTask;
    }

    // From here on the grain holds its stream, and the silo's periodic catch-up watches it.
    private void MarkLoaded()
    {
        _loaded = true;
        _held ??= active.Hold(StreamOwner.Proposition, PropositionId, StreamVersion);
    }

    public async Task CatchUpAsync(long committedVersion)
    {
        await LoadAsync();
        if (committedVersion <= 0 || committedVersion > StreamVersion)
        {
            await CatchUpCoreAsync(CancellationToken.None);
        }
    }

    public async Task CommittedAsync(CommittedEvents committed)
    {
        if (!_loaded && committed.StartStream)
        {
            MarkLoaded();
        }
        else
        {
            await LoadAsync();
        }

        switch (committed.ActionFor(StreamVersion))
        {
            case CommittedAction.Fold:
                Fold(committed.Events, committed.ToVersion);
                break;
            case CommittedAction.ReadStream:
                await CatchUpCoreAsync(CancellationToken.None);
                break;
        }
    }

    public async Task<PropositionView?> GetAsync()
    {
        await LoadAsync();
        if (_ledger.FindProposition(PropositionId) is not { } proposition)
        {
            return null;
        }

        var estimate = _ledger.ResolutionInForce(PropositionId) is null
            ? (await truth.CurrentAsync()).Propositions.GetValueOrDefault(PropositionId) ?? []
            : [];
        return ViewOf(_ledger, proposition, await ClaimsAsync(), estimate);
    }

    public async Task<PropositionView?> GetAsOfAsync(DateTimeOffset asOf)
    {
        await LoadAsync();
        if (_ledger.FindProposition(PropositionId) is not { } proposition)
        {
            return null;
        }

        // The stream holds the claims' corrections and the verdicts, each at the time it speaks of.
        var (events, _) = await streams.ReadAsync(StreamKeys.Proposition(PropositionId), 0);
        var then = Ledger.Replay(events, asOf);
        var claims = (await ClaimsAsync()).Where(c => c.PublishedAt <= asOf).ToList();
        // Opened when it was recorded, a proposition is there as of a moment a claim on it was published by.
        return then.FindProposition(PropositionId) is null && claims.Count == 0
            ? null
            : ViewOf(then, proposition, claims, []) with { AsOf = asOf };
    }

    public async Task<PropositionView?> GetKnownAtAsync(DateTimeOffset knownAt, DateTimeOffset asOf)
    {
        await LoadAsync();
        if (_ledger.FindProposition(PropositionId) is null)
        {
            return null;
        }

        // On record by then: opened in a transaction that committed by then, whatever time it speaks of.
        var recorded = await streams.ReadRecordedByAsync(StreamKeys.Proposition(PropositionId), knownAt);
        if (Ledger.Replay(recorded, DateTimeOffset.MaxValue).FindProposition(PropositionId) is not { } proposition)
        {
            return null;
        }

        var then = Ledger.Replay(recorded, asOf);
        var claims = await ClaimsKnownAtAsync(knownAt, asOf);
        if (then.FindProposition(PropositionId) is null && claims.Count == 0)
        {
            return null;
        }

        // As of the moment it was known at, the live read of then: the estimate readers were served.
        var estimate = asOf == knownAt && then.ResolutionInForce(PropositionId) is null
            ? (await EstimateHistory.KnownAtAsync(store, [PropositionId], knownAt)).GetValueOrDefault(PropositionId) ?? []
            : [];
        return ViewOf(then, proposition, claims, estimate) with { AsOf = asOf, KnownAt = knownAt };
    }

    /// <summary>
    /// The claims on this proposition that the tracker had recorded by <paramref name="knownAt"/>, as
    /// published by <paramref name="asOf"/>: from the streams of the sources that hold claims on it
    /// now and of those merged into them since (a claim's one event is in its source's stream; a
    /// source merged by then had its claims copied to its survivor's stream, read there), each read up
    /// to the moment, and the claims copied into this stream before claims were read from documents.
    /// Occasional questions about the past, worked out on demand and never cached.
    /// </summary>
    private async Task<IReadOnlyList<Claim>> ClaimsKnownAtAsync(DateTimeOffset knownAt, DateTimeOffset asOf)
    {
        var claims = new Dictionary<string, Claim>(StringComparer.Ordinal);
        foreach (var claim in _streamClaims.Where(c => c.PublishedAt <= asOf))
        {
            claims.TryAdd(claim.Id, claim);
        }

        foreach (var claimant in await queries.ClaimantsAsync([PropositionId]))
        {
            var theirs = Ledger.Replay(await streams.ReadRecordedByAsync(StreamKeys.Source(claimant), knownAt), asOf);
            if (theirs.MergedInto(claimant) is not null)
            {
                continue;
            }

            foreach (var claim in theirs.ClaimsBy(claimant).Where(c => c.PropositionId == PropositionId))
            {
                claims.TryAdd(claim.Id, claim);
            }
        }

        return [.. claims.Values];
    }

    /// <summary>
    /// The view of the proposition from a record (<paramref name="ledger"/>: the claims' corrections
    /// and the verdicts), its claims and the estimate to show (none once resolved).
    /// </summary>
    private PropositionView ViewOf(Ledger ledger, Proposition proposition, IReadOnlyList<Claim> claims, IReadOnlyList<OptionProbability> estimate)
    {
        var resolution = ledger.ResolutionInForce(PropositionId);
        // By the estimate, which counts standing claims only: a retracted dissent contests nothing.
        var contested = ProvisionalEstimates.IsContested(estimate);
        // Each source's standing options here, counted as the estimate counts its claimants: an option
        // its source has since superseded is not among them.
        var standingClaims = claims.Where(c => ledger.StillAsserts(c.Id)).ToList();
        var superseded = ChangesOfMind.Superseded(standingClaims);
        var standing = standingClaims.Where(c => !superseded.ContainsKey(c.Id))
            .GroupBy(c => c.SourceId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(c => c.Option).Distinct(StringComparer.Ordinal).Count(), StringComparer.Ordinal);
        var state = resolution is not null ? "resolved"
            : claims.Select(c => c.Option).Distinct(StringComparer.Ordinal).Count() > 1 ? "contested" : "open";
        return new PropositionView(
            proposition.Id, proposition.Question, proposition.Options, proposition.Topics, proposition.Region, state,
            [.. claims.OrderBy(c => c.PublishedAt).ThenBy(c => c.Id, StringComparer.Ordinal).Select(c => Views.Of(
                c, ledger.CorrectionsOf(c.Id), resolution,
                estimate.FirstOrDefault(o => o.Option == c.Option)?.Probability, contested,
                ProvisionalEstimates.IsUncorroborated(estimate, standing.GetValueOrDefault(c.SourceId)),
                superseded.GetValueOrDefault(c.Id)))],
            estimate, resolution is null ? null : Views.Of(resolution));
    }

    public async Task<IReadOnlyList<ResolutionView>?> GetResolutionsAsync()
    {
        await LoadAsync();
        return _ledger.FindProposition(PropositionId) is null ? null : [.. _ledger.ResolutionsOf(PropositionId).Select(Views.Of)];
    }

    /// <summary>
    /// Every claim on the proposition, as stored now: read from the claim documents, which the
    /// claim's own transaction writes, so a view never lags a write. A claim whose copy is in the
    /// stream keeps that copy (its document may predate the claim's text).
    /// </summary>
    private async Task<IReadOnlyList<Claim>> ClaimsAsync()
    {
        var documents = await queries.ClaimsOnPropositionAsync(PropositionId);
        if (_streamClaims.Count == 0)
        {
            return [.. documents.Select(d => d.ToClaim())];
        }

        var copied = _streamClaims.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        return [.. _streamClaims, .. documents.Where(d => !copied.Contains(d.Id)).Select(d => d.ToClaim())];
    }

    private async ValueTask LoadAsync()
    {
        if (!_loaded)
        {
            await CatchUpCoreAsync(CancellationToken.None);
            MarkLoaded();
        }
    }

    private async Task CatchUpCoreAsync(CancellationToken cancellationToken)
    {
        var (events, version) = await streams.ReadAsync(StreamKeys.Proposition(PropositionId), StreamVersion, cancellationToken);
        Fold(events, version);
    }

    private void Fold(IReadOnlyList<IReliabilityEvent> events, long version)
    {
        foreach (var e in events)
        {
            if (_ledger.Apply(e) && e is ClaimRecorded recorded)
            {
                _streamClaims.Add(recorded.Claim);
            }
        }

        StreamVersion = Math.Max(StreamVersion, version);
    }
}
