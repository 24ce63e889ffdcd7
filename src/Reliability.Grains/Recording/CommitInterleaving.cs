namespace Reliability.Grains.Recording;

/// <summary>
/// A write to run once, after the next command is decided and before its commit takes its stream
/// locks: how tests put another commit in the one gap a command's own decision cannot see (a merge
/// between a claim batch finding its source and committing to it). Nothing is armed in service.
/// </summary>
public sealed class CommitInterleaving
{
    private Func<Task>? _armed;

    /// <summary>Runs <paramref name="write"/> in the next command's gap, then disarms.</summary>
    public void Arm(Func<Task> write) => Interlocked.Exchange(ref _armed, write);

    /// <summary>Whether the armed write has run.</summary>
    public bool Fired { get; private set; }

    internal async Task RunAsync()
    {
        if (Volatile.Read(ref _armed) is not null && Interlocked.Exchange(ref _armed, null) is { } write)
        {
            await write();
            Fired = true;
        }
    }
}
