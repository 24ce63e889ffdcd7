using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Tests;

public sealed class SecurityTests(SecurityTests.Api api) : IClassFixture<SecurityTests.Api>
{
    public sealed class Api : IAsyncLifetime
    {
        public ReliabilityApiFactory Factory { get; private set; } = null!;

        public async Task InitializeAsync() => Factory = await ReliabilityApiFactory.StartAsync("security",
            new Dictionary<string, string> { ["Reliability:Security:AllowedOrigins:0"] = "https://newsroom.example" });

        public async Task DisposeAsync() => await Factory.DisposeAsync();
    }

    private ReliabilityApiFactory Factory => api.Factory;

    [Theory]
    [InlineData("GET", "/v1/keys")]
    [InlineData("GET", "/v1/sources")]
    [InlineData("GET", "/v1/me")]
    [InlineData("POST", "/v1/propositions")]
    public async Task Without_a_key_the_api_answers_401_problem(string method, string path)
    {
        using var client = Factory.CreateClient();
        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "POST" ? JsonContent.Create(new { question = "x?", options = new[] { "a", "b" } }) : null,
        });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/openapi/v1.json")]
    public async Task Health_and_the_openapi_document_need_no_key(string path)
    {
        using var client = Factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task An_unknown_key_is_401()
    {
        using var client = Factory.CreateClient(ApiKeySecret.Generate());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/sources")).StatusCode);
    }

    [Theory]
    [InlineData(ApiKeyRole.Reader, HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden)]
    [InlineData(ApiKeyRole.Contributor, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Forbidden)]
    [InlineData(ApiKeyRole.Editor, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Forbidden)]
    [InlineData(ApiKeyRole.Admin, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK)]
    public async Task Each_role_includes_the_ones_before_it(
        ApiKeyRole role, HttpStatusCode query, HttpStatusCode contribute, HttpStatusCode administer)
    {
        using var client = await Factory.CreateClientAsync(role);

        Assert.Equal(query, (await client.GetAsync("/v1/sources")).StatusCode);
        var opened = await client.PostAsJsonAsync("/v1/propositions", new { question = $"Role {role}?", options = new[] { "yes", "no" } });
        Assert.Equal(contribute, opened.StatusCode == HttpStatusCode.Created ? HttpStatusCode.OK : opened.StatusCode);
        var keys = await client.GetAsync("/v1/keys");
        Assert.Equal(administer, keys.StatusCode);
        if (administer == HttpStatusCode.Forbidden)
        {
            Assert.Equal("application/problem+json", keys.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_key_works_in_either_header_until_it_is_revoked()
    {
        using var admin = Factory.CreateAdminClient();
        var created = await (await admin.PostAsJsonAsync("/v1/keys", new { name = "plugin مكتب", role = "reader" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var secret = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("id").GetString()!;

        using var bearer = Factory.CreateClient(secret);
        using var header = Factory.CreateClient();
        header.DefaultRequestHeaders.Add("X-Api-Key", secret);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("/v1/sources")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await header.GetAsync("/v1/sources")).StatusCode);
        var me = await header.GetFromJsonAsync<JsonElement>("/v1/me");
        Assert.Equal(id, me.GetProperty("id").GetString());
        Assert.Equal("plugin مكتب", me.GetProperty("name").GetString());
        Assert.Equal("reader", me.GetProperty("role").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/keys/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/v1/sources")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/v1/me")).StatusCode);
        var listed = await admin.GetFromJsonAsync<JsonElement>("/v1/keys");
        var entry = listed.EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);
        Assert.Equal("plugin مكتب", entry.GetProperty("name").GetString());
        Assert.NotEqual(JsonValueKind.Null, entry.GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task Secrets_are_stored_hashed_listed_without_secret_and_never_logged()
    {
        using var admin = Factory.CreateAdminClient();
        var created = await (await admin.PostAsJsonAsync("/v1/keys", new { name = "wire desk", role = "contributor" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var secret = created.GetProperty("key").GetString()!;
        using (var contributor = Factory.CreateClient(secret))
        {
            await contributor.GetAsync("/v1/sources");
        }

        var listing = await admin.GetStringAsync("/v1/keys");
        Assert.DoesNotContain(secret, listing);
        Assert.DoesNotContain(Factory.AdminKey, listing);

        await using var connection = new NpgsqlConnection(Factory.ConnectionString);
        await connection.OpenAsync();
        await using var dump = new NpgsqlCommand("SELECT string_agg(data::text, '') FROM reliability.mt_doc_apikey", connection);
        var stored = (string)(await dump.ExecuteScalarAsync())!;
        Assert.Contains(ApiKeySecret.Hash(secret), stored);
        Assert.DoesNotContain(secret, stored);
        Assert.DoesNotContain(Factory.AdminKey, stored);

        Assert.DoesNotContain(secret, Factory.Logs.Text);
        Assert.DoesNotContain(Factory.AdminKey, Factory.Logs.Text);
    }

    [Theory]
    [InlineData("{\"name\":\"x\",\"role\":\"owner\"}", "role")]
    [InlineData("{\"name\":\"x\",\"role\":\"4\"}", "role")]
    [InlineData("{\"name\":\"\",\"role\":\"reader\"}", "name")]
    public async Task A_bad_key_request_is_a_field_level_problem_and_creates_nothing(string body, string field)
    {
        using var admin = Factory.CreateAdminClient();
        var before = (await admin.GetFromJsonAsync<JsonElement>("/v1/keys")).GetArrayLength();

        var response = await admin.PostAsync("/v1/keys", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(before, (await admin.GetFromJsonAsync<JsonElement>("/v1/keys")).GetArrayLength());
    }

    [Fact]
    public async Task Revoking_an_unknown_key_is_404_problem()
    {
        using var admin = Factory.CreateAdminClient();
        var response = await admin.DeleteAsync("/v1/keys/no-such-key");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Browsers_on_allowed_newsroom_origins_may_call_the_api()
    {
        using var client = Factory.CreateClient();
        var allowed = new HttpRequestMessage(HttpMethod.Options, "/v1/sources");
        allowed.Headers.Add("Origin", "https://newsroom.example");
        allowed.Headers.Add("Access-Control-Request-Method", "GET");
        allowed.Headers.Add("Access-Control-Request-Headers", "authorization");
        var other = new HttpRequestMessage(HttpMethod.Options, "/v1/sources");
        other.Headers.Add("Origin", "https://elsewhere.example");
        other.Headers.Add("Access-Control-Request-Method", "GET");

        var allowedResponse = await client.SendAsync(allowed);
        var otherResponse = await client.SendAsync(other);

        Assert.Equal("https://newsroom.example", allowedResponse.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(otherResponse.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Browsers_may_amend_a_source_and_read_how_long_a_refusal_asks_them_to_wait()
    {
        using var client = Factory.CreateClient();
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/sources/some-source");
        preflight.Headers.Add("Origin", "https://newsroom.example");
        preflight.Headers.Add("Access-Control-Request-Method", "PATCH");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        var actual = new HttpRequestMessage(HttpMethod.Get, "/v1/sources");
        actual.Headers.Add("Origin", "https://newsroom.example");

        var preflightResponse = await client.SendAsync(preflight);
        var actualResponse = await client.SendAsync(actual);

        Assert.Contains("PATCH", preflightResponse.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        Assert.Contains("Retry-After", actualResponse.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/v1/sources")]
    [InlineData("/v1/claims/some-claim")]
    [InlineData("/v1/propositions/some-proposition")]
    [InlineData("/v1/propositions/some-proposition/resolutions")]
    [InlineData("/v1/articles/some-article")]
    [InlineData("/v1/articles/some-article/alerts")]
    public async Task Browsers_may_send_a_kept_answers_tag_back_and_read_the_tag_of_an_answer(string path)
    {
        using var client = Factory.CreateClient();
        var preflight = new HttpRequestMessage(HttpMethod.Options, path);
        preflight.Headers.Add("Origin", "https://newsroom.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,if-none-match");
        var actual = new HttpRequestMessage(HttpMethod.Get, path);
        actual.Headers.Add("Origin", "https://newsroom.example");

        var preflightResponse = await client.SendAsync(preflight);
        var actualResponse = await client.SendAsync(actual);

        Assert.Contains("if-none-match", preflightResponse.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("ETag", actualResponse.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task In_production_a_body_the_parser_refuses_says_what_is_wrong_and_where()
    {
        await using var production = await ReliabilityApiFactory.StartAsync("production",
            new Dictionary<string, string> { [ReliabilityApiFactory.EnvironmentSetting] = "Production" });
        using var admin = production.CreateAdminClient();
        using var body = new StringContent("""{"question":"Q?","options":["yes","no"],"colour":"red"}""", System.Text.Encoding.UTF8, "application/json");

        using var response = await admin.PostAsync("/v1/propositions", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("$.colour", problem.GetProperty("path").GetString());
        Assert.Contains("colour", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_body_is_refused()
    {
        await using var small = await ReliabilityApiFactory.StartAsync("bodysize",
            new Dictionary<string, string> { ["Reliability:Security:MaxRequestBodyBytes"] = "1024" });
        using var admin = small.CreateAdminClient();

        var response = await admin.PostAsJsonAsync("/v1/propositions", new { question = new string('x', 4096), options = new[] { "yes", "no" } });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var stored = await admin.GetFromJsonAsync<JsonElement>("/v1/propositions");
        Assert.Equal(0, stored.GetArrayLength());
    }

    [Fact]
    public async Task A_key_over_its_rate_gets_429_with_retry_after()
    {
        await using var limited = await ReliabilityApiFactory.StartAsync("ratelimit",
            new Dictionary<string, string> { ["Reliability:Security:RequestsPerSecondPerKey"] = "1" });
        using var admin = limited.CreateAdminClient();

        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add(await admin.GetAsync("/v1/sources"));
        }

        var rejected = statuses.FirstOrDefault(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.NotNull(rejected);
        Assert.True(rejected.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", rejected.Content.Headers.ContentType?.MediaType);
    }
}
