using System.Net.Http.Json;
using System.Text.Json;

namespace Reliability.Api.Tests;

/// <summary>Two services in one process (as the tests run them) keep what each was asked to itself.</summary>
public sealed class HostIsolationTests
{
    [Fact]
    public async Task A_post_looked_up_on_two_services_in_one_process_is_answered_from_each_ones_own_record()
    {
        await using var first = await ReliabilityApiFactory.StartAsync("isolation_first");
        await using var second = await ReliabilityApiFactory.StartAsync("isolation_second");
        // One post, recorded as another source's on each service's record.
        var post = $"https://news.example/isolation/{Guid.NewGuid():N}";

        // The same steps on both, so whatever each counts (truth estimates, cache changes) counts alike.
        foreach (var (service, handle) in new[] { (first, "first_desk"), (second, "second_desk") })
        {
            using var editor = service.CreateAdminClient();
            var recorded = await editor.PostAsJsonAsync("/v1/claims", new
            {
                claims = new[]
                {
                    new
                    {
                        id = "isolation-claim",
                        handle = new { platform = "x", handle },
                        proposition = new { question = "Who holds the camp?", options = new[] { "the army", "the militants" } },
                        option = "the army",
                        publishedAt = "2023-09-28T09:00:00Z",
                        url = post,
                    },
                },
            });
            recorded.EnsureSuccessStatusCode();
            await service.WaitForQuietTruthAsync();
        }

        // Asked twice on the first service: the second answer is the one it keeps for that URL.
        Assert.Equal("x-first_desk", await SourceOfAsync(first, post));
        Assert.Equal("x-first_desk", await SourceOfAsync(first, post));
        Assert.Equal("x-second_desk", await SourceOfAsync(second, post));
        Assert.Equal("x-second_desk", await SourceOfAsync(second, post));
    }

    private static async Task<string?> SourceOfAsync(ReliabilityApiFactory service, string post)
    {
        using var reader = service.CreateAdminClient();
        using var response = await reader.PostAsJsonAsync("/v1/lookup", new { urls = new[] { post } });
        response.EnsureSuccessStatusCode();
        var item = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0];
        return item.GetProperty("source").GetProperty("id").GetString();
    }
}
