using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c> against the
/// stored key hashes. The secret itself is never logged or kept.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyResolver keys,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string RoleClaim = "reliability:role";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = SecretFrom(Request);
        if (secret is null)
        {
            return AuthenticateResult.NoResult();
        }

        var key = await keys.FindActiveAsync(secret, Context.RequestAborted);
        if (key is null)
        {
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }

        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, key.Id),
            new(ClaimTypes.Name, key.Name),
            new(RoleClaim, key.Role.ToString()),
        ];
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var detail = SecretFrom(Request) is null
            ? "Send an API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'."
            : "The API key is unknown or revoked.";
        await WriteProblemAsync("API key required", detail);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await WriteProblemAsync("Role too small", "This API key's role does not allow this operation.");
    }

    private async Task WriteProblemAsync(string title, string detail) =>
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Title = title, Detail = detail, Status = Response.StatusCode },
        });

    internal static string? SecretFrom(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var secret = authorization["Bearer ".Length..].Trim();
            return secret.Length > 0 ? secret : null;
        }

        var header = request.Headers["X-Api-Key"].ToString().Trim();
        return header.Length > 0 ? header : null;
    }
}

/// <summary>
/// Looks keys up with a short cache, so a busy plugin does not cost a database read per request.
/// A revocation through this node takes effect at once; through another node, within the cache time.
/// </summary>
internal sealed class ApiKeyResolver(ApiKeyStore store, IMemoryCache cache)
{
    private static readonly TimeSpan KnownKeyLifetime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan UnknownKeyLifetime = TimeSpan.FromSeconds(5);

    public async Task<ApiKey?> FindActiveAsync(string secret, CancellationToken cancellationToken)
    {
        var cacheKey = CacheKey(ApiKeySecret.Hash(secret));
        if (cache.TryGetValue(cacheKey, out ApiKey? cached))
        {
            return cached;
        }

        var key = await store.FindActiveBySecretAsync(secret, cancellationToken);
        cache.Set(cacheKey, key, key is null ? UnknownKeyLifetime : KnownKeyLifetime);
        return key;
    }

    public void Forget(ApiKey key) => cache.Remove(CacheKey(key.SecretHash));

    private static string CacheKey(string hash) => "api-key:" + hash;
}
