using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Retry;
using Polly.Testing;
using Polly.Timeout;
using Reliability.Infrastructure.Watching;
using Reliability.Testing;

namespace Reliability.Infrastructure.Tests.Watching;

public sealed class HostResilienceTests
{
    private static readonly Dictionary<string, string?> BreakAfterSixOutcomes = new()
    {
        ["Reliability:Watcher:CircuitBreakerMinimumThroughput"] = "6",
        // Long enough that the checks made while it is open (no network, milliseconds) all see it open.
        ["Reliability:Watcher:CircuitBreakerBreakDuration"] = "00:00:02",
    };

    [Fact]
    public async Task Bursts_of_500_429_and_timeouts_delete_nothing_open_the_circuit_and_it_closes_again()
    {
        var hits = 0;
        await using var platform = await LoopbackServer.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                Interlocked.Increment(ref hits);
                await next(context);
            });
            app.MapGet("/gone", () => Results.NotFound());
            app.MapGet("/error", () => Results.StatusCode(StatusCodes.Status500InternalServerError));
            app.MapGet("/busy", () => Results.StatusCode(StatusCodes.Status429TooManyRequests));
            app.MapGet("/slow", async (HttpContext context) =>
            {
                await Task.Delay(TimeSpan.FromMinutes(1), context.RequestAborted);
                return Results.Ok();
            });
        });
        await using var services = WatcherHost.Create(BreakAfterSixOutcomes);
        var watcher = services.GetRequiredService<PostWatcher>();
        var evidence = DeletionEvidence.Initial;

        async Task<PostCheck> Check(string path)
        {
            var check = await watcher.CheckAsync(platform.Url(path));
            evidence = evidence.Apply(check.Verdict, confirmations: 3);
            return check;
        }

        Assert.Equal(PostVerdict.Gone, (await Check("/gone")).Verdict);
        var slow = await Check("/slow");
        var error = await Check("/error");
        var busy = await Check("/busy");

        Assert.Equal((PostVerdict.Unknown, UnknownReason.Timeout), (slow.Verdict, slow.Reason));
        Assert.Equal((PostVerdict.Unknown, UnknownReason.ServerError), (error.Verdict, error.Reason));
        Assert.Equal(PostVerdict.Unknown, busy.Verdict);
        Assert.Equal(new DeletionEvidence(EvidenceState.SuspectedGone, 1), evidence);

        // Open: the server is not reached, whatever the path, and the evidence does not move.
        var hitsWhenOpened = Volatile.Read(ref hits);
        foreach (var path in new[] { "/gone", "/error", "/busy", "/slow", "/gone" })
        {
            var check = await Check(path);
            Assert.Equal((PostVerdict.Unknown, UnknownReason.CircuitOpen), (check.Verdict, check.Reason));
        }

        Assert.Equal(hitsWhenOpened, Volatile.Read(ref hits));
        Assert.Equal(new DeletionEvidence(EvidenceState.SuspectedGone, 1), evidence);

        // After the break the circuit lets a trial through; a definite answer closes it again.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        PostCheck again;
        do
        {
            await Task.Delay(100);
            again = await Check("/gone");
        }
        while (again.Reason == UnknownReason.CircuitOpen && DateTime.UtcNow < deadline);

        Assert.Equal(PostVerdict.Gone, again.Verdict);
        Assert.Equal(new DeletionEvidence(EvidenceState.SuspectedGone, 2), evidence);
        Assert.Equal(PostVerdict.Gone, (await Check("/gone")).Verdict);
        Assert.Equal(EvidenceState.ConfirmedGone, evidence.State);
    }

    [Fact]
    public async Task An_open_circuit_belongs_to_its_host_only()
    {
        await using var failing = await LoopbackServer.StartAsync(app => app.MapGet("/p", () => Results.StatusCode(503)));
        await using var healthy = await LoopbackServer.StartAsync(app => app.MapGet("/p", () => Results.Ok()));
        await using var services = WatcherHost.Create(new() { ["Reliability:Watcher:CircuitBreakerBreakDuration"] = "00:01:00" });
        var watcher = services.GetRequiredService<PostWatcher>();

        for (var i = 0; i < 3; i++)
        {
            await watcher.CheckAsync(failing.Url("/p"));
        }

        Assert.Equal(UnknownReason.CircuitOpen, (await watcher.CheckAsync(failing.Url("/p"))).Reason);
        Assert.Equal(PostVerdict.Live, (await watcher.CheckAsync(healthy.Url("/p"))).Verdict);
    }

    [Fact]
    public async Task A_retry_gets_past_one_failed_attempt()
    {
        var calls = 0;
        await using var platform = await LoopbackServer.StartAsync(app =>
            app.MapGet("/p", () => Interlocked.Increment(ref calls) == 1 ? Results.StatusCode(502) : Results.NotFound()));
        await using var services = WatcherHost.Create();

        var check = await services.GetRequiredService<PostWatcher>().CheckAsync(platform.Url("/p"));

        Assert.Equal(PostVerdict.Gone, check.Verdict);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task A_connection_cut_while_the_body_is_read_is_a_network_error_and_retried()
    {
        var calls = 0;
        await using var platform = await LoopbackServer.StartAsync(app =>
            app.MapGet("/p", async (HttpContext context) =>
            {
                Interlocked.Increment(ref calls);
                // Headers and part of the promised body, then (once the client is reading it) a reset.
                context.Response.ContentLength = 10_000;
                await context.Response.WriteAsync("<html>half a page");
                await context.Response.Body.FlushAsync();
                await Task.Delay(200);
                context.Abort();
            }));
        await using var services = WatcherHost.Create();

        var check = await services.GetRequiredService<PostWatcher>().CheckAsync(platform.Url("/p"));

        Assert.Equal((PostVerdict.Unknown, UnknownReason.NetworkError), (check.Verdict, check.Reason));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task A_429_asking_for_a_longer_wait_than_a_check_may_take_is_not_retried()
    {
        var calls = 0;
        await using var platform = await LoopbackServer.StartAsync(app =>
            app.MapGet("/p", (HttpContext context) =>
            {
                Interlocked.Increment(ref calls);
                context.Response.Headers.RetryAfter = "3600";
                return Results.StatusCode(StatusCodes.Status429TooManyRequests);
            }));
        await using var services = WatcherHost.Create(new() { ["Reliability:Watcher:RetryCount"] = "3" });

        var check = await services.GetRequiredService<PostWatcher>().CheckAsync(platform.Url("/p"));

        Assert.Equal((PostVerdict.Unknown, UnknownReason.RateLimited), (check.Verdict, check.Reason));
        Assert.Equal(1, calls);
    }

    [Fact]
    public void Each_host_gets_total_timeout_retry_breaker_rate_limiter_and_attempt_timeout_in_that_order()
    {
        using var services = WatcherHost.Create(new()
        {
            ["Reliability:Watcher:TotalTimeout"] = "00:00:20",
            ["Reliability:Watcher:AttemptTimeout"] = "00:00:03",
            ["Reliability:Watcher:RetryCount"] = "4",
        });
        var pipelines = services.GetRequiredService<HostPipelines>();

        var pipeline = pipelines.For(new Uri("https://a.example/x"));
        var strategies = pipeline.GetPipelineDescriptor().Strategies;

        Assert.Collection(
            strategies,
            s => Assert.Equal(TimeSpan.FromSeconds(20), Assert.IsType<TimeoutStrategyOptions>(s.Options).Timeout),
            s => Assert.Equal(4, Assert.IsType<RetryStrategyOptions<FetchResult>>(s.Options).MaxRetryAttempts),
            s => Assert.Equal(TimeSpan.FromMilliseconds(500), Assert.IsType<CircuitBreakerStrategyOptions<FetchResult>>(s.Options).BreakDuration),
            s => Assert.IsType<RateLimiterStrategyOptions>(s.Options),
            s => Assert.Equal(TimeSpan.FromSeconds(3), Assert.IsType<TimeoutStrategyOptions>(s.Options).Timeout));
        Assert.Same(pipeline, pipelines.For(new Uri("https://A.example/other")));
        Assert.NotSame(pipeline, pipelines.For(new Uri("https://b.example/x")));
        Assert.NotSame(pipeline, pipelines.For(new Uri("https://a.example:8443/x")));
    }

    [Theory]
    [InlineData("https://www.a.example/x")]
    [InlineData("http://m.a.example/x")]
    [InlineData("https://mobile.a.example/x")]
    [InlineData("https://WWW.A.example/x")]
    public void A_sites_www_and_mobile_names_share_its_rate_limit_and_circuit(string url)
    {
        using var services = WatcherHost.Create();
        var pipelines = services.GetRequiredService<HostPipelines>();

        Assert.Same(pipelines.For(new Uri("https://a.example/y")), pipelines.For(new Uri(url)));
        Assert.NotSame(pipelines.For(new Uri("https://m.co/y")), pipelines.For(new Uri("https://co/y")));
    }

    [Fact]
    public async Task Requests_beyond_a_hosts_rate_and_queue_are_refused_without_reaching_it()
    {
        var hits = 0;
        await using var platform = await LoopbackServer.StartAsync(app =>
            app.MapGet("/p", () =>
            {
                Interlocked.Increment(ref hits);
                return Results.Ok();
            }));
        // One token per 100 s and no queue: only the first request of this test can have one.
        await using var services = WatcherHost.Create(new()
        {
            ["Reliability:Watcher:RequestsPerSecondPerHost"] = "0.01",
            ["Reliability:Watcher:RateLimiterQueueLimit"] = "0",
        });
        var watcher = services.GetRequiredService<PostWatcher>();

        var first = await watcher.CheckAsync(platform.Url("/p"));
        var second = await watcher.CheckAsync(platform.Url("/p"));
        var third = await watcher.CheckAsync(platform.Url("/p"));

        Assert.Equal(PostVerdict.Live, first.Verdict);
        Assert.Equal((PostVerdict.Unknown, UnknownReason.RateLimited), (second.Verdict, second.Reason));
        Assert.Equal((PostVerdict.Unknown, UnknownReason.RateLimited), (third.Verdict, third.Reason));
        Assert.Equal(1, hits);
    }
}
