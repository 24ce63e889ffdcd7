using Microsoft.AspNetCore.Diagnostics;
using Reliability.Grains;
using Reliability.Infrastructure;
using Reliability.Infrastructure.Database;

namespace Reliability.Api.Hosting;

/// <summary>
/// PostgreSQL unreachable (stopped, restarting, network gone), also when a grain met it, or the
/// silo that held the grain just died: 503 with Retry-After, never 500. Nothing was written: every
/// write is one transaction, and a retry of the same request is idempotent by its ids.
/// </summary>
internal sealed class StoreUnavailableHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var store = IsStoreUnavailable(exception);
        if (!store && !IsClusterUnavailable(exception))
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var details = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = store ? "The record store is unavailable" : "The cluster is reorganising",
            Detail = $"Nothing was changed. Try again in {RetryAfterSeconds} s; repeating a write with the same ids is safe.",
        };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = details, Exception = exception });
    }

    private static bool IsStoreUnavailable(Exception exception) =>
        StoreFailures.IsUnavailable(exception) || ExceptionChain.Of(exception).Any(e => e is RecordStoreUnavailableException);

    // A grain call to a silo that has just died fails until the membership declares it dead.
    private static bool IsClusterUnavailable(Exception exception) =>
        ExceptionChain.Of(exception).Any(e => e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException);

}
