using Microsoft.Playwright;
using Reliability.Api.Demo;
using Reliability.Api.Tests;
using Reliability.Infrastructure.Security;
using static Microsoft.Playwright.Assertions;

namespace Reliability.Plugin.Tests;

/// <summary>/demo as a newcomer sees it: the seed article, the seed case recorded, the plugin at work.</summary>
public sealed class DemoPageTests : IAsyncLifetime
{
    private ReliabilityApiFactory _api = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _api = await ReliabilityApiFactory.StartAsync("demobrowser", new Dictionary<string, string> { ["Reliability:Demo:Page"] = "true" });
        using var editor = await _api.CreateClientAsync(ApiKeyRole.Editor);
        foreach (var step in ScenarioStep.Load(ScenarioStep.SeedCasePath))
        {
            await step.SendAsync(editor);
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task The_demo_shows_the_seed_cases_badges_and_the_deleted_tweet_linking_to_its_reversal()
    {
        using var anonymous = _api.CreateClient();
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 1400 } });
        await page.GotoAsync(new Uri(anonymous.BaseAddress!, "/demo").ToString());

        var deleted = page.Locator("a[href='https://twitter.com/EternalGlory0/status/1707360000000000001'] + [data-reliability-source]");
        await Expect(deleted).ToHaveAttributeAsync("data-reliability-source", "eternal-glory");
        await Expect(deleted).ToHaveAttributeAsync("data-reliability-claim-status", "deleted");
        await Expect(deleted.Locator("a.replacement")).ToHaveAttributeAsync("href", "https://x.com/EternalGlory0/status/1707420000000000002");
        await Expect(page.Locator("[data-reliability-source='war-noir']").First).ToHaveAttributeAsync("data-reliability-claim-status", "confirmed");
        await Expect(page.Locator("[data-reliability-source='cma-spokesman']").First).ToHaveAttributeAsync("data-reliability-claim-status", "open");
        await PluginFixture.ScreenshotAsync(page, "demo-seed-article");
        await page.CloseAsync();
    }
}
