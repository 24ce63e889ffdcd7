using Reliability.Domain.Model;

namespace Reliability.Domain.Scoring;

/// <summary>
/// The option a claim asserts, already withdrawn by its own source on the same proposition: the earlier
/// claim of that option and the withdrawal (retraction, announced deletion or reversal) that took it back.
/// A claim returning to it earns no fresh credit, so a source going back and forth between options
/// cannot collect the truth's credit, or a correction's, once per turn.
/// </summary>
internal sealed record WithdrawnOption(Claim Earlier, Correction Withdrawal)
{
    /// <summary>What the claim returned to; null when it is the first time its source holds that option, or holds it again without having withdrawn it.</summary>
    public static WithdrawnOption? ReturnedToBy(Ledger ledger, Claim claim) =>
        AlongReversals(ledger, claim) ?? WithdrawnBefore(ledger, claim);

    /// <summary>
    /// Along the chain of reversals that led to the claim, the nearest claim of its option: each claim of a
    /// chain was withdrawn to make the next, whatever the dates say (reversals recorded after the posts
    /// they link cannot turn a return into fresh credit).
    /// </summary>
    internal static WithdrawnOption? AlongReversals(Ledger ledger, Claim claim)
    {
        // Most claims end no chain: every claim is asked at every event of a score's walk.
        if (ledger.ReversalsInto(claim.Id).Count == 0)
        {
            return null;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal) { claim.Id };
        List<Claim> level = [claim];
        while (level.Count > 0)
        {
            // Nearest first; at one distance, in claim order then correction order, so the claim cited
            // never depends on the order events were recorded in.
            var reversed = (
                    from reversal in level.SelectMany(c => ledger.ReversalsInto(c.Id))
                    let original = ledger.FindClaim(reversal.ClaimId)
                    where original is not null && OnSameQuestion(original, claim) && !seen.Contains(original.Id)
                    select (Reversal: reversal, Original: original))
                .OrderBy(step => step.Original, ClaimOrder.Instance)
                .ThenBy(step => step.Reversal.At).ThenBy(step => step.Reversal.Id, StringComparer.Ordinal)
                .ToList();
            if (reversed.Find(step => step.Original.Option == claim.Option) is { Original: not null } found)
            {
                return new WithdrawnOption(found.Original, found.Reversal);
            }

            level = [.. reversed.Select(step => step.Original).Where(original => seen.Add(original.Id))];
        }

        return null;
    }

    /// <summary>
    /// An earlier claim of the same option (claim order: publication, then id) that its source had
    /// publicly withdrawn by the time it made this one.
    /// </summary>
    private static WithdrawnOption? WithdrawnBefore(Ledger ledger, Claim claim)
    {
        // The earliest in claim order, found in one pass: this is asked of every claim at every event
        // of a score's walk, and sorting the source's claims on the question each time cost more than
        // the rest of the walk.
        WithdrawnOption? earliest = null;
        foreach (var earlier in ledger.ClaimsOn(claim.SourceId, claim.PropositionId))
        {
            if (earlier.Option == claim.Option
                && ClaimOrder.Instance.Compare(earlier, claim) < 0
                && (earliest is null || ClaimOrder.Instance.Compare(earlier, earliest.Earlier) < 0)
                && FirstWithdrawal(ledger, earlier) is { } withdrawal
                // A withdrawal dated before its own claim came no earlier than the claim.
                && (withdrawal.At > earlier.PublishedAt ? withdrawal.At : earlier.PublishedAt) <= claim.PublishedAt)
            {
                earliest = new WithdrawnOption(earlier, withdrawal);
            }
        }

        return earliest;
    }

    internal static Correction? FirstWithdrawal(Ledger ledger, Claim claim)
    {
        Correction? first = null;
        foreach (var correction in ledger.CorrectionsOf(claim.Id))
        {
            if (correction.IsPublicWithdrawal
                && (first is null || correction.At < first.At
                    || (correction.At == first.At && string.CompareOrdinal(correction.Id, first.Id) < 0)))
            {
                first = correction;
            }
        }

        return first;
    }

    private static bool OnSameQuestion(Claim other, Claim claim) =>
        other.SourceId == claim.SourceId && other.PropositionId == claim.PropositionId;
}
