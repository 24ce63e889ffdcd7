using Reliability.Domain.Model;

namespace Reliability.Domain.Events;

/// <summary>
/// Every fact the tracker learns. <see cref="OccurredAt"/> is the moment the fact belongs to in the
/// world (a claim's publication, a correction's time), which is what "as of t" filters on.
/// It is implemented explicitly so it is not serialized twice.
/// </summary>
public interface IReliabilityEvent
{
    DateTimeOffset OccurredAt { get; }
}

public sealed record SourceRegistered(Source Source, DateTimeOffset At) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => At;
}

public sealed record SourceHandleAdded(string SourceId, SourceHandle Handle, DateTimeOffset At) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => At;
}

/// <summary>
/// A handle no longer names the source: the account changed hands (a channel taken over by another
/// group), or it was given to the wrong source. The source's claims made through it stay its own;
/// from <see cref="At"/> on, the handle is free for another source.
/// </summary>
public sealed record SourceHandleRemoved(string SourceId, SourceHandle Handle, string? Reason, DateTimeOffset At) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => At;
}

/// <summary>
/// The desk's description of a source changed: its name, kind or whether it is a party to what it
/// reports (a source first met through a claim is named after its handle, and its kind is a guess).
/// Carries the whole description, so a stream read alone says what the source was called when.
/// </summary>
public sealed record SourceAmended(string SourceId, string Name, SourceKind Kind, bool InterestedParty, DateTimeOffset At) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => At;
}

/// <summary>
/// A rater outside the newsroom rated the source (Rating: its words), or, with a null Rating, no
/// longer does. The rater's latest word stands.
/// </summary>
public sealed record ExternalRatingRecorded(string SourceId, string Rater, string? Rating, string? Url, DateTimeOffset At) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => At;
}

public sealed record PropositionOpened(Proposition Proposition, DateTimeOffset At) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => At;
}

/// <summary>
/// A claim. In its source's stream, the source's first claim on a proposition also carries the
/// proposition, so the stream is self-contained without a copy of the proposition of its own
/// (streams written before that carry a <see cref="PropositionOpened"/> copy; both replay alike).
/// </summary>
public sealed record ClaimRecorded(Claim Claim, Proposition? Proposition = null) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => Claim.PublishedAt;
}

public sealed record CorrectionRecorded(Correction Correction) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => Correction.At;
}

/// <summary>A resolution revision; the first one resolves, later ones revise.</summary>
public sealed record PropositionResolved(Resolution Resolution) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => Resolution.At;
}

public sealed record CitationRecorded(Citation Citation) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => Citation.PublishedAt;
}

/// <summary>
/// The source was found to be another one already on record (a channel that is really an army's
/// press office) and merged into it: from <see cref="At"/> on, its claims, handles and outside
/// ratings count for <see cref="MergedInto"/>, and it answers for nothing itself. A marker in the
/// absorbed source's stream; the survivor's stream holds the <see cref="SourceAbsorbed"/> beside it.
/// </summary>
public sealed record SourceMerged(string SourceId, string MergedInto, string? Reason, DateTimeOffset At) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => At;
}

/// <summary>
/// The source took over another (see <see cref="SourceMerged"/>): a copy of the absorbed source's
/// record as it stood at the merge — its claims (as the absorbed source made them), the propositions
/// they were made on, their corrections and the verdicts on those propositions, its outside raters'
/// latest words (withdrawals included) and its handles. The copy happens at <see cref="At"/>, not the
/// absorbed events at their own times: replayed to a moment before the merge, the survivor is the
/// source it was then; from the merge on, everything the absorbed source said counts as the
/// survivor's, each claim still dated when it was published. The survivor's stream alone stays its
/// whole history.
/// </summary>
/// <remarks>
/// Merges once wrote the whole record in this one event. They now write it in bounded parts
/// (<see cref="InParts"/>): this event with the handles, the raters' words and the first claims,
/// then a <see cref="SourceAbsorbedPart"/> per further claims, in the same commit and at the same
/// time. Replayed, both shapes give the same record.
/// </remarks>
public sealed record SourceAbsorbed(
    string SourceId, string AbsorbedId, string? Reason, DateTimeOffset At,
    IReadOnlyList<SourceHandle> Handles, IReadOnlyList<Proposition> Propositions, IReadOnlyList<Claim> Claims,
    IReadOnlyList<Correction> Corrections, IReadOnlyList<Resolution> Resolutions, IReadOnlyList<ExternalRatingRecorded> Ratings) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => At;

    /// <summary>
    /// The absorbed record as the survivor's own events, applied together at the merge: its claims,
    /// raters' words and handles now name the survivor.
    /// </summary>
    public IEnumerable<IReliabilityEvent> AsSurvivorEvents()
    {
        foreach (var copied in CopiedClaims.AsSurvivorEvents(SourceId, At, Propositions, Claims, Corrections, Resolutions))
        {
            yield return copied;
        }

        foreach (var rating in Ratings)
        {
            yield return rating with { SourceId = SourceId };
        }

        foreach (var handle in Handles)
        {
            yield return new SourceHandleAdded(SourceId, handle, At);
        }
    }

    /// <summary>
    /// The copy as this head, holding the first claims, and parts after it: each of at most
    /// <paramref name="claimsPerPart"/> claims and, but for a single claim longer on its own, at most
    /// <paramref name="textPerPart"/> characters of their texts, URLs and evidence links (claims run to
    /// 20,000 characters of text, so a count alone let a part of long posts grow to tens of megabytes).
    /// Every part carries what its claims need (their propositions, corrections and the verdicts on
    /// those propositions), so a part replays on its own; a proposition claimed on in several parts is
    /// carried by each, which replay takes as one.
    /// </summary>
    public IReadOnlyList<IReliabilityEvent> InParts(int claimsPerPart, int textPerPart = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(claimsPerPart, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(textPerPart, 1);
        var chunks = new List<List<Claim>>();
        var text = 0L;
        foreach (var claim in Claims)
        {
            var size = TextOf(claim);
            if (chunks.Count == 0 || chunks[^1].Count == claimsPerPart || text + size > textPerPart)
            {
                chunks.Add([]);
                text = 0;
            }

            chunks[^1].Add(claim);
            text += size;
        }

        if (chunks.Count <= 1)
        {
            return [this];
        }

        var parts = new List<IReliabilityEvent>(chunks.Count);
        var carried = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in chunks)
        {
            var claimIds = chunk.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            var propositionIds = chunk.Select(c => c.PropositionId).ToHashSet(StringComparer.Ordinal);
            carried.UnionWith(propositionIds);
            parts.Add(new SourceAbsorbedPart(
                SourceId, AbsorbedId, At, parts.Count,
                [.. Propositions.Where(p => propositionIds.Contains(p.Id))], chunk,
                [.. Corrections.Where(c => claimIds.Contains(c.ClaimId))], [.. Resolutions.Where(r => propositionIds.Contains(r.PropositionId))]));
        }

        // Nothing of the copy is lost: anything no claim carries (none today) stays in the head.
        var head = (SourceAbsorbedPart)parts[0];
        var claimIdsCopied = Claims.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        parts[0] = this with
        {
            Propositions = [.. head.Propositions, .. Propositions.Where(p => !carried.Contains(p.Id))],
            Claims = head.Claims,
            Corrections = [.. head.Corrections, .. Corrections.Where(c => !claimIdsCopied.Contains(c.ClaimId))],
            Resolutions = [.. head.Resolutions, .. Resolutions.Where(r => !carried.Contains(r.PropositionId))],
        };
        return parts;
    }

    private static long TextOf(Claim claim) =>
        (claim.OriginalText?.Length ?? 0) + (claim.Url?.Length ?? 0) + claim.EvidenceUrls.Sum(url => (long)url.Length);
}

/// <summary>
/// A further part of a merge's copy of the absorbed record (see <see cref="SourceAbsorbed.InParts"/>):
/// some of its claims with their propositions, corrections and verdicts, at the merge's time.
/// <see cref="Part"/> counts from 1, the head being part 0.
/// </summary>
public sealed record SourceAbsorbedPart(
    string SourceId, string AbsorbedId, DateTimeOffset At, int Part,
    IReadOnlyList<Proposition> Propositions, IReadOnlyList<Claim> Claims,
    IReadOnlyList<Correction> Corrections, IReadOnlyList<Resolution> Resolutions) : IReliabilityEvent
{
    DateTimeOffset IReliabilityEvent.OccurredAt => At;

    /// <summary>The part as the survivor's own events: its claims now name the survivor.</summary>
    public IEnumerable<IReliabilityEvent> AsSurvivorEvents() =>
        CopiedClaims.AsSurvivorEvents(SourceId, At, Propositions, Claims, Corrections, Resolutions);
}

/// <summary>What the head and every part of a merge's copy replay alike: copied claims with what they need.</summary>
internal static class CopiedClaims
{
    /// <summary>The copied claims, with their propositions, corrections and verdicts, as the survivor's own events.</summary>
    public static IEnumerable<IReliabilityEvent> AsSurvivorEvents(
        string survivorId, DateTimeOffset at, IReadOnlyList<Proposition> propositions, IReadOnlyList<Claim> claims,
        IReadOnlyList<Correction> corrections, IReadOnlyList<Resolution> resolutions)
    {
        foreach (var proposition in propositions)
        {
            yield return new PropositionOpened(proposition, at);
        }

        foreach (var claim in claims)
        {
            yield return new ClaimRecorded(claim with { SourceId = survivorId });
        }

        foreach (var correction in corrections)
        {
            yield return new CorrectionRecorded(correction);
        }

        foreach (var resolution in resolutions)
        {
            yield return new PropositionResolved(resolution);
        }
    }
}
