using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Reliability.Infrastructure.Webhooks;

namespace Reliability.Testing;

/// <summary>
/// A webhook receiver on loopback. <c>answer(n)</c> gives the status for the n-th request (1-based),
/// <c>retryAfter(n)</c> a Retry-After to send with it, and <c>delay</c> how long it takes to answer;
/// it dedupes on the delivery id and verifies signatures like a real receiver would.
/// </summary>
public sealed class FakeReceiver : IAsyncDisposable
{
    private readonly LoopbackServer _server;
    private int _requests;

    private FakeReceiver(LoopbackServer server) => _server = server;

    public sealed record Received(string DeliveryId, string Event, string Signature, string Body);

    public ConcurrentQueue<Received> Accepted { get; } = new();

    /// <summary>The delivery id of every request, accepted or not.</summary>
    public ConcurrentQueue<string> DeliveryIds { get; } = new();

    public int Requests => Volatile.Read(ref _requests);

    public Uri Url => _server.Url("/hook");

    public static async Task<FakeReceiver> StartAsync(Func<int, int> answer, Func<int, TimeSpan?>? retryAfter = null, TimeSpan delay = default)
    {
        FakeReceiver? receiver = null;
        var server = await LoopbackServer.StartAsync(app => app.MapPost("/hook", async (HttpRequest request, HttpResponse response) =>
        {
            var n = Interlocked.Increment(ref receiver!._requests);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay);
            }

            if (retryAfter?.Invoke(n) is { } wait)
            {
                response.Headers.RetryAfter = ((int)wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            receiver.DeliveryIds.Enqueue(request.Headers[WebhookSignature.DeliveryIdHeader].ToString());
            var status = answer(n);
            if (status is >= 200 and < 300)
            {
                using var reader = new StreamReader(request.Body);
                receiver.Accepted.Enqueue(new Received(
                    request.Headers[WebhookSignature.DeliveryIdHeader].ToString(),
                    request.Headers[WebhookSignature.EventHeader].ToString(),
                    request.Headers[WebhookSignature.SignatureHeader].ToString(),
                    await reader.ReadToEndAsync()));
            }

            return Results.StatusCode(status);
        }));
        receiver = new FakeReceiver(server);
        return receiver;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
