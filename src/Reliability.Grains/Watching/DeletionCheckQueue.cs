using System.Threading.Channels;

namespace Reliability.Grains.Watching;

/// <summary>
/// Claim ids handed out by the schedule, waiting for this silo's check worker. In memory only: a
/// claim handed out is leased in its <see cref="ClaimWatch"/>, and comes due again if the silo dies.
/// </summary>
public sealed class DeletionCheckQueue
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>();

    public int Waiting => _channel.Reader.Count;

    public void Post(string claimId) => _channel.Writer.TryWrite(claimId);

    public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);
}
