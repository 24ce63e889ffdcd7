using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Tests;

/// <summary>
/// The service exports traces, metrics and logs over OTLP when an endpoint is configured: a collector
/// on loopback (plain HTTP, protobuf bodies) receives what one claim's journey produces.
/// </summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private readonly FakeCollector _collector = new();
    private ReliabilityApiFactory _factory = null!;

    public async Task InitializeAsync()
    {
        var endpoint = await _collector.StartAsync();
        _factory = await ReliabilityApiFactory.StartAsync("telemetry", new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            // Export within a second instead of the defaults' 5 s (traces, logs) and 60 s (metrics).
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _collector.DisposeAsync();
    }

    [Fact]
    public async Task A_recorded_claim_reaches_the_collector_as_traces_metrics_and_logs_without_secrets()
    {
        using var editor = await _factory.CreateClientAsync(ApiKeyRole.Editor);
        var recorded = await editor.PostAsJsonAsync("/v1/claims", new
        {
            claims = new[]
            {
                new
                {
                    id = "telemetry-1",
                    handle = new { platform = "x", handle = "telemetry_desk" },
                    proposition = new { question = "Is the bridge open?", options = new[] { "open", "closed" } },
                    option = "open",
                    publishedAt = "2026-11-01T09:00:00Z",
                    text = "The bridge reopened this morning.",
                },
            },
        });
        recorded.EnsureSuccessStatusCode();
        (await editor.GetAsync("/v1/sources/x-telemetry_desk/score")).EnsureSuccessStatusCode();

        // Scope names travel as plain UTF-8 inside the protobuf bodies, so they can be found without decoding.
        // Exports arrive in batches: wait until the claim's own request span has been sent.
        var traces = await _collector.WaitForAsync("/v1/traces", body =>
            body.Contains("/v1/claims", StringComparison.Ordinal)
            && body.Contains("Microsoft.AspNetCore", StringComparison.Ordinal)
            && body.Contains("Npgsql", StringComparison.Ordinal)
            && body.Contains("Microsoft.Orleans", StringComparison.Ordinal));
        Assert.Contains("reliability", traces, StringComparison.Ordinal);

        await _collector.WaitForAsync("/v1/metrics", body => body.Contains("http.server.request.duration", StringComparison.Ordinal));
        await _collector.WaitForAsync("/v1/logs", body => body.Length > 0);

        var everything = _collector.Everything();
        Assert.DoesNotContain(_factory.AdminKey, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(new Npgsql.NpgsqlConnectionStringBuilder(_factory.ConnectionString).Password!, everything, StringComparison.Ordinal);
    }

    /// <summary>An OTLP/HTTP collector that keeps every body it is sent, by path.</summary>
    private sealed class FakeCollector : IAsyncDisposable
    {
        private readonly ConcurrentQueue<(string Path, string Body)> _received = new();
        private WebApplication? _app;

        public async Task<string> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            _app = builder.Build();
            _app.MapPost("/v1/{signal}", async (HttpRequest request) =>
            {
                using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer);
                // Latin-1 maps every byte to one char, so ASCII names stay searchable in binary bodies.
                _received.Enqueue((request.Path.Value!, Encoding.Latin1.GetString(buffer.ToArray())));
                return Results.Ok();
            });
            await _app.StartAsync();
            return _app.Urls.Single();
        }

        public string Everything() => string.Join('\n', _received.Select(r => r.Body));

        public async Task<string> WaitForAsync(string path, Func<string, bool> wanted)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                var bodies = string.Join('\n', _received.Where(r => r.Path == path).Select(r => r.Body));
                if (bodies.Length > 0 && wanted(bodies))
                {
                    return bodies;
                }

                await Task.Delay(200);
            }

            throw new TimeoutException($"The collector received no {path} export matching the expectation; it received: "
                + string.Join(", ", _received.Select(r => $"{r.Path} ({r.Body.Length} bytes)")));
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }
        }
    }
}
