using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

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
    public async Task A_recorded_claim_is_rebuilt_from_the_streams_after_the_service_restarts()
    {
        string connectionString;
        string adminKey;
        await using (var first = await ReliabilityApiFactory.StartAsync("restart"))
        {
            connectionString = first.ConnectionString;
            adminKey = first.AdminKey;
            using var client = first.CreateAdminClient();
            var recorded = await client.PostAsJsonAsync("/v1/claims", new
            {
                claims = new[]
                {
                    new
                    {
                        id = "restart-1",
                        handle = new { platform = "x", handle = "war_noir" },
                        proposition = new { question = "Who took the base?", options = new[] { "army", "JNIM" } },
                        option = "JNIM",
                        publishedAt = "2023-09-28T14:00:00Z",
                        text = "JNIM took the base 🇲🇱 سيطرت",
                    },
                },
            });
            recorded.EnsureSuccessStatusCode();
        }

        // A new host on the same database: the grains are activated afresh and rebuilt from Marten.
        await using var second = new ReliabilityApiFactory(connectionString);
        second.Start();
        using var again = second.CreateClient(adminKey);
        var claim = await again.GetFromJsonAsync<JsonElement>("/v1/claims/restart-1");
        var source = await again.GetFromJsonAsync<JsonElement>("/v1/sources/x-war_noir");

        Assert.Equal("JNIM took the base 🇲🇱 سيطرت", claim.GetProperty("text").GetString());
        Assert.Equal(1, source.GetProperty("claimCount").GetInt32());
    }

    [Fact]
    public async Task The_openapi_document_lists_the_endpoints()
    {
        await using var api = await ReliabilityApiFactory.StartAsync("openapi");
        using var client = api.CreateClient();

        var document = await client.GetStringAsync("/openapi/v1.json");

        Assert.Contains("/v1/claims", document);
        Assert.Contains("/v1/lookup", document);
    }
}
