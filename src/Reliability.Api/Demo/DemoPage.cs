using System.Net;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Demo;

/// <summary>
/// <c>/demo</c>: the seed article with the embeddable plugin active, so a newcomer sees badges
/// without installing an extension. The page carries a reader key, so it is served only where the
/// demo is enabled (<c>Reliability:Demo:Page</c>, on by default on the embedded database).
/// </summary>
internal static class DemoPage
{
    public const string DemoKeyId = "demo-page-reader";

    public static IEndpointRouteBuilder MapDemoPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/demo", ServeAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ServeAsync(HttpContext context, DemoKey key, CancellationToken cancellationToken)
    {
        var page = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Demo", "seed-article.html"), cancellationToken);
        var origin = $"{context.Request.Scheme}://{context.Request.Host}";
        var script = $"<script src=\"{WebUtility.HtmlEncode(origin)}/plugin/reliability.js\" data-api=\"{WebUtility.HtmlEncode(origin)}\" " +
            $"data-key=\"{WebUtility.HtmlEncode(await key.SecretAsync(cancellationToken))}\"></script>";
        return Results.Content(page.Replace("<!--reliability-plugin-->", script, StringComparison.Ordinal), "text/html; charset=utf-8");
    }
}

/// <summary>
/// The demo page's reader key: one per process, made on first use, replacing the previous process's
/// key (same document id), so at most one demo key is ever valid.
/// </summary>
internal sealed class DemoKey(ApiKeyStore keys)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _secret;

    public async Task<string> SecretAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _secret ??= await keys.ReplaceAsync(DemoPage.DemoKeyId, "demo page (read only)", ApiKeyRole.Reader, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }
}
