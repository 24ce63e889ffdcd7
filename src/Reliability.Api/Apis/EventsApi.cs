using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Reliability.Api.Security;
using Reliability.Grains.Records;

namespace Reliability.Api.Apis;

/// <summary>
/// Server-sent events of what changes in the record: claims, corrections, resolutions and scores.
/// The stream is per process (see <see cref="RecordEventHub"/>).
/// </summary>
internal static class EventsApi
{
    /// <summary>Often enough that proxies which close idle connections keep this one open.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/events", StreamAsync).WithTags("Events").RequireAuthorization(Roles.Reader)
            .WithSummary("Server-sent events: claims, correction, resolution and score, as JSON; comments keep the connection alive")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        return app;
    }

    private static async Task StreamAsync(HttpContext context, RecordEventHub hub, IHostApplicationLifetime lifetime)
    {
        // Ended by the client, or by the node stopping: a stream left open would hold the server's
        // shutdown until its timeout, which the silo's own stop (deactivating grains, saving snapshots,
        // leaving the membership table) then no longer gets. Clients reconnect to another node.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var aborted = ended.Token;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        using var subscription = hub.Subscribe();
        try
        {
            // Sent at once, so a client knows it is subscribed before the first event.
            await WriteAsync(context.Response, ": subscribed\n\n", aborted);
            while (!aborted.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                wait.CancelAfter(KeepAlive);
                try
                {
                    var e = await subscription.Reader.ReadAsync(wait.Token);
                    var data = JsonSerializer.Serialize(e.Data, e.Data.GetType(), JsonSerializerOptions.Web);
                    await WriteAsync(context.Response, $"event: {e.Type}\ndata: {data}\n\n", aborted);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    await WriteAsync(context.Response, ": keep-alive\n\n", aborted);
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away, or the node is stopping; unsubscribing is all there is to do.
        }
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.WriteAsync(text, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
