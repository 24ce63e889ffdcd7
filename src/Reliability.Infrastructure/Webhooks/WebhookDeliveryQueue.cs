using System.Threading.Channels;

namespace Reliability.Infrastructure.Webhooks;

/// <summary>
/// Delivery ids waiting for the background sender. In memory only: the records are in PostgreSQL,
/// and pending ones are queued again when the sender starts.
/// </summary>
public sealed class WebhookDeliveryQueue
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>();

    public void Post(string deliveryId) => _channel.Writer.TryWrite(deliveryId);

    public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);
}
