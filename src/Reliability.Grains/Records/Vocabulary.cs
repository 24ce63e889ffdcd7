using System.Diagnostics.CodeAnalysis;
using Reliability.Domain.Model;
using Reliability.Domain.Scoring;

namespace Reliability.Grains.Records;

/// <summary>The words the API uses for the domain's enumerations, both ways.</summary>
public static class Vocabulary
{
    public static bool TryHedge(string? word, out Hedge hedge) => TryParse(word ?? "asserted", out hedge);

    public static bool TryCorrectionKind(string? word, out CorrectionKind kind) => TryParse(word, out kind);

    public static bool TryDeletionNotice(string? word, out DeletionNotice notice) => TryParse(word ?? "announced", out notice);

    public static bool TrySourceKind(string? word, out SourceKind kind) =>
        TryParse(word?.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal) ?? "other", out kind);

    public static string Word<T>(T value) where T : struct, Enum => Kebab(value.ToString());

    public static string Band(ReliabilityBand band) => Kebab(band.ToString());

    public static bool TryBand(string? word, out ReliabilityBand band) => TryParse(word, out band);

    /// <summary>
    /// One of the enumeration's names, in any case and with or without hyphens; never a number,
    /// nor two names joined by a comma.
    /// </summary>
    public static bool TryWord<T>([NotNullWhen(true)] string? word, out T value) where T : struct, Enum => TryParse(word, out value);

    private static bool TryParse<T>([NotNullWhen(true)] string? word, out T value) where T : struct, Enum
    {
        value = default;
        // Enum.TryParse reads "a,b" as the two values OR-ed together, which can be a third word.
        return word is not null
            && !word.Contains(',', StringComparison.Ordinal)
            && !int.TryParse(word, out _)
            && Enum.TryParse(word.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out value)
            && Enum.IsDefined(value);
    }

    private static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
