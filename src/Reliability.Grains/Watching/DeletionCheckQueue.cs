using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Reliability.Grains.Watching;

/// <summary>One hand-out of a claim to the check worker: the check counts only while this lease is the claim's.</summary>
public sealed record DeletionCheck(string ClaimId, string LeaseId);

/// <summary>
/// Claims handed out by the schedule, waiting for this silo's check worker. In memory only: a
/// claim handed out is leased in its <see cref="ClaimWatch"/>, and comes due again if the silo dies.
/// A claim waits here once: when the schedule leases it again before the worker got to it (the
/// lease ran out in the queue), the waiting entry takes the new lease instead of a second entry
/// joining the back of the queue, which would check the post twice in a row.
/// </summary>
public sealed class DeletionCheckQueue
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>();
    private readonly Dictionary<string, string> _leases = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _leases.Count;
            }
        }
    }

    public void Post(DeletionCheck check)
    {
        lock (_gate)
        {
            var waiting = _leases.ContainsKey(check.ClaimId);
            _leases[check.ClaimId] = check.LeaseId;
            if (!waiting)
            {
                _channel.Writer.TryWrite(check.ClaimId);
            }
        }
    }

    public async IAsyncEnumerable<DeletionCheck> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var claimId in _channel.Reader.ReadAllAsync(cancellationToken))
        {
            string? leaseId;
            lock (_gate)
            {
                _leases.Remove(claimId, out leaseId);
            }

            if (leaseId is not null)
            {
                yield return new DeletionCheck(claimId, leaseId);
            }
        }
    }
}
