using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Reliability.Cli.Commands;

/// <summary>
/// `reliability import claims|claimreview|ratings FILE`: posts a file to the running service in batches,
/// with a progress bar, resuming after an interruption from FILE.progress.
/// </summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var command = new Command("import", "Import a file into the running service.");
        command.Subcommands.Add(Subcommand(
            "claims", "Claims as JSON Lines: one API claim object (as POST /v1/claims takes it) a line.",
            "/v1/claims", 500, ReadLines, batch => $"{{\"claims\":[{string.Join(',', batch)}]}}"));
        command.Subcommands.Add(Subcommand(
            "claimreview", "schema.org ClaimReview JSON-LD: one object, an array, or one object a line (editor key).",
            "/v1/import/claimreview", 100, ReadReviews, batch => $"[{string.Join(',', batch)}]"));
        command.Subcommands.Add(Subcommand(
            "ratings", "Outside ratings as JSON Lines: one object a line, {handle: {platform, handle} | sourceId, name?, kind?, rater, rating, url?, at?} (an unknown handle registers its source).",
            "/v1/import/external-ratings", 100, ReadLines, batch => $"{{\"ratings\":[{string.Join(',', batch)}]}}"));
        return command;
    }

    private static Command Subcommand(
        string name, string description, string endpoint, int defaultBatch, Func<string, List<string?>> read, Func<IReadOnlyList<string>, string> body)
    {
        var file = new Argument<FileInfo>("file") { Description = "The file to import." };
        var batchSize = new Option<int>("--batch") { Description = "Items per request.", DefaultValueFactory = _ => defaultBatch };
        var api = new ApiConnection();
        var command = new Command(name, description) { file, batchSize };
        api.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.GuardAsync(parse, async () =>
        {
            var path = parse.GetRequiredValue(file).FullName;
            var size = parse.GetValue(batchSize);
            if (size is < 1 or > 1_000)
            {
                throw new CommandFailedException("--batch must be between 1 and 1000.");
            }

            var items = read(path);
            using var client = api.Client(parse);
            var importer = new BatchImporter(client);
            ImportSummary? summary = null;
            await AnsiConsole.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask(Path.GetFileName(path), maxValue: Math.Max(1, items.Count));
                task.Value = Math.Min(BatchImporter.Resumed(path), items.Count);
                summary = await importer.ImportAsync(path, items, endpoint, body, size, done => task.Increment(done), cancellationToken);
            });
            await Report(parse.InvocationConfiguration.Output, summary!);
        }));
        return command;
    }

    private static async Task Report(TextWriter output, ImportSummary summary)
    {
        await output.WriteLineAsync(
            $"sent {summary.Sent} (resumed after {summary.Resumed}): {summary.Accepted} accepted, {summary.Duplicates} duplicates, {summary.Rejected} rejected");
        foreach (var rejection in summary.Rejections)
        {
            await output.WriteLineAsync("rejected " + rejection);
        }
    }

    /// <summary>Each line must be JSON before anything is sent: a bad line names its number.</summary>
    private static List<string?> ReadLines(string path)
    {
        var lines = File.ReadAllLines(path);
        var items = new List<string?>(lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                items.Add(null);
                continue;
            }

            try
            {
                using var _ = JsonDocument.Parse(lines[i]);
            }
            catch (JsonException e)
            {
                throw new CommandFailedException($"{path}:{i + 1}: not JSON ({e.Message})");
            }

            items.Add(lines[i]);
        }

        return items;
    }

    private static List<string?> ReadReviews(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return ReadLines(path);
        }

        using (document)
        {
            return document.RootElement.ValueKind == JsonValueKind.Array
                ? [.. document.RootElement.EnumerateArray().Select(e => e.GetRawText())]
                : [document.RootElement.GetRawText()];
        }
    }
}
