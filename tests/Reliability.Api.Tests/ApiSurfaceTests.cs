using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Tests;

/// <summary>
/// Every endpoint against every role, and the OpenAPI document against the endpoints the service
/// actually maps: a new endpoint missing from either table fails here.
/// </summary>
public sealed class ApiSurfaceTests(ApiSurfaceTests.Api api) : IClassFixture<ApiSurfaceTests.Api>
{
    public sealed class Api : IAsyncLifetime
    {
        public ReliabilityApiFactory Factory { get; private set; } = null!;
        public Dictionary<ApiKeyRole, HttpClient> Clients { get; } = [];

        public async Task InitializeAsync()
        {
            Factory = await ReliabilityApiFactory.StartAsync("surface");
            foreach (var role in Enum.GetValues<ApiKeyRole>())
            {
                Clients[role] = await Factory.CreateClientAsync(role);
            }
        }

        public async Task DisposeAsync()
        {
            foreach (var client in Clients.Values)
            {
                client.Dispose();
            }

            await Factory.DisposeAsync();
        }
    }

    /// <summary>Method, route template as mapped, a concrete path, and the smallest role admitted.</summary>
    private static readonly (string Method, string Template, string Path, ApiKeyRole Minimum)[] Endpoints =
    [
        ("POST", "/v1/claims", "/v1/claims", ApiKeyRole.Contributor),
        ("GET", "/v1/claims/{id}", "/v1/claims/unknown", ApiKeyRole.Reader),
        ("POST", "/v1/claims/{id}/corrections", "/v1/claims/unknown/corrections", ApiKeyRole.Contributor),
        ("POST", "/v1/propositions", "/v1/propositions", ApiKeyRole.Contributor),
        ("GET", "/v1/propositions", "/v1/propositions", ApiKeyRole.Reader),
        ("GET", "/v1/propositions/{id}", "/v1/propositions/unknown", ApiKeyRole.Reader),
        ("PUT", "/v1/propositions/{id}/resolution", "/v1/propositions/unknown/resolution", ApiKeyRole.Editor),
        ("GET", "/v1/propositions/{id}/resolutions", "/v1/propositions/unknown/resolutions", ApiKeyRole.Reader),
        ("POST", "/v1/sources", "/v1/sources", ApiKeyRole.Contributor),
        ("GET", "/v1/sources", "/v1/sources", ApiKeyRole.Reader),
        ("POST", "/v1/sources/{id}/handles", "/v1/sources/unknown/handles", ApiKeyRole.Contributor),
        ("PATCH", "/v1/sources/{id}", "/v1/sources/unknown", ApiKeyRole.Contributor),
        ("DELETE", "/v1/sources/{id}/handles/{platform}/{handle}", "/v1/sources/unknown/handles/x/someone", ApiKeyRole.Editor),
        ("POST", "/v1/sources/{id}/merge", "/v1/sources/unknown/merge", ApiKeyRole.Editor),
        ("PUT", "/v1/sources/{id}/external-ratings/{rater}", "/v1/sources/unknown/external-ratings/mbfc", ApiKeyRole.Contributor),
        ("DELETE", "/v1/sources/{id}/external-ratings/{rater}", "/v1/sources/unknown/external-ratings/mbfc", ApiKeyRole.Contributor),
        ("GET", "/v1/sources/{id}", "/v1/sources/unknown", ApiKeyRole.Reader),
        ("GET", "/v1/sources/{id}/score", "/v1/sources/unknown/score", ApiKeyRole.Reader),
        ("GET", "/v1/sources/{id}/explanation", "/v1/sources/unknown/explanation", ApiKeyRole.Reader),
        ("GET", "/v1/sources/{id}/history", "/v1/sources/unknown/history", ApiKeyRole.Reader),
        ("GET", "/v1/sources/{id}/claims", "/v1/sources/unknown/claims", ApiKeyRole.Reader),
        ("GET", "/v1/sources/{id}/disputes", "/v1/sources/unknown/disputes", ApiKeyRole.Reader),
        ("GET", "/v1/sources/{id}/articles", "/v1/sources/unknown/articles", ApiKeyRole.Reader),
        ("POST", "/v1/lookup", "/v1/lookup", ApiKeyRole.Reader),
        ("POST", "/v1/articles", "/v1/articles", ApiKeyRole.Contributor),
        ("GET", "/v1/articles/{id}", "/v1/articles/unknown", ApiKeyRole.Reader),
        ("GET", "/v1/articles/{id}/alerts", "/v1/articles/unknown/alerts", ApiKeyRole.Reader),
        ("GET", "/v1/events", "/v1/events", ApiKeyRole.Reader),
        ("POST", "/v1/import/claimreview", "/v1/import/claimreview", ApiKeyRole.Editor),
        ("POST", "/v1/import/external-ratings", "/v1/import/external-ratings", ApiKeyRole.Contributor),
        ("GET", "/v1/propositions/{id}/claimreview", "/v1/propositions/unknown/claimreview", ApiKeyRole.Reader),
        ("POST", "/v1/admin/rescore", "/v1/admin/rescore", ApiKeyRole.Admin),
        ("POST", "/v1/admin/memory/collect", "/v1/admin/memory/collect", ApiKeyRole.Admin),
        ("GET", "/v1/admin/truth", "/v1/admin/truth", ApiKeyRole.Admin),
        ("POST", "/v1/keys", "/v1/keys", ApiKeyRole.Admin),
        ("GET", "/v1/keys", "/v1/keys", ApiKeyRole.Admin),
        ("DELETE", "/v1/keys/{id}", "/v1/keys/unknown", ApiKeyRole.Admin),
        ("GET", "/v1/claims/{id}/watch", "/v1/claims/unknown/watch", ApiKeyRole.Reader),
        ("POST", "/v1/webhooks", "/v1/webhooks", ApiKeyRole.Admin),
        ("GET", "/v1/webhooks", "/v1/webhooks", ApiKeyRole.Admin),
        ("GET", "/v1/webhooks/{id}", "/v1/webhooks/unknown", ApiKeyRole.Admin),
        ("DELETE", "/v1/webhooks/{id}", "/v1/webhooks/unknown", ApiKeyRole.Admin),
        ("GET", "/v1/webhooks/deliveries", "/v1/webhooks/deliveries", ApiKeyRole.Admin),
        ("GET", "/v1/webhooks/deliveries/{id}", "/v1/webhooks/deliveries/unknown", ApiKeyRole.Admin),
        ("GET", "/v1/webhooks/dead-letters", "/v1/webhooks/dead-letters", ApiKeyRole.Admin),
        ("POST", "/v1/webhooks/deliveries/{id}/replay", "/v1/webhooks/deliveries/unknown/replay", ApiKeyRole.Admin),
        ("GET", "/v1/me", "/v1/me", ApiKeyRole.Reader),
    ];

    public static TheoryData<string, string, ApiKeyRole> Matrix()
    {
        var data = new TheoryData<string, string, ApiKeyRole>();
        foreach (var (method, _, path, minimum) in Endpoints)
        {
            data.Add(method, path, minimum);
        }

        return data;
    }

    private ReliabilityApiFactory Factory => api.Factory;

    private static string Normalise(string template) => template.Length > 1 ? template.TrimEnd('/') : template;

    /// <summary>The versioned API as mapped: method and route template.</summary>
    private HashSet<string> MappedEndpoints() =>
        Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v1/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(m => $"{m} {Normalise(e.RoutePattern.RawText!)}"))
            .ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void The_role_matrix_covers_every_mapped_endpoint()
    {
        var listed = Endpoints.Select(e => $"{e.Method} {e.Template}").ToHashSet(StringComparer.Ordinal);
        var mapped = MappedEndpoints();

        Assert.Empty(mapped.Except(listed));
        Assert.Empty(listed.Except(mapped));
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_role_is_admitted_or_refused_by_each_endpoint(string method, string path, ApiKeyRole minimum)
    {
        using (var anonymous = Factory.CreateClient())
        {
            using var response = await SendAsync(anonymous, method, path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        foreach (var (role, client) in api.Clients)
        {
            using var response = await SendAsync(client, method, path);
            if (role < minimum)
            {
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{role} {method} {path}: {response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
            else
            {
                // Admitted: whatever the endpoint then says of an empty body or unknown id, it is not 401/403.
                Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
                    $"{role} {method} {path}: {response.StatusCode}");
            }
        }
    }

    [Fact]
    public async Task The_openapi_document_declares_3x_and_documents_every_endpoint()
    {
        using var client = Factory.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString());

        var documented = root.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(operation => operation.Name is "get" or "post" or "put" or "delete" or "patch")
                .Select(operation => $"{operation.Name.ToUpperInvariant()} {Normalise(path.Name)}"))
            .ToHashSet(StringComparer.Ordinal);
        var missing = MappedEndpoints().Except(documented).Order(StringComparer.Ordinal).ToList();

        Assert.True(missing.Count == 0, "Not documented: " + string.Join(", ", missing));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        // Headers only: the events stream never ends, and the status is all this test reads.
        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
