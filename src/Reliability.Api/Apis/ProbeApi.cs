using Microsoft.AspNetCore.Http.HttpResults;
using Reliability.Api.Security;
using Reliability.Contracts.Probe;

namespace Reliability.Api.Apis;

/// <summary>The walking skeleton's endpoint: HTTP → grain → event stream and back.</summary>
internal static class ProbeApi
{
    public static IEndpointRouteBuilder MapProbeApi(this IEndpointRouteBuilder app)
    {
        var probes = app.MapGroup("/v1/probes").WithTags("Probe");
        probes.MapPost("/{id}/notes", RecordNoteAsync).RequireAuthorization(Roles.Contributor);
        probes.MapGet("/{id}", GetAsync);
        return app;
    }

    public sealed record ProbeNoteRequest(string? Note);

    private static async Task<Results<Ok<ProbeState>, ValidationProblem>> RecordNoteAsync(
        string id, ProbeNoteRequest request, IGrainFactory grains)
    {
        if (string.IsNullOrWhiteSpace(request.Note))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["note"] = ["A note is required."] });
        }

        return TypedResults.Ok(await grains.GetGrain<IEventStoreProbeGrain>(id).RecordAsync(request.Note));
    }

    private static async Task<Ok<ProbeState>> GetAsync(string id, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IEventStoreProbeGrain>(id).GetAsync());
}
