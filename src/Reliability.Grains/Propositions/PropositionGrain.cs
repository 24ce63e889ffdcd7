using Microsoft.Extensions.Options;
using Reliability.Contracts.Propositions;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Records;

namespace Reliability.Grains.Propositions;

/// <summary>A proposition's claims and resolution revisions, folded from its stream.</summary>
public sealed class PropositionGrain(EventStreams streams, IGrainFactory grains, IOptions<RecordOptions> options) : Grain, IPropositionGrain
{
    private readonly Ledger _ledger = new();
    private readonly List<Claim> _claims = [];
    private long _version;

    private string PropositionId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CatchUpCoreAsync(cancellationToken);
        }
        catch (Exception exception) when (RecordErrors.IsStoreException(exception))
        {
            throw RecordErrors.Translate(exception);
        }

        // A writer that died after its commit never told this grain; it reads its stream on its own too.
        var interval = options.Value.CatchUpInterval;
        this.RegisterGrainTimer(() => CatchUpCoreAsync(CancellationToken.None), new GrainTimerCreationOptions(interval, interval));
    }

    public Task CatchUpAsync(long committedVersion) =>
        committedVersion > 0 && committedVersion <= _version ? Task.CompletedTask : CatchUpCoreAsync(CancellationToken.None);

    public async Task<PropositionView?> GetAsync()
    {
        if (_ledger.FindProposition(PropositionId) is not { } proposition)
        {
            return null;
        }

        var resolution = _ledger.ResolutionInForce(PropositionId);
        var estimate = resolution is null
            ? (await grains.GetGrain<ITruthGrain>(0).GetEstimatesAsync([PropositionId])).Propositions.GetValueOrDefault(PropositionId) ?? []
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

    public Task<IReadOnlyList<ResolutionView>?> GetResolutionsAsync() =>
        Task.FromResult<IReadOnlyList<ResolutionView>?>(_ledger.FindProposition(PropositionId) is null
            ? null
            : [.. _ledger.ResolutionsOf(PropositionId).Select(Views.Of)]);

    private async Task CatchUpCoreAsync(CancellationToken cancellationToken)
    {
        var (events, version) = await streams.ReadAsync(StreamKeys.Proposition(PropositionId), _version, cancellationToken);
        foreach (var e in events)
        {
            if (_ledger.Apply(e) && e is ClaimRecorded recorded)
            {
                _claims.Add(recorded.Claim);
            }
        }

        _version = version;
    }
}
