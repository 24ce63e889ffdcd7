using Reliability.Domain.Model;

namespace Reliability.Domain.Scoring;

/// <summary>
/// The band of each topic (or region) a source claimed on, walked along its history as its overall band
/// is: an army's casualty figures hovering at the reliable threshold would otherwise flip that topic's
/// band with every resolution, where the overall band holds.
/// </summary>
/// <remarks>
/// The walk hands over what each claim's weight changed by at an instant (<see cref="Add"/>), decayed to
/// that instant, and asks every tag to judge its aged totals wherever it judges its own between instants
/// (<see cref="Pass"/>): a tag's band then moves exactly as the overall band would for a source whose
/// every claim carried that tag. The walk of <c>kept</c>, where one is named, keeps a point at each
/// instant its totals moved, for that tag's series; the others only carry their bands.
/// </remarks>
internal sealed class TagBands(ScoringPolicy policy, Func<Proposition, IReadOnlyList<string>> tagsOf, string? kept = null)
{
    private readonly Dictionary<string, TagWalk> _walks = new(StringComparer.Ordinal);
    private readonly List<TagWalk> _changed = [];

    /// <summary>Adds what a claim on <paramref name="proposition"/> changed the totals by at <paramref name="at"/>.</summary>
    public void Add(Proposition? proposition, DateTimeOffset at, double confirmed, double refuted)
    {
        if (proposition is null)
        {
            return;
        }

        var tags = tagsOf(proposition);
        for (var i = 0; i < tags.Count; i++)
        {
            // A proposition tagged twice the same is one claim of the tag, as the final totals count it.
            if (IndexOf(tags, tags[i]) != i)
            {
                continue;
            }

            if (!_walks.TryGetValue(tags[i], out var walk))
            {
                walk = _walks[tags[i]] = new TagWalk(policy, at) { Kept = string.Equals(tags[i], kept, StringComparison.Ordinal) };
            }

            walk.MoveTo(at);
            if (!walk.Changed)
            {
                walk.Changed = true;
                _changed.Add(walk);
            }

            walk.Confirmed += confirmed;
            walk.Refuted += refuted;
        }
    }

    /// <summary>The instant's changes are all in: each tag they touched judges its new totals.</summary>
    public void EndInstant()
    {
        foreach (var walk in _changed)
        {
            if (walk.Kept)
            {
                walk.Series.Add(walk.KeptAt, walk.Totals);
            }
            else
            {
                walk.Series.Pass(walk.Totals);
            }

            walk.Changed = false;
        }

        _changed.Clear();
    }

    /// <summary>Every tag judges its totals as they have aged by <paramref name="at"/>, with nothing changed since.</summary>
    public void Pass(DateTimeOffset at)
    {
        foreach (var walk in _walks.Values)
        {
            walk.Series.Pass(walk.AgedTo(at));
        }
    }

    /// <summary>
    /// The band of a tag at the final point, from its final totals and the band its walk held, or the band
    /// readers were last shown for it where there is one (as the overall final point holds it).
    /// </summary>
    public ReliabilityBand BandAt(string tag, DateTimeOffset at, (double Confirmed, double Refuted) totals, ReliabilityBand? shown = null)
    {
        var series = _walks.TryGetValue(tag, out var walk) ? walk.Series : new ScoreSeries(policy);
        if (shown is { } band)
        {
            series.Hold(band);
        }

        return series.Add(at, totals).Band;
    }

    /// <summary>The points kept along the walk of the tag named <c>kept</c> (none for any other tag).</summary>
    public IReadOnlyList<ScorePoint> PointsOf(string tag) =>
        _walks.TryGetValue(tag, out var walk) && walk.Kept ? walk.Series.Points : [];

    private static int IndexOf(IReadOnlyList<string> tags, string tag)
    {
        for (var i = 0; i < tags.Count; i++)
        {
            if (string.Equals(tags[i], tag, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private sealed class TagWalk(ScoringPolicy policy, DateTimeOffset keptAt)
    {
        private DateTimeOffset _keptAt = keptAt;

        public ScoreSeries Series { get; } = new(policy);

        /// <summary>Its series keeps a point at each instant its totals moved.</summary>
        public bool Kept { get; init; }

        public DateTimeOffset KeptAt => _keptAt;

        public double Confirmed { get; set; }

        public double Refuted { get; set; }

        /// <summary>Changed at the instant under way, and not judged since.</summary>
        public bool Changed { get; set; }

        // A weight that went back to nothing can leave a rounding residue below zero, as in the overall totals.
        public (double Confirmed, double Refuted) Totals => (Math.Max(0.0, Confirmed), Math.Max(0.0, Refuted));

        /// <summary>Ages the running totals to <paramref name="at"/>, where the changes of that instant are added.</summary>
        public void MoveTo(DateTimeOffset at)
        {
            if (at != _keptAt)
            {
                var decay = ClaimAssessor.Decay((at - _keptAt).TotalDays, policy);
                Confirmed *= decay;
                Refuted *= decay;
                _keptAt = at;
            }
        }

        /// <summary>The totals aged to <paramref name="at"/>, without moving them on (as <see cref="ClaimWeights.AgedTo"/>).</summary>
        public (double Confirmed, double Refuted) AgedTo(DateTimeOffset at)
        {
            var decay = ClaimAssessor.Decay((at - _keptAt).TotalDays, policy);
            return (Math.Max(0.0, Confirmed * decay), Math.Max(0.0, Refuted * decay));
        }
    }
}
