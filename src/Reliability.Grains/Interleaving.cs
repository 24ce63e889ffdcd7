namespace Reliability.Grains;

/// <summary>
/// A write to run once in a gap of the service's own between a read and the write that depends on
/// it: how tests put another writer where a race would land. Each gap has its own kind, so a test
/// arms exactly the one it means. Nothing is armed in service.
/// </summary>
public abstract class Interleaving
{
    private Func<Task>? _armed;

    /// <summary>Runs <paramref name="write"/> the next time the gap is passed, then disarms.</summary>
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
