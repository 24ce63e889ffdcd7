using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Reliability.Api.Apis;

internal static class HealthApi
{
    public const string ReadyTag = "ready";

    /// <summary>Live: the process answers. Ready: it can also reach what it needs (the database).</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false })
            .WithTags("Health").AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) })
            .WithTags("Health").AllowAnonymous();
        return app;
    }
}
