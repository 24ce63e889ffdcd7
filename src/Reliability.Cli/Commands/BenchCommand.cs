using System.CommandLine;
using System.Globalization;
using Reliability.Cli.Bench;
using Spectre.Console;

namespace Reliability.Cli.Commands;

/// <summary>
/// `reliability bench`: the service's figures beside their baselines, measured in one run on one
/// PostgreSQL server, plus truth discovery on the canonical datasets; `bench truth` runs only the latter.
/// </summary>
public static class BenchCommand
{
    public const int DefaultSeed = 20_260_101;

    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "A smoke run: every figure at a tiny size (seconds, not minutes)." };
        var full = new Option<bool>("--full") { Description = "Also memory per source grain, and 1,000,000 claims over 100,000 sources then a rescore (long)." };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the figures to this file as JSON." };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated record (same seed, same data).", DefaultValueFactory = _ => DefaultSeed };
        var datasets = BenchTruthCommand.DatasetsOption();
        var command = new Command("bench", "Measure the service beside raw PostgreSQL and a trivial endpoint, and truth discovery on the canonical datasets.")
        {
            quick, full, json, seed, datasets,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(quick) && result.GetValue(full))
            {
                result.AddError("--quick and --full exclude each other.");
            }
        });
        command.Subcommands.Add(BenchTruthCommand.Create());
        command.SetAction((parse, cancellationToken) => CommandErrors.GuardAsync(parse, async () =>
        {
            var sizes = parse.GetValue(quick) ? BenchSizes.Quick : parse.GetValue(full) ? BenchSizes.Full : BenchSizes.Default;
            var directory = BenchTruthCommand.DatasetsDirectory(parse, datasets);
            var console = BenchTruthCommand.Console(parse.InvocationConfiguration.Output);
            var report = await RunAsync(sizes, parse.GetValue(seed), directory, console, cancellationToken);
            Render(report, console);
            if (parse.GetValue(json) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, report.ToJsonText(), cancellationToken);
                console.MarkupLineInterpolated($"Figures written to {file.FullName}");
            }
        }));
        return command;
    }

    private static async Task<BenchReport> RunAsync(BenchSizes sizes, int seed, string datasets, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        ServiceFigures? service = null;
        TruthBenchmarkReport? truth = null;
        async Task MeasureAsync(Action<string> phase)
        {
            phase("starting PostgreSQL and the service");
            await using (var host = await BenchService.StartAsync(cancellationToken))
            {
                try
                {
                    service = await new ServiceBenchmark(host, sizes, seed, phase).RunAsync(cancellationToken);
                }
                catch (InvalidOperationException failure)
                {
                    // A request the service failed says little without what the service logged meanwhile.
                    throw new InvalidOperationException($"{failure.Message}\nThe service's last output:\n{host.RecentOutput()}", failure);
                }

                phase("stopping the service");
            }

            phase("truth discovery on the canonical datasets");
            truth = new TruthBenchmark().Run(datasets, sizes.TruthDatasets, sizes.GeneratedSeeds);
        }

        if (console.Profile.Capabilities.Interactive)
        {
            await console.Progress().AutoClear(false).StartAsync(async progress =>
            {
                ProgressTask? current = null;
                await MeasureAsync(name =>
                {
                    current?.Increment(1);
                    current = progress.AddTask(Markup.Escape(name), maxValue: 1);
                });
                current?.Increment(1);
            });
        }
        else
        {
            // A log or a pipe gets one line per phase, with the time it started.
            await MeasureAsync(name => console.MarkupLineInterpolated($"[grey]{DateTimeOffset.UtcNow:HH:mm:ss}[/] {name}"));
        }

        return new BenchReport(started, sizes, seed, service!, truth!);
    }

    private static void Render(BenchReport report, IAnsiConsole console)
    {
        var figures = report.Service;
        var table = new Table().Title($"Reliability bench ({report.Sizes.Mode}, {report.Sizes.Clients} clients, {Environment.ProcessorCount} cores)")
            .AddColumn("#")
            .AddColumn("figure")
            .AddColumn(new TableColumn("measured").RightAligned())
            .AddColumn(new TableColumn("baseline").RightAligned())
            .AddColumn(new TableColumn("ratio").RightAligned())
            .AddColumn(new TableColumn("target").RightAligned());
        Row(table, "1", "POST /v1/claims, claims/s vs raw INSERT rows/s", figures.Ingest.PerSecond, figures.RawInsert.PerSecond, report.IngestVsRawInsert, BenchReport.IngestTarget, higherIsBetter: true);
        Row(table, "2", $"POST /v1/lookup ({ServiceBenchmark.LookupItems} items) vs GET /v1/me, req/s", figures.Lookup.PerSecond, figures.LookupBaseline.PerSecond, report.LookupVsTrivial, BenchReport.LookupTarget, higherIsBetter: true);
        Row(table, "3", "GET /v1/sources/{id}/score vs GET /v1/me, req/s", figures.Score.PerSecond, figures.ScoreBaseline.PerSecond, report.ScoreVsTrivial, BenchReport.ScoreTarget, higherIsBetter: true);
        Row(table, "4", $"activating a {report.Sizes.ColdClaims:N0}-claim source vs raw read of its {figures.ColdStreamEvents:N0} events, ms",
            BenchReport.Median(figures.ColdActivationMs), BenchReport.Median(figures.RawReadMs), report.ColdActivationVsRawRead, BenchReport.ColdActivationTarget, higherIsBetter: false);
        table.AddRow("4", "  then its first score (whole score history) / a cached score, ms",
            $"{Optional(BenchReport.MedianOrNull(figures.FirstScoreMs))} / {Optional(BenchReport.MedianOrNull(figures.WarmScoreMs))}", "", "", "");
        if (figures.Memory is { } memory)
        {
            table.AddRow("6", $"memory per active source grain ({BenchSizes.MemoryClaimsPerSource} claims), KiB: live managed heap (working set)",
                $"{Number(memory.BytesPerSource / 1024)} ({Number(memory.WorkingSetBytesPerSource / 1024)})", "", "", "");
            table.AddRow("6", "  source grains active before / after", $"{memory.ActiveSourcesBefore:N0} / {memory.ActiveSourcesAfter:N0}", "", "", "");
        }

        if (figures.Scale is { } scale)
        {
            table.AddRow("6", $"{scale.Claims:N0} claims over {scale.Sources:N0} sources: ingest s / rescore s", $"{Number(scale.IngestSeconds)} / {Number(scale.RescoreSeconds)}", "", "", "");
            table.AddRow("6", "peak working set of the service, MiB", Number(scale.PeakWorkingSet / 1024.0 / 1024.0), "", "", "");
            table.AddRow("6", "live managed heap after a full collection, after ingest / after the rescore, MiB",
                $"{Number(scale.ManagedHeapAfterIngest / 1024.0 / 1024.0)} / {Number(scale.ManagedHeapAfterRescore / 1024.0 / 1024.0)}", "", "", "");
            table.AddRow("6", "  source grains active then", $"{scale.ActiveSourcesAfterIngest:N0} / {scale.ActiveSourcesAfterRescore:N0}", "", "", "");
            table.AddRow("6", $"then {scale.Resolutions:N0} propositions resolved: s / truth estimate caught up, s",
                $"{Number(scale.ResolveSeconds)} / {Number(scale.TruthCatchUpSeconds)}", "", "", "");
            table.AddRow("6", "  peak working set by then / live managed heap after, MiB",
                $"{Number(scale.PeakWorkingSetAfterResolutions / 1024.0 / 1024.0)} / {Number(scale.ManagedHeapAfterResolutions / 1024.0 / 1024.0)}", "", "", "");
        }

        console.Write(table);
        RenderCpu(figures, console);
        BenchTruthCommand.Render(report.Truth, console);
    }

    /// <summary>CPU per operation in the same windows: it moves far less than a rate with the machine's speed.</summary>
    private static void RenderCpu(ServiceFigures figures, IAnsiConsole console)
    {
        var table = new Table().Title("CPU per operation in the same windows, µs")
            .AddColumn("operation")
            .AddColumn(new TableColumn("service").RightAligned())
            .AddColumn(new TableColumn("whole machine").RightAligned());
        table.AddRow("raw INSERT, per row", "", MachineCpu(figures.RawInsert));
        foreach (var (name, window) in new[]
        {
            ("POST /v1/claims, per claim", figures.Ingest), ("GET /v1/me", figures.Trivial),
            ("POST /v1/lookup", figures.Lookup), ("GET /v1/sources/{id}/score", figures.Score),
        })
        {
            table.AddRow(Markup.Escape(name), Number(window.ServiceCpuMicroseconds), MachineCpu(window));
        }

        console.Write(table);
    }

    private static void Row(Table table, string number, string figure, double measured, double baseline, double ratio, double target, bool higherIsBetter)
    {
        var met = higherIsBetter ? ratio >= target : ratio <= target;
        var shown = ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×";
        table.AddRow(
            number,
            Markup.Escape(figure),
            Number(measured),
            Number(baseline),
            met ? $"[green]{shown}[/]" : $"[red]{shown}[/]",
            (higherIsBetter ? "≥ " : "≤ ") + target.ToString("0.0", CultureInfo.InvariantCulture) + "×");
    }

    // Unknown off Linux, where the machine's busy time is not read: not a request that went unanswered.
    private static string MachineCpu(Throughput window) => window.MachineCpuMicroseconds is { } us ? Number(us) : "not measured";

    private static string Optional(double? value) => value is { } v ? Number(v) : "[red]no answer[/]";

    private static string Number(double value) => value.ToString(value >= 100 ? "N0" : "0.0", CultureInfo.InvariantCulture);
}
