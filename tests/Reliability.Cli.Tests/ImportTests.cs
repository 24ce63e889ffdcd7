using System.Net;
using System.Text;
using System.Text.Json;
using Reliability.Cli.Commands;
using Reliability.Testing;

namespace Reliability.Cli.Tests;

/// <summary>Batched imports resume from their checkpoint after an interruption.</summary>
public sealed class ImportTests : IDisposable
{
    private readonly TemporaryFolder _folder = new("cli-import");

    public ImportTests() => Directory.CreateDirectory(_folder.Path);

    public void Dispose() => _folder.Dispose();

    /// <summary>Plays the service: records every claim id it is sent, and fails the requests it is told to.</summary>
    private sealed class FakeService(params int[] failingRequests) : HttpMessageHandler
    {
        private int _requests;

        public List<string> Received { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _requests++;
            if (failingRequests.Contains(_requests))
            {
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
                {
                    Content = new StringContent("{\"title\":\"Unavailable\",\"status\":503}", Encoding.UTF8, "application/problem+json"),
                };
            }

            var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken)).RootElement;
            var ids = body.GetProperty("claims").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
            Received.AddRange(ids);
            var answer = JsonSerializer.Serialize(new { accepted = ids.Count, duplicates = 0, rejected = 0, items = ids.Select(id => new { id, status = "accepted" }) });
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer, Encoding.UTF8, "application/json") };
        }
    }

    private string ClaimsFile(int count)
    {
        var path = Path.Combine(_folder.Path, "claims.jsonl");
        File.WriteAllLines(path, Enumerable.Range(1, count).Select(i => JsonSerializer.Serialize(new { id = $"c{i}", sourceId = "s", propositionId = "p", option = "a" })));
        return path;
    }

    private static Task<ImportSummary> ImportAsync(HttpMessageHandler service, string path) =>
        new BatchImporter(new HttpClient(service) { BaseAddress = new Uri("http://service.invalid") }).ImportAsync(
            path, [.. File.ReadAllLines(path)], "/v1/claims", batch => $"{{\"claims\":[{string.Join(',', batch)}]}}", 3, _ => { }, CancellationToken.None);

    [Fact]
    public async Task An_interrupted_import_resumes_after_the_last_acknowledged_batch()
    {
        var path = ClaimsFile(8);
        var first = new FakeService(failingRequests: 2);

        var failure = await Assert.ThrowsAsync<CommandFailedException>(() => ImportAsync(first, path));
        Assert.Contains("503", failure.Message);
        Assert.Equal(["c1", "c2", "c3"], first.Received);
        Assert.Equal("3", File.ReadAllText(BatchImporter.ProgressFileOf(path)));

        var second = new FakeService();
        var summary = await ImportAsync(second, path);

        Assert.Equal(["c4", "c5", "c6", "c7", "c8"], second.Received);
        Assert.Equal(3, summary.Resumed);
        Assert.Equal(5, summary.Accepted);
        Assert.False(File.Exists(BatchImporter.ProgressFileOf(path)));
    }

    [Fact]
    public async Task A_line_that_is_not_json_stops_the_import_before_anything_is_sent()
    {
        var path = Path.Combine(_folder.Path, "bad.jsonl");
        File.WriteAllLines(path, ["{\"id\":\"c1\"}", "{not json"]);

        var result = await CliRunner.RunAsync("import", "claims", path, "--api", "http://127.0.0.1:1", "--key", "k");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(":2:", result.Error);
        Assert.False(File.Exists(BatchImporter.ProgressFileOf(path)));
    }
    [Fact]
    public async Task Outside_ratings_go_to_the_ratings_import_and_its_answer_is_reported()
    {
        var path = Path.Combine(_folder.Path, "ratings.jsonl");
        File.WriteAllLines(path,
        [
            JsonSerializer.Serialize(new { handle = new { platform = "web", handle = "tabloid.example" }, rater = "wikipedia-rsp", rating = "Deprecated" }),
            "",
            JsonSerializer.Serialize(new { sourceId = "wire", rater = "mbfc", rating = "High" }),
            JsonSerializer.Serialize(new { sourceId = "nobody", rater = "mbfc", rating = "Low" }),
        ]);
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var service = new HttpListener();
        service.Prefixes.Add($"http://127.0.0.1:{port}/");
        service.Start();
        var answered = Task.Run(async () =>
        {
            var context = await service.GetContextAsync();
            using var reader = new StreamReader(context.Request.InputStream);
            var body = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
            var answer = JsonSerializer.SerializeToUtf8Bytes(new
            {
                accepted = 2, duplicates = 0, rejected = 1,
                items = new object[]
                {
                    new { id = "wikipedia-rsp@web:tabloid.example", status = "accepted" },
                    new { id = "mbfc@wire", status = "accepted" },
                    new { id = "mbfc@nobody", status = "rejected", problem = new { title = "The rating is not valid", status = 400, errors = new { sourceId = new[] { "No source 'nobody'." } } } },
                },
            });
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
            return (context.Request.Url!.AbsolutePath, context.Request.Headers["Authorization"], body);
        });

        var result = await CliRunner.RunAsync("import", "ratings", path, "--api", $"http://127.0.0.1:{port}", "--key", "k");
        var (requestPath, authorization, sent) = await answered;

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("/v1/import/external-ratings", requestPath);
        Assert.Equal("Bearer k", authorization);
        Assert.Equal(["wikipedia-rsp", "mbfc", "mbfc"], sent.GetProperty("ratings").EnumerateArray().Select(r => r.GetProperty("rater").GetString()));
        Assert.Contains("2 accepted, 0 duplicates, 1 rejected", result.Output);
        Assert.Contains("rejected mbfc@nobody: {\"sourceId\"", result.Output);
        Assert.False(File.Exists(BatchImporter.ProgressFileOf(path)));
    }
}
