namespace Reliability.Infrastructure;

/// <summary>
/// An exception and the ones it wraps, outermost first. Marten wraps Npgsql's errors and Orleans wraps
/// whatever a grain threw, so what a failure *means* is usually found some way down the chain.
/// </summary>
public static class ExceptionChain
{
    public static IEnumerable<Exception> Of(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    /// <summary>
    /// An insert found its id taken: Marten says so itself when its insert returned no row, PostgreSQL
    /// with a unique violation otherwise.
    /// </summary>
    public static bool IsDocumentTaken(Exception exception) =>
        Of(exception).Any(e => e is JasperFx.DocumentAlreadyExistsException or Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation });

    /// <summary>
    /// A document stored with a version check (Marten's optimistic concurrency) had been changed by
    /// someone else since it was read.
    /// </summary>
    public static bool IsVersionConflict(Exception exception) =>
        Of(exception).Any(e => e is JasperFx.ConcurrencyException
            || (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsVersionConflict)));
}
