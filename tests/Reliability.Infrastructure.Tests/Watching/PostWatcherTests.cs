using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Reliability.Infrastructure.Watching;
using Reliability.Testing;

namespace Reliability.Infrastructure.Tests.Watching;

public sealed class PostWatcherTests
{
    [Fact]
    public async Task A_post_flipping_from_200_to_404_is_suspected_then_confirmed_gone_after_N_checks()
    {
        var status = StatusCodes.Status200OK;
        await using var platform = await LoopbackServer.StartAsync(app =>
            app.MapGet("/posts/{id}", () => Results.Text("a post", statusCode: status)));
        await using var services = WatcherHost.Create();
        var watcher = services.GetRequiredService<PostWatcher>();
        var url = platform.Url("/posts/1");

        var evidence = DeletionEvidence.Initial;
        var states = new List<EvidenceState>();
        for (var check = 0; check < 4; check++)
        {
            var result = await watcher.CheckAsync(url);
            evidence = evidence.Apply(result.Verdict, confirmations: 3);
            states.Add(evidence.State);
            status = StatusCodes.Status404NotFound;
        }

        Assert.Equal(
            [EvidenceState.Live, EvidenceState.SuspectedGone, EvidenceState.SuspectedGone, EvidenceState.ConfirmedGone],
            states);
        Assert.Equal(3, evidence.ConsecutiveGone);
    }

    [Theory]
    [InlineData(200, PostVerdict.Live)]
    [InlineData(204, PostVerdict.Live)]
    [InlineData(404, PostVerdict.Gone)]
    [InlineData(410, PostVerdict.Gone)]
    [InlineData(451, PostVerdict.Withheld)]
    [InlineData(403, PostVerdict.Unknown)]
    [InlineData(400, PostVerdict.Unknown)]
    public async Task The_generic_adapter_reads_status_codes(int status, PostVerdict expected)
    {
        await using var platform = await LoopbackServer.StartAsync(app =>
            app.MapGet("/post", () => Results.StatusCode(status)));
        await using var services = WatcherHost.Create();

        var result = await services.GetRequiredService<PostWatcher>().CheckAsync(platform.Url("/post"));

        Assert.Equal(expected, result.Verdict);
        Assert.Equal("http", result.Adapter);
        Assert.Equal(status, result.StatusCode);
    }

    [Fact]
    public async Task A_451_makes_the_evidence_withheld()
    {
        await using var platform = await LoopbackServer.StartAsync(app =>
            app.MapGet("/post", () => Results.StatusCode(StatusCodes.Status451UnavailableForLegalReasons)));
        await using var services = WatcherHost.Create();

        var result = await services.GetRequiredService<PostWatcher>().CheckAsync(platform.Url("/post"));

        Assert.Equal(EvidenceState.Withheld, DeletionEvidence.Initial.Apply(result.Verdict, 3).State);
    }

    [Fact]
    public async Task Redirects_that_stay_on_the_post_are_followed_to_the_final_answer()
    {
        // Routes ignore case and a trailing slash, so one handler tells the two addresses apart.
        await using var platform = await LoopbackServer.StartAsync(app =>
            app.MapGet("/world/story", (HttpContext context) => context.Request.Path == "/world/story"
                ? Results.Redirect("/World/Story/?utm_source=feed", permanent: true)
                : Results.StatusCode(StatusCodes.Status410Gone)));
        await using var services = WatcherHost.Create();

        var result = await services.GetRequiredService<PostWatcher>().CheckAsync(platform.Url("/world/story"));

        Assert.Equal(PostVerdict.Gone, result.Verdict);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/login?next=%2Fworld%2Fstory")]
    [InlineData("/uk/world/story")]
    [InlineData("{regional}/world/story")]
    public async Task A_redirect_away_from_the_post_is_no_answer_and_its_target_is_not_asked(string target)
    {
        var targetHits = 0;

        // The home page and a login wall answer 200, a regional edition (here or on a site of its own)
        // 404: none of them is about the post.
        IResult Elsewhere(HttpContext context)
        {
            Interlocked.Increment(ref targetHits);
            return context.Request.Path.StartsWithSegments("/uk") || context.Request.Path.StartsWithSegments("/world") ? Results.NotFound() : Results.Ok();
        }

        await using var regional = await LoopbackServer.StartAsync(app => app.MapFallback(Elsewhere));
        await using var platform = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/world/story", () => Results.Redirect(target.Replace("{regional}", regional.BaseUrl.ToString().TrimEnd('/'), StringComparison.Ordinal)));
            app.MapFallback(Elsewhere);
        });
        await using var services = WatcherHost.Create();
        var suspected = new DeletionEvidence(EvidenceState.SuspectedGone, 2);

        var result = await services.GetRequiredService<PostWatcher>().CheckAsync(platform.Url("/world/story"));

        // Neither counted toward the deletion nor taken for the post being live again.
        Assert.Equal((PostVerdict.Unknown, UnknownReason.Redirected), (result.Verdict, result.Reason));
        Assert.Equal(suspected, suspected.Apply(result.Verdict, confirmations: 3));
        Assert.Equal(0, targetHits);
    }

    [Theory]
    [InlineData(200, PostVerdict.Live)]
    [InlineData(404, PostVerdict.Gone)]
    [InlineData(403, PostVerdict.Unknown)]
    [InlineData(503, PostVerdict.Unknown)]
    public async Task The_X_adapter_asks_the_oembed_endpoint(int status, PostVerdict expected)
    {
        string? asked = null;
        await using var oembed = await LoopbackServer.StartAsync(app =>
            app.MapGet("/oembed", (HttpRequest request) =>
            {
                asked = request.Query["url"];
                return Results.StatusCode(status);
            }));
        await using var services = WatcherHost.Create(new()
        {
            ["Reliability:Watcher:XOEmbedBaseUrl"] = oembed.Url("/oembed").ToString(),
            ["Reliability:Watcher:RetryCount"] = "0",
        });

        var result = await services.GetRequiredService<PostWatcher>().CheckAsync(new Uri("https://x.com/some_desk/status/1234567890?s=20"));

        Assert.Equal("x", result.Adapter);
        Assert.Equal(expected, result.Verdict);
        Assert.Equal("https://twitter.com/some_desk/status/1234567890", asked);
    }

    [Fact]
    public async Task A_403_from_X_is_a_post_not_shown_to_the_public_not_one_withheld()
    {
        await using var oembed = await LoopbackServer.StartAsync(app => app.MapGet("/oembed", () => Results.StatusCode(403)));
        await using var services = WatcherHost.Create(new() { ["Reliability:Watcher:XOEmbedBaseUrl"] = oembed.Url("/oembed").ToString() });
        var suspected = new DeletionEvidence(EvidenceState.SuspectedGone, 2);

        var result = await services.GetRequiredService<PostWatcher>().CheckAsync(new Uri("https://x.com/locked_desk/status/42"));

        Assert.Equal((PostVerdict.Unknown, UnknownReason.NotPublic), (result.Verdict, result.Reason));
        Assert.Equal(suspected, suspected.Apply(result.Verdict, confirmations: 3));
    }

    [Theory]
    [InlineData("https://x.com/desk/status/123", "desk", "123")]
    [InlineData("https://twitter.com/desk/status/123/", "desk", "123")]
    [InlineData("http://mobile.twitter.com/Desk_2/statuses/9", "Desk_2", "9")]
    [InlineData("https://x.com/desk/status/123/photo/1", "desk", "123")]
    [InlineData("https://www.twitter.com/desk/status/123/video/1/", "desk", "123")]
    [InlineData("https://mobile.x.com/desk/status/123?s=20", "desk", "123")]
    [InlineData("https://twitter.com/i/web/status/456", null, "456")]
    // "i" is X's own route: such a link names no author (the check asks X for /i/status/ID all the same).
    [InlineData("https://x.com/i/status/456", null, "456")]
    public void The_X_adapter_reads_every_spelling_of_a_status_as_its_id(string url, string? user, string id)
    {
        Assert.Equal((user, id), XStatusAdapter.StatusOf(new Uri(url)));
    }

    [Theory]
    [InlineData("https://x.com/desk")]
    [InlineData("https://x.com/desk/status/abc")]
    [InlineData("https://x.com/desk/status/123/likes")]
    [InlineData("https://x.com/desk/status/123/photo/1/extra")]
    [InlineData("https://x.com/i/web/desk/status/123")]
    [InlineData("https://notx.com/desk/status/123")]
    [InlineData("https://example.org/desk/status/123")]
    public void The_X_adapter_leaves_other_urls_alone(string url)
    {
        Assert.Null(XStatusAdapter.StatusOf(new Uri(url)));
    }

    [Theory]
    [InlineData("https://x.com/desk/status/123/photo/1", "https://twitter.com/desk/status/123")]
    [InlineData("https://twitter.com/i/web/status/456", "https://twitter.com/i/status/456")]
    public async Task A_photo_of_a_status_or_an_authorless_link_is_asked_of_oembed_by_the_status(string url, string expected)
    {
        string? asked = null;
        await using var oembed = await LoopbackServer.StartAsync(app =>
            app.MapGet("/oembed", (HttpRequest request) =>
            {
                asked = request.Query["url"];
                return Results.NotFound();
            }));
        await using var services = WatcherHost.Create(new() { ["Reliability:Watcher:XOEmbedBaseUrl"] = oembed.Url("/oembed").ToString() });

        var result = await services.GetRequiredService<PostWatcher>().CheckAsync(new Uri(url));

        Assert.Equal(("x", PostVerdict.Gone), (result.Adapter, result.Verdict));
        Assert.Equal(expected, asked);
    }

    [Fact]
    public async Task A_short_link_is_checked_where_it_leads_and_one_leading_nowhere_is_no_answer()
    {
        string? asked = null;
        await using var oembed = await LoopbackServer.StartAsync(app =>
            app.MapGet("/oembed", (HttpRequest request) =>
            {
                asked = request.Query["url"];
                return Results.NotFound();
            }));
        await using var shortener = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/abc", () => Results.Redirect("https://x.com/desk/status/789/photo/1", permanent: true));
            app.MapGet("/dead", () => Results.NotFound());
        });
        await using var services = WatcherHost.Create(new()
        {
            ["Reliability:Watcher:XOEmbedBaseUrl"] = oembed.Url("/oembed").ToString(),
            ["Reliability:Watcher:ShortLinkSites:0"] = shortener.BaseUrl.Authority,
        });
        var watcher = services.GetRequiredService<PostWatcher>();

        var led = await watcher.CheckAsync(shortener.Url("/abc"));
        var nowhere = await watcher.CheckAsync(shortener.Url("/dead"));

        Assert.Equal(("x", PostVerdict.Gone), (led.Adapter, led.Verdict));
        Assert.Equal("https://twitter.com/desk/status/789", asked);
        Assert.Equal((PostVerdict.Unknown, 404), (nowhere.Verdict, nowhere.StatusCode));
    }

    [Theory]
    [InlineData(null, "t.co")]
    [InlineData("sho.rt", "sho.rt")]
    [InlineData("", "")]
    public async Task Short_link_sites_set_in_configuration_replace_the_default(string? configured, string inForce)
    {
        await using var services = WatcherHost.Create(configured is null ? null : new() { ["Reliability:Watcher:ShortLinkSites:0"] = configured });
        var options = services.GetRequiredService<IOptions<WatcherOptions>>().Value;
        Assert.Equal(inForce.Length == 0 ? [] : [inForce], options.ShortLinkSitesInForce);
    }

    [Fact]
    public async Task Other_platforms_plug_in_through_the_adapter_interface()
    {
        await using var services = WatcherHost.Create(configure: s => s.AddSingleton<IPostStatusAdapter, EverythingIsGone>());
        var watcher = services.GetRequiredService<PostWatcher>();

        Assert.IsType<EverythingIsGone>(watcher.AdapterFor(new Uri("https://gone.example/p/1")));
        Assert.IsType<GenericHttpAdapter>(watcher.AdapterFor(new Uri("https://example.org/p/1")));
        Assert.Equal(PostVerdict.Gone, (await watcher.CheckAsync(new Uri("https://gone.example/p/1"))).Verdict);
    }

    [Fact]
    public void Impossible_settings_are_refused_when_the_options_are_read()
    {
        using var services = WatcherHost.Create(new() { ["Reliability:Watcher:ConfirmationsForDeletion"] = "0" });

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => services.GetRequiredService<PostWatcher>());
        Assert.Contains("ConfirmationsForDeletion", error.Message, StringComparison.Ordinal);
    }

    private sealed class EverythingIsGone : IPostStatusAdapter
    {
        public string Name => "gone";

        public bool CanHandle(Uri url) => url.Host == "gone.example";

        public Task<PostCheck> CheckAsync(Uri url, CancellationToken cancellationToken) =>
            Task.FromResult(new PostCheck(url, Name, PostVerdict.Gone, DateTimeOffset.UnixEpoch));
    }
}
