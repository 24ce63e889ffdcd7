using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Reliability.Api.Apis;
using Reliability.Api.Hosting;
using Reliability.Contracts.Sources;
using static Reliability.Api.Apis.LookupApi;

namespace Reliability.Api.Tests;

/// <summary>
/// A present-time lookup answer is written from JSON kept with each cached item; it must be byte for
/// byte what the service's serializer writes for the same answer, whatever the items and inputs.
/// </summary>
public sealed class LookupJsonTests : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly JsonSerializerOptions _options;
    private readonly LookupJson _json;

    public LookupJsonTests()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddStrictJson();
        _services = services.BuildServiceProvider();
        _options = _services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        _json = new LookupJson(_services.GetRequiredService<IOptions<JsonOptions>>());
    }

    public void Dispose() => _services.Dispose();

    private static readonly SourceMatch Army = new("fama", "Forces armées \"FAMa\" <officiel>", "press-office", true,
        new ScoreSummary(0.4138297021, 0.1, 0.8999999999999999, 12.5, "mixed", "C", true),
        [new ExternalRatingView("Wikipedia perennial sources", "generally reliable", "https://en.wikipedia.org/wiki/WP:RSP", new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero), "reliable", true)]);

    private static readonly SourceMatch Glory = new("eternal-glory", "Eternal Glory 🇲🇱", "social-account", false,
        new ScoreSummary(0.5, 0, 1, 0, "insufficient-record", "F", false), []);

    private static IEnumerable<LookupItem> Items() =>
    [
        new("https://x.com/fama/status/1", "post", Army, "reversed",
        [
            new ClaimMatch("c-1", "acharane-base", "L'armée a repoussé l'attaque", "reversed", "refuted", null, false, false, false,
                new Replacement("c-2", "JNIM took the base", "https://x.com/fama/status/2?a=1&b=<2>"), null),
            new ClaimMatch("c-3", "acharane-base", "JNIM took the base", "open", "open", 0.73, true, true, false, null, null),
        ]),
        new("https://twitter.com/EternalGlory0/status/1707360000000000001?s=20", "post", Glory, "deleted",
            [new ClaimMatch("c-4", "dioura", "أعلن الجيش المالي", "deleted", "open", 1E-07, true, false, true, null, new Replacement("c-5", "x", null))]),
        new("x:EternalGlory0", "source", Glory, null, []),
        LookupJson.Unknown("https://news.example/قصة?ref=\"home\"&x=\\y"),
        LookupJson.Unknown("not a url <script>'+`</script>"),
    ];

    [Fact]
    public void The_services_json_options_allow_answers_from_kept_json() => Assert.True(_json.Enabled);

    [Fact]
    public async Task An_answer_from_kept_json_is_the_serializers_answer_byte_for_byte()
    {
        LookupItem[] items = [.. Items()];

        // Each item was kept under another spelling of what was asked: only the input differs.
        LookupItem[] kept = [.. items.Select(item => item with { Input = "https://elsewhere.example/" + item.Input })];
        var (written, response) = await ExecuteAsync(new LookupAnswer(_json, null, [.. items.Select(i => i.Input)], kept, [.. kept.Select(_json.Of)], new byte[]?[kept.Length]));

        var expected = JsonSerializer.Serialize(new LookupResult(null, items), _options);
        Assert.Equal(expected, written);
        Assert.Equal(Encoding.UTF8.GetByteCount(written), response.ContentLength);
        Assert.Equal("application/json; charset=utf-8", response.ContentType);
        Assert.Equal(StatusCodes.Status200OK, response.StatusCode);
    }

    [Fact]
    public async Task Items_without_kept_json_and_repeated_items_are_written_as_the_serializer_writes_them()
    {
        var item = Items().First();
        string[] inputs = ["https://x.com/FAMA/status/1", "https://twitter.com/fama/status/1", "https://x.com/fama/status/1/"];
        var (written, _) = await ExecuteAsync(new LookupAnswer(_json, null, inputs, [item, item, item], [null, _json.Of(item), null], [null, null, null]));

        var expected = JsonSerializer.Serialize(new LookupResult(null, [.. inputs.Select(input => item with { Input = input })]), _options);
        Assert.Equal(expected, written);
    }

    [Fact]
    public async Task Items_served_whole_under_their_inputs_beside_other_items_are_the_serializers_answer()
    {
        LookupItem[] items = [.. Items()];

        // Kept under another spelling, made whole under the input asked; every other item kept as before.
        LookupItem[] kept = [.. items.Select(item => item with { Input = "https://elsewhere.example/" + item.Input })];
        byte[]?[] served = [.. items.Select((item, i) => i % 2 == 0 ? _json.Whole(item.Input, _json.Of(kept[i])) : null)];
        var (written, response) = await ExecuteAsync(new LookupAnswer(
            _json, null, [.. items.Select(i => i.Input)], kept, [.. kept.Select(_json.Of)], served));

        Assert.Equal(JsonSerializer.Serialize(new LookupResult(null, items), _options), written);
        Assert.Equal(Encoding.UTF8.GetByteCount(written), response.ContentLength);
        Assert.Equal(JsonSerializer.Serialize(items[0], _options), Encoding.UTF8.GetString(served[0]!));
    }

    [Fact]
    public async Task An_answer_as_of_a_past_time_is_written_by_the_serializer()
    {
        LookupItem[] items = [.. Items()];
        var asOf = new DateTimeOffset(2023, 10, 3, 0, 0, 0, TimeSpan.FromHours(2));
        var (written, _) = await ExecuteAsync(new LookupAnswer(_json, asOf, [.. items.Select(i => i.Input)], items, new ItemJson?[items.Length], new byte[]?[items.Length]));

        Assert.Equal(JsonSerializer.Serialize(new LookupResult(asOf, items), _options), written);
        Assert.Contains("\"asOf\":\"2023-10-03T00:00:00+02:00\"", written);
    }

    [Fact]
    public async Task Unknown_items_are_written_as_the_serializer_writes_them()
    {
        string[] inputs = ["not a url <b>\"</b>", "https://unknown.example/?q=a&b=c", "https://x.com/nobody/status/1"];
        var (written, _) = await ExecuteAsync(new LookupAnswer(
            _json, null, inputs, [.. inputs.Select(LookupJson.Unknown)], [.. inputs.Select(_json.OfUnknown)], new byte[]?[inputs.Length]));

        Assert.Equal(JsonSerializer.Serialize(new LookupResult(null, [.. inputs.Select(LookupJson.Unknown)]), _options), written);
    }

    [Fact]
    public async Task An_empty_answer_is_the_serializers()
    {
        var (written, _) = await ExecuteAsync(new LookupAnswer(_json, null, [], [], [], []));
        Assert.Equal(JsonSerializer.Serialize(new LookupResult(null, []), _options), written);
    }

    private async Task<(string Written, HttpResponse Response)> ExecuteAsync(LookupAnswer answer)
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        using var body = new MemoryStream();
        context.Response.Body = body;
        await answer.ExecuteAsync(context);
        await context.Response.CompleteAsync();
        return (Encoding.UTF8.GetString(body.ToArray()), context.Response);
    }
}
