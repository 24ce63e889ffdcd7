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
    /// Why the record refused the confirmed deletion for good (the watch then ended without it), e.g.
    /// a claim dated after the post was seen gone: left for an editor, not dropped in silence.
    /// </summary>
    public string? DeletionRefused { get; set; }

    public DeletionEvidence Evidence => new(State, ConsecutiveGone);

    public static bool IsWatchable(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps);
}
