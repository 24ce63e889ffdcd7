namespace Reliability.Domain.Scoring;

/// <summary>A source's score series, carrying the band held so far from point to point.</summary>
internal sealed class ScoreSeries(ScoringPolicy policy)
{
    private readonly List<ScorePoint> _points = [];
    private ReliabilityBand? _held;

    public IReadOnlyList<ScorePoint> Points => _points;

    /// <summary>Judges the score at a moment that marks no point of the series, carrying the band it holds then.</summary>
    public void Pass((double Confirmed, double Refuted) totals)
    {
        var (confirmed, refuted) = totals;
        if (confirmed + refuted >= policy.MinimumEvidence)
        {
            _held = BandRule.Next(_held, BetaPosterior.Mean(confirmed, refuted, policy), policy.Bands);
        }
    }

    /// <summary>
    /// Holds <paramref name="band"/> from here on in place of the band the series held: the band readers
    /// were last shown, which the next point must leave by crossing a boundary by the margin.
    /// </summary>
    public void Hold(ReliabilityBand band)
    {
        if (band != ReliabilityBand.InsufficientRecord)
        {
            _held = band;
        }
    }

    public ScorePoint Add(DateTimeOffset at, (double Confirmed, double Refuted) totals)
    {
        var (confirmed, refuted) = totals;
        var mean = BetaPosterior.Mean(confirmed, refuted, policy);
        var band = ReliabilityBand.InsufficientRecord;
        // A thin spell shows as insufficient but keeps the held band, so that evidence decaying
        // around the minimum does not reset the hysteresis.
        if (confirmed + refuted >= policy.MinimumEvidence)
        {
            band = BandRule.Next(_held, mean, policy.Bands);
            _held = band;
        }

        var point = new ScorePoint(at, mean, confirmed + refuted, band);
        _points.Add(point);
        return point;
    }
}
