using Reliability.Domain.Events;
using Reliability.Domain.Scoring;

namespace Reliability.Domain.Model;

/// <summary>
/// What someone outside the newsroom says of a source (a list such as Wikipedia's perennial
/// sources, a media-bias rater), in the rater's own words, shown beside the record's own score.
/// </summary>
public sealed record ExternalRating(string Rater, string Rating, string? Url, DateTimeOffset At)
{
    /// <summary>
    /// The band the rating's words correspond to, where they are the words of a known scale:
    /// Wikipedia's perennial-sources classes and the factual-reporting grades of media-bias raters.
    /// Null for anything else (a number on an unknown scale, a rater's own terms): such a rating is
    /// shown, never compared.
    /// </summary>
    public ReliabilityBand? ExpectedBand => ExternalRatingScale.BandOf(Rating);

    /// <summary>
    /// Whether the record's own band says otherwise. An insufficient record says nothing, so it
    /// disagrees with no one.
    /// </summary>
    public bool DisagreesWith(ReliabilityBand band) =>
        band != ReliabilityBand.InsufficientRecord && ExpectedBand is { } expected && expected != band;
}

/// <summary>
/// Which of a rater's words on a source stands: the later one, and of two said at the same moment the
/// first in ordinal order of rating, then URL (a withdrawal, with no rating, first of all). The answer
/// never depends on the order words arrive in, so a grain folding them as they are committed, a replay
/// in time order and a writer deciding on the stored listing all agree.
/// </summary>
public static class RaterWords
{
    public static bool Replaces(ExternalRatingRecorded word, ExternalRatingRecorded standing) =>
        word.At != standing.At ? word.At > standing.At
        : string.CompareOrdinal(word.Rating, standing.Rating) is var byRating && byRating != 0 ? byRating < 0
        : string.CompareOrdinal(word.Url, standing.Url) < 0;
}

/// <summary>The words of the rating scales the tracker knows, and the band each corresponds to.</summary>
public static class ExternalRatingScale
{
    private static readonly Dictionary<string, ReliabilityBand> Words = new(StringComparer.Ordinal)
    {
        // Wikipedia, Reliable sources/Perennial sources.
        ["generally reliable"] = ReliabilityBand.Reliable,
        ["marginally reliable"] = ReliabilityBand.Mixed,
        ["no consensus"] = ReliabilityBand.Mixed,
        ["additional considerations apply"] = ReliabilityBand.Mixed,
        ["no consensus, unclear, or additional considerations apply"] = ReliabilityBand.Mixed,
        ["generally unreliable"] = ReliabilityBand.Unreliable,
        ["deprecated"] = ReliabilityBand.Unreliable,
        ["blacklisted"] = ReliabilityBand.Unreliable,
        // Factual-reporting grades (very high … very low).
        ["very high"] = ReliabilityBand.Reliable,
        ["high"] = ReliabilityBand.Reliable,
        ["mostly factual"] = ReliabilityBand.Mixed,
        ["mixed"] = ReliabilityBand.Mixed,
        ["low"] = ReliabilityBand.Unreliable,
        ["very low"] = ReliabilityBand.Unreliable,
        // The tracker's own words.
        ["reliable"] = ReliabilityBand.Reliable,
        ["unreliable"] = ReliabilityBand.Unreliable,
    };

    /// <summary>The band of a rating in a known scale's words (case, spacing and a final full stop aside), else null.</summary>
    public static ReliabilityBand? BandOf(string rating)
    {
        var words = string.Join(' ', rating.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.').ToLowerInvariant();
        return Words.TryGetValue(words, out var band) ? band : null;
    }
}
