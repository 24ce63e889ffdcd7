namespace Reliability.Domain.Model;

/// <summary>
/// A source that later claims another option of the same proposition has changed its mind, whether or
/// not it declared a reversal. The truth estimate weighs only what it said last; a reader of the earlier
/// claim needs to hear that the source has since said otherwise, as a reader of a reversed claim does,
/// and a tally of who turned out right counts the source on what it says now.
/// </summary>
public static class ChangesOfMind
{
    /// <summary>What the rule needs of a claim, whichever form the caller holds it in.</summary>
    public readonly record struct Said(string ClaimId, string SourceId, string PropositionId, string Option, DateTimeOffset At);

    /// <summary>
    /// Of these standing claims (retracted and reversed ones left out by the caller), the ones their
    /// source has superseded, each with the claim that superseded it: the source's latest claim on the
    /// same proposition, when it was made later and asserts another option. Claims made at the same
    /// moment both stand, as they do in the estimate, and claiming the first option again makes the
    /// first claim stand again.
    /// </summary>
    public static IReadOnlyDictionary<string, Claim> Superseded(IEnumerable<Claim> standing) =>
        Superseded(standing, c => new Said(c.Id, c.SourceId, c.PropositionId, c.Option, c.PublishedAt));

    /// <inheritdoc cref="Superseded(IEnumerable{Claim})"/>
    public static IReadOnlyDictionary<string, T> Superseded<T>(IEnumerable<T> standing, Func<T, Said> said)
    {
        ArgumentNullException.ThrowIfNull(said);
        var superseded = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var bySource in standing.Select(c => (Claim: c, Said: said(c))).GroupBy(c => (c.Said.SourceId, c.Said.PropositionId)))
        {
            var last = bySource.Max(c => c.Said.At);
            var latest = bySource.Where(c => c.Said.At == last).OrderBy(c => c.Said.ClaimId, StringComparer.Ordinal).ToList();
            foreach (var (claim, when) in bySource)
            {
                if (when.At < last && !latest.Any(c => c.Said.Option == when.Option))
                {
                    superseded[when.ClaimId] = latest[0].Claim;
                }
            }
        }

        return superseded;
    }
}
