using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Reliability.Api.Tests;

public sealed partial class DemoPageTests
{
    [Fact]
    public async Task The_demo_page_is_the_seed_article_with_the_plugin_and_a_read_only_key()
    {
        await using var api = await ReliabilityApiFactory.StartAsync("demopage", new Dictionary<string, string> { ["Reliability:Demo:Page"] = "true" });
        using var anonymous = api.CreateClient();

        var page = await anonymous.GetStringAsync("/demo");
        var again = await anonymous.GetStringAsync("/demo");

        Assert.Contains("dir=\"rtl\"", page);
        Assert.Contains("blockquote class=\"twitter-tweet\"", page);
        Assert.Contains("/plugin/reliability.js", page);
        var key = KeyAttribute().Match(page).Groups[1].Value;
        Assert.StartsWith("rk_", key);
        Assert.Equal(key, KeyAttribute().Match(again).Groups[1].Value);

        using var demo = api.CreateClient(key);
        Assert.Equal(HttpStatusCode.OK, (await demo.GetAsync("/v1/sources")).StatusCode);
        var write = await demo.PostAsJsonAsync("/v1/propositions", new { question = "Demo writes?", options = new[] { "yes", "no" } });
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
    }

    [Fact]
    public async Task Without_the_demo_enabled_there_is_no_demo_page()
    {
        await using var api = await ReliabilityApiFactory.StartAsync("nodemo");
        using var anonymous = api.CreateClient();
        Assert.NotEqual(HttpStatusCode.OK, (await anonymous.GetAsync("/demo")).StatusCode);
    }

    [GeneratedRegex("data-key=\"([^\"]+)\"")]
    private static partial Regex KeyAttribute();
}
