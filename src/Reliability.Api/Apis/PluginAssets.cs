using System.Reflection;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Reliability.Api.Apis;

/// <summary>
/// Serves the newsroom plugin (src/newsroom-plugin) under <c>/plugin/</c>. The files are embedded in
/// this assembly, so they are found whatever the working directory: <c>dotnet run</c>, a published
/// folder or a test's output folder.
/// </summary>
internal static class PluginAssets
{
    private const string Prefix = "plugin/";

    // A page embeds the script by URL; a short lifetime lets a deployment's fix reach editors within minutes.
    private const string CacheControl = "public, max-age=300";

    private static readonly Assembly Assembly = typeof(PluginAssets).Assembly;
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    // The build's identity: a new build is a new version of every file.
    private static readonly EntityTagHeaderValue Tag = new('"' + Assembly.ManifestModule.ModuleVersionId.ToString("N") + '"');

    private static readonly Lazy<HashSet<string>> Names = new(() =>
        Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal));

    public static IEndpointRouteBuilder MapPluginAssets(this IEndpointRouteBuilder app)
    {
        // Fetching the script needs no key: the key is the page's to give, in a data attribute.
        app.MapGet("/plugin/{**path}", Serve).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(string path, HttpContext context)
    {
        var name = Prefix + path;
        if (!Names.Value.Contains(name) || Assembly.GetManifestResourceStream(name) is not { } stream)
        {
            return TypedResults.NotFound();
        }

        if (!ContentTypes.TryGetContentType(name, out var contentType))
        {
            contentType = "application/octet-stream";
        }

        if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType.EndsWith("javascript", StringComparison.Ordinal)
            || contentType.EndsWith("json", StringComparison.Ordinal))
        {
            contentType += "; charset=utf-8";
        }

        context.Response.Headers.CacheControl = CacheControl;
        context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        return TypedResults.Stream(stream, contentType, entityTag: Tag);
    }
}
