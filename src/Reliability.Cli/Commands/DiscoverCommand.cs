using System.CommandLine;
using System.Globalization;
using Reliability.Cli.Datasets;
using Reliability.Domain.Truth;

namespace Reliability.Cli.Commands;

/// <summary>
/// `reliability discover`: offline truth discovery over a canonical claims file, writing the most
/// probable value of every object and, on request, every source's estimated reliability.
/// </summary>
public static class DiscoverCommand
{
    public static Command Create()
    {
        var claims = new Option<FileInfo>("--claims")
        {
            Description = "Claims as source<TAB>object<TAB>value[<TAB>ISO-8601 time], one a line. With times, a source's later claim of another value supersedes its earlier one, and of two sources that copy one another the later is taken for the copier.",
            Required = true,
        };
        var resolved = new Option<FileInfo?>("--resolved")
        {
            Description = "Resolved truths as object<TAB>value, held fixed.",
        };
        var options = new Option<FileInfo?>("--options")
        {
            Description = "Declared options as object<TAB>option<TAB>option[<TAB>...]: such an object is weighed over all of them, claimed or not.",
        };
        var output = new Option<FileInfo>("--out")
        {
            Description = "Where to write object<TAB>value<TAB>probability.",
            Required = true,
        };
        var sources = new Option<FileInfo?>("--sources")
        {
            Description = "Where to write source<TAB>reliability<TAB>lower<TAB>upper.",
        };

        var command = new Command("discover", "Estimate the true value of every object and the reliability of every source.")
        {
            claims, resolved, options, output, sources,
        };
        command.SetAction(parse => CommandErrors.Guard(parse, () =>
        {
            var input = new TruthDiscoveryInput(
                CanonicalDataset.ToTruthClaims(CanonicalDataset.ReadClaims(parse.GetRequiredValue(claims).FullName)),
                parse.GetValue(resolved) is { } resolvedFile ? CanonicalDataset.ReadTruths(resolvedFile.FullName) : null,
                Options: parse.GetValue(options) is { } optionsFile ? CanonicalDataset.ReadOptions(optionsFile.FullName) : null);
            var result = new TruthDiscoveryEngine().Discover(input);
            WriteVerdicts(parse.GetRequiredValue(output).FullName, result);
            if (parse.GetValue(sources) is { } sourcesFile)
            {
                WriteSources(sourcesFile.FullName, result);
            }

            parse.InvocationConfiguration.Output.WriteLine(
                $"{result.Objects.Count} objects, {result.Sources.Count} sources, {result.Iterations} iterations{(result.Converged ? "" : " (not converged)")}");
        }));
        return command;
    }

    private static void WriteVerdicts(string path, TruthDiscoveryResult result)
    {
        using var writer = new StreamWriter(path);
        foreach (var verdict in result.Objects)
        {
            writer.WriteLine($"{verdict.ObjectId}\t{verdict.MostProbableValue}\t{Number(verdict.Probability)}");
        }
    }

    private static void WriteSources(string path, TruthDiscoveryResult result)
    {
        using var writer = new StreamWriter(path);
        foreach (var source in result.Sources)
        {
            writer.WriteLine($"{source.SourceId}\t{Number(source.Reliability)}\t{Number(source.Lower)}\t{Number(source.Upper)}");
        }
    }

    private static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
