using System.Text.Json.Serialization;

namespace Reliability.Domain.Model;

/// <summary>A checkable question with mutually exclusive options (a yes/no question has two).</summary>
public sealed record Proposition(
    string Id,
    string Question,
    IReadOnlyList<string> Options,
    IReadOnlyList<string> Topics,
    string? Region)
{
    /// <summary>At least two distinct, non-blank options; anything less cannot be right or wrong.</summary>
    [JsonIgnore]
    public bool IsWellFormed =>
        Options.Count >= 2
        && Options.All(o => !string.IsNullOrWhiteSpace(o))
        && Options.Distinct(StringComparer.Ordinal).Count() == Options.Count;
}
