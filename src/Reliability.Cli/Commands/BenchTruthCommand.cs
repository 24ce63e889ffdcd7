using System.CommandLine;
using System.Globalization;
using Reliability.Cli.Bench;
using Reliability.Cli.Datasets;
using Spectre.Console;

namespace Reliability.Cli.Commands;

/// <summary>`reliability bench truth`: truth-discovery accuracy and time beside the README's best classic method.</summary>
public static class BenchTruthCommand
{
    public static Command Create()
    {
        var datasets = DatasetsOption();
        var command = new Command("truth", "Accuracy of truth discovery on every canonical dataset.") { datasets };
        command.SetAction(parse => CommandErrors.Guard(parse, () =>
        {
            var report = new TruthBenchmark().Run(DatasetsDirectory(parse, datasets));
            Render(report, Console(parse.InvocationConfiguration.Output));
        }));
        return command;
    }

    public static Option<DirectoryInfo?> DatasetsOption() => new("--datasets")
    {
        Description = $"Folder of NAME.claims.tsv and NAME.gold.tsv files (default: the nearest {DatasetLocator.CanonicalFolder}).",
    };

    public static string DatasetsDirectory(ParseResult parse, Option<DirectoryInfo?> datasets) =>
        parse.GetValue(datasets)?.FullName
        ?? DatasetLocator.FindCanonical()
        ?? throw new DatasetFormatException($"no {DatasetLocator.CanonicalFolder} folder above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}; pass --datasets");

    /// <summary>A console on the command's output, wide enough for the tables.</summary>
    public static IAnsiConsole Console(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = Math.Max(console.Profile.Width, 110);
        return console;
    }

    public static void Render(TruthBenchmarkReport report, IAnsiConsole console)
    {
        var table = new Table().Title($"Truth discovery on {report.DatasetsDirectory}")
            .AddColumn("dataset")
            .AddColumn(new TableColumn("claims").RightAligned())
            .AddColumn(new TableColumn("gold").RightAligned())
            .AddColumn(new TableColumn("accuracy").RightAligned())
            .AddColumn(new TableColumn("ms").RightAligned())
            .AddColumn(new TableColumn("best classic").RightAligned())
            .AddColumn("method");
        foreach (var result in report.Datasets)
        {
            table.AddRow(
                result.Dataset,
                result.Claims.ToString("N0", CultureInfo.InvariantCulture),
                result.GoldObjects.ToString("N0", CultureInfo.InvariantCulture),
                Compared(result.Accuracy, result.Reference?.Accuracy),
                result.Milliseconds.ToString("0", CultureInfo.InvariantCulture),
                result.Reference is { } reference ? Fixed(reference.Accuracy) : "–",
                result.Reference?.Method ?? "–");
        }

        foreach (var half in report.HalfResolved)
        {
            var reference = TruthBenchmark.HalfResolvedReferences.GetValueOrDefault(half.Dataset);
            table.AddRow(
                $"{half.Dataset}, half resolved",
                "", "",
                Compared(half.Accuracy, reference?.Accuracy),
                half.Milliseconds.ToString("0", CultureInfo.InvariantCulture),
                reference is not null ? Fixed(reference.Accuracy) : "–",
                reference?.Method ?? "–");
        }

        console.Write(table);
        console.WriteLine($"Half resolved: mean of {TruthBenchmark.HalfResolvedSplits} seeded splits of the gold objects, judged on the unrevealed half.");
        if (report.Generated.Count == 0)
        {
            return;
        }

        var generated = new Table().Title($"Truth discovery on generated records (mean of {report.GeneratedSeeds} seed(s) each)")
            .AddColumn("shape")
            .AddColumn(new TableColumn("objects").RightAligned())
            .AddColumn(new TableColumn("claims").RightAligned())
            .AddColumn(new TableColumn("engine").RightAligned())
            .AddColumn(new TableColumn("majority vote").RightAligned())
            .AddColumn(new TableColumn("vote, true accuracies").RightAligned())
            .AddColumn(new TableColumn("engine's stated probability").RightAligned())
            .AddColumn(new TableColumn("calibration error").RightAligned())
            .AddColumn(new TableColumn("engine, judged half").RightAligned())
            .AddColumn(new TableColumn("the same, other half resolved").RightAligned())
            .AddColumn(new TableColumn("engine, times left out").RightAligned());
        foreach (var result in report.Generated)
        {
            generated.AddRow(
                Markup.Escape(result.Shape),
                result.Objects.ToString("N0", CultureInfo.InvariantCulture),
                result.Claims.ToString("N0", CultureInfo.InvariantCulture),
                Compared(result.Engine, result.Vote),
                Fixed(result.Vote),
                Fixed(result.InformedVote),
                Fixed(result.Confidence),
                Fixed(result.CalibrationError),
                Fixed(result.EngineOnJudgedHalf),
                Fixed(result.EngineHalfResolved),
                double.IsNaN(result.EngineWithoutTimes) ? "–" : Fixed(result.EngineWithoutTimes));
        }

        console.Write(generated);
        console.WriteLine("Vote, true accuracies: Accu's weights from the accuracy each source was generated with; it knows nothing of copying.");
        console.WriteLine("Judged half: the engine on a seeded random half of the questions; then the same half with the other half of the questions resolved to their true answers.");
        console.WriteLine("Times left out: the engine on the same claims without the times they were made at (timed records only).");
        console.WriteLine("Stated probability: the engine's mean probability for its verdicts; calibration error: how far, verdicts grouped by stated probability in tenths, that is from the share right.");
        foreach (var shape in GeneratedRecords.Shapes)
        {
            console.WriteLine($"  {shape.Name}: {shape.Description}.");
        }
    }

    private static string Compared(double accuracy, double? reference) =>
        reference is { } r && accuracy >= r ? $"[green]{Fixed(accuracy)}[/]" : Fixed(accuracy);

    private static string Fixed(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
