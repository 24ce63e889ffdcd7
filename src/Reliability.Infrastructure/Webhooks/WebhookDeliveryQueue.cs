using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Reliability.Infrastructure.Webhooks;

/// <summary>
/// Delivery ids waiting for the background sender. In memory only: the records are in PostgreSQL,
/// and the sender's sweep finds every pending one that is due. An id waiting already is not queued
/// twice, so a sweep finding what is still queued adds nothing.
/// </summary>
public sealed class WebhookDeliveryQueue
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, byte> _waiting = new(StringComparer.Ordinal);

    public int Waiting => _waiting.Count;

    public void Post(string deliveryId)
    {
        if (_waiting.TryAdd(deliveryId, 0) && !_channel.Writer.TryWrite(deliveryId))
        {
            _waiting.TryRemove(deliveryId, out _);
        }
    }

    public async IAsyncEnumerable<string> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var id in _channel.Reader.ReadAllAsync(cancellationToken))
        {
            _waiting.TryRemove(id, out _);
            yield return id;
        }
    }
}
