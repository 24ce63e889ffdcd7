namespace Reliability.Domain.Scoring;

/// <summary>
/// The bands readers were last shown for a source's topics and regions, by tag: what the final point of
/// each tag holds, as <see cref="SourceScorer.Score"/>'s <c>shown</c> does for the overall band.
/// </summary>
public sealed record ShownTagBands(IReadOnlyDictionary<string, ReliabilityBand> Topics, IReadOnlyDictionary<string, ReliabilityBand> Regions)
{
    public static ShownTagBands None { get; } = new(new Dictionary<string, ReliabilityBand>(), new Dictionary<string, ReliabilityBand>());

    /// <summary>The band shown for a tag of the given kind; null when none was.</summary>
    public ReliabilityBand? Of(TagKind kind, string tag) =>
        (kind == TagKind.Topic ? Topics : Regions).TryGetValue(tag, out var band) ? band : null;
}

/// <summary>What a tag of a score is: one of the topics of the propositions, or their region.</summary>
public enum TagKind
{
    Topic,
    Region,
}
