namespace Reliability.Domain.Scoring;

/// <summary>
/// Bands with hysteresis: leaving the band held so far takes crossing its boundary by the margin,
/// so a score hovering at a threshold does not flicker between bands.
/// </summary>
public static class BandRule
{
    /// <param name="held">The last band the source had with sufficient evidence; null if it never had one.</param>
    /// <param name="score">The posterior mean.</param>
    /// <param name="bands">Thresholds and margin.</param>
    public static ReliabilityBand Next(ReliabilityBand? held, double score, BandThresholds bands)
    {
        var (reliable, unreliable, margin) = (bands.Reliable, bands.Unreliable, bands.Margin);
        return held switch
        {
            ReliabilityBand.Reliable => score >= reliable - margin ? ReliabilityBand.Reliable
                : score < unreliable - margin ? ReliabilityBand.Unreliable : ReliabilityBand.Mixed,
            ReliabilityBand.Unreliable => score < unreliable + margin ? ReliabilityBand.Unreliable
                : score >= reliable + margin ? ReliabilityBand.Reliable : ReliabilityBand.Mixed,
            ReliabilityBand.Mixed => score >= reliable + margin ? ReliabilityBand.Reliable
                : score < unreliable - margin ? ReliabilityBand.Unreliable : ReliabilityBand.Mixed,
            _ => score >= reliable ? ReliabilityBand.Reliable
                : score < unreliable ? ReliabilityBand.Unreliable : ReliabilityBand.Mixed,
        };
    }

    /// <summary>
    /// The band a score leads to whatever band was held, or null within the margin of a threshold,
    /// where the band held decides: what was shown before need only be known there.
    /// </summary>
    public static ReliabilityBand? Settled(double score, BandThresholds bands)
    {
        var (reliable, unreliable, margin) = (bands.Reliable, bands.Unreliable, bands.Margin);
        return score >= reliable + margin ? ReliabilityBand.Reliable
            : score < unreliable - margin ? ReliabilityBand.Unreliable
            : score >= unreliable + margin && score < reliable - margin ? ReliabilityBand.Mixed
            : null;
    }
}
