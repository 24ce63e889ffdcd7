using System.Text.Json;
using Marten;

namespace Reliability.Infrastructure.Webhooks;

/// <summary>
/// An event waiting to become deliveries. Written by the same transaction as the fact it announces
/// (a correction, a resolution), so nothing the record acknowledged can miss its webhooks; the relay
/// turns it into deliveries and removes it in one transaction.
/// </summary>
public sealed record WebhookOutboxEvent
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public IReadOnlyList<string> SourceIds { get; init; } = [];
    public IReadOnlyList<string> ArticleIds { get; init; } = [];
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The event's data as JSON text: a document field of type object would not read back as it was written.</summary>
    public required string Data { get; init; }

    public required DateTimeOffset RecordedAt { get; init; }

    public WebhookEvent ToEvent() =>
        new(Kind, JsonSerializer.Deserialize<JsonElement>(Data)) { SourceIds = SourceIds, ArticleIds = ArticleIds, OccurredAt = OccurredAt };
}

public static class WebhookOutbox
{
    /// <summary>Queues an event on the caller's session: it is committed, or not, with the caller's write.</summary>
    public static void Add(IDocumentSession session, WebhookEvent e, DateTimeOffset now) =>
        session.Store(new WebhookOutboxEvent
        {
            Id = Guid.NewGuid().ToString("N"),
            Kind = e.Kind,
            SourceIds = [.. e.AllSourceIds.Distinct(StringComparer.Ordinal)],
            ArticleIds = [.. e.AllArticleIds.Distinct(StringComparer.Ordinal)],
            OccurredAt = e.OccurredAt ?? now,
            Data = JsonSerializer.Serialize(e.Data, JsonSerializerOptions.Web),
            RecordedAt = now,
        });
}
