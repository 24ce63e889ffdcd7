using System.Diagnostics;
using Marten;
using Reliability.Contracts.Propositions;
using Reliability.Domain.Model;
using Reliability.Domain.Scoring;
using Reliability.Domain.Truth;
using Reliability.Grains.Records;

namespace Reliability.Grains.Propositions;

/// <summary>
/// Runs the domain's truth-discovery engine over every claim, with resolved propositions as
/// anchors, and serves the provisional estimate of each open proposition. The whole estimate is
/// recomputed a moment after the record changes (changes arriving together are folded into one
/// run), so once the system is quiet it is exactly the batch engine's answer on the same history.
/// </summary>
public sealed class TruthGrain(IDocumentStore store, TruthInputs inputs, TruthEstimates copy) : Grain, ITruthGrain
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(250);

    // A run reads every claim; under a steady stream of writes, back-to-back runs would take a core
    // away from the writers. Waiting a few times as long as the last run took keeps recomputation
    // to a fraction of the machine while the record is busy, and changes nothing once it is quiet.
    private const int QuietFactor = 4;

    private ProvisionalEstimates _estimates = new(0, new Dictionary<string, IReadOnlyList<OptionProbability>>());
    private bool _stale = true;
    private IGrainTimer? _pending;
    private TimeSpan _lastRun;

    public async Task<ProvisionalEstimates> GetEstimatesAsync(IReadOnlyList<string> propositionIds)
    {
        if (_estimates.Version == 0 && _stale)
        {
            await RecomputeAsync();
        }

        var wanted = propositionIds.Where(_estimates.Propositions.ContainsKey)
            .ToDictionary(id => id, id => _estimates.Propositions[id], StringComparer.Ordinal);
        return new ProvisionalEstimates(_estimates.Version, wanted, _stale);
    }

    /// <summary>
    /// Never waits for a computation: on a large record the first one after a start takes longer
    /// than a reader should, so until it is done readers are told the estimate is pending.
    /// </summary>
    public async Task<EstimatesUpdate> GetAllIfNewerAsync(long knownVersion)
    {
        if (_estimates.Version == 0 && _stale)
        {
            await InvalidateAsync();
        }

        return new EstimatesUpdate(_estimates.Version > knownVersion ? _estimates with { Stale = _stale } : null, _stale);
    }

    public Task InvalidateAsync()
    {
        if (!_stale)
        {
            _stale = true;
            copy.Publish(_estimates with { Stale = true });
        }

        _pending ??= this.RegisterGrainTimer(
            async _ =>
            {
                _pending?.Dispose();
                _pending = null;
                await RecomputeAsync();
            },
            new GrainTimerCreationOptions(Settle > _lastRun * QuietFactor ? Settle : _lastRun * QuietFactor, Timeout.InfiniteTimeSpan) { Interleave = false });
        return Task.CompletedTask;
    }

    private async Task RecomputeAsync()
    {
        var started = Stopwatch.GetTimestamp();
        _stale = false;
        await using var session = store.QuerySession();
        var input = await inputs.LoadAsync(session);
        var result = new TruthDiscoveryEngine().Discover(input);
        var open = result.Objects.Where(o => !o.IsResolved).ToDictionary(
            o => o.ObjectId,
            o => (IReadOnlyList<OptionProbability>)[.. o.Candidates.Select(c => new OptionProbability(c.Value, c.Probability))],
            StringComparer.Ordinal);
        _estimates = new ProvisionalEstimates(_estimates.Version + 1, open);
        _lastRun = Stopwatch.GetElapsedTime(started);
        // A change that arrived during the run keeps the new estimate marked stale.
        copy.Publish(_estimates with { Stale = _stale });
    }
}

/// <summary>The batch engine's input built from the stored record; the grain and offline checks share it.</summary>
public sealed class TruthInputs(ScoringPolicies policies)
{
    public async Task<TruthDiscoveryInput> LoadAsync(IQuerySession session, CancellationToken cancellationToken = default)
    {
        var claims = await session.Query<ClaimDocument>().ToListAsync(cancellationToken);
        var resolved = await session.Query<PropositionDocument>().Where(p => p.State == "resolved").ToListAsync(cancellationToken);
        return Build(claims, resolved, policies.Current.Hedges);
    }

    /// <summary>
    /// A claim the source retracted or reversed no longer asserts anything; a deleted one still
    /// does (deleting cannot launder a record). Hedged claims weigh less; relays name whom they copy.
    /// </summary>
    public static TruthDiscoveryInput Build(
        IReadOnlyList<ClaimDocument> claims, IReadOnlyList<PropositionDocument> resolved, HedgeWeights hedges)
    {
        var sourceOf = claims.ToDictionary(c => c.Id, c => c.SourceId, StringComparer.Ordinal);
        var truthClaims = claims
            .Where(c => c.CorrectionStatus is not ("retracted" or "reversed"))
            .OrderBy(c => c.Id, StringComparer.Ordinal)
            .Select(c => new TruthClaim(
                c.SourceId, c.PropositionId, c.Option,
                c.Hedge switch { Hedge.Reported => hedges.Reported, Hedge.Speculative => hedges.Speculative, _ => hedges.Asserted },
                c.RelayOf is { } relayOf ? sourceOf.GetValueOrDefault(relayOf) : null))
            .ToList();
        var anchors = resolved
            .Select(p => p.Resolutions.LastOrDefault())
            .Where(r => r is { Verdict: Verdict.Confirmed, ConfirmedOption: not null })
            .Select(r => new ResolvedTruth(r!.PropositionId, r.ConfirmedOption!))
            .ToList();
        return new TruthDiscoveryInput(truthClaims, anchors);
    }
}
