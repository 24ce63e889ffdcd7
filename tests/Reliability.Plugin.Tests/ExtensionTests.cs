using System.Security.Cryptography;
using System.Text;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reliability.Plugin.Tests;

/// <summary>The unpacked MV3 extension in Chromium's new headless mode, annotating a page that does not embed the script.</summary>
public sealed class ExtensionTests(PluginFixture fixture) : IClassFixture<PluginFixture>, IAsyncLifetime
{
    private readonly string _profile = Directory.CreateTempSubdirectory("reliability-extension-").FullName;
    private readonly string _extension = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "newsroom-plugin"));
    private IBrowserContext _context = null!;

    /// <summary>
    /// Chromium names an unpacked extension after its folder: the first 32 hex digits of the path's
    /// SHA-256, each digit spelled a–p. (Playwright .NET does not list a context's service workers.)
    /// </summary>
    private static string UnpackedExtensionId(string folder) =>
        new([.. Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(folder)))[..32].Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16)))]);

    public async Task InitializeAsync()
    {
        _context = await fixture.Playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium.Path,
            // Extensions need the new headless mode, which Playwright's Headless = true does not choose for this binary.
            Headless = false,
            IgnoreDefaultArgs = ["--disable-extensions"],
            Args =
            [
                .. Chromium.Args, "--headless=new", $"--disable-extensions-except={_extension}", $"--load-extension={_extension}",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        Directory.Delete(_profile, recursive: true);
    }

    [Fact]
    public async Task The_extension_annotates_the_sites_its_options_list_and_no_other()
    {
        var options = await _context.NewPageAsync();
        await options.GotoAsync($"chrome-extension://{UnpackedExtensionId(_extension)}/options.html");
        await Expect(options.GetByLabel("API base URL")).ToBeVisibleAsync();
        await Expect(options.GetByLabel("Reader key")).ToBeVisibleAsync();

        // A URL is not a site: refused before anything is asked or saved.
        await options.GetByLabel("API base URL").FillAsync(fixture.ApiBase);
        await options.GetByLabel("Reader key").FillAsync(fixture.ReaderKey);
        await options.GetByLabel("Sites to annotate").FillAsync("cms.example.org\nhttps://news.example.org/world");
        await options.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(options.GetByRole(AriaRole.Status)).ToContainTextAsync("Not a site: https://news.example.org/world");

        // Saving through the form asks for a host permission, a prompt headless cannot answer; store directly.
        var article = new Uri(fixture.Site.Publish("/extension", SeedArticle.Html(null, "", "")));
        await options.EvaluateAsync("s => chrome.storage.sync.set(s)", new { api = fixture.ApiBase, key = fixture.ReaderKey, sites = new[] { article.Host } });
        await options.ReloadAsync();
        await Expect(options.GetByLabel("API base URL")).ToHaveValueAsync(fixture.ApiBase);
        await Expect(options.GetByLabel("Sites to annotate")).ToHaveValueAsync(article.Host);
        await PluginFixture.ScreenshotAsync(options, "extension-options");

        // The same page under a host the options do not list (the fixture site answers on both), opened first.
        var unlisted = await _context.NewPageAsync();
        await unlisted.GotoAsync(new UriBuilder(article) { Host = "localhost" }.Uri.ToString());

        var page = await _context.NewPageAsync();
        await page.GotoAsync(article.ToString());

        await Expect(page.Locator("#tweet-glory-old + [data-reliability-source]"))
            .ToHaveAttributeAsync("data-reliability-claim-status", "deleted");
        await Expect(page.Locator("#tweet-war-noir + [data-reliability-source]"))
            .ToHaveAttributeAsync("data-reliability-source", fixture.SourceOf["noir-spg82"]);
        await PluginFixture.ScreenshotAsync(page, "extension-rtl-article");

        // The listed page is annotated; the unlisted one, which had its chance first, asked nothing.
        await unlisted.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Expect(unlisted.Locator("#tweet-glory-old")).ToBeAttachedAsync();
        await Expect(unlisted.Locator("[data-reliability-source], [data-reliability-unavailable]")).ToHaveCountAsync(0);
    }
}
