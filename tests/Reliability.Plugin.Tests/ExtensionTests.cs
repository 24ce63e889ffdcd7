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
    public async Task The_extension_loads_and_annotates_a_page_with_the_options_it_was_given()
    {
        var options = await _context.NewPageAsync();
        await options.GotoAsync($"chrome-extension://{UnpackedExtensionId(_extension)}/options.html");
        await Expect(options.GetByLabel("API base URL")).ToBeVisibleAsync();
        await Expect(options.GetByLabel("Reader key")).ToBeVisibleAsync();
        // Saving through the form asks for a host permission, a prompt headless cannot answer; store directly.
        await options.EvaluateAsync("s => chrome.storage.sync.set(s)", new { api = fixture.ApiBase, key = fixture.ReaderKey });
        await options.ReloadAsync();
        await Expect(options.GetByLabel("API base URL")).ToHaveValueAsync(fixture.ApiBase);
        await PluginFixture.ScreenshotAsync(options, "extension-options");

        var page = await _context.NewPageAsync();
        await page.GotoAsync(fixture.Site.Publish("/extension", SeedArticle.Html(null, "", "")));

        await Expect(page.Locator("#tweet-glory-old + [data-reliability-source]"))
            .ToHaveAttributeAsync("data-reliability-claim-status", "deleted");
        await Expect(page.Locator("#tweet-war-noir + [data-reliability-source]"))
            .ToHaveAttributeAsync("data-reliability-source", fixture.SourceOf["noir-spg82"]);
        await PluginFixture.ScreenshotAsync(page, "extension-rtl-article");
    }
}
