namespace Reliability.Domain.Scoring;

/// <summary>
/// The truth-discovery engine's estimate, per open proposition, of each option's probability.
/// It only speaks for propositions that have no confirmed resolution in force; a resolution always wins.
/// </summary>
public sealed record ProvisionalTruth(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Probabilities)
{
    public static ProvisionalTruth None { get; } = new(new Dictionary<string, IReadOnlyDictionary<string, double>>());

    /// <summary>
    /// The open propositions whose standing claims assert two or more options. The others' estimate
    /// rests on one side's claims alone (weighed by how reliable their sources are), not on a contest.
    /// </summary>
    public IReadOnlySet<string> Contested { get; init; } = new HashSet<string>();

    /// <summary>
    /// The open propositions on which, for the source being scored, no other source's standing claim
    /// speaks. The estimate there rests on that source's own rating alone, so a claim on one is no
    /// evidence of how reliable the source is: counting it would play the rating back to itself, and
    /// a source answering questions nobody else answers would earn a record from the engine's prior.
    /// </summary>
    public IReadOnlySet<string> Uncorroborated { get; init; } = new HashSet<string>();

    /// <summary>Null when the engine has no estimate for the proposition; an option it did not list is taken as 0.</summary>
    public double? ProbabilityOf(string propositionId, string option)
    {
        if (!Probabilities.TryGetValue(propositionId, out var options))
        {
            return null;
        }

        // The engine is another team's code; a value outside [0, 1] must not break the score's bounds.
        return options.TryGetValue(option, out var p) && double.IsFinite(p) ? Math.Clamp(p, 0.0, 1.0) : 0.0;
    }
}
