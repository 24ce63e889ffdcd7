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
    public int Attempts { get; init; }
    public int? LastStatus { get; init; }
    public string? LastError { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? LastAttemptAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
}
