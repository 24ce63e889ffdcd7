using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Reliability.Testing;

namespace Reliability.Api.Tests;

/// <summary>Two service processes, each with its own read cache: a write through one shows on the other at once.</summary>
[Collection(ClusterFaults.Name)]
public sealed class ClusterReadCacheTests
{
    [Fact]
    public async Task A_correction_and_a_further_claim_through_one_node_show_at_once_in_the_other_nodes_lookups()
    {
        var database = await TestDatabase.CreateAsync("notices");
        // Kept answers would be served ten minutes: only the first node's notice can end them sooner.
        await using var cluster = await ServiceCluster.StartAsync(database, 2,
            "--Reliability:ReadCache:Lifetime=00:10:00", "--Reliability:ReadCache:LifetimeWithoutNotices=00:10:00");
        using var writer = cluster.ClientFor(cluster.Nodes[0]);
        using var reader = cluster.ClientFor(cluster.Nodes[1]);
        const string Post = "https://x.com/timbuktu_army/status/4242";
        var question = $"Who holds the camp? {Guid.NewGuid():N}";

        await PostClaimAsync(writer, "army-claim", "timbuktu_army", question, "the army", Post);
        Assert.Equal("open", await StatusOnReaderAsync());
        Assert.Equal("open", await StatusOnReaderAsync());

        var deleted = await writer.PostAsJsonAsync("/v1/claims/army-claim/corrections",
            new { kind = "deleted", at = "2023-09-29T10:00:00Z" });
        deleted.EnsureSuccessStatusCode();
        var since = Stopwatch.StartNew();
        while (await StatusOnReaderAsync() != "deleted")
        {
            Assert.True(since.Elapsed < TimeSpan.FromSeconds(10), "The other node kept serving the claim as standing.");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        // The same post read for a second question. The other node remembers a URL's claims for ten
        // minutes whatever the truth estimate does: only the notice tells it of this one.
        await PostClaimAsync(writer, "second-claim", "timbuktu_army", question + " And the airstrip?", "the army", Post);
        since.Restart();
        while ((await LookupOnReaderAsync()).GetProperty("claims").GetArrayLength() != 2)
        {
            Assert.True(since.Elapsed < TimeSpan.FromSeconds(10), "The other node never showed the second claim at the URL.");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        async Task<string?> StatusOnReaderAsync() => (await LookupOnReaderAsync()).GetProperty("claimStatus").GetString();

        async Task<JsonElement> LookupOnReaderAsync()
        {
            var response = await reader.PostAsJsonAsync("/v1/lookup", new { urls = new[] { Post } });
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0];
        }
    }

    private static async Task PostClaimAsync(HttpClient client, string id, string handle, string question, string option, string url)
    {
        var response = await client.PostAsJsonAsync("/v1/claims", new
        {
            claims = new[]
            {
                new
                {
                    id,
                    handle = new { platform = "x", handle },
                    proposition = new { question, options = new[] { "the army", "the militants" } },
                    option,
                    publishedAt = "2023-09-28T09:00:00Z",
                    url,
                },
            },
        });
        response.EnsureSuccessStatusCode();
    }
}
