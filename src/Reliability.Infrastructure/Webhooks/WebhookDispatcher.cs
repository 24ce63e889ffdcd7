using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
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
    private readonly WebhookSecrets _secrets;
    private readonly WebhookDeliveryStore _deliveries;
    private readonly WebhookDeliveryQueue _queue;
    private readonly GuardedHttpClient _http;
    private readonly TimeProvider _clock;
    private readonly WebhookOptions _options;
    private readonly ResiliencePipelineRegistry<string> _receivers = new();
    private readonly ConcurrentDictionary<string, byte> _inFlight = new();

    public WebhookDispatcher(
        WebhookSubscriptionStore subscriptions,
        WebhookSecrets secrets,
        WebhookDeliveryStore deliveries,
        WebhookDeliveryQueue queue,
        GuardedHttpClient http,
        IOptions<WebhookOptions> options,
        TimeProvider clock)
    {
        _subscriptions = subscriptions;
        _secrets = secrets;
        _deliveries = deliveries;
        _queue = queue;
        _http = http;
        _clock = clock;
        _options = options.Value;
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
        await _deliveries.AddAsync(created, cancellationToken);
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
            return new WebhookDelivery { Id = id, SubscriptionId = s.Id, EventKind = e.Kind, Body = BodyOf(id, e, now), CreatedAt = now, NextAttemptAt = now };
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
    /// Drives a pending delivery to its end, one try after another (<see cref="AttemptAsync"/>),
    /// waiting out each delay here. For tools and tests: the background sender makes one try at a
    /// time and leaves the delays to the schedule, so that one failing receiver holds no sending slot
    /// while it waits. Returns the final record (as it is when it was not pending).
    /// </summary>
    public async Task<WebhookDelivery?> DeliverAsync(string deliveryId, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var delivery = await AttemptAsync(deliveryId, cancellationToken);
            if (delivery is not { State: DeliveryState.Pending, NextAttemptAt: { } next })
            {
                return delivery;
            }

            var wait = next - _clock.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _clock, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Makes one try of a delivery, if it is pending and due, and records it: Delivered on a 2xx,
    /// Dead when the target is refused or the round's tries are used up, else pending again with the
    /// next try scheduled (exponential backoff with jitter, or the receiver's longer Retry-After).
    /// The subscription is read afresh for every try: a deleted one ends the delivery Dead unsent.
    /// Returns the record as it stands afterwards; null when there is no such delivery.
    /// </summary>
    public async Task<WebhookDelivery?> AttemptAsync(string deliveryId, CancellationToken cancellationToken = default)
    {
        if (!_inFlight.TryAdd(deliveryId, 0))
        {
            // Already being sent by this process (e.g. queued twice); that run records the outcome.
            return await _deliveries.GetAsync(deliveryId, cancellationToken);
        }

        try
        {
            var now = _clock.GetUtcNow();
            WebhookDelivery leased;
            try
            {
                // The lease: while this try runs, the record says it is not due, so another node
                // leaves it alone; if this node dies, the lease runs out and the delivery is due again.
                var lease = now + (_options.AttemptTimeout * 2) + _options.DuePollInterval;
                var changed = await _deliveries.ChangeAsync(
                    deliveryId, d => d.IsDue(now) ? d with { NextAttemptAt = lease } : null, cancellationToken);
                if (changed is not { } pair || pair.Stored == pair.Read)
                {
                    return changed?.Read;
                }

                leased = pair.Stored;
            }
            catch (Exception e) when (ExceptionChain.IsVersionConflict(e))
            {
                // Another node took this try first.
                return await _deliveries.GetAsync(deliveryId, cancellationToken);
            }

            var subscription = await _subscriptions.GetAsync(leased.SubscriptionId, cancellationToken);
            var outcome = subscription is null
                ? new TryOutcome(null, "The subscription was deleted.", Final: true, RetryAfter: null, Tried: false)
                : await SendAsync(subscription, leased, cancellationToken);
            return await RecordAsync(leased, outcome, now, cancellationToken);
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
    /// Makes a dead delivery pending again, due at once, with a fresh round of tries (<see cref="Queue"/>
    /// it, or <see cref="DeliverAsync"/> it, to send it); null when there is no such delivery,
    /// <see cref="InvalidOperationException"/> when it is not dead.
    /// </summary>
    public async Task<WebhookDelivery?> RequeueAsync(string deliveryId, CancellationToken cancellationToken = default)
    {
        var now = _clock.GetUtcNow();
        var changed = await _deliveries.ChangeAsync(
            deliveryId,
            d => d.State == DeliveryState.Dead
                ? d with { State = DeliveryState.Pending, RoundAttempts = 0, NextAttemptAt = now }
                : throw new InvalidOperationException($"Only dead deliveries are replayed; {deliveryId} is {d.State}."),
            cancellationToken);
        return changed?.Stored;
    }

    /// <summary>
    /// Non-2xx answers, network errors, timeouts and anything else that went wrong in a try are tried
    /// again; a refused target never is.
    /// </summary>
    public static bool ShouldRetry(Outcome<int> outcome) => outcome switch
    {
        { Exception: FetchRefusedException } => false,
        { Exception: null } => !IsSuccess(outcome.Result),
        _ => true,
    };

    /// <summary>
    /// The wait before the next try after <paramref name="failedTries"/> failed tries of a round:
    /// <see cref="WebhookOptions.RetryBaseDelay"/> doubled per try, capped at <see cref="WebhookOptions.RetryMaxDelay"/>,
    /// of which a random half is kept (<paramref name="jitter"/> in [0, 1)) so that deliveries that
    /// failed together do not all come back together; a longer Retry-After from the receiver wins, up
    /// to <see cref="WebhookOptions.RetryAfterLimit"/>.
    /// </summary>
    public static TimeSpan DelayAfter(int failedTries, TimeSpan? retryAfter, WebhookOptions o, double jitter)
    {
        var doublings = Math.Min(Math.Max(failedTries - 1, 0), 30);
        var ticks = Math.Min(o.RetryBaseDelay.Ticks * Math.Pow(2, doublings), o.RetryMaxDelay.Ticks);
        var backoff = TimeSpan.FromTicks((long)(ticks * (0.5 + (0.5 * jitter))));
        var asked = retryAfter is { } r && r > TimeSpan.Zero ? (r < o.RetryAfterLimit ? r : o.RetryAfterLimit) : TimeSpan.Zero;
        return asked > backoff ? asked : backoff;
    }

    /// <summary>
    /// A receiver's tries: a circuit breaker around each try's timeout. Once every try of a receiver
    /// failed, <see cref="WebhookOptions.CircuitBreakerMinimumThroughput"/> of them within <see cref="WebhookOptions.CircuitBreakerSamplingDuration"/>, its
    /// deliveries wait <see cref="WebhookOptions.CircuitBreakerBreakDuration"/> untried, so a receiver whose tries
    /// time out does not take a sending slot for every delivery queued for it; then one try decides.
    /// Retries are the schedule's (<see cref="DelayAfter"/>), kept in the record, not Polly's, which
    /// would hold the sender while it waits.
    /// </summary>
    public static void ConfigureReceiver(ResiliencePipelineBuilder<FetchResult> builder, WebhookOptions o, TimeProvider clock)
    {
        builder.TimeProvider = clock;
        builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<FetchResult>
            {
                FailureRatio = 1.0,
                MinimumThroughput = o.CircuitBreakerMinimumThroughput,
                SamplingDuration = o.CircuitBreakerSamplingDuration,
                BreakDuration = o.CircuitBreakerBreakDuration,
                // A failed try is one the schedule would try again; a refused target is no sign of a failing receiver.
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome.Exception is { } e
                    ? Outcome.FromException<int>(e)
                    : Outcome.FromResult(args.Outcome.Result!.StatusCode))),
            })
            .AddTimeout(o.AttemptTimeout);
    }

    private ResiliencePipeline<FetchResult> ReceiverPipeline(string subscriptionId) =>
        _receivers.GetOrAddPipeline<FetchResult>(subscriptionId, builder => ConfigureReceiver(builder, _options, _clock));

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

    private async Task<TryOutcome> SendAsync(WebhookSubscription subscription, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Body);
        string secret;
        try
        {
            secret = _secrets.Open(subscription);
        }
        catch (CryptographicException e)
        {
            // The service's key is wrong, not the receiver: a failed try (its reason on the delivery),
            // outside the receiver's breaker; once the key is right, a replay sends it.
            return new TryOutcome(null, e.Message, Final: false, RetryAfter: null, Tried: true);
        }

        try
        {
            var result = await ReceiverPipeline(subscription.Id).ExecuteAsync(
                async token =>
                {
                    // Signed afresh on every try: the receiver checks the timestamp's age.
                    var request = new FetchRequest(HttpMethod.Post, new Uri(subscription.TargetUrl))
                    {
                        Body = body,
                        ContentType = "application/json",
                        FollowRedirects = false,
                        Headers = new Dictionary<string, string>
                        {
                            [WebhookSignature.SignatureHeader] = WebhookSignature.Sign(secret, _clock.GetUtcNow(), delivery.Body),
                            [WebhookSignature.DeliveryIdHeader] = delivery.Id,
                            [WebhookSignature.EventHeader] = delivery.EventKind,
                        },
                    };
                    return await _http.SendAsync(request, token);
                },
                cancellationToken);
            var success = IsSuccess(result.StatusCode);
            return new TryOutcome(result.StatusCode, success ? null : $"HTTP {result.StatusCode}", Final: success, result.RetryAfter, Tried: true);
        }
        catch (BrokenCircuitException broken)
        {
            // Not a try: the receiver's recent tries all failed, and it is left alone for a while.
            return new TryOutcome(null, null, Final: false, broken.RetryAfter ?? _options.CircuitBreakerBreakDuration, Tried: false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever broke the try (a connection reset mid-answer is an IOException, not an
            // HttpRequestException) counts as one, so the round still ends; on shutdown the lease
            // runs out instead and the try is made again.
            var error = e is TimeoutRejectedException or OperationCanceledException ? "Timed out." : e.Message;
            return new TryOutcome(null, error, Final: !ShouldRetry(Outcome.FromException<int>(e)), RetryAfter: null, Tried: true);
        }
    }

    /// <summary>Records a try under the lease this node holds (a version conflict means it lost the lease, and the other node's record stands).</summary>
    private async Task<WebhookDelivery?> RecordAsync(WebhookDelivery leased, TryOutcome outcome, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var tries = leased.RoundAttempts + (outcome.Tried ? 1 : 0);
        var state = outcome switch
        {
            { Status: { } status } when IsSuccess(status) => DeliveryState.Delivered,
            { Final: true } => DeliveryState.Dead,
            _ when tries >= _options.MaxAttempts => DeliveryState.Dead,
            _ => DeliveryState.Pending,
        };
        var finishedAt = _clock.GetUtcNow();
        // Left untried while its receiver is paused: the last real try's answer stays on record.
        var deferred = !outcome.Tried && !outcome.Final;
        var recorded = leased with
        {
            State = state,
            Attempts = leased.Attempts + (outcome.Tried ? 1 : 0),
            RoundAttempts = tries,
            LastStatus = deferred ? leased.LastStatus : outcome.Status,
            LastError = deferred ? leased.LastError : outcome.Error,
            LastAttemptAt = outcome.Tried ? at : leased.LastAttemptAt,
            DeliveredAt = state == DeliveryState.Delivered ? finishedAt : null,
            NextAttemptAt = state != DeliveryState.Pending ? null
                : deferred ? finishedAt + outcome.RetryAfter!.Value
                : finishedAt + DelayAfter(tries, outcome.RetryAfter, _options, Random.Shared.NextDouble()),
        };
        try
        {
            return (await _deliveries.ChangeAsync(leased.Id, d => d == leased ? recorded : null, cancellationToken))?.Stored;
        }
        catch (Exception e) when (ExceptionChain.IsVersionConflict(e))
        {
            return await _deliveries.GetAsync(leased.Id, cancellationToken);
        }
    }

    /// <summary>What a try came to.</summary>
    /// <param name="Status">The receiver's answer, when there was one.</param>
    /// <param name="Error">Why it failed, for the record.</param>
    /// <param name="Final">No further try: delivered, or refused for good.</param>
    /// <param name="RetryAfter">How long the receiver asked to be left alone.</param>
    /// <param name="Tried">A request was made (not so when the subscription was gone).</param>
    private sealed record TryOutcome(int? Status, string? Error, bool Final, TimeSpan? RetryAfter, bool Tried);
}
