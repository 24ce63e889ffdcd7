using Reliability.Domain.Events;
using Reliability.Domain.Model;

namespace Reliability.Domain.Scoring;

/// <summary>
/// A source's evidence totals along the band walk of its history, kept up to date rather than summed
/// again at every instant: summing every claim's decayed weight at each point made a score quadratic
/// in the claims (about 2 s for 8,000 claims at distinct times), and the live score is recomputed
/// whenever the record or the truth estimate moves. Only the claims an event can have changed are
/// judged again.
/// </summary>
/// <remarks>
/// Recency is exponential, so the totals as of a later instant are the totals as of an earlier one
/// times the decay between them, plus what changed meanwhile, each change decayed from its claim's
/// publication. The walk only ever moves forward and knows a claim from its publication on, so no
/// claim is younger than the instant the totals are kept at. The result can differ from summing the
/// contributions afresh in the last bits, never more: the final point of a score is summed afresh.
/// </remarks>
internal sealed class ClaimWeights(string sourceId, ScoringPolicy policy)
{
    private readonly Dictionary<string, List<Claim>> _byProposition = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _reversedInto = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (double Confirmed, double Refuted)> _undecayed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stale = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _carrierOf = new(StringComparer.Ordinal);
    private readonly HashSet<string> _raisers = new(StringComparer.Ordinal);
    private DateTimeOffset? _keptAt;
    private double _confirmed;
    private double _refuted;

    /// <summary>Some claim of the source may weigh differently since the last totals.</summary>
    public bool Changed => _stale.Count > 0;

    /// <summary>Notes what an event the ledger has just applied (not a no-op) may have changed.</summary>
    public void Note(Ledger ledger, IReliabilityEvent e)
    {
        switch (e)
        {
            case ClaimRecorded { Claim: var claim }:
                if (claim.SourceId == sourceId)
                {
                    _byProposition.ListFor(claim.PropositionId).Add(claim);
                    _stale.Add(claim.Id);
                    // Its reversals may have come first, into claims already known.
                    foreach (var correction in ledger.CorrectionsOf(claim.Id))
                    {
                        MarkChainAfter(ledger, correction);
                    }
                }

                // A reversal is judged by where it went, known only once its replacement arrives.
                _stale.UnionWith(_reversedInto.GetValueOrDefault(claim.Id) ?? []);
                break;
            case CorrectionRecorded { Correction: var correction }:
                if (correction.ReplacementClaimId is { } replacement)
                {
                    _reversedInto.ListFor(replacement).Add(correction.ClaimId);
                }

                if (ledger.FindClaim(correction.ClaimId) is { } corrected && corrected.SourceId == sourceId)
                {
                    _stale.Add(corrected.Id);
                    MarkChainAfter(ledger, correction);
                }

                break;
            case PropositionResolved { Resolution: var resolution }:
                _stale.UnionWith(_byProposition.GetValueOrDefault(resolution.PropositionId)?.Select(c => c.Id) ?? []);
                break;
            case SourceAbsorbed absorbed:
                // The absorbed record (or its first part) arrives at the merge: each of its events as if applied then.
                foreach (var part in absorbed.AsSurvivorEvents())
                {
                    Note(ledger, part);
                }

                break;
            case SourceAbsorbedPart absorbed:
                foreach (var part in absorbed.AsSurvivorEvents())
                {
                    Note(ledger, part);
                }

                break;
            default:
                break;
        }
    }

    /// <summary>
    /// Down a reversal, every claim of the chain after it: a reversal recorded after the posts it links
    /// can make a later one a return to an option withdrawn (<see cref="WithdrawnOption"/>). A return
    /// found by dates needs nothing here: the withdrawal it depends on is dated no later than the return,
    /// so the walk has applied it by the time the return itself is judged.
    /// </summary>
    private void MarkChainAfter(Ledger ledger, Correction correction)
    {
        var next = new Queue<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { correction.ClaimId };
        if (correction is { Kind: CorrectionKind.Reversed, ReplacementClaimId: { } replacement })
        {
            next.Enqueue(replacement);
        }

        while (next.TryDequeue(out var id))
        {
            if (!seen.Add(id) || ledger.FindClaim(id) is not { } claim || claim.SourceId != sourceId)
            {
                continue;
            }

            _stale.Add(id);
            foreach (var reversal in ledger.CorrectionsOf(id))
            {
                if (reversal is { Kind: CorrectionKind.Reversed, ReplacementClaimId: { } further })
                {
                    next.Enqueue(further);
                }
            }
        }
    }

    /// <summary>
    /// Claims of one option standing together are one stake, carried by the earliest of them at the strongest
    /// weight among them (<see cref="StandingTogether"/>): a claim said again, or a withdrawal of any of them,
    /// can change what each of them weighs.
    /// </summary>
    /// <remarks>
    /// A plain repeat weighs nothing, so only the carriers and the claims that said it more firmly are
    /// judged again, and any claim whose stake is no longer the one it was last judged in: judging every
    /// repeat again at each event made a source repeating one claim a few hundred times take seconds.
    /// </remarks>
    private Dictionary<string, StandingTogether> StakesTogether(Ledger ledger)
    {
        var stakes = new Dictionary<string, StandingTogether>(StringComparer.Ordinal);
        var options = _stale.Select(ledger.FindClaim).OfType<Claim>().Where(c => c.SourceId == sourceId)
            .Select(c => (c.PropositionId, c.Option)).Distinct().ToList();
        foreach (var (proposition, option) in options)
        {
            var ofOption = StandingTogether.OfOption(ledger, sourceId, proposition, option);
            var raisers = ofOption.Values.Where(stake => stake.Repeated is null).SelectMany(stake => ClaimAssessor.Raisers(policy, stake)).ToHashSet(StringComparer.Ordinal);
            foreach (var (id, stake) in ofOption)
            {
                // A claim said again more firmly holds part of the stake, and that part moves with the stake's fate;
                // one that no longer raises it (a firmer claim recorded before it since) must give its part back.
                var raisedBefore = _raisers.Remove(id);
                if (stake.Repeated is null || _carrierOf.GetValueOrDefault(id) != stake.Carrier.Id || raisedBefore || raisers.Contains(id))
                {
                    _stale.Add(id);
                }

                _carrierOf[id] = stake.Carrier.Id;
                stakes[id] = stake;
            }

            _raisers.UnionWith(raisers);
        }

        return stakes;
    }

    /// <summary>
    /// The totals as they have aged by <paramref name="at"/>, with nothing changed since the last
    /// totals, and without moving the running totals on: aged in one step or in two, the same
    /// history would otherwise give other bits.
    /// </summary>
    public (double Confirmed, double Refuted) AgedTo(DateTimeOffset at)
    {
        if (_stale.Count > 0 || _keptAt is not { } keptAt || at < keptAt)
        {
            throw new InvalidOperationException("Aged totals are read only between instants, after the last totals.");
        }

        var decay = ClaimAssessor.Decay((at - keptAt).TotalDays, policy);
        return (Math.Max(0.0, _confirmed * decay), Math.Max(0.0, _refuted * decay));
    }

    /// <summary>Confirmed and refuted totals at a time no earlier than the last one asked for.</summary>
    public (double Confirmed, double Refuted) TotalsAt(Ledger ledger, DateTimeOffset at)
    {
        if (_keptAt is { } keptAt)
        {
            if (at < keptAt)
            {
                throw new InvalidOperationException($"The band walk went back from {keptAt:O} to {at:O}.");
            }

            var decay = ClaimAssessor.Decay((at - keptAt).TotalDays, policy);
            _confirmed *= decay;
            _refuted *= decay;
        }

        _keptAt = at;
        var stakes = StakesTogether(ledger);
        // Ids of other sources' claims can be marked through a reversal; they carry no weight here.
        // Summed in claim order, not the order events marked them, so a history gives the same bits
        // whatever order its events arrived in.
        var changed = _stale.Select(ledger.FindClaim).OfType<Claim>().Where(c => c.SourceId == sourceId).Order(ClaimOrder.Instance);
        foreach (var claim in changed)
        {
            if (claim.PublishedAt > at)
            {
                throw new InvalidOperationException($"Claim {claim.Id} is published after the walk's instant {at:O}.");
            }

            var (was, wasRefuted) = _undecayed.GetValueOrDefault(claim.Id);
            var (now, nowRefuted) = _undecayed[claim.Id] = ClaimAssessor.Undecayed(ledger, claim, policy, stakes.GetValueOrDefault(claim.Id));
            var recency = ClaimAssessor.Recency(claim, at, policy);
            _confirmed += recency * (now - was);
            _refuted += recency * (nowRefuted - wasRefuted);
        }

        _stale.Clear();
        // A claim whose weight went back to nothing can leave a rounding residue below zero.
        return (Math.Max(0.0, _confirmed), Math.Max(0.0, _refuted));
    }
}
