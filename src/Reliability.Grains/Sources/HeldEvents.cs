using Reliability.Domain.Events;
using Reliability.Domain.Model;

namespace Reliability.Grains.Sources;

/// <summary>
/// An event as a source grain holds it for as long as it is active. Each event read from the store
/// comes with its own copy of every string, so a grain of a hundred claims held its own id a hundred
/// times, each proposition's id and chosen option twice per claim, and a copy of every proposition
/// it claimed on. The event held is equal to the one read, field for field, and serializes to the
/// same JSON; only the copies are shared.
/// </summary>
internal static class HeldEvents
{
    /// <param name="e">The event read or committed.</param>
    /// <param name="sourceId">The grain's source id, the one copy of it the grain holds.</param>
    /// <param name="ledger">The grain's ledger of the events before this one: the propositions it knows.</param>
    /// <param name="propositions">The silo's shared propositions.</param>
    public static IReliabilityEvent Compact(IReliabilityEvent e, string sourceId, Ledger ledger, SharedPropositions propositions) => e switch
    {
        ClaimRecorded recorded => Compact(recorded, sourceId, ledger, propositions),
        PropositionOpened opened => opened with { Proposition = propositions.Share(opened.Proposition) },
        _ => e,
    };

    private static ClaimRecorded Compact(ClaimRecorded recorded, string sourceId, Ledger ledger, SharedPropositions propositions)
    {
        var proposition = recorded.Proposition is { } carried ? propositions.Share(carried) : null;
        var claim = recorded.Claim;
        var known = proposition ?? ledger.FindProposition(claim.PropositionId);
        return new ClaimRecorded(
            claim with
            {
                SourceId = Same(claim.SourceId, sourceId),
                PropositionId = known is null ? claim.PropositionId : Same(claim.PropositionId, known.Id),
                Option = known?.Options.FirstOrDefault(o => string.Equals(o, claim.Option, StringComparison.Ordinal)) ?? claim.Option,
                EvidenceUrls = claim.EvidenceUrls.Count == 0 ? [] : claim.EvidenceUrls,
            },
            proposition);
    }

    private static string Same(string value, string held) => string.Equals(value, held, StringComparison.Ordinal) ? held : value;
}
