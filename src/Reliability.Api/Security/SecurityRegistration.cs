using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Security;

/// <summary>Configuration section <c>Reliability:Security</c>.</summary>
internal sealed class SecurityOptions
{
    /// <summary>Origins (newsroom sites, the CMS) allowed to call the API from a browser.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Requests per second each key may make, with bursts up to twice that.</summary>
    public int RequestsPerSecondPerKey { get; set; } = 200;

    /// <summary>The largest request body accepted (a 1,000-claim batch fits easily).</summary>
    public long MaxRequestBodyBytes { get; set; } = 8 * 1024 * 1024;
}

internal static class SecurityRegistration
{
    public const string CorsPolicy = "newsroom-origins";

    public static WebApplicationBuilder AddReliabilitySecurity(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Reliability:Security").Get<SecurityOptions>() ?? new();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<ApiKeyResolver>();
        builder.Services.AddHostedService<ApiKeyNotices>();
        builder.Services.AddHostedService<BootstrapAdminKey>();
        builder.Services
            .AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddRolePolicies();

        builder.Services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins(options.AllowedOrigins)
            // If-None-Match: a page script that keeps its own copy of a score may revalidate it
            // itself (the browser's cache adds the header on its own, without asking CORS).
            .WithHeaders("Authorization", "X-Api-Key", "Content-Type", "If-None-Match")
            .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
            // The embedded plugin waits as long as a 429 or 503 asks before it calls again; ETag is
            // readable so such a script can send it back.
            .WithExposedHeaders("Retry-After", "ETag")));

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetTokenBucketLimiter(PartitionOf(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RequestsPerSecondPerKey * 2,
                    TokensPerPeriod = options.RequestsPerSecondPerKey,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                rejected.HttpContext.Response.Headers.RetryAfter =
                    Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await rejected.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = rejected.HttpContext,
                    ProblemDetails = { Title = "Too many requests", Detail = "This API key's request rate is exceeded; retry later.", Status = 429 },
                });
            };
        });
        return builder;
    }

    public static WebApplication UseReliabilitySecurity(this WebApplication app)
    {
        app.UseCors(CorsPolicy);
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Limits apply per key; requests without a valid key share a partition per client address.</summary>
    private static string PartitionOf(HttpContext context) =>
        context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } keyId
            ? "key:" + keyId
            : "address:" + context.Connection.RemoteIpAddress;
}

/// <summary>Provisions <c>Reliability:BootstrapAdminKey</c> as an admin key, for first runs and automated deployments.</summary>
internal sealed class BootstrapAdminKey(IConfiguration configuration, ApiKeyStore keys) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var secret = configuration["Reliability:BootstrapAdminKey"];
        if (!string.IsNullOrWhiteSpace(secret))
        {
            await keys.EnsureBootstrapKeyAsync(secret.Trim(), cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
