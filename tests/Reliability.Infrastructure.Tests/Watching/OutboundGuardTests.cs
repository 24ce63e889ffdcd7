using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Reliability.Infrastructure.Watching;
using Reliability.Testing;

namespace Reliability.Infrastructure.Tests.Watching;

public sealed class OutboundGuardTests
{
    private static readonly Dictionary<string, string?> PrivateNetworksRefused = new()
    {
        ["Reliability:Watcher:AllowPrivateNetworks"] = "false",
    };

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.1.2")]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.8.8")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a00:1")]
    public void Internal_addresses_are_not_public(string address)
    {
        Assert.False(NetworkAddressPolicy.IsPublic(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.15.0.1")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void Public_addresses_are_public(string address)
    {
        Assert.True(NetworkAddressPolicy.IsPublic(IPAddress.Parse(address)));
    }

    [Fact]
    public async Task Loopback_is_refused_by_default_by_address_and_by_a_name_resolving_to_it()
    {
        var hits = 0;
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/post", () =>
        {
            Interlocked.Increment(ref hits);
            return Results.Ok();
        }));
        await using var services = WatcherHost.Create(PrivateNetworksRefused);
        var watcher = services.GetRequiredService<PostWatcher>();

        var byAddress = await watcher.CheckAsync(server.Url("/post"));
        // "localhost" only becomes 127.0.0.1 through DNS: refused at connect time, not by the URL check.
        var byName = await watcher.CheckAsync(new Uri($"http://localhost:{server.Port}/post"));

        Assert.Equal((PostVerdict.Unknown, UnknownReason.Refused), (byAddress.Verdict, byAddress.Reason));
        Assert.Equal((PostVerdict.Unknown, UnknownReason.Refused), (byName.Verdict, byName.Reason));
        Assert.Equal(0, hits);

        await using var allowing = WatcherHost.Create();
        Assert.Equal(PostVerdict.Live, (await allowing.GetRequiredService<PostWatcher>().CheckAsync(server.Url("/post"))).Verdict);
        Assert.Equal(1, hits);
    }

    [Theory]
    [InlineData("http://10.0.0.1/post")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[::1]/post")]
    [InlineData("http://[::ffff:127.0.0.1]/post")]
    [InlineData("https://192.168.0.10/post")]
    [InlineData("http://2130706433/post")]
    [InlineData("http://0x7f.1/post")]
    [InlineData("http://[fd00::1]/post")]
    public async Task Internal_addresses_are_refused_by_default(string url)
    {
        await using var services = WatcherHost.Create(PrivateNetworksRefused);

        var check = await services.GetRequiredService<PostWatcher>().CheckAsync(new Uri(url));

        Assert.Equal((PostVerdict.Unknown, UnknownReason.Refused), (check.Verdict, check.Reason));
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.org/post")]
    [InlineData("gopher://example.org/post")]
    [InlineData("not a url")]
    public async Task Only_http_and_https_are_fetched(string url)
    {
        await using var services = WatcherHost.Create();

        var check = await services.GetRequiredService<PostWatcher>().CheckAsync(url);

        Assert.Equal((PostVerdict.Unknown, UnknownReason.Refused), (check.Verdict, check.Reason));
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.1.2.3/")]
    [InlineData("http://[::1]:{port}/secret")]
    [InlineData("http://127.0.0.2:{port}/secret")]
    [InlineData("file:///etc/passwd")]
    public async Task Every_redirect_hop_is_checked_again(string target)
    {
        var secretHits = 0;
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/ok", () => Results.Ok());
            app.MapGet("/to", (string target) => Results.Redirect(target));
            app.MapGet("/secret", () =>
            {
                Interlocked.Increment(ref secretHits);
                return Results.Ok();
            });
        });
        // Only the first hop's address is allowed: the platform on 127.0.0.1. The guard itself, which
        // follows any redirect it is allowed to (the watcher asks it to follow fewer).
        await using var services = WatcherHost.Create(
            PrivateNetworksRefused,
            s => s.AddSingleton<IAddressPolicy>(new OnlyAddress(IPAddress.Loopback)));
        var http = services.GetRequiredService<GuardedHttpClient>();
        var hop = target.Replace("{port}", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var direct = await http.SendAsync(FetchRequest.Get(server.Url("/ok")), CancellationToken.None);
        var redirected = await Assert.ThrowsAsync<FetchRefusedException>(() =>
            http.SendAsync(FetchRequest.Get(server.Url("/to?target=" + Uri.EscapeDataString(hop))), CancellationToken.None));

        Assert.Equal(200, direct.StatusCode);
        Assert.Contains(redirected.Reason, new[] { FetchRefusal.Address, FetchRefusal.Scheme });
        Assert.Equal(0, secretHits);
    }

    [Fact]
    public async Task Redirects_are_followed_up_to_the_bound()
    {
        await using var server = await LoopbackServer.StartAsync(app =>
            app.MapGet("/hop/{n:int}", (int n) => n == 0 ? Results.Ok() : Results.Redirect($"/hop/{n - 1}")));
        await using var services = WatcherHost.Create(new() { ["Reliability:Watcher:MaxRedirects"] = "3" });
        var http = services.GetRequiredService<GuardedHttpClient>();

        var three = await http.SendAsync(FetchRequest.Get(server.Url("/hop/3")), CancellationToken.None);
        var four = await Assert.ThrowsAsync<FetchRefusedException>(() => http.SendAsync(FetchRequest.Get(server.Url("/hop/4")), CancellationToken.None));

        Assert.Equal((200, 3), (three.StatusCode, three.Redirects));
        Assert.Equal(FetchRefusal.TooManyRedirects, four.Reason);
    }

    [Fact]
    public async Task At_most_the_configured_number_of_bytes_is_read()
    {
        var big = new byte[200_000];
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/big", () => Results.Bytes(big, "text/html"));
            app.MapGet("/exact", () => Results.Bytes(new byte[1000], "text/html"));
        });
        await using var services = WatcherHost.Create(new() { ["Reliability:Watcher:MaxResponseBytes"] = "1000" });
        var http = services.GetRequiredService<GuardedHttpClient>();

        var capped = await http.SendAsync(FetchRequest.Get(server.Url("/big")), CancellationToken.None);
        var exact = await http.SendAsync(FetchRequest.Get(server.Url("/exact")), CancellationToken.None);

        Assert.Equal((1000, true), (capped.Body.Length, capped.Truncated));
        Assert.Equal((1000, false), (exact.Body.Length, exact.Truncated));
        Assert.Equal(PostVerdict.Live, (await services.GetRequiredService<PostWatcher>().CheckAsync(server.Url("/big"))).Verdict);
    }

    [Fact]
    public async Task No_cookies_are_kept_or_sent()
    {
        var cookies = new List<string>();
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/p", (HttpContext context) =>
        {
            cookies.Add(context.Request.Headers.Cookie.ToString());
            context.Response.Headers.SetCookie = "session=abc";
            return Results.Ok();
        }));
        await using var services = WatcherHost.Create();
        var watcher = services.GetRequiredService<PostWatcher>();

        var first = await watcher.CheckAsync(server.Url("/p"));
        var second = await watcher.CheckAsync(server.Url("/p"));

        Assert.Equal(PostVerdict.Live, first.Verdict);
        Assert.Equal(PostVerdict.Live, second.Verdict);
        Assert.Equal(["", ""], cookies);
    }

    private sealed class OnlyAddress(IPAddress allowed) : IAddressPolicy
    {
        public bool IsAllowed(IPAddress address) => address.Equals(allowed);
    }
}
