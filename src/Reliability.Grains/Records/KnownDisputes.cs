using Marten;
using Reliability.Domain.Disputes;
using Reliability.Domain.Events;
using Reliability.Domain.Model;

namespace Reliability.Grains.Records;

/// <summary>
/// A source's disputes as the tracker knew them at a past moment: worked out from the events the
/// store had recorded by then (the recording time it stamped each with), never from the claim and
/// proposition documents, which say what is known now and not when each fact was learnt. A claim's
/// one event is in its source's stream, and so are its corrections and the verdicts on its
/// proposition (appended to every claimant's stream as they are recorded, and copied to a source's
/// stream when it first claims on a proposition already resolved), so the streams of the sources
/// that claimed on the source's confirmed propositions, each read up to the moment, are the whole
/// record as it was known then.
/// </summary>
/// <remarks>
/// Each such stream is read whole up to the moment, as a source's other reads known at a moment read
/// its own: these are occasional questions about the past, worked out on demand and never cached.
/// </remarks>
public sealed class KnownDisputes(IDocumentStore store, EventStreams streams, RecordQueries queries)
{
    /// <summary>
    /// The record from what was recorded by <paramref name="knownAt"/>, as it stood at
    /// <paramref name="asOf"/> (at most <paramref name="knownAt"/>; see <see cref="StandingAt"/>).
    /// Null when no source has the id; merged into another by then, or with nothing recorded by then,
    /// it says so.
    /// </summary>
    public async Task<SourceDisputes?> OfAsync(string sourceId, DateTimeOffset knownAt, DateTimeOffset asOf, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        if (await session.LoadAsync<SourceDocument>(sourceId, cancellationToken) is not { } source)
        {
            return null;
        }

        // Merged by then, its record was the survivor's from the merge on; a source merged since with
        // nothing recorded by then is sent there too. Both as the source's score read has it.
        var known = await streams.ReadRecordedByAsync(StreamKeys.Source(sourceId), knownAt, cancellationToken);
        if (source.MergedInto is not null && (known.Count == 0 || known.Any(e => e is SourceMerged)))
        {
            return Nothing() with { MergedInto = await RecordQueries.HolderAsync(session, source, cancellationToken) };
        }

        if (known.Count == 0)
        {
            return Nothing() with { NothingRecorded = true };
        }

        var then = Ledger.Replay(known, asOf);
        if (then.FindSource(sourceId) is null)
        {
            return Nothing() with { NotYetOnRecord = true };
        }

        var own = StandingClaims(then, sourceId, asOf);
        var confirmed = new Dictionary<string, ConfirmedProposition>(StringComparer.Ordinal);
        foreach (var propositionId in own.Select(c => c.PropositionId).Distinct(StringComparer.Ordinal))
        {
            if (then.FindProposition(propositionId) is { } proposition
                && StandingAt.Confirmed(proposition.Question, then.ResolutionsOf(propositionId), asOf) is { } verdict)
            {
                confirmed[propositionId] = verdict;
            }
        }

        if (confirmed.Count == 0)
        {
            return Nothing();
        }

        var standing = own.Where(c => confirmed.ContainsKey(c.PropositionId)).ToList();
        foreach (var other in (await queries.ClaimantsAsync(confirmed.Keys, cancellationToken)).Where(c => c != sourceId))
        {
            var theirs = Ledger.Replay(await streams.ReadRecordedByAsync(StreamKeys.Source(other), knownAt, cancellationToken), asOf);
            // Merged by then: what it had said is in its survivor's stream, counted there.
            if (theirs.MergedInto(other) is null)
            {
                standing.AddRange(StandingClaims(theirs, other, asOf).Where(c => confirmed.ContainsKey(c.PropositionId)));
            }
        }

        var opponents = DisputeRecord.Of(sourceId, standing, confirmed);
        var documents = opponents.Count == 0
            ? []
            : await session.LoadManyAsync<SourceDocument>(cancellationToken, [.. opponents.Select(o => o.OpponentId)]);
        return new SourceDisputes(confirmed.Count, opponents, documents.ToDictionary(d => d.Id, StringComparer.Ordinal));
    }

    private static SourceDisputes Nothing() => new(0, [], new Dictionary<string, SourceDocument>(StringComparer.Ordinal));

    /// <summary>The source's claims in the replayed record that stood at the moment (<see cref="StandingAt.Claims{T}"/>).</summary>
    private static IEnumerable<StandingClaim> StandingClaims(Ledger ledger, string sourceId, DateTimeOffset asOf) =>
        StandingAt.Claims(ledger.ClaimsBy(sourceId), c => TimesOf(ledger, c), asOf)
            .Select(c => new StandingClaim(sourceId, c.PropositionId, c.Option));

    // The withdrawal is the earliest retraction or reversal the replay holds, as a claim document keeps it.
    private static StandingAt.ClaimTimes TimesOf(Ledger ledger, Claim claim)
    {
        var withdrawn = ledger.CorrectionsOf(claim.Id).Where(c => c.EndsAssertion).Select(c => (DateTimeOffset?)c.At).Min();
        return new(claim.Id, claim.SourceId, claim.PropositionId, claim.Option, claim.PublishedAt, withdrawn is not null, withdrawn);
    }
}
