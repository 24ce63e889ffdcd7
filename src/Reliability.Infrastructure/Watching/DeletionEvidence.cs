namespace Reliability.Infrastructure.Watching;

public enum EvidenceState
{
    Live,
    SuspectedGone,
    ConfirmedGone,
    Withheld,
}

/// <summary>
/// What the checks so far say about one post. A deletion is confirmed only after
/// <c>confirmations</c> consecutive definite "gone" answers; unknown answers (timeouts, 5xx, 429,
/// network errors, open circuit) neither count toward it nor reset it, because a platform outage must
/// not delete anything and must not erase evidence gathered before it either.
/// </summary>
public sealed record DeletionEvidence(EvidenceState State, int ConsecutiveGone)
{
    public static DeletionEvidence Initial { get; } = new(EvidenceState.Live, 0);

    /// <summary>
    /// True exactly on the step into <see cref="EvidenceState.ConfirmedGone"/>: the moment to record
    /// the observed correction, once.
    /// </summary>
    public bool JustConfirmed { get; init; }

    public DeletionEvidence Apply(PostVerdict verdict, int confirmations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(confirmations, 1);
        return verdict switch
        {
            PostVerdict.Unknown => this with { JustConfirmed = false },
            // A confirmed deletion stays confirmed: the correction is recorded; later 404s add nothing.
            PostVerdict.Gone when State == EvidenceState.ConfirmedGone => this with { JustConfirmed = false },
            PostVerdict.Gone when ConsecutiveGone + 1 >= confirmations =>
                new(EvidenceState.ConfirmedGone, ConsecutiveGone + 1) { JustConfirmed = true },
            PostVerdict.Gone => new(EvidenceState.SuspectedGone, ConsecutiveGone + 1),
            // A post that comes back (restored, or a false 404) starts over.
            PostVerdict.Live => Initial,
            PostVerdict.Withheld => new(EvidenceState.Withheld, 0),
            _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, null),
        };
    }
}
