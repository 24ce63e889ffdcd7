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

    public static bool IsStoreException(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var ns = e.GetType().Namespace ?? "";
            if (StoreNamespaces.Any(n => ns == n || ns.StartsWith(n + ".", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The same failure in a type every Orleans client can read; the store's own exception stays in
    /// the silo's log. An unreachable database stays recognisable as such.
    /// </summary>
    public static Exception Translate(Exception exception)
    {
        var message = $"The record store failed ({exception.GetType().Name}): {exception.Message}";
        return StoreFailures.IsUnavailable(exception)
            ? new RecordStoreUnavailableException(message)
            : new InvalidOperationException(message);
    }
}
