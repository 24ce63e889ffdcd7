using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reliability.Api.Tests;

/// <summary>schema.org ClaimReview import and export through the public API.</summary>
public sealed class ClaimReviewTests(ClaimReviewTests.Api api) : IClassFixture<ClaimReviewTests.Api>
{
    public sealed class Api() : EditorApi("claimreview");

    private HttpClient Client => api.Editor;

    private static JsonObject Review(string claim, JsonObject author, string alternateName, int? value = null) => new()
    {
        ["@context"] = "https://schema.org",
        ["@type"] = "ClaimReview",
        ["url"] = $"https://factcheck.example/{Guid.NewGuid():N}",
        ["claimReviewed"] = claim,
        ["datePublished"] = "2023-10-02",
        ["author"] = new JsonObject { ["@type"] = "Organization", ["name"] = "Fact Check Desk", ["url"] = "https://factcheck.example" },
        ["reviewRating"] = value is null
            ? new JsonObject { ["@type"] = "Rating", ["alternateName"] = alternateName }
            : new JsonObject { ["@type"] = "Rating", ["ratingValue"] = value, ["bestRating"] = 5, ["worstRating"] = 1, ["alternateName"] = alternateName },
        ["itemReviewed"] = new JsonObject
        {
            ["@type"] = "Claim",
            ["author"] = author,
            ["datePublished"] = "2023-09-28T10:00:00Z",
            ["appearance"] = new JsonArray(new JsonObject { ["@type"] = "CreativeWork", ["url"] = $"https://example.org/{Guid.NewGuid():N}" }),
        },
    };

    private async Task<JsonElement> ImportAsync(JsonNode body)
    {
        var response = await Client.PostAsync("/v1/import/claimreview", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/ld+json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_review_becomes_a_source_a_claim_and_a_resolution_and_exports_with_its_scale()
    {
        var handle = $"claimant_{Guid.NewGuid():N}"[..20];
        var claim = "The army repelled the attack on the base " + Guid.NewGuid();
        var review = Review(claim, new JsonObject { ["@type"] = "Person", ["name"] = "Army spokesman", ["sameAs"] = $"https://twitter.com/{handle}" }, "Mostly false", 2);

        var imported = (await ImportAsync(review)).GetProperty("reviews")[0];

        Assert.Equal("imported", imported.GetProperty("status").GetString());
        Assert.Equal("false", imported.GetProperty("verdict").GetString());
        var sourceId = imported.GetProperty("sourceId").GetString()!;
        var propositionId = imported.GetProperty("propositionId").GetString()!;
        var source = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}");
        Assert.Equal(handle, source.GetProperty("handles")[0].GetProperty("handle").GetString());
        var recorded = await Client.GetFromJsonAsync<JsonElement>($"/v1/claims/{imported.GetProperty("claimId").GetString()}");
        Assert.Equal("refuted", recorded.GetProperty("status").GetString());
        Assert.Equal(claim, recorded.GetProperty("text").GetString());

        var exported = await Client.GetAsync($"/v1/propositions/{propositionId}/claimreview");
        Assert.Equal("application/ld+json", exported.Content.Headers.ContentType?.MediaType);
        var json = JsonNode.Parse(await exported.Content.ReadAsStringAsync())!;
        Assert.Equal("ClaimReview", (string?)json["@type"]);
        Assert.Equal(claim, (string?)json["claimReviewed"]);
        Assert.Equal("Mostly false", (string?)json["reviewRating"]!["alternateName"]);
        Assert.Equal("2", (string?)json["reviewRating"]!["ratingValue"]);
        Assert.Equal("5", (string?)json["reviewRating"]!["bestRating"]);
        Assert.Equal("1", (string?)json["reviewRating"]!["worstRating"]);
        Assert.Equal("Army spokesman", (string?)json["itemReviewed"]!["author"]!["name"]);
        Assert.Equal("Fact Check Desk", (string?)json["author"]!["name"]);
    }

    [Fact]
    public async Task Importing_the_same_reviews_twice_records_them_once()
    {
        var reviews = new JsonArray(
            Review("Claim one " + Guid.NewGuid(), new JsonObject { ["@type"] = "Organization", ["name"] = "Ministry " + Guid.NewGuid() }, "True"),
            Review("Claim two " + Guid.NewGuid(), new JsonObject { ["@type"] = "Organization", ["name"] = "Ministry " + Guid.NewGuid() }, "Half true"));

        var first = await ImportAsync(reviews.DeepClone());
        var second = await ImportAsync(reviews.DeepClone());

        Assert.Equal(2, first.GetProperty("imported").GetInt32());
        Assert.Equal(2, second.GetProperty("duplicates").GetInt32());
        var propositionId = first.GetProperty("reviews")[1].GetProperty("propositionId").GetString()!;
        var revisions = await Client.GetFromJsonAsync<JsonElement>($"/v1/propositions/{propositionId}/resolutions");
        Assert.Equal(1, revisions.GetArrayLength());
        Assert.Equal("unresolvable", revisions[0].GetProperty("verdict").GetString());
    }

    [Theory]
    [InlineData("[", "")]
    [InlineData("[]", "")]
    [InlineData("{\"@type\": \"Review\"}", "@type")]
    [InlineData("{\"@type\": \"ClaimReview\", \"claimReviewed\": 5}", "itemReviewed")]
    [InlineData("{\"@type\": \"ClaimReview\", \"claimReviewed\": \"x\", \"itemReviewed\": {\"author\": {\"name\": \"A\"}, \"datePublished\": \"yesterday\"}, \"reviewRating\": {\"alternateName\": \"False\"}}", "itemReviewed.datePublished")]
    [InlineData("[{\"@type\": \"ClaimReview\", \"claimReviewed\": \"x\\u0000\", \"datePublished\": \"2023-10-02\", \"itemReviewed\": {\"author\": {\"name\": \"A\"}}, \"reviewRating\": {\"alternateName\": \"False\"}}]", "[0].claimReviewed")]
    [InlineData("{\"@type\": \"ClaimReview\", \"claimReviewed\": \"x\", \"datePublished\": \"2023-10-02\", \"itemReviewed\": {\"author\": {\"name\": \"A\"}}}", "reviewRating")]
    public async Task Bad_json_ld_is_a_field_problem_and_stores_nothing(string body, string field)
    {
        var before = await Client.GetFromJsonAsync<JsonElement>("/v1/sources?limit=1000");

        var response = await Client.PostAsync("/v1/import/claimreview", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field.Length > 0)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{field} in {problem}");
        }

        var after = await Client.GetFromJsonAsync<JsonElement>("/v1/sources?limit=1000");
        Assert.Equal(before.GetArrayLength(), after.GetArrayLength());
    }

    [Fact]
    public async Task An_unresolved_proposition_has_no_claimreview()
    {
        var opened = await Client.PostAsJsonAsync("/v1/propositions", new { question = "Open " + Guid.NewGuid(), options = new[] { "a", "b" } });
        var id = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var response = await Client.GetAsync($"/v1/propositions/{id}/claimreview");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
