namespace Reliability.Grains.Watching;

/// <summary>
/// A write to run once, between the next tick's read of the due claims and its lease: how tests put
/// a correction, a citation or a merge in the one gap the tick cannot see. Nothing is armed in service.
/// </summary>
public sealed class TickInterleaving
{
    private Func<Task>? _armed;

    /// <summary>Runs <paramref name="write"/> in the next tick's gap, then disarms.</summary>
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
