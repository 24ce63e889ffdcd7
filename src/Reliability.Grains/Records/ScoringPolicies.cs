using Reliability.Domain.Scoring;

namespace Reliability.Grains.Records;

/// <summary>The scoring policy in force. Scores say which version produced them.</summary>
public sealed class ScoringPolicies
{
    private static readonly Dictionary<string, ScoringPolicy> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        [ScoringPolicy.Beta.Version] = ScoringPolicy.Beta,
    };

    public ScoringPolicy Current { get; } = ScoringPolicy.Beta;

    public static IReadOnlyCollection<string> Names => Known.Keys;

    public static ScoringPolicy? Find(string version) => Known.GetValueOrDefault(version);
}
