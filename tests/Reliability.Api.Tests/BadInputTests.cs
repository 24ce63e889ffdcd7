using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Reliability.Api.Tests;

/// <summary>
/// Bad input of every kind on every write endpoint: answered with problem+json, and the database
/// holds exactly what it held before.
/// </summary>
public sealed class BadInputTests(BadInputTests.Api api) : IClassFixture<BadInputTests.Api>
{
    public sealed class Api : IAsyncLifetime
    {
        public const int BodyLimit = 64 * 1024;

        public ReliabilityApiFactory Factory { get; private set; } = null!;
        public HttpClient Admin { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Factory = await ReliabilityApiFactory.StartAsync("badinput",
                new Dictionary<string, string> { ["Reliability:Security:MaxRequestBodyBytes"] = BodyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            Admin = Factory.CreateAdminClient();
        }

        public async Task DisposeAsync()
        {
            Admin.Dispose();
            await Factory.DisposeAsync();
        }
    }

    /// <summary>Each write endpoint with a body that is valid but for one NUL in a text field.</summary>
    public static TheoryData<string, string, string> WriteEndpoints() => new()
    {
        { "POST", "/v1/claims", """{"claims":[{"id":"c1","handle":{"platform":"x","handle":"a"},"proposition":{"question":"Q\u0000","options":["a","b"]},"option":"a","publishedAt":"2023-09-28T10:00:00Z"}]}""" },
        { "POST", "/v1/claims/unknown/corrections", """{"kind":"deleted","at":"2023-09-29T08:00:00Z","note":"gone\u0000"}""" },
        { "POST", "/v1/propositions", """{"question":"Who\u0000?","options":["a","b"]}""" },
        { "PUT", "/v1/propositions/unknown/resolution", """{"option":"a","note":"n\u0000"}""" },
        { "POST", "/v1/lookup", """{"urls":["https://x.com/a\u0000"]}""" },
        { "POST", "/v1/articles", """{"url":"https://news.example/a","publishedAt":"2023-09-28T10:00:00Z","title":"t\u0000"}""" },
        { "POST", "/v1/import/claimreview", """{"@type":"ClaimReview","claimReviewed":"c\u0000","datePublished":"2023-10-02","itemReviewed":{"author":{"name":"A"}},"reviewRating":{"alternateName":"False"}}""" },
        { "POST", "/v1/admin/rescore", """{"policy":"beta-v2\u0000"}""" },
        { "POST", "/v1/keys", """{"name":"desk\u0000","role":"reader"}""" },
        { "POST", "/v1/webhooks", """{"targetUrl":"https://hooks.example/desk","secret":"a-long-enough-secret\u0000"}""" },
    };

    private HttpClient Client => api.Admin;

    [Theory]
    [MemberData(nameof(WriteEndpoints))]
    public async Task Malformed_json_is_a_problem_and_stores_nothing(string method, string path, string valid)
    {
        _ = valid;
        await AssertRefusedAsync(method, path, Encoding.UTF8.GetBytes("{\"a\": [1, "), HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(WriteEndpoints))]
    public async Task Wrong_types_are_a_problem_and_store_nothing(string method, string path, string valid)
    {
        _ = valid;
        await AssertRefusedAsync(method, path, Encoding.UTF8.GetBytes("[true, 5]"), HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(WriteEndpoints))]
    public async Task Invalid_utf8_is_a_problem_and_stores_nothing(string method, string path, string valid)
    {
        // The valid body with its NUL escape replaced by bytes that are no UTF-8 at all.
        var bytes = Encoding.UTF8.GetBytes(valid.Replace("\\u0000", "@", StringComparison.Ordinal));
        var at = Array.IndexOf(bytes, (byte)'@');
        var broken = bytes[..at].Concat(new byte[] { 0xC3, 0x28, 0xFF }).Concat(bytes[(at + 1)..]).ToArray();
        await AssertRefusedAsync(method, path, broken, HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(WriteEndpoints))]
    public async Task A_nul_character_is_a_field_problem_and_stores_nothing(string method, string path, string valid)
    {
        var before = await CountRowsAsync();
        using var response = await SendAsync(method, path, Encoding.UTF8.GetBytes(valid));

        if (path == "/v1/claims")
        {
            // A batch answers item by item; the item with the NUL is rejected with its field named.
            var batch = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(1, batch.GetProperty("rejected").GetInt32());
        }
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains(problem.GetProperty("errors").EnumerateObject(), e => e.Value.ToString().Contains("NUL", StringComparison.Ordinal));
        }

        Assert.Equal(before, await CountRowsAsync());
    }

    [Theory]
    [MemberData(nameof(WriteEndpoints))]
    public async Task An_oversized_body_is_a_problem_and_stores_nothing(string method, string path, string valid)
    {
        _ = valid;
        var oversized = Encoding.UTF8.GetBytes($"{{\"padding\": \"{new string('x', Api.BodyLimit + 1)}\"}}");
        await AssertRefusedAsync(method, path, oversized, HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("POST", "/v1/claims/no-such-claim/corrections", """{"kind":"deleted","at":"2023-09-29T08:00:00Z"}""")]
    [InlineData("PUT", "/v1/propositions/no-such-proposition/resolution", """{"option":"a"}""")]
    public async Task Writes_to_unknown_ids_are_404_and_store_nothing(string method, string path, string body) =>
        await AssertRefusedAsync(method, path, Encoding.UTF8.GetBytes(body), HttpStatusCode.NotFound);

    [Theory]
    [InlineData("""{"targetUrl":"http://169.254.169.254/latest/meta-data"}""")]
    [InlineData("""{"targetUrl":"http://127.0.0.1:8080/hook"}""")]
    [InlineData("""{"targetUrl":"ftp://hooks.example/desk"}""")]
    [InlineData("""{"targetUrl":"https://hooks.example/desk","eventKinds":["score.changed"]}""")]
    [InlineData("""{"targetUrl":"https://hooks.example/desk","secret":"short"}""")]
    [InlineData("""{"secret":"a-long-enough-secret"}""")]
    public async Task A_webhook_the_address_rule_or_the_vocabulary_refuses_is_a_problem_and_stores_nothing(string body) =>
        await AssertRefusedAsync("POST", "/v1/webhooks", Encoding.UTF8.GetBytes(body), HttpStatusCode.BadRequest);

    /// <summary>Each endpoint that records a time, with a time a day ahead of now (three for a bare date).</summary>
    public static TheoryData<string, string, string, string> FutureTimes()
    {
        var later = DateTimeOffset.UtcNow.AddDays(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var laterDay = DateTimeOffset.UtcNow.AddDays(3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return new()
        {
            { "POST", "/v1/claims", $$$"""{"claims":[{"id":"c-future","handle":{"platform":"x","handle":"a"},"proposition":{"question":"Q?","options":["a","b"]},"option":"a","publishedAt":"{{{later}}}"}]}""", "publishedAt" },
            { "POST", "/v1/claims/unknown/corrections", $$$"""{"kind":"deleted","at":"{{{later}}}"}""", "at" },
            { "POST", "/v1/claims/unknown/corrections", $$$"""{"kind":"reversed","at":"2023-09-29T08:00:00Z","replacement":{"id":"r-future","option":"b","publishedAt":"{{{later}}}"}}""", "replacement.publishedAt" },
            { "PUT", "/v1/propositions/unknown/resolution", $$$"""{"option":"a","at":"{{{later}}}"}""", "at" },
            { "POST", "/v1/import/claimreview", $$$"""{"@type":"ClaimReview","claimReviewed":"c","datePublished":"2023-10-02","itemReviewed":{"author":{"name":"A"},"datePublished":"{{{laterDay}}}"},"reviewRating":{"alternateName":"False"}}""", "itemReviewed.datePublished" },
        };
    }

    [Theory]
    [MemberData(nameof(FutureTimes))]
    public async Task A_time_in_the_future_is_a_field_problem_and_stores_nothing(string method, string path, string body, string field)
    {
        var messages = await FieldProblemAsync(method, path, body, field);

        Assert.Contains("In the future", messages[0].GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Sends a body one field of which is wrong, checks that the answer names that field (a problem,
    /// or for a claims batch its one rejected item) and that nothing was stored; returns the field's messages.
    /// </summary>
    private async Task<JsonElement> FieldProblemAsync(string method, string path, string body, string field)
    {
        var before = await CountRowsAsync();
        using var response = await SendAsync(method, path, Encoding.UTF8.GetBytes(body));

        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (path == "/v1/claims")
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(1, answer.GetProperty("rejected").GetInt32());
            answer = answer.GetProperty("items")[0].GetProperty("problem");
        }
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.True(answer.GetProperty("errors").TryGetProperty(field, out var messages), answer.ToString());
        Assert.Equal(before, await CountRowsAsync());
        return messages;
    }

    [Fact]
    public async Task A_claim_published_a_minute_ahead_of_the_service_clock_is_accepted()
    {
        // Newsroom systems' clocks differ a little from the service's; that is not a mistake.
        var soon = DateTimeOffset.UtcNow.AddMinutes(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var body = $$$"""{"claims":[{"id":"c-soon","handle":{"platform":"x","handle":"clock-skew"},"proposition":{"question":"Skew?","options":["a","b"]},"option":"a","publishedAt":"{{{soon}}}"}]}""";

        using var response = await SendAsync("POST", "/v1/claims", Encoding.UTF8.GetBytes(body));

        var batch = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, batch.GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task Mixed_direction_text_and_emoji_round_trip()
    {
        // Hebrew and Arabic with Latin, explicit direction marks and isolates, an emoji sequence, a
        // character outside the BMP: all valid Unicode, stored and returned unchanged.
        const string question = "מי שולט ב־Gao? \u200Fمن يسيطر\u200E on \u2067غاو\u2069 👩🏽‍💻 𝔊";
        var opened = await Client.PostAsJsonAsync("/v1/propositions", new { question, options = new[] { "الجيش", "army ✓" } });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var id = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var proposition = await Client.GetFromJsonAsync<JsonElement>($"/v1/propositions/{id}");

        Assert.Equal(question, proposition.GetProperty("question").GetString());
        Assert.Equal("الجيش", proposition.GetProperty("options")[0].GetString());
    }

    [Fact]
    public async Task A_reversal_naming_a_claim_already_on_record_is_held_to_what_a_new_replacement_would_be()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        async Task<string> ClaimAsync(string id, string handle, string question, string option)
        {
            var body = $$$"""{"claims":[{"id":"{{{id}}}","handle":{"platform":"x","handle":"{{{handle}}}"},"proposition":{"question":"{{{question}}}","options":["a","b"]},"option":"{{{option}}}","publishedAt":"2023-09-28T12:00:00Z"}]}""";
            using var response = await SendAsync("POST", "/v1/claims", Encoding.UTF8.GetBytes(body));
            Assert.Equal(1, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
            return id;
        }

        var reversed = await ClaimAsync($"rv-{run}", $"desk{run}", $"Camp {run}?", "a");
        var otherQuestion = await ClaimAsync($"rv-q-{run}", $"desk{run}", $"Town {run}?", "b");
        var otherSource = await ClaimAsync($"rv-s-{run}", $"wire{run}", $"Camp {run}?", "b");
        var sameOption = await ClaimAsync($"rv-o-{run}", $"desk{run}", $"Camp {run}?", "a");
        string Reversal(string replacement) =>
            $$$"""{"kind":"reversed","at":"2023-09-29T08:00:00Z","replacement":{"id":"{{{replacement}}}","option":"b","publishedAt":"2023-09-29T08:00:00Z"}}""";

        foreach (var (replacement, says) in new[]
        {
            (otherQuestion, "another proposition"), (otherSource, "another source"), (sameOption, "another option"), (reversed, "replace itself"),
        })
        {
            var before = await CountRowsAsync();
            using var refused = await SendAsync("POST", $"/v1/claims/{reversed}/corrections", Encoding.UTF8.GetBytes(Reversal(replacement)));

            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains(says, problem.GetProperty("errors").GetProperty("replacement.id")[0].GetString(), StringComparison.Ordinal);
            Assert.Equal(before, await CountRowsAsync());
        }

        var untouched = await Client.GetFromJsonAsync<JsonElement>($"/v1/claims/{reversed}");
        Assert.Equal(0, untouched.GetProperty("corrections").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, untouched.GetProperty("replacementClaimId").ValueKind);
        // The source's own later post on the same question, ingested first, is a fit replacement.
        var later = await ClaimAsync($"rv-later-{run}", $"desk{run}", $"Camp {run}?", "b");
        using var accepted = await SendAsync("POST", $"/v1/claims/{reversed}/corrections", Encoding.UTF8.GetBytes(Reversal(later)));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(later, (await Client.GetFromJsonAsync<JsonElement>($"/v1/claims/{reversed}")).GetProperty("replacementClaimId").GetString());
    }

    [Theory]
    [InlineData("/v1/claims/{0}/corrections", "POST", """{"kind":"retracted,reversed","at":"2023-09-29T08:00:00Z"}""", "kind")]
    [InlineData("/v1/claims/{0}/corrections", "POST", """{"kind":"deleted","deletion":"observed,announced","at":"2023-09-29T08:00:00Z"}""", "deletion")]
    [InlineData("/v1/sources/{1}", "PATCH", """{"kind":"outlet,agency"}""", "kind")]
    public async Task Two_words_joined_by_a_comma_are_not_a_third(string path, string method, string body, string field)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var claim = $$$"""{"claims":[{"id":"cw-{{{run}}}","handle":{"platform":"x","handle":"comma{{{run}}}"},"proposition":{"question":"Comma {{{run}}}?","options":["a","b"]},"option":"a","publishedAt":"2023-09-28T12:00:00Z"}]}""";
        using var recorded = await SendAsync("POST", "/v1/claims", Encoding.UTF8.GetBytes(claim));
        var sourceId = (await recorded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0].GetProperty("sourceId").GetString();
        var before = await CountRowsAsync();

        using var response = await SendAsync(method, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, $"cw-{run}", sourceId), Encoding.UTF8.GetBytes(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(before, await CountRowsAsync());
    }

    /// <summary>Inputs that once reached the record or a 500: blank ids and names, a bare '@', a null in a URL list, two words joined by a comma, a lone surrogate.</summary>
    public static TheoryData<string, string, string, string> BlankAndBrokenInputs() => new()
    {
        { "POST", "/v1/claims", """{"claims":[{"id":"c-at","handle":{"platform":"x","handle":"@"},"proposition":{"question":"At?","options":["a","b"]},"option":"a","publishedAt":"2023-09-28T12:00:00Z"}]}""", "handle.handle" },
        { "POST", "/v1/claims", """{"claims":[{"id":"c-blank","sourceId":"   ","proposition":{"question":"Blank?","options":["a","b"]},"option":"a","publishedAt":"2023-09-28T12:00:00Z"}]}""", "sourceId" },
        { "POST", "/v1/claims", """{"claims":[{"id":"c-name","handle":{"platform":"x","handle":"named"},"sourceName":" ","proposition":{"question":"Name?","options":["a","b"]},"option":"a","publishedAt":"2023-09-28T12:00:00Z"}]}""", "sourceName" },
        { "POST", "/v1/claims", """{"claims":[{"id":"c-prop","handle":{"platform":"x","handle":"prop"},"proposition":{"id":"  ","question":"Prop?","options":["a","b"]},"option":"a","publishedAt":"2023-09-28T12:00:00Z"}]}""", "proposition.id" },
        { "POST", "/v1/claims", """{"claims":[{"id":"c-null","handle":{"platform":"x","handle":"nullurl"},"proposition":{"question":"Null?","options":["a","b"]},"option":"a","publishedAt":"2023-09-28T12:00:00Z","evidence":[null]}]}""", "evidence[0]" },
        { "POST", "/v1/sources", """{"id":"  ","name":"Blank"}""", "id" },
        { "POST", "/v1/articles", """{"url":"https://news.example/a","publishedAt":"2023-09-29T08:00:00Z","urls":[null]}""", "urls[0]" },
        { "POST", "/v1/keys", """{"name":"desk","role":"reader,contributor"}""", "role" },
        { "POST", "/v1/import/claimreview", """{"@type":"ClaimReview","claimReviewed":"\ud800","datePublished":"2023-10-02","itemReviewed":{"author":{"name":"A"}},"reviewRating":{"alternateName":"False"}}""", "claimReviewed" },
    };

    [Theory]
    [MemberData(nameof(BlankAndBrokenInputs))]
    public async Task Blank_ids_and_broken_text_are_field_problems_and_store_nothing(string method, string path, string body, string field) =>
        await FieldProblemAsync(method, path, body, field);

    [Theory]
    [InlineData("/v1/sources?query=%00")]
    [InlineData("/v1/sources?topic=%00")]
    [InlineData("/v1/sources?region=%00")]
    [InlineData("/v1/sources/%00")]
    [InlineData("/v1/sources/%00/score")]
    [InlineData("/v1/sources/any/history?topic=%00")]
    [InlineData("/v1/sources/any/history?region=%00")]
    [InlineData("/v1/claims/%00")]
    [InlineData("/v1/propositions/%00")]
    public async Task A_nul_in_a_query_or_an_id_is_the_client_s_mistake_not_a_500(string path)
    {
        using var response = await Client.GetAsync(path);

        Assert.InRange((int)response.StatusCode, 400, 499);
    }

    [Fact]
    public async Task A_lookup_of_a_host_no_valid_international_name_can_spell_finds_nothing_instead_of_failing()
    {
        var label = new string('a', 63);
        var url = $"http://\u00e9.{label}.{label}.{label}.{new string('a', 60)}/x";

        using var response = await SendAsync("POST", "/v1/lookup", Encoding.UTF8.GetBytes($$$"""{"urls":["{{{url}}}"]}"""));

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{(int)response.StatusCode}");
    }

    private async Task AssertRefusedAsync(string method, string path, byte[] body, HttpStatusCode expected)
    {
        var before = await CountRowsAsync();

        using var response = await SendAsync(method, path, body);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await CountRowsAsync());
    }

    private Task<HttpResponseMessage> SendAsync(string method, string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        return Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = content });
    }

    /// <summary>Rows in every table of the record (events and documents): a refused request adds none.</summary>
    private async Task<long> CountRowsAsync()
    {
        await using var connection = new NpgsqlConnection(api.Factory.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            // Not the truth grain's count of its activations: its first run after a write stores it, whenever that comes.
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'reliability' AND (table_name LIKE 'mt_doc_%' OR table_name = 'mt_events') AND table_name <> 'mt_doc_truthgeneration'",
            connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        long total = 0;
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM reliability.\"{table}\"", connection);
            total += (long)(await count.ExecuteScalarAsync())!;
        }

        return total;
    }
}
