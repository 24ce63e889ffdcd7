using Reliability.Domain.Model;
using Reliability.Infrastructure.Watching;

namespace Reliability.Grains.Watching;

/// <summary>
/// The watcher's state for one claim's post (id = claim id): created with the claim, in its
/// transaction; <see cref="NextCheckAt"/> is the schedule's index.
/// </summary>
public sealed class ClaimWatch
{
    public required string Id { get; set; }
    public required string SourceId { get; set; }
    public required string Url { get; set; }
    public DateTimeOffset RecordedAt { get; set; }

    /// <summary>When an article last newly cited the claim: cited claims stay on the frequent schedule.</summary>
    public DateTimeOffset? CitedAt { get; set; }

    public DateTimeOffset NextCheckAt { get; set; }

    /// <summary>
    /// The schedule's latest hand-out of the claim (<see cref="DeletionCheck.LeaseId"/>), until a check
    /// is saved: a worker holding an older one (the lease ran out and the claim was handed out again)
    /// checks nothing.
    /// </summary>
    public string? LeaseId { get; set; }
    public DateTimeOffset? LastCheckedAt { get; set; }
    public PostVerdict? LastVerdict { get; set; }
    public UnknownReason? LastReason { get; set; }
    public int? LastStatus { get; set; }
    public int Checks { get; set; }

    public EvidenceState State { get; set; } = EvidenceState.Live;
    public int ConsecutiveGone { get; set; }

    /// <summary>When the deletion was confirmed: the observed correction's time, so recording it again is a no-op.</summary>
    public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>Nothing more to watch: the deletion is recorded, or the claim was corrected otherwise.</summary>
    public bool Finished { get; set; }

    /// <summary>
    /// The correction that withdrew the claim and so ended the watch (a deletion, observed or
    /// announced, a retraction or a reversal); null while watched, and when the watch ended without one
    /// (<see cref="DeletionRefused"/>).
    /// </summary>
    public WatchEnding? EndedBy { get; set; }

    /// <summary>
    /// Why the record refused the confirmed deletion for good (the watch then ended without it), e.g.
    /// a claim dated after the post was seen gone: left for an editor, not dropped in silence.
    /// </summary>
    public string? DeletionRefused { get; set; }

    public DeletionEvidence Evidence => new(State, ConsecutiveGone);

    /// <summary>
    /// Stops watching: the record says the post is gone or the claim withdrawn, so checking the post
    /// again could only cost requests. The lease goes too, so a check already handed out checks nothing.
    /// </summary>
    public void End(WatchEnding ending)
    {
        Finished = true;
        EndedBy = ending;
        LeaseId = null;
    }

    /// <summary>Whether a correction of this kind withdraws the claim, which then needs no more watching.</summary>
    public static bool EndsWatch(CorrectionKind kind) =>
        kind is CorrectionKind.Deleted or CorrectionKind.Retracted or CorrectionKind.Reversed;

    public static bool IsWatchable(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps);
}

/// <summary>
/// Why a watch ended: the correction's kind (<c>deleted</c>, <c>retracted</c>, <c>reversed</c>), for a
/// deletion whether it was observed or announced, the correction's id and time, and when the watch
/// ended. A watch ended because its claim's stored status already said so (one corrected before
/// corrections ended watches) knows only the status: its correction id and time are null.
/// </summary>
public sealed record WatchEnding(string Correction, string? Deletion, string? CorrectionId, DateTimeOffset? CorrectedAt, DateTimeOffset EndedAt);
