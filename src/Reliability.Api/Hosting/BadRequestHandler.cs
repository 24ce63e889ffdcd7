using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Reliability.Api.Hosting;

/// <summary>
/// A body that is not valid JSON, has a wrong type, an unknown field or a timestamp without offset
/// is the client's mistake: 400 with what the parser said and where, never 500.
/// </summary>
internal sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var json = bad.InnerException as JsonException;
        httpContext.Response.StatusCode = bad.StatusCode;
        var details = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = bad.StatusCode,
            Title = json is null ? "The request could not be read" : "The request body is not valid JSON for this endpoint",
            Detail = json?.Message ?? bad.Message,
        };
        if (json?.Path is { } path)
        {
            details.Extensions["path"] = path;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = details, Exception = exception });
    }
}
