namespace Reliability.Domain.Disputes;

/// <summary>
/// A claim that still asserts its option: one the source has not retracted or reversed, nor
/// superseded by a later claim of another option (see <see cref="Model.ChangesOfMind"/>). A deleted
/// claim still asserts it, as everywhere else (deleting cannot launder a record).
/// </summary>
public sealed record StandingClaim(string SourceId, string PropositionId, string Option);

/// <summary>A proposition whose revision in force confirms one option.</summary>
public sealed record ConfirmedProposition(string PropositionId, string Question, string ConfirmedOption, DateTimeOffset ResolvedAt);

public enum DisputeOutcome
{
    /// <summary>The source said what was confirmed; the other source did not.</summary>
    Won,

    /// <summary>The other source said what was confirmed; the source did not.</summary>
    Lost,

    /// <summary>Neither said what was confirmed.</summary>
    NeitherRight,
}

/// <summary>
/// One resolved proposition on which two sources said different things. Options are each side's
/// standing options there (usually one; a source that asserted two options stands on both).
/// </summary>
public sealed record Dispute(
    ConfirmedProposition Proposition, IReadOnlyList<string> Options, IReadOnlyList<string> OpponentOptions, DisputeOutcome Outcome);

/// <summary>A source's record against one other source, the latest resolution first.</summary>
public sealed record OpponentRecord(string OpponentId, IReadOnlyList<Dispute> Disputes)
{
    public int Won => Disputes.Count(d => d.Outcome == DisputeOutcome.Won);

    public int Lost => Disputes.Count(d => d.Outcome == DisputeOutcome.Lost);

    public int NeitherRight => Disputes.Count(d => d.Outcome == DisputeOutcome.NeitherRight);
}

/// <summary>
/// Who turned out right when two sources contradicted each other: for a source, every other source
/// it disagreed with on a proposition since confirmed, and the outcome of each disagreement. A
/// journalist weighing the army's word against an armed group's wants exactly this, and the truth
/// engine weighs the same record on open propositions where it shows more than the two sources'
/// separate scores predict (see the truth README, algorithm step 2).
/// </summary>
public static class DisputeRecord
{
    /// <param name="sourceId">The source whose record this is.</param>
    /// <param name="claims">Standing claims on the propositions below, the source's and others'; claims elsewhere are ignored.</param>
    /// <param name="confirmed">Propositions confirmed by their revision in force, by id.</param>
    /// <returns>One record per opponent, most disputes first, then by id.</returns>
    public static IReadOnlyList<OpponentRecord> Of(
        string sourceId, IEnumerable<StandingClaim> claims, IReadOnlyDictionary<string, ConfirmedProposition> confirmed)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(confirmed);

        // Per proposition, each source's standing options, in ordinal order so that outcomes and
        // output are the same whatever order the claims come in.
        var stands = new Dictionary<string, Dictionary<string, SortedSet<string>>>(StringComparer.Ordinal);
        foreach (var claim in claims)
        {
            if (!confirmed.ContainsKey(claim.PropositionId))
            {
                continue;
            }

            if (!stands.TryGetValue(claim.PropositionId, out var bySource))
            {
                stands[claim.PropositionId] = bySource = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            }

            if (!bySource.TryGetValue(claim.SourceId, out var options))
            {
                bySource[claim.SourceId] = options = new SortedSet<string>(StringComparer.Ordinal);
            }

            options.Add(claim.Option);
        }

        var byOpponent = new Dictionary<string, List<Dispute>>(StringComparer.Ordinal);
        foreach (var (propositionId, bySource) in stands)
        {
            if (!bySource.TryGetValue(sourceId, out var own))
            {
                continue;
            }

            var proposition = confirmed[propositionId];
            var ownRight = own.Contains(proposition.ConfirmedOption);
            foreach (var (opponentId, theirs) in bySource)
            {
                if (opponentId == sourceId || own.SetEquals(theirs))
                {
                    continue;
                }

                var theirsRight = theirs.Contains(proposition.ConfirmedOption);
                // Both said the confirmed option (beside something else): no one lost to the other.
                if (ownRight && theirsRight)
                {
                    continue;
                }

                var outcome = ownRight ? DisputeOutcome.Won : theirsRight ? DisputeOutcome.Lost : DisputeOutcome.NeitherRight;
                if (!byOpponent.TryGetValue(opponentId, out var disputes))
                {
                    byOpponent[opponentId] = disputes = [];
                }

                disputes.Add(new Dispute(proposition, [.. own], [.. theirs], outcome));
            }
        }

        return Ordered(byOpponent.Select(o => (o.Key, (IEnumerable<Dispute>)o.Value)));
    }

    /// <summary>
    /// One record from records worked out over disjoint sets of propositions, as if worked out at
    /// once: a prolific source's propositions are read a part at a time, so that what a request
    /// holds does not grow with every claim on every proposition it ever spoke to.
    /// </summary>
    public static IReadOnlyList<OpponentRecord> Merge(IEnumerable<IReadOnlyList<OpponentRecord>> parts) =>
        Ordered(parts.SelectMany(p => p)
            .GroupBy(o => o.OpponentId, StringComparer.Ordinal)
            .Select(g => (g.Key, g.SelectMany(o => o.Disputes))));

    // Most disputes first, then by id; each opponent's disputes the latest resolution first.
    private static IReadOnlyList<OpponentRecord> Ordered(IEnumerable<(string OpponentId, IEnumerable<Dispute> Disputes)> opponents) =>
    [
        .. opponents
            .Select(o => new OpponentRecord(
                o.OpponentId,
                [.. o.Disputes.OrderByDescending(d => d.Proposition.ResolvedAt).ThenBy(d => d.Proposition.PropositionId, StringComparer.Ordinal)]))
            .OrderByDescending(o => o.Disputes.Count)
            .ThenBy(o => o.OpponentId, StringComparer.Ordinal),
    ];
}
