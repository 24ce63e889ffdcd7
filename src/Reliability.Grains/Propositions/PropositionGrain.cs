using Microsoft.Extensions.Options;
using Reliability.Contracts.Propositions;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Recording;
using Reliability.Grains.Records;

namespace Reliability.Grains.Propositions;

/// <summary>A proposition's claims and resolution revisions, folded from its stream.</summary>
public sealed class PropositionGrain(EventStreams streams, TruthEstimates truth, IOptions<RecordOptions> options) : Grain, IPropositionGrain, IPropositionStreamGrain
{
    private readonly Ledger _ledger = new();
    private readonly List<Claim> _claims = [];
    private long _version;
    private bool _loaded;

    private string PropositionId => this.GetPrimaryKeyString();

    /// <summary>Reads nothing yet: a proposition opened by the commit that activates it is handed its events.</summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A writer that died after its commit never told this grain; it reads its stream on its own too.
        var interval = options.Value.CatchUpInterval;
        this.RegisterGrainTimer(() => _loaded ? CatchUpCoreAsync(CancellationToken.None) : Task.CompletedTask, new GrainTimerCreationOptions(interval, interval));
        return Task.CompletedTask;
    }

    public async Task CatchUpAsync(long committedVersion)
    {
        await LoadAsync();
        if (committedVersion <= 0 || committedVersion > _version)
        {
            await CatchUpCoreAsync(CancellationToken.None);
        }
    }

    public async Task CommittedAsync(CommittedEvents committed)
    {
        if (!_loaded && committed.StartStream)
        {
            _loaded = true;
        }
        else
        {
            await LoadAsync();
        }

        switch (committed.ActionFor(_version))
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

        var resolution = _ledger.ResolutionInForce(PropositionId);
        var estimate = resolution is null
            ? (await truth.CurrentAsync()).Propositions.GetValueOrDefault(PropositionId) ?? []
            : [];
        var state = resolution is not null ? "resolved"
            : _claims.Select(c => c.Option).Distinct(StringComparer.Ordinal).Count() > 1 ? "contested" : "open";
        return new PropositionView(
            proposition.Id, proposition.Question, proposition.Options, proposition.Topics, proposition.Region, state,
            [.. _claims.OrderBy(c => c.PublishedAt).Select(c => Views.Of(
                c, _ledger.CorrectionsOf(c.Id), resolution,
                estimate.FirstOrDefault(o => o.Option == c.Option)?.Probability))],
            estimate, resolution is null ? null : Views.Of(resolution));
    }

    public async Task<IReadOnlyList<ResolutionView>?> GetResolutionsAsync()
    {
        await LoadAsync();
        return _ledger.FindProposition(PropositionId) is null ? null : [.. _ledger.ResolutionsOf(PropositionId).Select(Views.Of)];
    }

    private async ValueTask LoadAsync()
    {
        if (!_loaded)
        {
            await CatchUpCoreAsync(CancellationToken.None);
            _loaded = true;
        }
    }

    private async Task CatchUpCoreAsync(CancellationToken cancellationToken)
    {
        var (events, version) = await streams.ReadAsync(StreamKeys.Proposition(PropositionId), _version, cancellationToken);
        Fold(events, version);
    }

    private void Fold(IReadOnlyList<IReliabilityEvent> events, long version)
    {
        foreach (var e in events)
        {
            if (_ledger.Apply(e) && e is ClaimRecorded recorded)
            {
                _claims.Add(recorded.Claim);
            }
        }

        _version = Math.Max(_version, version);
    }
}
