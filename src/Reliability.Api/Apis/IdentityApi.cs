using System.Security.Claims;
using Reliability.Api.Security;

namespace Reliability.Api.Apis;

/// <summary>
/// Which key a caller is using. It touches nothing but the authenticated principal, so it doubles as
/// the cheapest authenticated call of the host: a client checks its key with it, and the benchmarks
/// use it as the baseline the record's endpoints are measured against.
/// </summary>
internal static class IdentityApi
{
    public static IEndpointRouteBuilder MapIdentityApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/me", Me).WithTags("Keys").RequireAuthorization(Roles.Reader)
            .WithSummary("The API key making the call: its id, name and role");
        return app;
    }

    public sealed record KeyIdentity(string Id, string Name, string Role);

    private static KeyIdentity Me(ClaimsPrincipal user) => new(
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "",
        user.FindFirstValue(ClaimTypes.Name) ?? "",
        (Roles.RoleOf(user)?.ToString() ?? "").ToLowerInvariant());
}
