using Marten;

namespace Reliability.Grains.Tests;

/// <summary>
/// Runs a write of its own, on its own connection, just before the test ledger's next commit: the
/// commit then meets a stream that moved after the ledger read it.
/// </summary>
public sealed class WriteInjector : DocumentSessionListenerBase
{
    private Func<Task>? _armed;

    public void Arm(Func<Task> write) => Interlocked.Exchange(ref _armed, write);

    public bool Fired { get; private set; }

    public override async Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (Interlocked.Exchange(ref _armed, null) is { } write)
        {
            await write();
            Fired = true;
        }
    }
}
