using Marten.Exceptions;
using Npgsql;
using Reliability.Infrastructure;

namespace Reliability.Grains.Recording;

/// <summary>Errors that mean "someone else wrote first", as opposed to the database being unwell.</summary>
internal static class WriteConflicts
{
    public static bool IsConflict(Exception exception)
    {
        foreach (var e in ExceptionChain.Of(exception))
        {
            switch (e)
            {
                // Marten's insert reports an id taken meanwhile this way, with no PostgreSQL error inside
                // (its insert returned no row), so the unique violation below never shows for it.
                case JasperFx.DocumentAlreadyExistsException:
                case ExistingStreamIdCollisionException:
                case JasperFx.Events.EventStreamUnexpectedMaxEventIdException:
                case JasperFx.ConcurrencyException:
                // A source merged into another after the command read it: decided again, it finds the survivor.
                case StreamMergedException:
                case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }:
                // Two commits creating the same new streams in opposite orders: PostgreSQL aborts one of them.
                case PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure }:
                    return true;
                case AggregateException aggregate:
                    // Several documents or streams can fail in one commit; any conflict among them means "decide again".
                    return aggregate.InnerExceptions.Any(IsConflict);
            }
        }

        return false;
    }

    /// <summary>What collided, for the log: PostgreSQL's error code when the server decided, else the exception's type.</summary>
    public static string Describe(Exception exception) =>
        ExceptionChain.Of(exception).OfType<PostgresException>().FirstOrDefault() is { } refused
            ? $"{refused.SqlState} {refused.MessageText}"
            : exception.GetType().Name;
}
