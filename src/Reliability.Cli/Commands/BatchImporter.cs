using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Reliability.Cli.Commands;

/// <summary>What an import sent: items done before this run (resumed), now, and what the service said of them.</summary>
public sealed record ImportSummary(int Resumed, int Sent, int Accepted, int Duplicates, int Rejected, IReadOnlyList<string> Rejections);

/// <summary>
/// Posts items to the service in batches and records after each acknowledged batch how many items
/// are done in <c>FILE.progress</c>, so an interrupted import resumes where it stopped. The service
/// is idempotent, so a batch resent after a crash between its answer and the checkpoint is harmless.
/// </summary>
public sealed class BatchImporter(HttpClient client)
{
    public static string ProgressFileOf(string path) => path + ".progress";

    public static int Resumed(string path) =>
        File.Exists(ProgressFileOf(path)) && int.TryParse(File.ReadAllText(ProgressFileOf(path)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var done)
            ? done
            : 0;

    /// <param name="path">The file imported; its checkpoint is beside it.</param>
    /// <param name="items">Every item of the file, as raw JSON; a null item (a blank line) counts as done.</param>
    /// <param name="endpoint">Where batches are posted.</param>
    /// <param name="body">The request body for a batch of items.</param>
    /// <param name="batchSize">Items per request.</param>
    /// <param name="advance">Told how many more items are done, for a progress bar.</param>
    /// <param name="cancellationToken">Stops between batches; the checkpoint stays.</param>
    public async Task<ImportSummary> ImportAsync(
        string path, IReadOnlyList<string?> items, string endpoint, Func<IReadOnlyList<string>, string> body, int batchSize,
        Action<int> advance, CancellationToken cancellationToken)
    {
        var resumed = Math.Min(Resumed(path), items.Count);
        var (sent, accepted, duplicates, rejected) = (0, 0, 0, 0);
        var rejections = new List<string>();
        for (var done = resumed; done < items.Count;)
        {
            var count = Math.Min(batchSize, items.Count - done);
            var batch = items.Skip(done).Take(count).OfType<string>().ToList();
            if (batch.Count > 0)
            {
                using var response = await client.PostAsync(endpoint, new StringContent(body(batch), Encoding.UTF8, "application/json"), cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    throw await ApiConnection.FailureAsync(response, cancellationToken);
                }

                var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement;
                accepted += Count(result, "accepted", "imported");
                duplicates += Count(result, "duplicates");
                rejected += Count(result, "rejected");
                rejections.AddRange(Rejections(result));
                sent += batch.Count;
            }

            done += count;
            await CheckpointAsync(path, done, cancellationToken);
            advance(count);
        }

        File.Delete(ProgressFileOf(path));
        return new ImportSummary(resumed, sent, accepted, duplicates, rejected, rejections);
    }

    /// <summary>Written aside and moved into place, so a crash mid-write leaves the previous checkpoint.</summary>
    private static async Task CheckpointAsync(string path, int done, CancellationToken cancellationToken)
    {
        var progress = ProgressFileOf(path);
        await File.WriteAllTextAsync(progress + ".tmp", done.ToString(CultureInfo.InvariantCulture), cancellationToken);
        File.Move(progress + ".tmp", progress, overwrite: true);
    }

    private static int Count(JsonElement result, params string[] names) =>
        names.Select(n => result.TryGetProperty(n, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : 0).Sum();

    private static IEnumerable<string> Rejections(JsonElement result)
    {
        var list = result.TryGetProperty("items", out var items) ? items : result.TryGetProperty("reviews", out var reviews) ? reviews : default;
        if (list.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return list.EnumerateArray()
            .Where(i => i.TryGetProperty("status", out var status) && status.GetString() == "rejected")
            .Select(i => $"{(i.TryGetProperty("id", out var id) ? id : i.GetProperty("reviewId")).GetString()}: " +
                (i.TryGetProperty("problem", out var problem) && problem.ValueKind == JsonValueKind.Object ? problem.GetProperty("errors") : i.GetProperty("errors")).GetRawText());
    }
}
