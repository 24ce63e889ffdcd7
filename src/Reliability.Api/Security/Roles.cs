using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Security;

/// <summary>Authorization policies named after the roles; a policy admits its role and every larger one.</summary>
internal static class Roles
{
    public const string Reader = nameof(ApiKeyRole.Reader);
    public const string Contributor = nameof(ApiKeyRole.Contributor);
    public const string Editor = nameof(ApiKeyRole.Editor);
    public const string Admin = nameof(ApiKeyRole.Admin);

    public static AuthorizationBuilder AddRolePolicies(this AuthorizationBuilder authorization)
    {
        foreach (var role in Enum.GetValues<ApiKeyRole>())
        {
            authorization.AddPolicy(role.ToString(), policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => RoleOf(context.User) >= role));
        }

        // Everything needs at least a reader key unless an endpoint says otherwise (health, OpenAPI).
        return authorization.SetFallbackPolicy(new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => RoleOf(context.User) >= ApiKeyRole.Reader)
            .Build());
    }

    public static ApiKeyRole? RoleOf(ClaimsPrincipal user) =>
        Enum.TryParse<ApiKeyRole>(user.FindFirstValue(ApiKeyAuthenticationHandler.RoleClaim), out var role) ? role : null;
}
