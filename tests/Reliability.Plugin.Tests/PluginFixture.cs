using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Reliability.Api.Tests;
using Reliability.Infrastructure.Security;

namespace Reliability.Plugin.Tests;

/// <summary>
/// The real API (CORS allowing the fixture site), the seed article's claims recorded over HTTP,
/// EternalGlory0's old tweet deleted and reversed, and Debian's Chromium driven headless.
/// </summary>
public sealed class PluginFixture : IAsyncLifetime
{
    public FixtureSite Site { get; private set; } = null!;
    public ReliabilityApiFactory Api { get; private set; } = null!;
    public string ApiBase { get; private set; } = "";
    public string ReaderKey { get; private set; } = "";
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>An editor's client, for corrections recorded while a page is open.</summary>
    public HttpClient Editor { get; private set; } = null!;

    /// <summary>Source ids the API gave the seeded claims, by claim id.</summary>
    public Dictionary<string, string> SourceOf { get; } = new(StringComparer.Ordinal);

    /// <summary>Where the screenshots go: look at them after a run.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        Site = await FixtureSite.StartAsync();
        Api = await ReliabilityApiFactory.StartAsync("plugin", new Dictionary<string, string>
        {
            ["Reliability:Security:AllowedOrigins:0"] = Site.Origin,
        });
        using var reader = await Api.CreateClientAsync(ApiKeyRole.Reader);
        ReaderKey = reader.DefaultRequestHeaders.Authorization!.Parameter!;
        ApiBase = reader.BaseAddress!.ToString().TrimEnd('/');
        Editor = await Api.CreateClientAsync(ApiKeyRole.Editor);
        await SeedAsync(Editor, SourceOf);

        Directory.CreateDirectory(ScreenshotFolder);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Chromium.LaunchAsync(Playwright);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        Editor.Dispose();
        await Api.DisposeAsync();
        await Site.DisposeAsync();
    }

    /// <summary>A fresh browser page showing the seed article with the annotator pointed at <paramref name="api"/>.</summary>
    public async Task<IPage> OpenArticleAsync(string name, string? api = null, string? key = null, bool annotated = true)
    {
        var script = annotated ? ApiBase + "/plugin/reliability.js" : null;
        var url = Site.Publish("/" + name, SeedArticle.Html(script, api ?? ApiBase, key ?? ReaderKey));
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 1000 } });
        await page.GotoAsync(url);
        return page;
    }

    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    private static async Task SeedAsync(HttpClient editor, Dictionary<string, string> sourceOf)
    {
        string[] options = ["the army repelled the attack", "JNIM took the base"];
        object Claim(string id, string platform, string handle, string option, string publishedAt, string? url, string text) => new
        {
            id,
            handle = new { platform, handle },
            proposition = new { question = "Who held the Malian army base near Timbuktu on 28 September 2023?", options, topics = new[] { "military" }, region = "Timbuktu" },
            option,
            publishedAt,
            url,
            text,
        };

        var batch = await editor.PostAsJsonAsync("/v1/claims", new
        {
            claims = new[]
            {
                Claim("noir-spg82", "x", "war_noir", options[1], "2023-09-28T11:00:00Z", SeedArticle.WarNoirPost,
                    "#JNIM/#AQIM militants raided a Military base belonging to Malian Army (#FAMa)"),
                Claim("glory-repelled", "x", "EternalGlory0", options[0], "2023-09-28T09:00:00Z", SeedArticle.GloryOldPost,
                    "The Malian army repelled the attack"),
                Claim("glory-video", "x", "EternalGlory0", options[1], "2023-09-28T16:00:00Z", SeedArticle.GloryVideoPost,
                    "Video showing the equipment conquered by the JNIM"),
                Claim("f24-mali", "web", SeedArticle.OutletHandle, options[0], "2023-09-28T10:00:00Z", null,
                    "أعلن الجيش المالي صد هجوم"),
            },
        });
        batch.EnsureSuccessStatusCode();
        foreach (var item in (await batch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray())
        {
            Assert.Equal("accepted", item.GetProperty("status").GetString());
            sourceOf[item.GetProperty("id").GetString()!] = item.GetProperty("sourceId").GetString()!;
        }

        // The seed's correction: the old tweet deleted, then reversed by a new one with evidence.
        (await editor.PostAsJsonAsync("/v1/claims/glory-repelled/corrections", new
        {
            kind = "deleted",
            at = "2023-09-28T13:00:00Z",
            deletion = "announced",
        })).EnsureSuccessStatusCode();
        (await editor.PostAsJsonAsync("/v1/claims/glory-repelled/corrections", new
        {
            kind = "reversed",
            at = "2023-09-28T13:05:00Z",
            note = "I deleted the old tweet saying the Malian army repelled the attack.",
            replacement = new { id = "glory-took", option = options[1], publishedAt = "2023-09-28T13:05:00Z", url = SeedArticle.GloryCorrectionPost },
        })).EnsureSuccessStatusCode();
    }
}

/// <summary>Debian's Chromium: test tools cannot download browsers here, and never try to.</summary>
internal static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    public static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
    ];

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Path, Headless = true, Args = Args });
}
