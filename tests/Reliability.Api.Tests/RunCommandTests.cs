using System.Net;
using System.Net.Http.Json;
using Reliability.Testing;
using System.Text.Json;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Tests;

/// <summary>The run command's promise: no database configured, the service embeds one and keeps its data.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly TemporaryFolder _folder = new("run");

    // Where the command is typed: not the service's own folder, which holds its appsettings.json.
    private readonly TemporaryFolder _workingDirectory = new("run-cwd");

    private string DataDirectory => _folder.Path;

    [Fact]
    public async Task With_no_connection_string_the_service_embeds_postgres_and_its_data_survives_a_restart()
    {
        Directory.CreateDirectory(_workingDirectory.Path);
        var dataOption = $"--Reliability:DataDirectory={DataDirectory}";
        var adminKey = ApiKeySecret.Generate();
        var keyOption = $"--Reliability:BootstrapAdminKey={adminKey}";
        await using (var first = await ServiceProcess.StartFromAsync(_workingDirectory.Path, dataOption, keyOption))
        {
            using var client = new HttpClient { BaseAddress = first.Address };
            client.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
            // The embedded record starts with the seed case, loaded through the API once it listens.
            await WaitForAsync(client, "/v1/sources/fama");
            // Its post URLs are illustrations: once loaded, none of them is watched for deletion.
            await WaitForAsync(client, "/v1/claims/war-noir-base/watch", watch => !watch.GetProperty("watching").GetBoolean());
            (await client.PostAsJsonAsync("/v1/propositions", new { id = "kept", question = "Kept across restarts?", options = new[] { "yes", "no" } }))
                .EnsureSuccessStatusCode();
            Assert.Contains(DataDirectory, first.Output);
            // The service's appsettings.json applies wherever it was started from: it keeps ASP.NET
            // Core's per-request lines (information level) out of the log.
            Assert.DoesNotContain("Microsoft.AspNetCore.Hosting.Diagnostics", first.Output, StringComparison.Ordinal);
            // Nor two lines from Polly for every grain Orleans places (its placement runs through a
            // resilience pipeline that reports each execution at information level); retries still show.
            Assert.DoesNotContain("info: Polly", first.Output, StringComparison.Ordinal);
            await first.StopAsync();
        }

        // A graceful stop also stops the embedded server.
        Assert.False(File.Exists(Path.Combine(DataDirectory, "postgres", "postmaster.pid")));

        await using var second = await ServiceProcess.StartAsync(dataOption, keyOption);
        using var again = new HttpClient { BaseAddress = second.Address };
        again.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);
        var kept = await again.GetFromJsonAsync<JsonElement>("/v1/propositions/kept");
        Assert.Equal("Kept across restarts?", kept.GetProperty("question").GetString());
        // Loaded once: a restart of a record that has data does not load the seed case again.
        var sources = await again.GetFromJsonAsync<JsonElement>("/v1/sources?query=FAMa");
        Assert.Equal(1, sources.GetArrayLength());
    }

    private static async Task WaitForAsync(HttpClient client, string path, Func<JsonElement, bool>? holds = null)
    {
        // Bounded: the loader needs a few seconds after start; a broken loader fails the test.
        for (var attempt = 0; attempt < 120; attempt++)
        {
            using var response = await client.GetAsync(path);
            if (response.StatusCode == HttpStatusCode.OK && (holds is null || holds(await response.Content.ReadFromJsonAsync<JsonElement>())))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        Assert.Fail($"{path} never appeared as expected: the seed case was not loaded.");
    }

    public void Dispose()
    {
        _folder.Dispose();
        _workingDirectory.Dispose();
    }
}
