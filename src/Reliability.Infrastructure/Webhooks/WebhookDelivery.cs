namespace Reliability.Infrastructure.Webhooks;

public enum DeliveryState
{
    Pending,
    Delivered,
    Dead,
}

/// <summary>
/// One event for one subscription. Stored before the first send, so a crash between the event and
/// the send loses nothing (at least once); <see cref="Id"/> is sent as <c>Reliability-Delivery-Id</c>
/// on every try, for receivers to dedupe on.
/// </summary>
public sealed record WebhookDelivery
{
    public required string Id { get; init; }
    public required string SubscriptionId { get; init; }
    public required string EventKind { get; init; }
    public required string Body { get; init; }
    public DeliveryState State { get; init; } = DeliveryState.Pending;

    /// <summary>Every try ever made, replays included.</summary>
    public int Attempts { get; init; }

    /// <summary>
    /// The tries of the current round: a replay starts a new one, and a round ends Dead after
    /// <see cref="WebhookOptions.MaxAttempts"/> of them.
    /// </summary>
    public int RoundAttempts { get; init; }

    public int? LastStatus { get; init; }
    public string? LastError { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>
    /// While pending, when the next try is due (null: at once). A node sending a try first moves it
    /// past the try's longest run, as a lease: another node leaves it alone meanwhile, and takes it
    /// up if the sender died.
    /// </summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    public DateTimeOffset? DeliveredAt { get; init; }

    public bool IsDue(DateTimeOffset now) => State == DeliveryState.Pending && (NextAttemptAt is not { } next || next <= now);
}
