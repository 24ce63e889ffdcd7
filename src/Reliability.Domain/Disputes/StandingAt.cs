using Reliability.Domain.Model;

namespace Reliability.Domain.Disputes;

/// <summary>
/// The record as it stood at a past moment, for a tally of who turned out right: "when we published
/// on 29 Sept, how had the army fared against JNIM?" needs the claims standing then and the verdicts
/// in force then, not today's. A null moment is now: every claim on record, the latest revision.
/// </summary>
public static class StandingAt
{
    /// <summary>What the rule needs of a claim.</summary>
    /// <param name="ClaimId">The claim.</param>
    /// <param name="SourceId">Its source.</param>
    /// <param name="PropositionId">The proposition it answers.</param>
    /// <param name="Option">The option it asserts.</param>
    /// <param name="PublishedAt">When the source made it.</param>
    /// <param name="Withdrawn">The source retracted or reversed it (a deletion withdraws nothing).</param>
    /// <param name="WithdrawnAt">
    /// The time of the earliest such correction (<see cref="Correction.At"/>, the moment the record
    /// dates it to, which may be earlier than the day it was recorded); null when the record does not know it.
    /// </param>
    public readonly record struct ClaimTimes(
        string ClaimId, string SourceId, string PropositionId, string Option, DateTimeOffset PublishedAt, bool Withdrawn, DateTimeOffset? WithdrawnAt);

    /// <summary>
    /// Whether the claim asserted its option at <paramref name="asOf"/>: made by then and not retracted
    /// or reversed by then. A withdrawal whose time is unknown counts at every moment, as it does now:
    /// a past record never shows a claim standing that the record cannot say still stood.
    /// </summary>
    /// <param name="claim">The claim.</param>
    /// <param name="asOf">The moment; null for now.</param>
    public static bool Asserts(ClaimTimes claim, DateTimeOffset? asOf) =>
        asOf is not { } at
            ? !claim.Withdrawn
            : claim.PublishedAt <= at && !(claim.Withdrawn && (claim.WithdrawnAt is not { } withdrawn || withdrawn <= at));

    /// <summary>
    /// The claims standing at <paramref name="asOf"/>: those that asserted their option then (see
    /// <see cref="Asserts"/>), less those their source had superseded by then by claiming another
    /// option later (<see cref="ChangesOfMind"/>, among the claims made by then only: a change of mind
    /// still to come supersedes nothing yet).
    /// </summary>
    /// <param name="claims">Claims in any form, with every claim of a source on a proposition together.</param>
    /// <param name="times">What the rule needs of each.</param>
    /// <param name="asOf">The moment; null for now.</param>
    public static IReadOnlyList<T> Claims<T>(IEnumerable<T> claims, Func<T, ClaimTimes> times, DateTimeOffset? asOf)
    {
        ArgumentNullException.ThrowIfNull(times);
        var asserting = claims.Select(c => (Claim: c, Times: times(c))).Where(c => Asserts(c.Times, asOf)).ToList();
        var superseded = ChangesOfMind.Superseded(
            asserting, c => new ChangesOfMind.Said(c.Times.ClaimId, c.Times.SourceId, c.Times.PropositionId, c.Times.Option, c.Times.PublishedAt));
        return [.. asserting.Where(c => !superseded.ContainsKey(c.Times.ClaimId)).Select(c => c.Claim)];
    }

    /// <summary>
    /// The proposition as confirmed by the revision in force at <paramref name="asOf"/> (the highest
    /// revision dated at or before it, as a replay to that moment finds it), or null when none was in
    /// force then or the one in force confirms nothing (unresolvable): a verdict revised later shows
    /// its earlier word, and one given later is no verdict yet.
    /// </summary>
    /// <param name="question">The proposition's question, for the record.</param>
    /// <param name="revisions">Every revision of its resolution, in any order.</param>
    /// <param name="asOf">The moment; null for now (the highest revision).</param>
    public static ConfirmedProposition? Confirmed(string question, IEnumerable<Resolution> revisions, DateTimeOffset? asOf)
    {
        var inForce = revisions.Where(r => asOf is not { } at || r.At <= at).MaxBy(r => r.Revision);
        return inForce is { Verdict: Verdict.Confirmed, ConfirmedOption: { } option }
            ? new ConfirmedProposition(inForce.PropositionId, question, option, inForce.At)
            : null;
    }
}
