using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Reliability.Plugin.Tests;

/// <summary>
/// A newsroom's site on its own origin (Kestrel on a loopback port), serving pages the tests compose,
/// so the browser makes real cross-origin calls to the API as an embedding CMS would.
/// </summary>
public sealed class FixtureSite : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, string> _pages = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private FixtureSite(WebApplication app) => _app = app;

    /// <summary>Scheme, host and port, without a trailing slash: what the API's CORS list must name.</summary>
    public string Origin { get; private set; } = "";

    public static async Task<FixtureSite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var site = new FixtureSite(app);
        app.MapGet("/{**path}", (string? path) => site._pages.TryGetValue("/" + path, out var html)
            ? Results.Content(html, "text/html; charset=utf-8")
            : Results.NotFound());
        await app.StartAsync();
        site.Origin = app.Urls.Single().TrimEnd('/');
        return site;
    }

    /// <returns>The page's absolute URL.</returns>
    public string Publish(string path, string html)
    {
        _pages[path] = html;
        return Origin + path;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
