using Microsoft.AspNetCore.Http.HttpResults;
using Reliability.Contracts.Ledger;

namespace Reliability.Api.Apis;

/// <summary>RFC 9457 answers shared by the endpoint groups.</summary>
internal static class Problems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(title: "Not found", detail: detail, statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult From<T>(LedgerOutcome<T> outcome) => outcome.Failure switch
    {
        LedgerFailure.NotFound => NotFound(outcome.Detail ?? "Not found."),
        LedgerFailure.Invalid => Invalid(outcome.Errors ?? new Dictionary<string, string[]>()),
        _ => TypedResults.Problem(title: "Conflict", detail: outcome.Detail, statusCode: StatusCodes.Status409Conflict),
    };

    public static ProblemHttpResult Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary())
        {
            Title = "The request is not valid",
            Status = StatusCodes.Status400BadRequest,
        });
}
