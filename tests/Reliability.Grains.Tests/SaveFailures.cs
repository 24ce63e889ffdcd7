using Marten;

namespace Reliability.Grains.Tests;

/// <summary>
/// Fails the silos' saves of chosen documents, as a store that refuses one write would: the tests
/// see what a grain does when its snapshot or its listing cannot be stored.
/// </summary>
public sealed class SaveFailures : DocumentSessionListenerBase
{
    private Func<IDocumentSession, bool>? _refuse;
    private int _refused;

    public int Refused => Volatile.Read(ref _refused);

    public void Refuse<T>(Func<T, bool> document) =>
        Volatile.Write(ref _refuse, session => session.PendingChanges.AllChangedFor<T>().Any(document));

    public void Clear() => Volatile.Write(ref _refuse, null);

    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (Volatile.Read(ref _refuse) is { } refuse && refuse(session))
        {
            Interlocked.Increment(ref _refused);
            throw new InvalidOperationException("The test refused this save.");
        }

        return Task.CompletedTask;
    }
}
