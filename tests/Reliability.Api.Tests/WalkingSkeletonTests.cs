using System.Net;
using System.Net.Http.Json;
using Reliability.Contracts.Probe;

namespace Reliability.Api.Tests;

public sealed class WalkingSkeletonTests
{
    [Fact]
    public async Task Live_and_ready_answer_when_the_database_is_up()
    {
        await using var api = await ReliabilityApiFactory.StartAsync("health");
        using var client = api.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_recorded_event_is_read_back_from_its_stream_after_the_service_restarts()
    {
        string connectionString;
        string firstKey;
        await using (var first = await ReliabilityApiFactory.StartAsync("skeleton"))
        {
            connectionString = first.ConnectionString;
            firstKey = first.AdminKey;
            using var client = first.CreateAdminClient();
            var recorded = await client.PostAsJsonAsync("/v1/probes/seed/notes", new { note = "JNIM took the base 🇲🇱 سيطرت" });
            recorded.EnsureSuccessStatusCode();
            await client.PostAsJsonAsync("/v1/probes/seed/notes", new { note = "second" });
        }

        // A new host on the same database: the grain is activated afresh and rebuilt from Marten.
        await using var second = new ReliabilityApiFactory(connectionString);
        second.Start();
        using var again = second.CreateClient(firstKey);
        var state = await again.GetFromJsonAsync<ProbeState>("/v1/probes/seed");

        Assert.NotNull(state);
        Assert.Equal(2, state.Version);
        Assert.Equal(["JNIM took the base 🇲🇱 سيطرت", "second"], state.Notes);
    }

    [Fact]
    public async Task A_missing_note_is_a_validation_problem_and_stores_nothing()
    {
        await using var api = await ReliabilityApiFactory.StartAsync("badnote");
        using var client = api.CreateAdminClient();

        var response = await client.PostAsJsonAsync("/v1/probes/empty/notes", new { note = " " });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var state = await client.GetFromJsonAsync<ProbeState>("/v1/probes/empty");
        Assert.Equal(0, state!.Version);
    }

    [Fact]
    public async Task The_openapi_document_lists_the_endpoints()
    {
        await using var api = await ReliabilityApiFactory.StartAsync("openapi");
        using var client = api.CreateClient();

        var document = await client.GetStringAsync("/openapi/v1.json");

        Assert.Contains("/v1/probes/{id}/notes", document);
    }
}
