namespace Reliability.Domain.Scoring;

/// <summary>
/// A score series cut down to what a chart of a given size can show. A prolific source has a point
/// per event (ten thousand claims make a reply of about a megabyte), while a chart in the plugin's
/// panel is a few hundred pixels wide. The series is split into equal spans of time, and each span
/// keeps its lowest and its highest point, so the drawn line still reaches every dip and peak a
/// journalist would ask about; the first point and the present one are always kept as they are.
/// Each kept point is a real point of the series, with its own time, evidence and band.
/// </summary>
public static class ScoreHistoryThinning
{
    /// <summary>The fewest points a thinned series may ask for: where it starts and where it stands.</summary>
    public const int MinimumPoints = 2;

    /// <param name="points">The series in time order.</param>
    /// <param name="maxPoints">At most this many points are returned (at least <see cref="MinimumPoints"/>).</param>
    public static IReadOnlyList<ScorePoint> Thin(IReadOnlyList<ScorePoint> points, int maxPoints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, MinimumPoints);
        if (points.Count <= maxPoints)
        {
            return points;
        }

        var first = points[0];
        var last = points[^1];
        var spans = (maxPoints - 2) / 2;
        var kept = new List<ScorePoint>(maxPoints) { first };
        if (spans > 0)
        {
            var start = first.At.UtcTicks;
            var length = (double)(last.At.UtcTicks - start);
            var interior = points.Count - 2;
            var span = -1;
            int lowest = -1, highest = -1;
            for (var i = 1; i <= interior; i++)
            {
                // By time, as the chart draws it; a series all at one instant is split by position.
                var of = length > 0
                    ? (int)Math.Min(spans - 1, (points[i].At.UtcTicks - start) / length * spans)
                    : (int)((long)(i - 1) * spans / interior);
                if (of != span)
                {
                    KeepSpan(points, lowest, highest, kept);
                    (span, lowest, highest) = (of, i, i);
                    continue;
                }

                if (points[i].Score < points[lowest].Score)
                {
                    lowest = i;
                }

                if (points[i].Score > points[highest].Score)
                {
                    highest = i;
                }
            }

            KeepSpan(points, lowest, highest, kept);
        }

        kept.Add(last);
        return kept;
    }

    private static void KeepSpan(IReadOnlyList<ScorePoint> points, int lowest, int highest, List<ScorePoint> kept)
    {
        if (lowest < 0)
        {
            return;
        }

        kept.Add(points[Math.Min(lowest, highest)]);
        if (lowest != highest)
        {
            kept.Add(points[Math.Max(lowest, highest)]);
        }
    }
}
