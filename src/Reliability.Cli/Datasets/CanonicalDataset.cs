using System.Globalization;
using Reliability.Domain.Truth;

namespace Reliability.Cli.Datasets;

/// <summary>A line of a canonical claims file: who said what about which object, and optionally when.</summary>
public sealed record CanonicalClaim(string Source, string Object, string Value, DateTimeOffset? At);

/// <summary>A bad line in a canonical file, reported with its place so an editor can fix it.</summary>
public sealed class DatasetFormatException(string message) : Exception(message);

/// <summary>
/// Reads the canonical TSV files: claims as `source⇥object⇥value[⇥ISO-8601 time]`,
/// gold and resolved truths as `object⇥value`. No header; blank lines are skipped.
/// </summary>
public static class CanonicalDataset
{
    public static IReadOnlyList<CanonicalClaim> ReadClaims(string path) =>
        ReadFile(path, ReadClaims);

    public static IReadOnlyList<CanonicalClaim> ReadClaims(TextReader reader, string name)
    {
        var claims = new List<CanonicalClaim>();
        foreach (var (fields, line) in Lines(reader))
        {
            if (fields.Length is < 3 or > 4)
            {
                throw Malformed(name, line, $"expected 3 or 4 tab-separated fields (source, object, value[, time]), found {fields.Length}");
            }

            RequireText(fields, name, line);
            DateTimeOffset? at = null;
            if (fields.Length == 4)
            {
                at = DateTimeOffset.TryParse(fields[3], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                    ? parsed
                    : throw Malformed(name, line, $"'{fields[3]}' is not an ISO-8601 time");
            }

            claims.Add(new CanonicalClaim(fields[0], fields[1], fields[2], at));
        }

        return claims;
    }

    /// <summary>Reads `object⇥value` lines (gold standards and resolved truths).</summary>
    public static IReadOnlyList<ResolvedTruth> ReadTruths(string path) =>
        ReadFile(path, ReadTruths);

    public static IReadOnlyList<ResolvedTruth> ReadTruths(TextReader reader, string name)
    {
        var truths = new List<ResolvedTruth>();
        foreach (var (fields, line) in Lines(reader))
        {
            if (fields.Length != 2)
            {
                throw Malformed(name, line, $"expected 2 tab-separated fields (object, value), found {fields.Length}");
            }

            RequireText(fields, name, line);
            truths.Add(new ResolvedTruth(fields[0], fields[1]));
        }

        return truths;
    }

    /// <summary>Reads `object⇥option⇥option[⇥…]` lines: the options each object declares, at least two.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ReadOptions(string path) =>
        ReadFile(path, ReadOptions);

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ReadOptions(TextReader reader, string name)
    {
        var options = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var declaredOn = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (fields, line) in Lines(reader))
        {
            if (fields.Length < 3)
            {
                throw Malformed(name, line, $"expected an object and at least two options, tab-separated, found {fields.Length} field(s)");
            }

            RequireText(fields, name, line);
            if (fields.Skip(1).GroupBy(o => o, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            {
                throw Malformed(name, line, $"option '{repeated.Key}' is listed twice");
            }

            if (!declaredOn.TryAdd(fields[0], line))
            {
                throw Malformed(name, line, $"object '{fields[0]}' already declared its options on line {declaredOn[fields[0]]}");
            }

            options[fields[0]] = fields[1..];
        }

        return options;
    }

    public static IReadOnlyList<TruthClaim> ToTruthClaims(IEnumerable<CanonicalClaim> claims) =>
        [.. claims.Select(c => new TruthClaim(c.Source, c.Object, c.Value, At: c.At))];

    private static T ReadFile<T>(string path, Func<TextReader, string, T> read)
    {
        if (!File.Exists(path))
        {
            throw new DatasetFormatException($"{path}: file not found");
        }

        using var reader = new StreamReader(path);
        return read(reader, path);
    }

    private static IEnumerable<(string[] Fields, int Line)> Lines(TextReader reader)
    {
        var number = 0;
        while (reader.ReadLine() is { } text)
        {
            number++;
            if (text.Length > 0)
            {
                yield return (text.Split('\t'), number);
            }
        }
    }

    private static void RequireText(string[] fields, string name, int line)
    {
        if (fields.Any(string.IsNullOrWhiteSpace))
        {
            throw Malformed(name, line, "a field is empty");
        }
    }

    private static DatasetFormatException Malformed(string name, int line, string problem) =>
        new($"{name}:{line}: {problem}");
}
