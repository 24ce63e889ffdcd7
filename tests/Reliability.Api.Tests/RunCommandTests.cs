using System.Net;
using System.Net.Http.Json;
using Reliability.Testing;
using Reliability.Contracts.Probe;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Tests;

/// <summary>The run command's promise: no database configured, the service embeds one and keeps its data.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly TemporaryFolder _folder = new("run");

    private string DataDirectory => _folder.Path;

    [Fact]
    public async Task With_no_connection_string_the_service_embeds_postgres_and_its_data_survives_a_restart()
    {
        var dataOption = $"--Reliability:DataDirectory={DataDirectory}";
        var adminKey = ApiKeySecret.Generate();
        var keyOption = $"--Reliability:BootstrapAdminKey={adminKey}";
        await using (var first = await ServiceProcess.StartAsync(dataOption, keyOption))
        {
            using var client = new HttpClient { BaseAddress = first.Address };
            client.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
            (await client.PostAsJsonAsync("/v1/probes/restart/notes", new { note = "kept across restarts" })).EnsureSuccessStatusCode();
            Assert.Contains(DataDirectory, first.Output);
            await first.StopAsync();
        }

        // A graceful stop also stops the embedded server.
        Assert.False(File.Exists(Path.Combine(DataDirectory, "postgres", "postmaster.pid")));

        await using var second = await ServiceProcess.StartAsync(dataOption, keyOption);
        using var again = new HttpClient { BaseAddress = second.Address };
        again.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);
        var state = await again.GetFromJsonAsync<ProbeState>("/v1/probes/restart");
        Assert.Equal(["kept across restarts"], state!.Notes);
    }

    public void Dispose() => _folder.Dispose();
}
