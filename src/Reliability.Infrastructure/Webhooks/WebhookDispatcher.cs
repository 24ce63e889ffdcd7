using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Reliability.Infrastructure.Watching;

namespace Reliability.Infrastructure.Webhooks;

/// <summary>
/// Turns events into signed deliveries. <see cref="EnqueueAsync"/> only stores the deliveries and
/// hands them to the background sender, so it is cheap enough for a grain turn; <see cref="DeliverAsync"/>
/// does the sending, with Polly retries and backoff, and ends each delivery Delivered or Dead.
/// </summary>
public sealed class WebhookDispatcher
{
    private readonly WebhookSubscriptionStore _subscriptions;
    private readonly WebhookDeliveryStore _deliveries;
    private readonly WebhookDeliveryQueue _queue;
    private readonly GuardedHttpClient _http;
    private readonly TimeProvider _clock;
    private readonly ResiliencePipeline<int> _pipeline;
    private readonly ConcurrentDictionary<string, byte> _inFlight = new();

    public WebhookDispatcher(
        WebhookSubscriptionStore subscriptions,
        WebhookDeliveryStore deliveries,
        WebhookDeliveryQueue queue,
        GuardedHttpClient http,
        IOptions<WebhookOptions> options,
        TimeProvider clock)
    {
        _subscriptions = subscriptions;
        _deliveries = deliveries;
        _queue = queue;
        _http = http;
        _clock = clock;
        _pipeline = CreatePipeline(options.Value, clock);
    }

    /// <summary>Stores one pending delivery per matching subscription, then queues them for sending.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> EnqueueAsync(WebhookEvent e, CancellationToken cancellationToken = default)
    {
        var created = DeliveriesFor(e, await _subscriptions.ListAsync(cancellationToken));
        if (created.Count == 0)
        {
            return [];
        }

        // At least once: the record exists before anything is sent.
        await _deliveries.SaveAsync(created, cancellationToken);
        Queue(created);
        return created;
    }

    /// <summary>
    /// One pending delivery per matching subscription, not stored yet. With <paramref name="eventId"/>
    /// the ids derive from it and the subscription, so relaying the same event twice makes the same ids.
    /// </summary>
    public IReadOnlyList<WebhookDelivery> DeliveriesFor(WebhookEvent e, IEnumerable<WebhookSubscription> subscriptions, string? eventId = null)
    {
        // Subscriptions are few (one per newsroom integration): filtering in memory is fine.
        var now = _clock.GetUtcNow();
        return [.. subscriptions.Where(s => s.Matches(e)).Select(s =>
        {
            var id = eventId is null
                ? Guid.NewGuid().ToString("N")
                : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(eventId + "\n" + s.Id)))[..32];
            return new WebhookDelivery { Id = id, SubscriptionId = s.Id, EventKind = e.Kind, Body = BodyOf(id, e, now), CreatedAt = now };
        })];
    }

    /// <summary>Hands stored deliveries to the background sender.</summary>
    public void Queue(IEnumerable<WebhookDelivery> deliveries)
    {
        foreach (var delivery in deliveries)
        {
            _queue.Post(delivery.Id);
        }
    }

    /// <summary>
    /// Sends a pending delivery, retrying with backoff up to <see cref="WebhookOptions.MaxAttempts"/>
    /// tries; every try is recorded. Returns the final record (unchanged when it was not pending).
    /// </summary>
    public async Task<WebhookDelivery?> DeliverAsync(string deliveryId, CancellationToken cancellationToken = default)
    {
        if (!_inFlight.TryAdd(deliveryId, 0))
        {
            // Already being sent by this process (e.g. queued twice); that run records the outcome.
            return await _deliveries.GetAsync(deliveryId, cancellationToken);
        }

        try
        {
            var delivery = await _deliveries.GetAsync(deliveryId, cancellationToken);
            if (delivery is not { State: DeliveryState.Pending })
            {
                return delivery;
            }

            var subscription = await _subscriptions.GetAsync(delivery.SubscriptionId, cancellationToken);
            if (subscription is null)
            {
                return await FinishAsync(delivery with { LastError = "The subscription was deleted." }, DeliveryState.Dead, cancellationToken);
            }

            var attempt = new Attempt(this, subscription, delivery, cancellationToken);
            try
            {
                var status = await _pipeline.ExecuteAsync(static (a, token) => a.SendAsync(token), attempt, cancellationToken);
                return await FinishAsync(attempt.Current, IsSuccess(status) ? DeliveryState.Delivered : DeliveryState.Dead, cancellationToken);
            }
            catch (Exception e) when (e is FetchRefusedException or HttpRequestException or TimeoutRejectedException)
            {
                return await FinishAsync(attempt.Current, DeliveryState.Dead, cancellationToken);
            }
        }
        finally
        {
            _inFlight.TryRemove(deliveryId, out _);
        }
    }

    /// <summary>
    /// Re-sends a dead delivery (same id, same body, a fresh round of tries) and returns the outcome;
    /// null when there is no such delivery. Attempts keep counting from where they were.
    /// </summary>
    public async Task<WebhookDelivery?> ReplayAsync(string deliveryId, CancellationToken cancellationToken = default) =>
        await RequeueAsync(deliveryId, cancellationToken) is null ? null : await DeliverAsync(deliveryId, cancellationToken);

    /// <summary>
    /// Makes a dead delivery pending again (<see cref="Queue"/> it, or <see cref="DeliverAsync"/> it, to
    /// send it); null when there is no such delivery, <see cref="InvalidOperationException"/> when it is not dead.
    /// </summary>
    public async Task<WebhookDelivery?> RequeueAsync(string deliveryId, CancellationToken cancellationToken = default)
    {
        var delivery = await _deliveries.GetAsync(deliveryId, cancellationToken);
        if (delivery is null)
        {
            return null;
        }

        if (delivery.State != DeliveryState.Dead)
        {
            throw new InvalidOperationException($"Only dead deliveries are replayed; {deliveryId} is {delivery.State}.");
        }

        var pending = delivery with { State = DeliveryState.Pending };
        await _deliveries.SaveAsync(pending, cancellationToken);
        return pending;
    }

    /// <summary>Non-2xx answers, network errors and timeouts are retried; a refused target never is.</summary>
    public static bool ShouldRetry(Outcome<int> outcome) => outcome switch
    {
        { Exception: FetchRefusedException } => false,
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Exception: null } => !IsSuccess(outcome.Result),
        _ => false,
    };

    /// <summary>Retry (exponential, jittered) around an attempt timeout; no retry strategy when one try is all.</summary>
    public static ResiliencePipeline<int> CreatePipeline(WebhookOptions o, TimeProvider clock)
    {
        var builder = new ResiliencePipelineBuilder<int> { TimeProvider = clock };
        if (o.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<int>
            {
                MaxRetryAttempts = o.MaxAttempts - 1,
                Delay = o.RetryBaseDelay,
                MaxDelay = o.RetryMaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome)),
            });
        }

        return builder.AddTimeout(o.AttemptTimeout).Build();
    }

    private static bool IsSuccess(int status) => status is >= 200 and < 300;

    private static string BodyOf(string deliveryId, WebhookEvent e, DateTimeOffset now) =>
        JsonSerializer.Serialize(
            new
            {
                id = deliveryId,
                kind = e.Kind,
                occurredAt = e.OccurredAt ?? now,
                sourceId = e.SourceId,
                articleId = e.ArticleId,
                sourceIds = e.AllSourceIds.Distinct(StringComparer.Ordinal),
                articleIds = e.AllArticleIds.Distinct(StringComparer.Ordinal),
                data = e.Data,
            },
            JsonSerializerOptions.Web);

    private async Task<WebhookDelivery> FinishAsync(WebhookDelivery delivery, DeliveryState state, CancellationToken cancellationToken)
    {
        var finished = delivery with
        {
            State = state,
            DeliveredAt = state == DeliveryState.Delivered ? _clock.GetUtcNow() : null,
        };
        await _deliveries.SaveAsync(finished, cancellationToken);
        return finished;
    }

    /// <summary>One delivery's tries: each is signed afresh (new timestamp) and recorded before the next.</summary>
    private sealed class Attempt(WebhookDispatcher owner, WebhookSubscription subscription, WebhookDelivery delivery, CancellationToken outer)
    {
        public WebhookDelivery Current { get; private set; } = delivery;

        public async ValueTask<int> SendAsync(CancellationToken token)
        {
            var now = owner._clock.GetUtcNow();
            var request = new FetchRequest(HttpMethod.Post, new Uri(subscription.TargetUrl))
            {
                Body = Encoding.UTF8.GetBytes(Current.Body),
                ContentType = "application/json",
                FollowRedirects = false,
                Headers = new Dictionary<string, string>
                {
                    [WebhookSignature.SignatureHeader] = WebhookSignature.Sign(subscription.Secret, now, Current.Body),
                    [WebhookSignature.DeliveryIdHeader] = Current.Id,
                    [WebhookSignature.EventHeader] = Current.EventKind,
                },
            };
            try
            {
                var result = await owner._http.SendAsync(request, token);
                var error = IsSuccess(result.StatusCode) ? null : $"HTTP {result.StatusCode}";
                await RecordAsync(now, result.StatusCode, error);
                return result.StatusCode;
            }
            catch (Exception e) when (e is FetchRefusedException or HttpRequestException || (e is OperationCanceledException && !outer.IsCancellationRequested))
            {
                await RecordAsync(now, null, e is OperationCanceledException ? "Timed out." : e.Message);
                throw;
            }
        }

        // The outer token, not the attempt's: a timed-out try is still recorded.
        private async Task RecordAsync(DateTimeOffset at, int? status, string? error)
        {
            Current = Current with { Attempts = Current.Attempts + 1, LastStatus = status, LastError = error, LastAttemptAt = at };
            await owner._deliveries.SaveAsync(Current, outer);
        }
    }
}
