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
/// <param name="sourceId">The source walked.</param>
/// <param name="policy">The scoring policy.</param>
/// <param name="tags">The bands of its topics and regions, walked with the totals: each told what every claim changed by.</param>
internal sealed class ClaimWeights(string sourceId, ScoringPolicy policy, IReadOnlyList<TagBands>? tags = null)
{
    private readonly Dictionary<string, List<Claim>> _byProposition = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _reversedInto = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (double Confirmed, double Refuted)> _undecayed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stale = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _carrierOf = new(StringComparer.Ordinal);
    private readonly HashSet<string> _raisers = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Proposition, string Option), OptionStakes> _optionStakes = [];
    // The source's claims recorded, and those corrected, since the stakes were last brought up to date:
    // most only join the stakes already built, or end a claim's standing after every claim it stood with.
    private readonly HashSet<string> _recorded = new(StringComparer.Ordinal);
    private readonly HashSet<string> _corrected = new(StringComparer.Ordinal);
    private readonly List<Claim> _marked = [];
    private bool _stakesCurrent = true;
    private DateTimeOffset? _keptAt;
    private double _confirmed;
    private double _refuted;

    /// <summary>Some claim of the source may weigh differently since the last totals.</summary>
    public bool Changed => _stale.Count > 0;

    /// <summary>Notes what an event the ledger has just applied (not a no-op) may have changed.</summary>
    public void Note(Ledger ledger, IReliabilityEvent e)
    {
        _stakesCurrent = false;
        switch (e)
        {
            case ClaimRecorded { Claim: var claim }:
                if (claim.SourceId == sourceId)
                {
                    _byProposition.ListFor(claim.PropositionId).Add(claim);
                    _stale.Add(claim.Id);
                    _recorded.Add(claim.Id);
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
                    _corrected.Add(corrected.Id);
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
    /// Claims of one option standing together are one stake, carried by the earliest of them, each claim that
    /// said it more firmly holding what it added (<see cref="StandingTogether"/>): a claim said again, or a
    /// withdrawal of any of them, can change what each of them weighs. Brings the stakes of every option a
    /// marked claim holds up to date, and marks the claims whose weight that can change.
    /// </summary>
    /// <remarks>
    /// A plain repeat weighs nothing, so only the carriers and the claims that said it more firmly are
    /// judged again, and any claim whose stake is no longer the one it was last judged in: judging every
    /// repeat again at each event made a source repeating one claim a few hundred times take seconds.
    /// </remarks>
    private void BringStakesUpToDate(Ledger ledger)
    {
        // Grouped by option through one sort of a kept buffer: this runs at every instant of the walk.
        MarkedClaims(ledger, _marked);
        _marked.Sort(ByOption.Instance);
        for (var first = 0; first < _marked.Count;)
        {
            var next = first + 1;
            while (next < _marked.Count && ByOption.Instance.SameOption(_marked[first], _marked[next]))
            {
                next++;
            }

            var option = (_marked[first].PropositionId, _marked[first].Option);
            if (!TryKeepUp(ledger, option, first, next))
            {
                Rebuild(ledger, option);
            }

            first = next;
        }

        _recorded.Clear();
        _corrected.Clear();
        _stakesCurrent = true;
    }

    /// <summary>The source's own claims among those marked; ids of other sources' claims can be marked through a reversal.</summary>
    private void MarkedClaims(Ledger ledger, List<Claim> into)
    {
        into.Clear();
        foreach (var id in _stale)
        {
            if (ledger.FindClaim(id) is { } claim && claim.SourceId == sourceId)
            {
                into.Add(claim);
            }
        }
    }

    /// <summary>
    /// Keeps an option's stakes up to date with what changed of it since (its claims marked,
    /// <c>_marked[first..next)</c>, in claim order) without building them afresh, when all that changed is
    /// claims recorded after every claim it holds and withdrawals dated after them; false otherwise (the
    /// stakes may then be half kept up, and are built afresh). Only the stakes those claims are in, and those
    /// wholly taken back, can weigh differently: a claim's stake and its share depend on the claims before
    /// it, a withdrawal after every claim of the option takes none of them out of the stake it joined, and a
    /// later claim of the option can only undo or restore a correction. An option with no stakes yet
    /// had no claims when they were last brought up to date: every claim of it now was recorded since, and
    /// is among those marked.
    /// </summary>
    private bool TryKeepUp(Ledger ledger, (string Proposition, string Option) option, int first, int next)
    {
        if (!_optionStakes.TryGetValue(option, out var built))
        {
            built = _optionStakes[option] = new OptionStakes();
        }

        // Withdrawals first: a claim recorded at the moment of a withdrawal finds it already made.
        for (var i = first; i < next; i++)
        {
            var said = _marked[i];
            if (!_recorded.Contains(said.Id) && !(_corrected.Contains(said.Id) && built.TryWithdraw(ledger, said)))
            {
                return false;
            }
        }

        for (var i = first; i < next; i++)
        {
            var said = _marked[i];
            if (_recorded.Contains(said.Id))
            {
                if (!built.TryAdd(ledger, said))
                {
                    return false;
                }

                _carrierOf[said.Id] = built[said.Id].Carrier.Id;
            }

            // A claim of the option said after a stake was wholly taken back, standing or withdrawn, undoes or
            // restores that correction (ClaimAssessor): such stakes can weigh differently too.
            foreach (var stake in built.WhollyWithdrawn.Prepend(built[said.Id]))
            {
                _stale.Add(stake.Carrier.Id);
                foreach (var raiser in ClaimAssessor.Raisers(policy, stake))
                {
                    _stale.Add(raiser);
                    _raisers.Add(raiser);
                }
            }
        }

        return true;
    }

    /// <summary>Works an option's stakes out afresh, marking every claim whose stake or share may have moved.</summary>
    private void Rebuild(Ledger ledger, (string Proposition, string Option) option)
    {
        var built = _optionStakes[option] = OptionStakes.Of(ledger, sourceId, option.Proposition, option.Option);
        var raisers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stake in built.Stakes)
        {
            raisers.UnionWith(ClaimAssessor.Raisers(policy, stake));
        }

        foreach (var (claim, stake) in built.Claims)
        {
            // A claim said again more firmly holds part of the stake, and that part moves with the stake's fate;
            // one that no longer raises it (a firmer claim recorded before it since) must give its part back.
            var raisedBefore = _raisers.Remove(claim.Id);
            if (stake.Repeated is null || _carrierOf.GetValueOrDefault(claim.Id) != stake.Carrier.Id || raisedBefore || raisers.Contains(claim.Id))
            {
                _stale.Add(claim.Id);
            }

            _carrierOf[claim.Id] = stake.Carrier.Id;
        }

        _raisers.UnionWith(raisers);
    }

    /// <summary>
    /// The stake a claim of the source stands in, by the events noted so far: once the walk is over, what the
    /// final judgement of every claim needs, without working each option out again.
    /// </summary>
    public StandingTogether StakeOf(Ledger ledger, Claim claim)
    {
        if (!_stakesCurrent)
        {
            BringStakesUpToDate(ledger);
        }

        return _optionStakes[(claim.PropositionId, claim.Option)][claim.Id];
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
        if (!_stakesCurrent)
        {
            BringStakesUpToDate(ledger);
        }

        // Ids of other sources' claims can be marked through a reversal; they carry no weight here.
        // Summed in claim order, not the order events marked them, so a history gives the same bits
        // whatever order its events arrived in.
        MarkedClaims(ledger, _marked);
        _marked.Sort(ClaimOrder.Instance);
        foreach (var claim in _marked)
        {
            if (claim.PublishedAt > at)
            {
                throw new InvalidOperationException($"Claim {claim.Id} is published after the walk's instant {at:O}.");
            }

            var (was, wasRefuted) = _undecayed.GetValueOrDefault(claim.Id);
            var (now, nowRefuted) = _undecayed[claim.Id] = ClaimAssessor.Undecayed(ledger, claim, policy, _optionStakes[(claim.PropositionId, claim.Option)][claim.Id]);
            var recency = ClaimAssessor.Recency(claim, at, policy);
            var (confirmed, refuted) = (recency * (now - was), recency * (nowRefuted - wasRefuted));
            _confirmed += confirmed;
            _refuted += refuted;
            if (tags is not null && (confirmed != 0 || refuted != 0))
            {
                var proposition = ledger.FindProposition(claim.PropositionId);
                foreach (var walk in tags)
                {
                    walk.Add(proposition, at, confirmed, refuted);
                }
            }
        }

        foreach (var walk in tags ?? [])
        {
            walk.EndInstant();
        }

        _stale.Clear();
        // A claim whose weight went back to nothing can leave a rounding residue below zero.
        return (Math.Max(0.0, _confirmed), Math.Max(0.0, _refuted));
    }

    /// <summary>Claims by option (proposition, then option), each option's in claim order.</summary>
    private sealed class ByOption : IComparer<Claim>
    {
        public static ByOption Instance { get; } = new();

        public bool SameOption(Claim x, Claim y) => x.PropositionId == y.PropositionId && x.Option == y.Option;

        public int Compare(Claim? x, Claim? y) =>
            x is null || y is null
                ? Comparer<Claim?>.Default.Compare(x, y)
                : string.CompareOrdinal(x.PropositionId, y.PropositionId) is var byQuestion and not 0
                    ? byQuestion
                    : string.CompareOrdinal(x.Option, y.Option) is var byOption and not 0 ? byOption : ClaimOrder.Instance.Compare(x, y);
    }
}
