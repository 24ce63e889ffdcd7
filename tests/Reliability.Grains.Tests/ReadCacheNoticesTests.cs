using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Reliability.Grains.Records;
using Reliability.Infrastructure.EventStore;
using Reliability.Testing;

namespace Reliability.Grains.Tests;

/// <summary>Two nodes' read caches on one real PostgreSQL database, told of each other's writes by LISTEN / NOTIFY.</summary>
public sealed class ReadCacheNoticesTests : IAsyncLifetime
{
    // Long enough that only a notice, never the clock, can end an answer within a test.
    private static readonly ReadCacheOptions Kept = new() { Lifetime = TimeSpan.FromMinutes(10), LifetimeWithoutNotices = TimeSpan.FromMinutes(10) };

    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly List<Node> _nodes = [];
    private string _connectionString = "";
    private Node _first = null!;
    private Node _second = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await TestDatabase.CreateAsync("read_cache_notices");
        _first = await StartNodeAsync();
        _second = await StartNodeAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.Notices.StopAsync(CancellationToken.None);
            node.Notices.Dispose();
        }

        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_write_through_one_node_ends_the_other_nodes_answers_built_from_it_but_not_its_own()
    {
        var onFirst = Keep(_first.Cache, "handle:x:s1", "s1");
        var onSecond = Keep(_second.Cache, "handle:x:s1", "s1");
        var unrelated = Keep(_second.Cache, "handle:x:s2", "s2");
        _second.Cache.KeepPost("x.com/a/status/1", [new PostClaim("c1", "s1")], _second.Cache.ChangesOf(ReadCache.PostKey("x.com/a/status/1")));

        // The writer changed its own node's cache before it published, as the ledger does.
        _first.Notices.Publish(["s1"], ["x.com/a/status/1"]);

        await UntilAsync(() => !_second.Cache.IsServable(onSecond, 1), "the second node never heard of the write");
        Assert.False(_second.Cache.TryGetPost("x.com/a/status/1", out _));
        Assert.True(_second.Cache.IsServable(unrelated, 1));
        Assert.True(_first.Cache.IsServable(onFirst, 1), "a node acted on its own notice");
    }

    [Fact]
    public async Task A_notice_too_large_for_one_payload_arrives_whole()
    {
        // A group commit of many new sources: about 30 KB of ids, past PostgreSQL's 8,000-byte payload limit.
        var sources = Enumerable.Range(0, 1_000).Select(i => $"source-{i:D4}-{Guid.NewGuid():N}").ToList();
        var kept = sources.Select(s => Keep(_second.Cache, "handle:x:" + s, s)).ToList();

        _first.Notices.Publish(sources, []);

        await UntilAsync(() => kept.All(k => !_second.Cache.IsServable(k, 1)), "some of the notice never arrived");
        Assert.All(ReadCacheNotices.Payloads("node", sources, []), p => Assert.True(p.Length < ReadCacheNotices.MaxPayloadBytes));
    }

    [Fact]
    public async Task A_node_whose_listening_connection_is_cut_listens_again_and_works_out_afresh_what_it_kept()
    {
        var before = Keep(_second.Cache, "handle:x:s1", "s1");

        await using (var admin = new NpgsqlConnection(_connectionString))
        {
            await admin.OpenAsync();
            await using var cut = new NpgsqlCommand(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()", admin);
            await cut.ExecuteNonQueryAsync();
        }

        // Notices may have been missed while it was cut off: nothing kept before is served again.
        await UntilAsync(() => !_second.Cache.IsServable(before, 1), "the node never noticed it had stopped listening");
        await UntilAsync(() => _second.Cache.HearsOtherNodes && _first.Cache.HearsOtherNodes, "the nodes never listened again");

        var after = Keep(_second.Cache, "handle:x:s3", "s3");
        _first.Notices.Publish(["s3"], []);
        await UntilAsync(() => !_second.Cache.IsServable(after, 1), "a notice after listening again never arrived");
    }

    [Fact]
    public async Task A_node_that_never_hears_its_own_probe_never_counts_itself_as_listening()
    {
        // Its LISTEN succeeds, but notifications never reach that connection, as behind a pooler in
        // transaction mode: it must keep answers only as long as a node that hears nothing.
        var probeTimeout = TimeSpan.FromMilliseconds(300);
        var deaf = await StartNodeAsync(
            new ReadCacheOptions { Lifetime = TimeSpan.FromMinutes(10), LifetimeWithoutNotices = TimeSpan.FromSeconds(1) },
            made => new ReadCacheNotices(made.Cache, made.Database, TimeProvider.System, NullLogger<ReadCacheNotices>.Instance)
            {
                ListeningChannel = "reliability_read_cache_elsewhere",
                ProbeTimeout = probeTimeout,
            });
        var kept = Keep(deaf.Cache, "handle:x:s1", "s1");

        // Long enough for several connections, each listening and then waiting for its probe in vain.
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.False(deaf.Cache.HearsOtherNodes, "a node counted itself as listening on a connection no notice reaches");
        Assert.False(deaf.Cache.IsServable(kept, 1), "an answer was kept past the lifetime without notices");
        Assert.True(_first.Cache.HearsOtherNodes && _second.Cache.HearsOtherNodes);
    }

    private async Task<Node> StartNodeAsync(ReadCacheOptions? options = null, Func<(ReadCache Cache, NpgsqlDataSource Database), ReadCacheNotices>? create = null)
    {
        var database = EventStoreRegistration.CreateDataSource(_connectionString);
        _disposables.Add(database);
        var cache = new ReadCache(TimeProvider.System, Options.Create(options ?? Kept));
        var notices = create?.Invoke((cache, database))
            ?? new ReadCacheNotices(cache, database, TimeProvider.System, NullLogger<ReadCacheNotices>.Instance);
        await notices.StartAsync(CancellationToken.None);
        var node = new Node(cache, notices);
        _nodes.Add(node);
        if (create is null)
        {
            await UntilAsync(() => cache.HearsOtherNodes, "a node never started listening");
        }

        return node;
    }

    private static ReadCache.Kept Keep(ReadCache cache, string key, string source) =>
        cache.Keep(key, "answer", 1, [(ReadCache.SourceKey(source), cache.ChangesOf(ReadCache.SourceKey(source)))])
        ?? throw new InvalidOperationException("The cache is on: it keeps every answer.");

    private static async Task UntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    private sealed record Node(ReadCache Cache, ReadCacheNotices Notices);
}
