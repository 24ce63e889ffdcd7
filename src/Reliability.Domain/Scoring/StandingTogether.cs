using Reliability.Domain.Model;

namespace Reliability.Domain.Scoring;

/// <summary>
/// The claims of one option a source has kept standing together on a proposition: each said while an
/// earlier claim of that option by the same source still stood (not publicly withdrawn). Saying it again
/// stakes nothing new, so they are one stake, carried by the earliest, when the source first staked its name.
/// </summary>
/// <remarks>Claims: In claim order; the first is the carrier. Repeated: The claim this one was said again beside, null for the carrier.</remarks>
internal sealed record StandingTogether(IReadOnlyList<Claim> Claims, Claim? Repeated)
{
    public Claim Carrier => Claims[0];

    /// <summary>The stake the claim belongs to.</summary>
    public static StandingTogether Of(Ledger ledger, Claim claim) =>
        OfOption(ledger, claim.SourceId, claim.PropositionId, claim.Option)[claim.Id];

    /// <summary>
    /// Each claim of the option by the source on the proposition, with the stake it belongs to. A claim
    /// reached down its source's reversals from a claim of its option is a return (<see cref="WithdrawnOption"/>)
    /// and starts a stake of its own, whatever the dates say.
    /// </summary>
    public static IReadOnlyDictionary<string, StandingTogether> OfOption(Ledger ledger, string sourceId, string propositionId, string option)
    {
        var sameOption = ledger.ClaimsOn(sourceId, propositionId)
            .Where(c => c.Option == option)
            .Order(ClaimOrder.Instance)
            .ToList();
        var withdrawnAt = sameOption.Select(c => WithdrawnAt(ledger, c)).ToList();
        var carrierOf = new Dictionary<string, Claim>(StringComparer.Ordinal);
        var repeated = new Dictionary<string, Claim>(StringComparer.Ordinal);
        // The earliest claim still standing. Claims come in order of publication, so one withdrawn by the
        // time a claim was made was withdrawn for every later one too: the search never goes back.
        var earliest = 0;
        for (var i = 0; i < sameOption.Count; i++)
        {
            var said = sameOption[i];
            while (earliest < i && withdrawnAt[earliest] is { } at && at <= said.PublishedAt)
            {
                earliest++;
            }

            if (earliest < i && WithdrawnOption.AlongReversals(ledger, said) is null)
            {
                repeated[said.Id] = sameOption[earliest];
                carrierOf[said.Id] = carrierOf[sameOption[earliest].Id];
            }
            else
            {
                carrierOf[said.Id] = said;
            }
        }

        var stakes = sameOption.GroupBy(c => carrierOf[c.Id].Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<Claim>)[.. g], StringComparer.Ordinal);
        return sameOption.ToDictionary(
            c => c.Id,
            c => new StandingTogether(stakes[carrierOf[c.Id].Id], repeated.GetValueOrDefault(c.Id)),
            StringComparer.Ordinal);
    }

    /// <summary>When the claim stopped standing; a withdrawal dated before its own claim came no earlier than the claim.</summary>
    private static DateTimeOffset? WithdrawnAt(Ledger ledger, Claim claim) =>
        WithdrawnOption.FirstWithdrawal(ledger, claim) is { } withdrawal
            ? withdrawal.At > claim.PublishedAt ? withdrawal.At : claim.PublishedAt
            : null;
}
