namespace Reliability.Domain.Model;

/// <summary>
/// A source that later claims another option of the same proposition has changed its mind, whether or
/// not it declared a reversal. The truth estimate weighs only what it said last; a reader of the earlier
/// claim needs to hear that the source has since said otherwise, as a reader of a reversed claim does.
/// </summary>
public static class ChangesOfMind
{
    /// <summary>
    /// Of these standing claims (retracted and reversed ones left out by the caller), the ones their
    /// source has superseded, each with the claim that superseded it: the source's latest claim on the
    /// same proposition, when it was made later and asserts another option. Claims made at the same
    /// moment both stand, as they do in the estimate, and claiming the first option again makes the
    /// first claim stand again.
    /// </summary>
    public static IReadOnlyDictionary<string, Claim> Superseded(IEnumerable<Claim> standing)
    {
        var superseded = new Dictionary<string, Claim>(StringComparer.Ordinal);
        foreach (var said in standing.GroupBy(c => (c.SourceId, c.PropositionId)))
        {
            var last = said.Max(c => c.PublishedAt);
            var latest = said.Where(c => c.PublishedAt == last).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
            foreach (var claim in said)
            {
                if (claim.PublishedAt < last && !latest.Any(c => c.Option == claim.Option))
                {
                    superseded[claim.Id] = latest[0];
                }
            }
        }

        return superseded;
    }
}
