using Reliability.Domain.Events;
using Reliability.Domain.Model;

namespace Reliability.Domain.Scoring;

/// <summary>
/// A source's claims with their weights before recency, for the band walk along the history. Only
/// the claims an event can have changed are judged again; recency is applied at each point. This
/// keeps the walk from re-judging every claim at every instant.
/// </summary>
internal sealed class ClaimWeights(string sourceId, ScoringPolicy policy)
{
    private readonly List<Claim> _ordered = [];
    private readonly Dictionary<string, List<Claim>> _byProposition = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _reversedInto = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (double Confirmed, double Refuted)> _undecayed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stale = new(StringComparer.Ordinal);

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
                    var index = _ordered.BinarySearch(claim, ClaimOrder.Instance);
                    _ordered.Insert(index < 0 ? ~index : index, claim);
                    _byProposition.ListFor(claim.PropositionId).Add(claim);
                    _stale.Add(claim.Id);
                }

                // A reversal is judged by where it went, known only once its replacement arrives.
                _stale.UnionWith(_reversedInto.GetValueOrDefault(claim.Id) ?? []);
                break;
            case CorrectionRecorded { Correction: var correction }:
                if (correction.ReplacementClaimId is { } replacement)
                {
                    _reversedInto.ListFor(replacement).Add(correction.ClaimId);
                }

                if (ledger.FindClaim(correction.ClaimId)?.SourceId == sourceId)
                {
                    _stale.Add(correction.ClaimId);
                }

                break;
            case PropositionResolved { Resolution: var resolution }:
                _stale.UnionWith(_byProposition.GetValueOrDefault(resolution.PropositionId)?.Select(c => c.Id) ?? []);
                break;
            default:
                break;
        }
    }

    /// <summary>Confirmed and refuted totals at a time, summed in the same order as the contributions.</summary>
    public (double Confirmed, double Refuted) TotalsAt(Ledger ledger, DateTimeOffset at)
    {
        foreach (var id in _stale)
        {
            // Ids of other sources' claims can be marked through a reversal; they carry no weight here.
            if (ledger.FindClaim(id) is { } claim && claim.SourceId == sourceId)
            {
                _undecayed[id] = ClaimAssessor.Undecayed(ledger, claim, policy);
            }
        }

        _stale.Clear();
        var confirmed = 0.0;
        var refuted = 0.0;
        foreach (var claim in _ordered)
        {
            var recency = ClaimAssessor.Recency(claim, at, policy);
            var (c, r) = _undecayed[claim.Id];
            confirmed += recency * c;
            refuted += recency * r;
        }

        return (confirmed, refuted);
    }
}
