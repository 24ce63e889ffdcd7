using System.Net.Sockets;
using Npgsql;

namespace Reliability.Infrastructure.Database;

/// <summary>Tells a database that cannot be reached from a request the database refused.</summary>
public static class StoreFailures
{
    /// <summary>
    /// True when the exception, or one it wraps (Marten wraps Npgsql's), says PostgreSQL could not
    /// be reached, went away mid-command or is starting or shutting down: worth retrying later.
    /// </summary>
    public static bool IsUnavailable(Exception exception) =>
        ExceptionChain.Of(exception).Any(e => e is NpgsqlException { IsTransient: true } or SocketException);
}
