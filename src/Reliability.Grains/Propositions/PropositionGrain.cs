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
public sealed class PropositionGrain(EventStreams streams, RecordQueries queries, TruthEstimates truth, ActiveStreams active)
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

        var claims = await ClaimsAsync();
        var resolution = _ledger.ResolutionInForce(PropositionId);
        var estimate = resolution is null
            ? (await truth.CurrentAsync()).Propositions.GetValueOrDefault(PropositionId) ?? []
            : [];
        // By the estimate, which counts standing claims only: a retracted dissent contests nothing.
        var contested = ProvisionalEstimates.IsContested(estimate);
        // Each source's standing options here, counted as the estimate counts its claimants: an option
        // its source has since superseded is not among them.
        var standingClaims = claims.Where(c => _ledger.StillAsserts(c.Id)).ToList();
        var superseded = ChangesOfMind.Superseded(standingClaims);
        var standing = standingClaims.Where(c => !superseded.ContainsKey(c.Id))
            .GroupBy(c => c.SourceId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(c => c.Option).Distinct(StringComparer.Ordinal).Count(), StringComparer.Ordinal);
        var state = resolution is not null ? "resolved"
            : claims.Select(c => c.Option).Distinct(StringComparer.Ordinal).Count() > 1 ? "contested" : "open";
        return new PropositionView(
            proposition.Id, proposition.Question, proposition.Options, proposition.Topics, proposition.Region, state,
            [.. claims.OrderBy(c => c.PublishedAt).ThenBy(c => c.Id, StringComparer.Ordinal).Select(c => Views.Of(
                c, _ledger.CorrectionsOf(c.Id), resolution,
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
