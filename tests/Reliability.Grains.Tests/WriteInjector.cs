using Marten;
using Marten.Services;

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

    private int _loseAcknowledgement;

    /// <summary>The next commit is made, and its caller hears it failed: a connection lost after COMMIT was sent.</summary>
    public void LoseNextAcknowledgement() => Volatile.Write(ref _loseAcknowledgement, 1);

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) =>
        Interlocked.Exchange(ref _loseAcknowledgement, 0) == 1
            ? throw new IOException("The connection was lost after the commit was sent.")
            : Task.CompletedTask;

    public override async Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (Interlocked.Exchange(ref _armed, null) is { } write)
        {
            await write();
            Fired = true;
        }
    }
}
