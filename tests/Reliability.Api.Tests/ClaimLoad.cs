using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Reliability.Api.Tests;

/// <summary>
/// Ingest load as newsroom tools send it: writers post batches of claims about a handful of sources
/// through a <see cref="Balancer"/>. A batch is sent again (same ids, so idempotent) until it is
/// acknowledged; every answer that is neither an acknowledgement, a 503 with Retry-After nor a
/// refused connection is recorded as a failure.
/// </summary>
public sealed class ClaimLoad(Balancer balancer, string prefix)
{
    public const int Sources = 12;
    private const int BatchSize = 5;
    private static readonly TimeSpan BatchDeadline = TimeSpan.FromSeconds(120);

    private readonly ConcurrentDictionary<string, string> _acknowledged = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private int _unavailable;
    private int _refused;

    /// <summary>Claim id → source id of every claim the API acknowledged (accepted or duplicate).</summary>
    public IReadOnlyDictionary<string, string> Acknowledged => _acknowledged;

    public IReadOnlyCollection<string> Failures => _failures;

    public int Unavailable => _unavailable;

    public int Refused => _refused;

    public int Count => _acknowledged.Count;

    public Task RunAsync(int writers, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteAsync(w, stop), CancellationToken.None)));

    private async Task WriteAsync(int writer, CancellationToken stop)
    {
        for (var batch = 0; !stop.IsCancellationRequested; batch++)
        {
            var claims = Enumerable.Range(0, BatchSize).Select(i => Claim(writer, batch, i)).ToList();
            await SendUntilAcknowledgedAsync(writer, new { claims });
        }
    }

    private object Claim(int writer, int batch, int item) => new
    {
        id = $"{prefix}-w{writer}-b{batch}-i{item}",
        handle = new { platform = "x", handle = $"{prefix}_s{(batch + item) % Sources}" },
        proposition = new { question = $"Who holds position {(writer + batch + item) % 4} ({prefix})?", options = new[] { "army", "rebels" } },
        option = item % 2 == 0 ? "army" : "rebels",
        publishedAt = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(batch).ToString("O", CultureInfo.InvariantCulture),
        url = $"https://x.com/{prefix}_s{(batch + item) % Sources}/status/{writer}{batch:D5}{item}",
    };

    private async Task SendUntilAcknowledgedAsync(int writer, object body)
    {
        var started = DateTimeOffset.UtcNow;
        while (DateTimeOffset.UtcNow - started < BatchDeadline)
        {
            var (node, client) = balancer.Pick(writer);
            try
            {
                using var response = await client.PostAsJsonAsync("/v1/claims", body);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    await AcknowledgeAsync(response);
                    return;
                }

                if (response.StatusCode == HttpStatusCode.ServiceUnavailable
                    && response.Headers.RetryAfter is not null
                    && response.Content.Headers.ContentType?.MediaType == "application/problem+json")
                {
                    Interlocked.Increment(ref _unavailable);
                }
                else
                {
                    _failures.Enqueue($"{(int)response.StatusCode} from node {node}: {await response.Content.ReadAsStringAsync()}");
                }
            }
            catch (HttpRequestException refused) when (Balancer.IsConnectionRefused(refused))
            {
                Interlocked.Increment(ref _refused);
                balancer.MarkDown(node);
                continue;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                _failures.Enqueue($"{exception.GetType().Name} from node {node}: {exception.Message}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300));
        }

        _failures.Enqueue($"A batch of writer {writer} was not acknowledged within {BatchDeadline}.");
    }

    private async Task AcknowledgeAsync(HttpResponseMessage response)
    {
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        foreach (var item in result.GetProperty("items").EnumerateArray())
        {
            var status = item.GetProperty("status").GetString();
            if (status is "accepted" or "duplicate")
            {
                _acknowledged[item.GetProperty("id").GetString()!] = item.GetProperty("sourceId").GetString()!;
            }
            else
            {
                _failures.Enqueue($"Claim {item.GetProperty("id").GetString()} was {status}: {item}");
            }
        }
    }

    /// <summary>Waits (bounded) until at least <paramref name="count"/> claims are acknowledged.</summary>
    public async Task WaitForAsync(int count, TimeSpan limit, string what)
    {
        var started = DateTimeOffset.UtcNow;
        while (Count < count)
        {
            Assert.True(DateTimeOffset.UtcNow - started < limit,
                $"Only {Count} of {count} claims acknowledged {what} within {limit}; failures: {string.Join("\n", Failures.Take(10))}");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Ids of every claim in the store, read from PostgreSQL itself.</summary>
    public async Task<HashSet<string>> StoredClaimIdsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id FROM reliability.mt_doc_claimdocument WHERE id LIKE @prefix", connection);
        command.Parameters.AddWithValue("prefix", prefix + "-%");
        var ids = new HashSet<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>A source's claim history as the API serves it, every page.</summary>
    public static async Task<HashSet<string>> HistoryAsync(HttpClient client, string sourceId)
    {
        var ids = new HashSet<string>();
        string? cursor = null;
        do
        {
            var path = $"/v1/sources/{sourceId}/claims?limit=500" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await client.GetFromJsonAsync<JsonElement>(path);
            foreach (var claim in page.GetProperty("claims").EnumerateArray())
            {
                ids.Add(claim.GetProperty("id").GetString()!);
            }

            cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);
        return ids;
    }

    /// <summary>
    /// Zero lost, nothing extra: the store holds exactly the acknowledged claims, and every source's
    /// history served by <paramref name="client"/> is exactly the claims acknowledged for it
    /// (eventually: a grain that missed a notification catches up from its stream).
    /// </summary>
    /// <param name="connectionString">The database the cluster writes to.</param>
    /// <param name="client">A client of a node that stayed up.</param>
    /// <param name="nodeJustDied">
    /// A node was killed moments ago. Until the cluster declares it dead (seconds later), a source
    /// whose grain it held answers 503, "come back", and is asked again, within the same minute.
    /// </param>
    public async Task AssertRecordMatchesAsync(string connectionString, HttpClient client, bool nodeJustDied = false)
    {
        Assert.DoesNotContain(_failures, f => f.Contains("was not acknowledged", StringComparison.Ordinal));
        var stored = await StoredClaimIdsAsync(connectionString);
        var acknowledged = _acknowledged.Keys.ToHashSet();
        Assert.Empty(acknowledged.Except(stored));
        Assert.Empty(stored.Except(acknowledged));

        foreach (var source in _acknowledged.GroupBy(c => c.Value, c => c.Key))
        {
            var expected = source.ToHashSet();
            var started = DateTimeOffset.UtcNow;
            HashSet<string> history = [];
            var unavailable = 0;
            while (true)
            {
                try
                {
                    if ((history = await HistoryAsync(client, source.Key)).SetEquals(expected))
                    {
                        break;
                    }
                }
                catch (HttpRequestException e) when (nodeJustDied && e.StatusCode is HttpStatusCode.ServiceUnavailable)
                {
                    unavailable++;
                }

                Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(60),
                    $"Source {source.Key}: {expected.Except(history).Count()} acknowledged claims missing from its history, " +
                    $"{history.Except(expected).Count()} extra, {unavailable} answers 503.");
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }
}
