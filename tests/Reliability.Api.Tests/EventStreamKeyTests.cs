using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Reliability.Api.Tests;

/// <summary>An open event stream checks its key again as it runs: a revoked key's stream ends, a valid key's goes on.</summary>
public sealed class EventStreamKeyTests(EventStreamKeyTests.Api api) : IClassFixture<EventStreamKeyTests.Api>
{
    /// <summary>A service whose streams check their keys every quarter second, so several checks pass quickly.</summary>
    public sealed class Api : IAsyncLifetime
    {
        public ReliabilityApiFactory Factory { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Factory = await ReliabilityApiFactory.StartAsync("events-keys", new Dictionary<string, string>
            {
                ["Reliability:Events:KeyCheckInterval"] = "00:00:00.250",
                // Each check that finds the key still valid is logged at Debug: the test counts them.
                ["Logging:LogLevel:Reliability.Api.Apis.EventsApi"] = "Debug",
            });

        public async Task DisposeAsync() => await Factory.DisposeAsync();
    }

    private async Task<(string Id, string Secret)> CreateReaderKeyAsync()
    {
        using var admin = api.Factory.CreateAdminClient();
        var response = await admin.PostAsJsonAsync("/v1/keys", new { name = "stream reader", role = "reader" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetString()!, created.GetProperty("key").GetString()!);
    }

    private static async Task<StreamReader> SubscribeAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var response = await client.GetAsync("/v1/events", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        Assert.Equal(": subscribed", await reader.ReadLineAsync(cancellationToken));
        return reader;
    }

    private int ChecksOf(string keyId) =>
        api.Factory.Logs.Text.Split('\n').Count(line => line.Contains($"Event stream of API key {keyId}: the key still allows the stream", StringComparison.Ordinal));

    [Fact]
    public async Task A_stream_ends_once_its_key_is_revoked_and_the_key_cannot_open_another()
    {
        var (keyId, secret) = await CreateReaderKeyAsync();
        // A guard against a hang, not a timing assertion: without the check the stream never ends.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var subscriber = api.Factory.CreateClient(secret);
        using var reader = await SubscribeAsync(subscriber, guard.Token);

        using var admin = api.Factory.CreateAdminClient();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/keys/{keyId}", guard.Token)).StatusCode);

        var lines = new List<string>();
        while (await reader.ReadLineAsync(guard.Token) is { } line)
        {
            lines.Add(line);
        }

        // Only comments came after the revocation: no event reached the revoked key.
        Assert.All(lines, line => Assert.True(line.Length == 0 || line.StartsWith(':'), line));
        Assert.Contains(": the API key was revoked", lines);
        using var again = await subscriber.GetAsync("/v1/events", HttpCompletionOption.ResponseHeadersRead, guard.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    [Fact]
    public async Task A_stream_whose_key_stays_valid_goes_on_past_several_checks_and_still_hears_the_record()
    {
        var (keyId, secret) = await CreateReaderKeyAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var subscriber = api.Factory.CreateClient(secret);
        using var reader = await SubscribeAsync(subscriber, guard.Token);

        while (ChecksOf(keyId) < 4)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), guard.Token);
        }

        var claimId = $"kept-{Guid.NewGuid():N}"[..24];
        using var admin = api.Factory.CreateAdminClient();
        var posted = await admin.PostAsJsonAsync("/v1/claims", new
        {
            claims = new[]
            {
                new
                {
                    id = claimId,
                    handle = new { platform = "x", handle = $"kept_{Guid.NewGuid():N}"[..20] },
                    proposition = new { question = "Who held the base? " + Guid.NewGuid(), options = new[] { "army", "JNIM" } },
                    option = "army",
                    publishedAt = "2023-09-28T10:00:00Z",
                },
            },
        }, guard.Token);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

        string? type = null;
        while (await reader.ReadLineAsync(guard.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (type == "claims" && line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains(claimId, StringComparison.Ordinal))
            {
                return;
            }
        }

        Assert.Fail("The stream of a valid key ended.");
    }
}
