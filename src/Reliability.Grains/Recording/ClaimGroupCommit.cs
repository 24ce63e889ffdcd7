using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Reliability.Contracts.Ledger;

namespace Reliability.Grains.Recording;

/// <summary>
/// Group commit for claims. Batches that arrive while a commit is in flight wait for a writer and
/// are then recorded together in one transaction, so concurrent requests share a commit (and its
/// appends) instead of each paying for its own. A lone batch goes straight through: nothing waits
/// for company. Every batch keeps its own verdicts, exactly as if it had been written alone in the
/// order of the group; when a group fails for a reason other than a concurrent writer, each of its
/// batches is written again on its own, so one bad batch fails alone.
/// </summary>
internal sealed partial class ClaimGroupCommit : IDisposable
{
    public delegate Task<IReadOnlyList<SubmissionResult>> Writer(IReadOnlyList<ClaimSubmission> claims);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly Writer _write;
    private readonly int _maxClaims;
    private readonly ILogger _logger;

    public ClaimGroupCommit(int writers, int maxClaims, Writer write, ILogger logger)
    {
        _write = write;
        _maxClaims = Math.Max(1, maxClaims);
        _logger = logger;
        for (var i = 0; i < Math.Max(1, writers); i++)
        {
            _ = Task.Run(WriteGroupsAsync);
        }
    }

    /// <summary>Completes when the batch is durably recorded (or refused), with one verdict per claim.</summary>
    public Task<IReadOnlyList<SubmissionResult>> RecordAsync(IReadOnlyList<ClaimSubmission> claims, CancellationToken cancellationToken)
    {
        var pending = new Pending(claims, cancellationToken);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(ClaimGroupCommit));
        }

        return pending.Done.Task;
    }

    private async Task WriteGroupsAsync()
    {
        var group = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            var claims = 0;
            while ((group.Count == 0 || (_queue.Reader.TryPeek(out var next) && claims + next.Claims.Count <= _maxClaims))
                && _queue.Reader.TryRead(out var pending))
            {
                // A caller that gave up before its batch was taken is not written: it was never acknowledged.
                if (pending.CancellationToken.IsCancellationRequested)
                {
                    pending.Done.TrySetCanceled(pending.CancellationToken);
                    continue;
                }

                group.Add(pending);
                claims += pending.Claims.Count;
            }

            if (group.Count > 0)
            {
                await WriteAsync(group);
            }
        }
    }

    private async Task WriteAsync(List<Pending> group)
    {
        try
        {
            var results = await _write(group.Count == 1 ? group[0].Claims : [.. group.SelectMany(p => p.Claims)]);
            var offset = 0;
            foreach (var pending in group)
            {
                pending.Done.TrySetResult([.. results.Skip(offset).Take(pending.Claims.Count)]);
                offset += pending.Claims.Count;
            }
        }
        catch (Exception exception) when (group.Count > 1)
        {
            LogGroupFailed(_logger, group.Count, exception);
            foreach (var pending in group)
            {
                await WriteAsync([pending]);
            }
        }
        catch (Exception exception)
        {
            group[0].Done.TrySetException(exception);
        }
    }

    public void Dispose() => _queue.Writer.TryComplete();

    [LoggerMessage(LogLevel.Warning, "A group of {Batches} claim batches failed together; writing each on its own")]
    private static partial void LogGroupFailed(ILogger logger, int batches, Exception exception);

    private sealed class Pending(IReadOnlyList<ClaimSubmission> claims, CancellationToken cancellationToken)
    {
        public IReadOnlyList<ClaimSubmission> Claims => claims;
        public CancellationToken CancellationToken => cancellationToken;
        public TaskCompletionSource<IReadOnlyList<SubmissionResult>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
