using System.CommandLine;
using System.Text.Json;
using Reliability.Cli.Bench;
using Reliability.Testing;

namespace Reliability.Cli.Tests;

/// <summary>
/// The quick benchmark end to end: it starts PostgreSQL and the service, measures every figure and
/// writes the JSON. Figures depend on the machine, so only their presence and sign are checked.
/// </summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task A_quick_run_writes_every_ratio_and_figure()
    {
        var json = _folder.File("bench.json");

        var run = await CliRunner.RunAsync("bench", "--quick", "--json", json);

        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement;
        foreach (var ratio in new[] { "ingest_vs_raw_insert", "lookup_vs_trivial", "score_vs_trivial", "cold_activation_vs_raw_read" })
        {
            Assert.True(report.GetProperty(ratio).GetDouble() > 0, ratio);
            Assert.Contains(ratio, report.GetProperty("targets").EnumerateObject().Select(p => p.Name));
        }

        var truth = report.GetProperty("truth").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        Assert.Equal(["flights", "population-conflicts"], truth.Keys.Order(StringComparer.Ordinal));
        Assert.All(truth.Values, accuracy => Assert.InRange(accuracy, 0.5, 1.0));

        var figures = report.GetProperty("figures");
        // Every generated record shape, judged three ways, and the engine again on half of it with and without the other half resolved.
        var generated = figures.GetProperty("truth_generated");
        Assert.Equal(GeneratedRecords.Shapes.Select(s => s.Name), generated.EnumerateObject().Select(p => p.Name));
        Assert.All(generated.EnumerateObject(), shape =>
        {
            foreach (var judge in new[] { "engine", "vote", "informed_vote", "engine_stated_probability", "engine_on_judged_half", "engine_half_resolved" })
            {
                Assert.InRange(shape.Value.GetProperty(judge).GetDouble(), 0.3, 1.0);
            }

            Assert.InRange(shape.Value.GetProperty("engine_calibration_error").GetDouble(), 0, 0.5);
            // The engine with the claims' times left out: a figure where the record has times, null where it has none.
            var withoutTimes = shape.Value.GetProperty("engine_without_times");
            if (shape.Name is "second thoughts" or "aggregators")
            {
                Assert.InRange(withoutTimes.GetDouble(), 0.3, 1.0);
            }
            else
            {
                Assert.Equal(JsonValueKind.Null, withoutTimes.ValueKind);
            }
        });

        foreach (var figure in new[]
        {
            "ingest_claims_per_s", "raw_insert_rows_per_s", "trivial_requests_per_s", "lookup_requests_per_s",
            "score_requests_per_s", "cold_activation_ms", "first_score_ms", "warm_score_ms", "raw_read_ms",
        })
        {
            Assert.True(figures.GetProperty(figure).GetDouble() > 0, figure);
        }

        // Every baseline is taken before its figure and after it, and counts as both windows together:
        // lookup's brackets it with the trivial windows before and between, score's with those between and after.
        foreach (var (figure, first, second) in new[]
        {
            ("raw_insert_rows_per_s", "raw_insert_before_rows_per_s", "raw_insert_after_rows_per_s"),
            ("lookup_baseline_requests_per_s", "trivial_before_requests_per_s", "trivial_between_requests_per_s"),
            ("score_baseline_requests_per_s", "trivial_between_requests_per_s", "trivial_after_requests_per_s"),
        })
        {
            var (before, after) = (figures.GetProperty(first).GetDouble(), figures.GetProperty(second).GetDouble());
            Assert.True(before > 0 && after > 0, figure);
            Assert.InRange(figures.GetProperty(figure).GetDouble(), Math.Min(before, after) * 0.999, Math.Max(before, after) * 1.001);
        }

        // Each ratio is its figure over the baseline bracketing it.
        foreach (var (ratio, figure, baseline) in new[]
        {
            ("ingest_vs_raw_insert", "ingest_claims_per_s", "raw_insert_rows_per_s"),
            ("lookup_vs_trivial", "lookup_requests_per_s", "lookup_baseline_requests_per_s"),
            ("score_vs_trivial", "score_requests_per_s", "score_baseline_requests_per_s"),
        })
        {
            Assert.Equal(figures.GetProperty(figure).GetDouble() / figures.GetProperty(baseline).GetDouble(), report.GetProperty(ratio).GetDouble(), 9);
        }

        // CPU per operation beside each rate: the service works for every request it answers, and a
        // request costs the machine at least what it costs the service.
        var cpu = figures.GetProperty("cpu_us_per_operation");
        foreach (var operation in new[] { "ingest_claim", "trivial_request", "lookup_request", "score_request" })
        {
            var (service, machine) = (cpu.GetProperty(operation).GetProperty("service").GetDouble(), cpu.GetProperty(operation).GetProperty("machine"));
            Assert.True(service > 0, operation);
            if (machine.ValueKind is JsonValueKind.Number)
            {
                Assert.True(machine.GetDouble() >= service * 0.9, operation);
            }
        }

        Assert.True(cpu.GetProperty("raw_insert_row").GetProperty("machine").ValueKind is JsonValueKind.Number or JsonValueKind.Null);
        Assert.Contains("CPU per operation", run.Output, StringComparison.Ordinal);

        // Every figure under load was warmed up first, its baseline as much as the service.
        var warmUps = figures.GetProperty("warm_up");
        foreach (var figure in new[] { "raw_insert", "ingest", "trivial", "lookup", "score" })
        {
            Assert.True(warmUps.GetProperty(figure).GetProperty("rounds").GetInt32() > 0, figure);
        }

        // Every claim of the cold source is in its stream, beside the proposition facts it copied.
        Assert.True(figures.GetProperty("cold_stream_events").GetInt32() > report.GetProperty("sizes").GetProperty("cold_claims_per_source").GetInt32());
        Assert.Equal("quick", report.GetProperty("sizes").GetProperty("mode").GetString());
        Assert.True(report.GetProperty("machine").GetProperty("cores").GetInt32() > 0);
        Assert.True(DateTimeOffset.TryParse(report.GetProperty("timestamp").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Contains("ingest", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_run_stops_its_service_and_postgresql_and_removes_its_folder()
    {
        using var cancel = new CancellationTokenSource();
        using var output = new SignallingWriter("ingest: POST /v1/claims", cancel.Cancel);
        using var error = new StringWriter();
        var folders = $"reliability-bench-{Environment.ProcessId}-*";

        var exitCode = await CliApp.Build().Parse(["bench", "--quick"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancel.Token);

        Assert.True(cancel.IsCancellationRequested, output + error.ToString());
        Assert.NotEqual(0, exitCode);
        Assert.Empty(Directory.GetDirectories(Path.GetTempPath(), folders));
        Assert.False(RunningProcesses.AnyWithCommandLineContaining($"reliability-bench-{Environment.ProcessId}-"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(5)]
    public async Task A_run_cancelled_while_its_service_starts_leaves_no_postgresql_or_folder_behind(int secondsIntoTheStart)
    {
        using var cancel = new CancellationTokenSource();
        // Cancelled at several moments of the start: while initdb runs, while PostgreSQL or the service
        // comes up. Which step each moment hits depends on the machine; every one must clean up.
        using var output = new SignallingWriter("starting PostgreSQL and the service", () => cancel.CancelAfter(TimeSpan.FromSeconds(secondsIntoTheStart)));
        using var error = new StringWriter();
        var folders = $"reliability-bench-{Environment.ProcessId}-*";

        var exitCode = await CliApp.Build().Parse(["bench", "--quick"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancel.Token);

        Assert.NotEqual(0, exitCode);
        Assert.Empty(Directory.GetDirectories(Path.GetTempPath(), folders));
        Assert.False(RunningProcesses.AnyWithCommandLineContaining($"reliability-bench-{Environment.ProcessId}-"));
    }

    /// <summary>Captures what the command writes and calls back once a line containing <c>phrase</c> appears.</summary>
    private sealed class SignallingWriter(string phrase, Action reached) : StringWriter
    {
        private readonly Lock _gate = new();
        private bool _reached;

        public override void Write(char value)
        {
            lock (_gate)
            {
                base.Write(value);
                if (!_reached && value == '\n' && ToString().Contains(phrase, StringComparison.Ordinal))
                {
                    _reached = true;
                    reached();
                }
            }
        }

        public override void Write(string? value)
        {
            foreach (var c in value ?? "")
            {
                Write(c);
            }
        }
    }

    [Fact]
    public async Task Quick_and_full_exclude_each_other()
    {
        var json = _folder.File("refused.json");

        var run = await CliRunner.RunAsync("bench", "--quick", "--full", "--json", json);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--quick and --full", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(json));
    }

    public void Dispose() => _folder.Dispose();
}
