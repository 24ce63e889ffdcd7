using Reliability.Cli.Bench;
using Reliability.Cli.Datasets;

namespace Reliability.Cli.Tests;

public sealed class DiscoverCommandTests
{
    private static string Canonical() =>
        DatasetLocator.FindCanonical()
        ?? throw new InvalidOperationException($"{DatasetLocator.CanonicalFolder} not found above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}");

    [Fact]
    public async Task Discover_on_the_flights_benchmark_is_at_least_as_accurate_as_the_best_classic_method()
    {
        using var temp = new TempFolder();
        var canonical = Canonical();
        var output = temp.File("verdicts.tsv");

        var run = await CliRunner.RunAsync("discover", "--claims", Path.Combine(canonical, "flights.claims.tsv"), "--out", output);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        var predicted = File.ReadLines(output).Select(l => l.Split('\t')).ToDictionary(f => f[0], f => f[1]);
        var gold = CanonicalDataset.ReadTruths(Path.Combine(canonical, "flights.gold.tsv"));
        var accuracy = (double)gold.Count(g => predicted.GetValueOrDefault(g.ObjectId) == g.Value) / gold.Count;
        Assert.True(accuracy >= 0.94, $"accuracy {accuracy:0.000} on flights");
    }

    [Fact]
    public async Task Discover_writes_one_line_per_object_and_per_source()
    {
        using var temp = new TempFolder();
        var claims = temp.File("claims.tsv", "army\tbase-held\tarmy\nagency\tbase-held\tarmy\t2023-09-28T10:00:00Z\nlocal\tbase-held\tjnim\nlocal\ttoll\t12\n");
        var resolved = temp.File("resolved.tsv", "toll\t14\n");
        var verdicts = temp.File("verdicts.tsv");
        var sources = temp.File("sources.tsv");

        var run = await CliRunner.RunAsync("discover", "--claims", claims, "--resolved", resolved, "--out", verdicts, "--sources", sources);

        Assert.Equal(0, run.ExitCode);
        var lines = Rows(verdicts);
        Assert.Equal(["base-held", "toll"], lines.Select(f => f[0]));
        Assert.All(lines, f => Assert.Equal(3, f.Length));
        Assert.Equal("army", lines[0][1]);
        Assert.InRange(double.Parse(lines[0][2], System.Globalization.CultureInfo.InvariantCulture), 0.5, 1.0);
        Assert.Equal(["toll", "14", "1"], lines[1]);

        var sourceLines = Rows(sources);
        Assert.Equal(["agency", "army", "local"], sourceLines.Select(f => f[0]));
        Assert.All(sourceLines, f =>
        {
            Assert.Equal(4, f.Length);
            var numbers = f[1..].Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.InRange(numbers[0], numbers[1], numbers[2]);
        });
    }

    [Fact]
    public async Task Declared_options_are_all_weighed_so_a_lone_claim_is_not_certain()
    {
        using var temp = new TempFolder();
        var claims = temp.File("claims.tsv", "army\tbase-held\tarmy\nchannel\troad\topen\n");
        var (verdicts, undeclared) = (temp.File("verdicts.tsv"), temp.File("undeclared.tsv"));

        var run = await CliRunner.RunAsync(
            "discover", "--claims", claims, "--options", temp.File("options.tsv", "base-held\tarmy\tjnim\n\nunclaimed\tyes\tno\n"), "--out", verdicts);
        var plain = await CliRunner.RunAsync("discover", "--claims", claims, "--out", undeclared);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(0, plain.ExitCode);
        var lines = Rows(verdicts);
        Assert.Equal(["base-held", "road"], lines.Select(f => f[0]));
        // One source of the prior's reliability: as likely as that, where jnim is declared; certain otherwise.
        Assert.Equal("army", lines[0][1]);
        Assert.InRange(double.Parse(lines[0][2], System.Globalization.CultureInfo.InvariantCulture), 0.6, 0.9);
        Assert.Equal(["road", "open", "1"], lines[1]);
        Assert.Equal(["base-held", "army", "1"], Rows(undeclared)[0]);
    }

    [Fact]
    public async Task A_later_claim_in_the_time_column_supersedes_what_the_source_said_before()
    {
        using var temp = new TempFolder();
        var options = temp.File("options.tsv", "base-held\tarmy\tjnim\n");
        var changedMind = temp.File("changed.tsv",
            "army\tbase-held\tarmy\t2023-09-28T08:00:00Z\narmy\tbase-held\tjnim\t2023-10-01T12:00:00Z\nwire\tbase-held\tarmy\t2023-09-28T09:00:00Z\n");
        var untimed = temp.File("untimed.tsv", "army\tbase-held\tarmy\narmy\tbase-held\tjnim\nwire\tbase-held\tarmy\n");
        var (timedOut, untimedOut) = (temp.File("timed-verdicts.tsv"), temp.File("untimed-verdicts.tsv"));

        var timedRun = await CliRunner.RunAsync("discover", "--claims", changedMind, "--options", options, "--out", timedOut);
        var untimedRun = await CliRunner.RunAsync("discover", "--claims", untimed, "--options", options, "--out", untimedOut);

        Assert.Equal(0, timedRun.ExitCode);
        Assert.Equal(0, untimedRun.ExitCode);
        // The army now says jnim took the base, the wire still says the army held it: a tie. Without
        // times the army backs both, and the wire's side wins.
        Assert.Equal(["base-held", "army", "0.5"], Rows(timedOut)[0]);
        Assert.Equal("army", Rows(untimedOut)[0][1]);
        Assert.InRange(double.Parse(Rows(untimedOut)[0][2], System.Globalization.CultureInfo.InvariantCulture), 0.6, 1.0);
    }

    [Theory]
    [InlineData("base-held\tarmy\n", "options.tsv:1: expected an object and at least two options")]
    [InlineData("base-held\tarmy\tarmy\n", "options.tsv:1: option 'army' is listed twice")]
    [InlineData("base-held\tarmy\tjnim\nbase-held\tarmy\tjnim\n", "options.tsv:2: object 'base-held' already declared its options on line 1")]
    public async Task A_malformed_options_line_fails_with_its_place(string content, string message)
    {
        using var temp = new TempFolder();
        var claims = temp.File("claims.tsv", "army\tbase-held\tarmy\n");

        var run = await CliRunner.RunAsync("discover", "--claims", claims, "--options", temp.File("options.tsv", content), "--out", temp.File("out.tsv"));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(message, run.Error);
        Assert.False(File.Exists(temp.File("out.tsv")));
    }

    [Theory]
    [InlineData("army\tbase-held\tarmy\nthis line has no tabs\n", "claims.tsv:2: expected 3 or 4 tab-separated fields")]
    [InlineData("army\tbase-held\tarmy\tyesterday\n", "claims.tsv:1: 'yesterday' is not an ISO-8601 time")]
    [InlineData("army\t\tarmy\n", "claims.tsv:1: a field is empty")]
    public async Task A_malformed_line_fails_with_its_place_and_no_stack_trace(string content, string message)
    {
        using var temp = new TempFolder();
        var claims = temp.File("claims.tsv", content);

        var run = await CliRunner.RunAsync("discover", "--claims", claims, "--out", temp.File("out.tsv"));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(message, run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task A_missing_file_fails_with_a_clear_message()
    {
        using var temp = new TempFolder();

        var run = await CliRunner.RunAsync("discover", "--claims", temp.File("absent.tsv"), "--out", temp.File("out.tsv"));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("absent.tsv: file not found", run.Error);
        Assert.False(File.Exists(temp.File("out.tsv")));
    }

    [Fact]
    public async Task Missing_required_options_fail()
    {
        var run = await CliRunner.RunAsync("discover");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--claims", run.Error);
    }

    [Fact]
    public void Benchmark_reports_every_canonical_dataset_with_its_reference()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("tiny.claims.tsv"), "a\to1\tx\nb\to1\tx\nc\to1\ty\na\to2\tz\n");
        File.WriteAllText(temp.File("tiny.gold.tsv"), "o1\tx\no2\tw\n");
        File.WriteAllText(temp.File("nogold.claims.tsv"), "a\to1\tx\n");

        var report = new TruthBenchmark().Run(temp.Path);

        var tiny = Assert.Single(report.Datasets);
        Assert.Equal("tiny", tiny.Dataset);
        Assert.Equal(4, tiny.Claims);
        Assert.Equal(2, tiny.GoldObjects);
        Assert.Equal(0.5, tiny.Accuracy);
        Assert.Null(tiny.Reference);
        Assert.Empty(report.HalfResolved);
    }

    private static List<string[]> Rows(string path) => [.. File.ReadAllLines(path).Select(l => l.Split('\t'))];
}
