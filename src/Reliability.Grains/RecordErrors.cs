using Reliability.Infrastructure;
using Reliability.Infrastructure.Database;

namespace Reliability.Grains;

/// <summary>
/// Marten, JasperFx, Weasel and Npgsql exceptions have no Orleans codec: one thrown out of a grain
/// would fail to serialize and reach the caller as a confusing serialization error. They leave a
/// grain as an <see cref="InvalidOperationException"/> that names what failed.
/// </summary>
public sealed class RecordErrors : IIncomingGrainCallFilter
{
    private static readonly string[] StoreNamespaces = ["Marten", "JasperFx", "Weasel", "Npgsql"];

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception exception) when (IsStoreException(exception))
        {
            throw Translate(exception);
        }
    }

    public static bool IsStoreException(Exception exception) => FirstStoreException(exception) is not null;

    private static Exception? FirstStoreException(Exception exception) =>
        ExceptionChain.Of(exception).FirstOrDefault(e => e.GetType().Namespace is { } ns
            && StoreNamespaces.Any(n => ns == n || ns.StartsWith(n + ".", StringComparison.Ordinal)));

    /// <summary>
    /// The same failure in a type every Orleans client can read; the store's own exception stays in
    /// the silo's log. An unreachable database stays recognisable as such.
    /// </summary>
    public static Exception Translate(Exception exception)
    {
        // Named after the store's own exception, not whatever wrapped it on the way out.
        var store = FirstStoreException(exception) ?? exception;
        var message = $"The record store failed ({store.GetType().Name}): {store.Message}";
        return StoreFailures.IsUnavailable(exception)
            ? new RecordStoreUnavailableException(message)
            : new InvalidOperationException(message);
    }
}
