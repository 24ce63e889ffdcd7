namespace Reliability.Domain.Tests.Scoring;

/// <summary>A thinned score series still shows where the score started, stands, dipped and peaked.</summary>
public sealed class ScoreHistoryThinningTests
{
    private static readonly DateTimeOffset Start = new(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Series of 1 to 400 points at increasing times (some bursts a second apart, some gaps of months).</summary>
    private static readonly Gen<ScorePoint[]> Series =
        Gen.Select(Gen.Double[0, 1], Gen.OneOf(Gen.Double[1, 60], Gen.Double[3_600, 8_000_000]), Gen.Bool)
            .Array[1, 400]
            .Select(steps =>
            {
                var at = Start;
                return steps.Select(step =>
                {
                    at = at.AddSeconds(step.Item2);
                    return new ScorePoint(at, step.Item1, 5, step.Item3 ? ReliabilityBand.Mixed : ReliabilityBand.Reliable);
                }).ToArray();
            });

    private static readonly Gen<(ScorePoint[] Series, int MaxPoints)> Cases = Gen.Select(Series, Gen.Int[2, 120]);

    [Fact]
    public void A_thinned_series_is_points_of_the_series_in_time_order_from_its_first_to_its_last() =>
        Cases.Sample((series, max) =>
        {
            var thinned = ScoreHistoryThinning.Thin(series, max);

            Assert.InRange(thinned.Count, Math.Min(series.Length, 2), max);
            Assert.Same(series[0], thinned[0]);
            Assert.Same(series[^1], thinned[^1]);
            Assert.All(thinned, p => Assert.Contains(p, series));
            Assert.All(thinned.Zip(thinned.Skip(1)), pair => Assert.True(pair.First.At < pair.Second.At));
            if (series.Length <= max)
            {
                Assert.Equal(series, thinned);
            }
        });

    [Fact]
    public void Every_point_left_out_has_a_kept_point_as_low_and_one_as_high_within_one_stretch_of_it() =>
        Cases.Sample((series, max) =>
        {
            var thinned = ScoreHistoryThinning.Thin(series, max);
            var spans = (max - 2) / 2;
            if (series.Length <= max || spans == 0)
            {
                return;
            }

            // Points of one stretch are less than a stretch apart, whatever its boundaries.
            var stretch = ((series[^1].At - series[0].At) / spans) + TimeSpan.FromMilliseconds(1);
            foreach (var point in series)
            {
                var near = thinned.Where(p => (p.At - point.At).Duration() <= stretch).ToList();
                Assert.Contains(near, p => p.Score <= point.Score);
                Assert.Contains(near, p => p.Score >= point.Score);
            }

            Assert.Equal(series.Min(p => p.Score), thinned.Min(p => p.Score));
            Assert.Equal(series.Max(p => p.Score), thinned.Max(p => p.Score));
        });

    [Fact]
    public void A_brief_collapse_in_a_long_steady_record_survives_thinning()
    {
        // Ten thousand points at 0.8, and on one day in the middle a reversal that drops the score to 0.35.
        var series = Enumerable.Range(0, 10_000)
            .Select(i => new ScorePoint(Start.AddHours(i), i is 5_000 ? 0.35 : 0.8, 40,
                i is 5_000 ? ReliabilityBand.Mixed : ReliabilityBand.Reliable))
            .ToArray();

        var thinned = ScoreHistoryThinning.Thin(series, 170);

        Assert.InRange(thinned.Count, 2, 170);
        var collapse = Assert.Single(thinned, p => p.Band == ReliabilityBand.Mixed);
        Assert.Equal(series[5_000], collapse);
    }

    [Fact]
    public void Fewer_than_two_points_is_not_a_series_a_chart_can_draw() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ScoreHistoryThinning.Thin([new ScorePoint(Start, 0.5, 1, ReliabilityBand.Mixed)], 1));
}
