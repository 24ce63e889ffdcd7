using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Reliability.Api.Security;
using Reliability.Grains.Records;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Apis;

/// <summary>Configuration section <c>Reliability:Events</c>.</summary>
internal sealed class EventStreamOptions
{
    /// <summary>
    /// How often an open stream asks again whether its key is still active and allowed the stream,
    /// through the same cache authentication reads. A change to the key heard from the database
    /// (<see cref="ApiKeyNotices"/>) has it checked at once; this is the safety net for a notice lost.
    /// </summary>
    public TimeSpan KeyCheckInterval { get; set; } = EventsApi.KeepAlive;
}

/// <summary>
/// Server-sent events of what changes in the record: claims, corrections, resolutions and scores.
/// The stream is per process (see <see cref="RecordEventHub"/>).
/// </summary>
internal static partial class EventsApi
{
    /// <summary>Often enough that proxies which close idle connections keep this one open.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>The role the stream needs, at connect and at every check of its key afterwards.</summary>
    private const ApiKeyRole RequiredRole = ApiKeyRole.Reader;

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/events", StreamAsync).WithTags("Events").RequireAuthorization(RequiredRole.ToString())
            .WithSummary("Server-sent events: claims, correction, resolution and score, as JSON; comments keep the connection alive; the stream ends once its key is revoked")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        return app;
    }

    private static async Task StreamAsync(
        HttpContext context, RecordEventHub hub, IHostApplicationLifetime lifetime, ApiKeyResolver keys, IOptions<EventStreamOptions> options,
        TimeProvider clock, ILoggerFactory loggers)
    {
        // Ended by the client, or by the node stopping: a stream left open would hold the server's
        // shutdown until its timeout, which the silo's own stop (deactivating grains, saving snapshots,
        // leaving the membership table) then no longer gets. Clients reconnect to another node.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var aborted = ended.Token;
        var keyCheck = options.Value.KeyCheckInterval > TimeSpan.Zero ? options.Value.KeyCheckInterval : KeepAlive;
        var keyId = context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        var log = loggers.CreateLogger(typeof(EventsApi).FullName!);
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        using var subscription = hub.Subscribe();
        try
        {
            // Sent at once, so a client knows it is subscribed before the first event.
            await WriteAsync(context.Response, ": subscribed\n\n", aborted);
            var now = clock.GetUtcNow();
            var keepAliveDue = now + KeepAlive;
            var keyCheckDue = now + keyCheck;
            using var keyChanged = keys.WatchChanges(keyId);
            while (!aborted.IsCancellationRequested)
            {
                now = clock.GetUtcNow();
                if (now >= keyCheckDue)
                {
                    // Taken before the lookup: a change heard while it reads brings another check.
                    keyChanged.Renew();
                    // Authentication happened at connect; a key revoked (or given a smaller role)
                    // since must not go on hearing the record for as long as its client stays.
                    if (!await KeyStillAllowsAsync(context, keys, log, aborted))
                    {
                        LogKeyRevoked(log, keyId);
                        await WriteAsync(context.Response, ": the API key was revoked\n\n", aborted);
                        return;
                    }

                    LogKeyChecked(log, keyId);
                    keyCheckDue = now + keyCheck;
                }

                if (now >= keepAliveDue)
                {
                    await WriteAsync(context.Response, ": keep-alive\n\n", aborted);
                    keepAliveDue = now + KeepAlive;
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted, keyChanged.Changed);
                wait.CancelAfter((keepAliveDue < keyCheckDue ? keepAliveDue : keyCheckDue) - now);
                try
                {
                    var e = await subscription.Reader.ReadAsync(wait.Token);
                    var data = JsonSerializer.Serialize(e.Data, e.Data.GetType(), JsonSerializerOptions.Web);
                    await WriteAsync(context.Response, $"event: {e.Type}\ndata: {data}\n\n", aborted);
                    keepAliveDue = clock.GetUtcNow() + KeepAlive;
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    // A keep-alive or a key check is due, or the key changed: the loop's head sees to both.
                }

                if (keyChanged.Changed.IsCancellationRequested)
                {
                    // Revoked, or given another secret, anywhere: checked now, not at the next interval.
                    keyCheckDue = clock.GetUtcNow();
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away, or the node is stopping; unsubscribing is all there is to do.
        }
    }

    /// <summary>
    /// The key the stream was opened with, looked up as authentication looks it up: once a change to
    /// it is heard, this node's copy is gone and the lookup reads the database. A lookup that fails
    /// (the database unreachable) ends the stream too: the client reconnects, and authentication
    /// decides afresh.
    /// </summary>
    private static async Task<bool> KeyStillAllowsAsync(HttpContext context, ApiKeyResolver keys, ILogger log, CancellationToken cancellationToken)
    {
        if (ApiKeyAuthenticationHandler.SecretFrom(context.Request) is not { } secret)
        {
            return false;
        }

        try
        {
            return await keys.FindActiveAsync(secret, cancellationToken) is { } key && key.Role >= RequiredRole;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogKeyCheckFailed(log, e);
            return false;
        }
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.WriteAsync(text, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event stream of API key {KeyId} ended: the key is revoked or no longer allows the stream")]
    private static partial void LogKeyRevoked(ILogger logger, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An event stream's API key could not be checked again; the stream ends and its client reconnects")]
    private static partial void LogKeyCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event stream of API key {KeyId}: the key still allows the stream")]
    private static partial void LogKeyChecked(ILogger logger, string keyId);
}
