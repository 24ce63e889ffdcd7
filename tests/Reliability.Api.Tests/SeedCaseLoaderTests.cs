using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Reliability.Api.Demo;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Tests;

/// <summary>The seed case on a newcomer's record: loaded whole, even when its first load was cut short.</summary>
public sealed class SeedCaseLoaderTests
{
    private static readonly Dictionary<string, string> LoadSeedCase = new() { ["Reliability:Demo:LoadSeedCase"] = "true" };

    [Fact]
    public async Task A_load_cut_short_goes_on_at_the_next_start_and_records_each_step_once()
    {
        var steps = ScenarioStep.Load(ScenarioStep.SeedCasePath);
        var firstResolution = steps.ToList().FindIndex(s => s.Method == "PUT" && s.Path.EndsWith("/resolution", StringComparison.Ordinal));
        Assert.InRange(firstResolution, 1, steps.Count - 2);
        string connectionString;

        // What a crash leaves: every step up to the first resolution answered, but the progress kept
        // only up to the step before it (the stop fell between the resolution and its progress).
        await using (var cut = await ReliabilityApiFactory.StartAsync("seed-resume"))
        {
            connectionString = cut.ConnectionString;
            using var editor = await cut.CreateClientAsync(ApiKeyRole.Editor);
            foreach (var step in steps.Take(firstResolution + 1))
            {
                await step.SendAsync(editor);
            }

            await using var session = cut.Services.GetRequiredService<IDocumentStore>().LightweightSession();
            session.Store(new SeedCaseProgress { Id = SeedCaseProgress.DocumentId, StepsDone = firstResolution });
            await session.SaveChangesAsync();
        }

        await using var resumed = new ReliabilityApiFactory(connectionString, LoadSeedCase);
        resumed.Start();
        using var client = resumed.CreateAdminClient();

        var progress = await WaitForCompletedAsync(resumed);
        Assert.Equal(steps.Count, progress.StepsDone);
        foreach (var resolution in steps.Where(s => s.Method == "PUT"))
        {
            var revisions = await client.GetFromJsonAsync<JsonElement>(resolution.Path + "s");
            Assert.Equal(1, revisions.GetArrayLength());
        }

        foreach (var claimId in steps.SelectMany(s => s.ClaimIds))
        {
            var watch = await client.GetFromJsonAsync<JsonElement>($"/v1/claims/{claimId}/watch");
            Assert.False(watch.GetProperty("watching").GetBoolean(), $"{claimId} is still watched");
        }

        Assert.Contains($"Going on with the seed case from step {firstResolution} of {steps.Count}", resumed.Logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_with_data_of_its_own_is_left_alone()
    {
        string connectionString;
        await using (var own = await ReliabilityApiFactory.StartAsync("seed-own-data"))
        {
            connectionString = own.ConnectionString;
            using var contributor = await own.CreateClientAsync(ApiKeyRole.Contributor);
            (await contributor.PostAsJsonAsync("/v1/sources", new { id = "desk-source", name = "The desk's own source" })).EnsureSuccessStatusCode();
        }

        await using var started = new ReliabilityApiFactory(connectionString, LoadSeedCase);
        started.Start();
        using var client = started.CreateAdminClient();

        // The loader decides on its first look, once the service has started, and says so.
        for (var attempt = 0; attempt < 300 && !started.Logs.Text.Contains("holds data of its own", StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(100);
        }

        Assert.Contains("The record holds data of its own: the seed case is not loaded", started.Logs.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/sources/fama")).StatusCode);
        await using var session = started.Services.GetRequiredService<IDocumentStore>().QuerySession();
        Assert.Null(await session.LoadAsync<SeedCaseProgress>(SeedCaseProgress.DocumentId));
    }

    private static async Task<SeedCaseProgress> WaitForCompletedAsync(ReliabilityApiFactory api)
    {
        var store = api.Services.GetRequiredService<IDocumentStore>();
        for (var attempt = 0; attempt < 600; attempt++)
        {
            await using var session = store.QuerySession();
            if (await session.LoadAsync<SeedCaseProgress>(SeedCaseProgress.DocumentId) is { Completed: true } progress)
            {
                return progress;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The seed case load did not complete within a minute: " + api.Logs.Text);
    }
}
