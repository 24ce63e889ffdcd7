using Microsoft.AspNetCore.Http.HttpResults;
using Reliability.Api.Security;
using Reliability.Grains.Records;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Apis;

/// <summary>API keys, managed by admins. A key's secret is returned once, when it is created.</summary>
internal static class KeysApi
{
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/v1/keys").WithTags("Keys").RequireAuthorization(Roles.Admin);
        keys.MapPost("/", CreateAsync).WithSummary("Create an API key (the secret is shown once)");
        keys.MapGet("/", ListAsync).WithSummary("List API keys (without secrets)");
        keys.MapDelete("/{id}", RevokeAsync).WithSummary("Revoke an API key");
        return app;
    }

    public sealed record CreateKeyRequest(string? Name, string? Role);

    public sealed record KeyView(string Id, string Name, string Role, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
    {
        public static KeyView Of(ApiKey key) =>
            new(key.Id, key.Name, key.Role.ToString().ToLowerInvariant(), key.Prefix, key.CreatedAt, key.RevokedAt);
    }

    public sealed record CreatedKey(string Id, string Name, string Role, string Key, DateTimeOffset CreatedAt);

    private static async Task<Results<Created<CreatedKey>, ValidationProblem>> CreateAsync(
        CreateKeyRequest request, ApiKeyStore store, CancellationToken cancellationToken)
    {
        // A key's name shows in lists and logs: the same text rules as every other field (no NUL).
        var errors = new RequestErrors();
        errors.Required("name", request.Name);
        if (!Vocabulary.TryWord<ApiKeyRole>(request.Role, out var role))
        {
            errors.Add("role", "The role must be one of: reader, contributor, editor, admin.");
        }

        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var (key, secret) = await store.CreateAsync(request.Name!.Trim(), role, cancellationToken);
        return TypedResults.Created($"/v1/keys/{key.Id}",
            new CreatedKey(key.Id, key.Name, key.Role.ToString().ToLowerInvariant(), secret, key.CreatedAt));
    }

    private static async Task<Ok<KeyView[]>> ListAsync(ApiKeyStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok((await store.ListAsync(cancellationToken)).Select(KeyView.Of).ToArray());

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string id, ApiKeyStore store, ApiKeyResolver resolver, CancellationToken cancellationToken)
    {
        var revoked = await store.RevokeAsync(id, cancellationToken);
        if (revoked is null)
        {
            return TypedResults.Problem(title: "Unknown key", detail: $"No API key has the id '{id}'.", statusCode: 404);
        }

        // This node's own copy goes at once; the others drop theirs on the revocation's notice.
        resolver.Forget(revoked.Id);
        return TypedResults.NoContent();
    }
}
