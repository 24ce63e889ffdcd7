using System.Diagnostics;
using JasperFx;
using Marten;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Reliability.Api.Security;
using Reliability.Infrastructure.EventStore;
using Reliability.Infrastructure.Security;
using Reliability.Testing;

namespace Reliability.Api.Tests;

/// <summary>
/// One node's key resolver and its listener on a real database: a node counts itself as hearing key
/// changes only once its own probe came back, and one that cannot hear them (as behind a connection
/// pooler in transaction mode) keeps a key only briefly, so a revocation it never hears of still
/// takes effect within seconds instead of the resolver's 30 s.
/// </summary>
public sealed class KeyNoticeListeningTests : IAsyncLifetime
{
    /// <summary>Far less than the 30 s a hearing node keeps a key: a guard, not a measure of speed.</summary>
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(10);

    /// <summary>A probe timeout no busy test machine reaches: the node goes on hearing throughout the test.</summary>
    private static readonly TimeSpan SteadyHearing = TimeSpan.FromSeconds(10);

    private readonly List<IDisposable> _disposables = [];
    private readonly List<ApiKeyNotices> _listeners = [];
    private NpgsqlDataSource _database = null!;
    private ApiKeyStore _keys = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await TestDatabase.CreateAsync("key_notices");
        _database = EventStoreRegistration.CreateDataSource(connectionString);
        var store = DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            options.DatabaseSchemaName = EventStoreRegistration.SchemaName;
            options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            options.ConfigureKeys();
        });
        _disposables.Add(store);
        _keys = new ApiKeyStore(store, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.StopAsync(CancellationToken.None);
            listener.Dispose();
        }

        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_node_that_hears_no_notices_says_so_and_sees_a_revocation_within_seconds()
    {
        var deaf = await StartNodeAsync(listeningChannel: "reliability_api_keys_elsewhere");
        var (key, secret) = await _keys.CreateAsync("night desk", ApiKeyRole.Reader);
        Assert.NotNull(await deaf.FindActiveAsync(secret, CancellationToken.None));

        // Long enough for several connections, each listening and then waiting for its probe in vain.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(deaf.HearsChanges, "a node counted itself as hearing key changes on a connection no notice reaches");

        Assert.NotNull(await deaf.FindActiveAsync(secret, CancellationToken.None));
        Assert.NotNull(await _keys.RevokeAsync(key.Id));
        await AssertRefusedPromptlyAsync(deaf, secret, "a revocation it could not hear of");
    }

    [Fact]
    public async Task A_node_that_hears_notices_says_so_and_drops_a_revoked_key_at_once()
    {
        var hearing = await StartNodeAsync();
        await UntilAsync(() => hearing.HearsChanges, "a node on a plain connection never counted itself as hearing key changes");

        var (key, secret) = await _keys.CreateAsync("night desk", ApiKeyRole.Reader);
        Assert.NotNull(await hearing.FindActiveAsync(secret, CancellationToken.None));
        Assert.NotNull(await _keys.RevokeAsync(key.Id));
        await AssertRefusedPromptlyAsync(hearing, secret, "its revocation's notice");
    }

    [Fact]
    public async Task Unknown_keys_keep_no_change_signal_and_a_key_keeps_one_only_while_cached_and_is_still_dropped_on_its_notice()
    {
        var (node, cache, key, secret) = await StartHearingNodeWithKeyAsync("night desk");

        // Someone probing for keys: nothing is kept per secret tried.
        for (var probe = 0; probe < 200; probe++)
        {
            Assert.Null(await node.FindActiveAsync($"probe-{Guid.NewGuid():N}", CancellationToken.None));
        }

        Assert.Equal(0, node.KeptChangeSignals);

        Assert.NotNull(await node.FindActiveAsync(secret, CancellationToken.None));
        Assert.Equal(1, node.KeptChangeSignals);

        // The cache lets the key go (as it does after its cache time): so does the signal.
        cache.Compact(1.0);
        await UntilAsync(() => node.KeptChangeSignals == 0, "a key's change signal was kept after its cached copy was let go");

        // Cached again, under a new signal: its revocation's notice still drops it before the next request.
        Assert.NotNull(await node.FindActiveAsync(secret, CancellationToken.None));
        Assert.Equal(1, node.KeptChangeSignals);
        Assert.NotNull(await _keys.RevokeAsync(key.Id));
        await AssertRefusedPromptlyAsync(node, secret, "its revocation's notice");
        Assert.Equal(0, node.KeptChangeSignals);
    }

    [Fact]
    public async Task A_stream_watching_a_key_whose_cached_copy_was_let_go_still_hears_its_revocation()
    {
        var (node, cache, key, secret) = await StartHearingNodeWithKeyAsync("live blog");
        Assert.NotNull(await node.FindActiveAsync(secret, CancellationToken.None));

        using (var stream = node.WatchChanges(key.Id))
        {
            cache.Compact(1.0);
            // Long enough for the cache's eviction callbacks, which run on the thread pool.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            Assert.Equal(1, node.KeptChangeSignals);

            Assert.NotNull(await _keys.RevokeAsync(key.Id));
            await UntilAsync(() => stream.Changed.IsCancellationRequested, "a stream's key was revoked and the stream never heard of it");
        }

        Assert.Equal(0, node.KeptChangeSignals);
    }

    /// <summary>
    /// A key, and then a node that hears changes, with its cache at hand. The key is created before
    /// the node listens: the creation's own notice would drop the copy the test has the node cache.
    /// </summary>
    private async Task<(ApiKeyResolver Node, MemoryCache Cache, ApiKey Key, string Secret)> StartHearingNodeWithKeyAsync(string keyName)
    {
        var (key, secret) = await _keys.CreateAsync(keyName, ApiKeyRole.Reader);
        var cache = new MemoryCache(new MemoryCacheOptions());
        var node = await StartNodeAsync(cache: cache, probeTimeout: SteadyHearing);
        await UntilAsync(() => node.HearsChanges, "a node on a plain connection never counted itself as hearing key changes");
        return (node, cache, key, secret);
    }

    /// <summary>
    /// A node on its own cache. Its probes may take <paramref name="probeTimeout"/> before it counts
    /// itself deaf; a node that must go on hearing on a busy machine (it drops every key it kept each
    /// time it starts hearing again) is given longer.
    /// </summary>
    private async Task<ApiKeyResolver> StartNodeAsync(string? listeningChannel = null, MemoryCache? cache = null, TimeSpan? probeTimeout = null)
    {
        cache ??= new MemoryCache(new MemoryCacheOptions());
        _disposables.Add(cache);
        var resolver = new ApiKeyResolver(_keys, cache);
        var notices = new ApiKeyNotices(_database, resolver, TimeProvider.System, NullLogger<ApiKeyNotices>.Instance)
        {
            ListeningChannel = listeningChannel ?? ApiKeyStore.ChangeChannel,
            ProbeTimeout = probeTimeout ?? TimeSpan.FromMilliseconds(300),
        };
        _listeners.Add(notices);
        await notices.StartAsync(CancellationToken.None);
        return resolver;
    }

    private static async Task AssertRefusedPromptlyAsync(ApiKeyResolver resolver, string secret, string after)
    {
        var since = Stopwatch.StartNew();
        while (await resolver.FindActiveAsync(secret, CancellationToken.None) is not null)
        {
            Assert.True(since.Elapsed < Promptly, $"The key was still accepted {Promptly.TotalSeconds} s after {after}.");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private static async Task UntilAsync(Func<bool> condition, string failure)
    {
        var since = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(since.Elapsed < TimeSpan.FromSeconds(30), failure);
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
