using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
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
    [InlineData(403, PostVerdict.Withheld)]
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

    [Theory]
    [InlineData("https://x.com/desk/status/123", true)]
    [InlineData("https://twitter.com/desk/status/123/", true)]
    [InlineData("http://mobile.twitter.com/Desk_2/statuses/9", true)]
    [InlineData("https://x.com/desk", false)]
    [InlineData("https://x.com/desk/status/abc", false)]
    [InlineData("https://notx.com/desk/status/123", false)]
    [InlineData("https://example.org/desk/status/123", false)]
    public void The_X_adapter_recognises_status_urls(string url, bool handled)
    {
        Assert.Equal(handled, XStatusAdapter.StatusOf(new Uri(url)) is not null);
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
