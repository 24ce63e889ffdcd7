using Microsoft.Extensions.Options;
using Reliability.Grains.Records;

namespace Reliability.Grains.Tests;

/// <summary>What a node's read cache may serve again, and what it must work out afresh.</summary>
public sealed class ReadCacheTests
{
    private readonly ManualClock _clock = new();
    private readonly ReadCache _cache;

    public ReadCacheTests() => _cache = new ReadCache(_clock, Options.Create(new ReadCacheOptions { Lifetime = TimeSpan.FromSeconds(5) }));

    private void KeepAnswer(string key, string value, long truthVersion, params string[] sources) =>
        _cache.Keep(key, value, truthVersion, [.. sources.Select(s => (ReadCache.SourceKey(s), _cache.ChangesOf(ReadCache.SourceKey(s))))]);

    [Fact]
    public void An_answer_is_served_again_until_a_source_it_shows_changes()
    {
        KeepAnswer("url:a", "answer", 7, "s1", "s2");
        Assert.True(_cache.TryGet<string>("url:a", 7, out var again));
        Assert.Equal("answer", again);

        _cache.Changed(["s3"]);
        Assert.True(_cache.TryGet<string>("url:a", 7, out _));

        _cache.Changed(["s2"]);
        Assert.False(_cache.TryGet<string>("url:a", 7, out _));
    }

    [Fact]
    public void An_answer_built_from_a_score_worked_out_earlier_lives_only_the_rest_of_its_lifetime()
    {
        // The grain worked the score out four seconds ago (lifetime five): one more second, not five.
        _cache.Keep("score:s1", "from the grain", 1, [(ReadCache.SourceKey("s1"), _cache.ChangesOf(ReadCache.SourceKey("s1")))],
            _clock.GetUtcNow() - TimeSpan.FromSeconds(4));
        KeepAnswer("score:s2", "worked out now", 1, "s2");

        _clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.True(_cache.TryGet<string>("score:s1", 1, out _));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(_cache.TryGet<string>("score:s1", 1, out _));
        Assert.True(_cache.TryGet<string>("score:s2", 1, out _));
    }

    [Fact]
    public void An_answer_a_grain_built_with_an_older_truth_estimate_than_the_nodes_is_not_kept()
    {
        var dependsOn = new[] { (ReadCache.SourceKey("s1"), _cache.ChangesOf(ReadCache.SourceKey("s1"))) };
        Assert.Null(_cache.Keep("score:s1", "older estimate", 8, dependsOn, builtWithTruthVersion: 7));
        Assert.False(_cache.TryGet<string>("score:s1", 8, out _));

        // Built with the node's estimate, or a newer one than it knows yet: kept under the node's.
        Assert.NotNull(_cache.Keep("score:s1", "same estimate", 8, dependsOn, builtWithTruthVersion: 8));
        Assert.True(_cache.TryGet<string>("score:s1", 8, out _));
        Assert.NotNull(_cache.Keep("score:s2", "newer estimate", 8, dependsOn, builtWithTruthVersion: 9));
        Assert.True(_cache.TryGet<string>("score:s2", 8, out _));
    }

    [Fact]
    public void Changes_to_a_great_many_other_sources_never_hide_a_change_to_the_one_an_answer_shows()
    {
        // Change counts are kept per slot of a bounded table, not per source: other sources may share
        // a slot and drop an answer early, but none can keep it past a change of its own source.
        for (var round = 0; round < 20; round++)
        {
            KeepAnswer($"url:{round}", "answer", 1, $"s{round}");
            _cache.Changed(Enumerable.Range(0, 50_000).Select(i => $"other-{round}-{i}"));
            _cache.Changed([$"s{round}"]);
            Assert.False(_cache.TryGet<string>($"url:{round}", 1, out _));
        }
    }

    [Fact]
    public void Changes_to_other_sources_seldom_drop_an_answer()
    {
        for (var i = 0; i < 200; i++)
        {
            KeepAnswer($"url:{i}", "answer", 1, $"kept-{i}");
        }

        _cache.Changed(Enumerable.Range(0, 1_000).Select(i => $"changed-{i}"));

        // 1,000 changes over a million slots: an answer's source shares one by chance about once in a thousand.
        Assert.True(Enumerable.Range(0, 200).Count(i => _cache.TryGet<string>($"url:{i}", 1, out _)) >= 198);
    }

    [Fact]
    public void An_answer_served_again_and_again_still_ends_at_the_first_change_to_what_it_shows()
    {
        // Once found unchanged, an answer is not looked at again until something changes anywhere.
        var post = ReadCache.PostKey("x.com/a/status/1");
        _cache.Keep("url:x.com/a/status/1", "answer", 1,
            [(ReadCache.SourceKey("s1"), _cache.ChangesOf(ReadCache.SourceKey("s1"))), (post, _cache.ChangesOf(post))]);
        KeepAnswer("handle:x:s1", "source answer", 1, "s1");
        for (var i = 0; i < 3; i++)
        {
            Assert.True(_cache.TryGet<string>("url:x.com/a/status/1", 1, out _));
            Assert.True(_cache.TryGet<string>("handle:x:s1", 1, out _));
        }

        _cache.Recorded("x.com/a/status/1", new PostClaim("c2", "s2"));
        Assert.False(_cache.TryGet<string>("url:x.com/a/status/1", 1, out _));
        Assert.True(_cache.TryGet<string>("handle:x:s1", 1, out _));
        Assert.True(_cache.TryGet<string>("handle:x:s1", 1, out _));

        _cache.Changed(["s1"]);
        Assert.False(_cache.TryGet<string>("handle:x:s1", 1, out _));
    }

    [Fact]
    public async Task Past_its_bound_the_cache_drops_its_oldest_answers_while_others_keep_and_read()
    {
        const int Writers = 4, PerWriter = ReadCache.MaxEntries * 3 / 4;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                KeepAnswer($"url:{w}/{i}", "answer", 1, $"s{i % 100}");
                _cache.TryGet<string>($"url:{w}/{i / 2}", 1, out _);
                _clock.Advance(TimeSpan.FromTicks(1));
            }
        })));

        var served = Enumerable.Range(0, Writers)
            .Sum(w => Enumerable.Range(0, PerWriter).Count(i => _cache.TryGet<string>($"url:{w}/{i}", 1, out _)));
        Assert.InRange(served, 1, ReadCache.MaxEntries);
    }

    [Fact]
    public void An_answer_worked_out_while_its_source_changed_is_never_served()
    {
        // Read before asking the grains, as the lookup does; the write lands while it works.
        var before = _cache.ChangesOf(ReadCache.SourceKey("s1"));
        _cache.Changed(["s1"]);
        _cache.Keep("url:b", "old answer", 1, [(ReadCache.SourceKey("s1"), before)]);

        Assert.False(_cache.TryGet<string>("url:b", 1, out _));
    }

    [Fact]
    public void A_new_truth_estimate_or_the_lifetime_ends_an_answer()
    {
        KeepAnswer("score:s1", "score", 3, "s1");
        Assert.False(_cache.TryGet<string>("score:s1", 4, out _));

        KeepAnswer("score:s1", "score", 4, "s1");
        _clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.True(_cache.TryGet<string>("score:s1", 4, out _));
        _clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.False(_cache.TryGet<string>("score:s1", 4, out _));
    }

    [Fact]
    public void Claims_read_at_a_url_before_a_claim_was_recorded_there_are_not_kept()
    {
        // A lookup reads the URL's claims; meanwhile a writer records another there, which finds no
        // entry to join. What the lookup read lacks it, so it must not be kept for the post's lifetime.
        var key = ReadCache.PostKey("x.com/a/status/1");
        var before = _cache.ChangesOf(key);
        _cache.Recorded("x.com/a/status/1", new PostClaim("c2", "s2"));

        _cache.KeepPost("x.com/a/status/1", [new PostClaim("c1", "s1")], before);

        Assert.False(_cache.TryGetPost("x.com/a/status/1", out _));
        _cache.KeepPost("x.com/a/status/1", [new PostClaim("c1", "s1"), new PostClaim("c2", "s2")], _cache.ChangesOf(key));
        Assert.True(_cache.TryGetPost("x.com/a/status/1", out var claims));
        Assert.Equal(2, claims.Count);
    }

    [Fact]
    public void Claims_recorded_at_one_post_at_once_all_join_it()
    {
        _cache.KeepPost("x.com/a/status/1", [new PostClaim("c0", "s0")], _cache.ChangesOf(ReadCache.PostKey("x.com/a/status/1")));

        Parallel.For(1, 201, i => _cache.Recorded("x.com/a/status/1", new PostClaim($"c{i}", $"s{i % 7}")));

        Assert.True(_cache.TryGetPost("x.com/a/status/1", out var claims));
        Assert.Equal(201, claims.Distinct().Count());
    }

    [Fact]
    public void A_claim_recorded_at_a_known_post_joins_it_and_ends_answers_that_showed_the_post()
    {
        PostClaim first = new("c1", "s1"), relay = new("c2", "s2");
        _cache.KeepPost("x.com/a/status/1", [first], _cache.ChangesOf(ReadCache.PostKey("x.com/a/status/1")));
        _cache.Keep("url:x.com/a/status/1", "one claim", 1,
            [(ReadCache.PostKey("x.com/a/status/1"), _cache.ChangesOf(ReadCache.PostKey("x.com/a/status/1")))]);

        _cache.Recorded("x.com/a/status/1", relay);
        _cache.Recorded("x.com/b/status/2", relay);

        Assert.True(_cache.TryGetPost("x.com/a/status/1", out var claims));
        Assert.Equal([first, relay], claims);
        Assert.False(_cache.TryGet<string>("url:x.com/a/status/1", 1, out _));
        // A URL with no known claims is not remembered: its first claim must show at once.
        Assert.False(_cache.TryGetPost("x.com/b/status/2", out _));
        _clock.Advance(ReadCache.PostLifetime);
        Assert.False(_cache.TryGetPost("x.com/a/status/1", out _));
    }

    [Fact]
    public void An_answer_held_by_its_asker_ends_by_the_same_rules_as_one_found_by_key()
    {
        var held = KeepHeld("url:a", 2, "s1");
        Assert.True(_cache.TryGetKept("url:a", 2, out var found));
        Assert.Same(held, found);
        Assert.Equal("answer", held.Value);
        Assert.True(_cache.IsServable(held, 2));

        _cache.Changed(["s2"]);
        Assert.True(_cache.IsServable(held, 2));
        _cache.Changed(["s1"]);
        Assert.False(_cache.IsServable(held, 2));

        held = KeepHeld("url:a", 2, "s1");
        Assert.False(_cache.IsServable(held, 3));
        _clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.True(_cache.IsServable(held, 2));
        _clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.False(_cache.IsServable(held, 2));
        Assert.False(_cache.TryGetKept("url:a", 2, out _));
    }

    [Fact]
    public void Answers_checked_at_one_moment_are_judged_at_that_moment_and_by_every_other_rule()
    {
        // A lookup reads the clock once for the fifty answers it checks.
        var held = KeepHeld("url:a", 2, "s1");
        _clock.Advance(TimeSpan.FromSeconds(4.9));
        var moment = _cache.Now;
        _clock.Advance(TimeSpan.FromSeconds(0.2));

        Assert.False(_cache.IsServable(held, 2));
        Assert.True(_cache.IsServable(held, 2, moment));
        Assert.False(_cache.IsServable(held, 3, moment));
        _cache.Changed(["s1"]);
        Assert.False(_cache.IsServable(held, 2, moment));
    }

    private ReadCache.Kept KeepHeld(string key, long truthVersion, string source) =>
        _cache.Keep(key, "answer", truthVersion, [(ReadCache.SourceKey(source), _cache.ChangesOf(ReadCache.SourceKey(source)))])
        ?? throw new InvalidOperationException("The cache is on: it keeps every answer.");

    [Fact]
    public void A_zero_lifetime_keeps_nothing()
    {
        var off = new ReadCache(_clock, Options.Create(new ReadCacheOptions { Lifetime = TimeSpan.Zero }));
        Assert.Null(off.Keep("url:a", "answer", 1, []));
        off.KeepPost("x.com/a/status/1", [new PostClaim("c1", "s1")], off.ChangesOf(ReadCache.PostKey("x.com/a/status/1")));

        Assert.False(off.TryGet<string>("url:a", 1, out _));
        Assert.False(off.TryGetPost("x.com/a/status/1", out _));
    }

    [Fact]
    public void Answers_are_kept_their_full_lifetime_only_while_the_node_hears_other_nodes()
    {
        var cache = new ReadCache(_clock, Options.Create(new ReadCacheOptions
        {
            Lifetime = TimeSpan.FromMinutes(1), LifetimeWithoutNotices = TimeSpan.FromSeconds(5),
        }));
        var deaf = Keep(cache, "url:a", "s1");
        _clock.Advance(TimeSpan.FromSeconds(5.1));
        Assert.False(cache.IsServable(deaf, 1));

        cache.StartedHearing();
        Assert.True(cache.HearsOtherNodes);
        var heard = Keep(cache, "url:a", "s1");
        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.True(cache.IsServable(heard, 1));
        Assert.True(cache.TryGet<string>("url:a", 1, out _));

        // Deaf again: what was kept is served only as long as without notices, however long ago it was kept.
        cache.StoppedHearing();
        Assert.False(cache.IsServable(heard, 1));
        var again = Keep(cache, "url:b", "s1");
        _clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.True(cache.IsServable(again, 1));
        _clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.False(cache.IsServable(again, 1));
    }

    [Fact]
    public void A_post_read_while_the_node_cannot_hear_the_others_is_kept_only_as_long_as_without_notices()
    {
        // Never heard (a pooler that drops LISTEN): a claim recorded at the post through another node
        // must show within the lifetime without notices, not the post's ten minutes.
        _cache.KeepPost("x.com/a/status/1", [new PostClaim("c1", "s1")], _cache.ChangesOf(ReadCache.PostKey("x.com/a/status/1")));
        _clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.True(_cache.TryGetPost("x.com/a/status/1", out _));
        _clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.False(_cache.TryGetPost("x.com/a/status/1", out _));

        _cache.StartedHearing();
        _cache.KeepPost("x.com/a/status/1", [new PostClaim("c1", "s1")], _cache.ChangesOf(ReadCache.PostKey("x.com/a/status/1")));
        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.True(_cache.TryGetPost("x.com/a/status/1", out _));
    }

    [Fact]
    public void A_node_that_hears_again_serves_nothing_worked_out_before_and_reads_posts_afresh()
    {
        _cache.StartedHearing();
        KeepAnswer("url:a", "kept while hearing", 1, "s1");
        _cache.KeepPost("x.com/a/status/1", [new PostClaim("c1", "s1")], _cache.ChangesOf(ReadCache.PostKey("x.com/a/status/1")));
        // Read before the node heard again, kept after it: the notices it missed may concern it.
        var readBefore = _cache.ChangesOf(ReadCache.SourceKey("s2"));

        _cache.StoppedHearing();
        _cache.StartedHearing();
        _cache.Keep("url:b", "worked out across the gap", 1, [(ReadCache.SourceKey("s2"), readBefore)]);

        Assert.False(_cache.TryGet<string>("url:a", 1, out _));
        Assert.False(_cache.TryGet<string>("url:b", 1, out _));
        Assert.False(_cache.TryGetPost("x.com/a/status/1", out _));
        KeepAnswer("url:c", "worked out after", 1, "s2");
        Assert.True(_cache.TryGet<string>("url:c", 1, out _));
    }

    [Fact]
    public void Another_nodes_change_ends_the_answers_built_from_it_and_forgets_the_posts_claims()
    {
        var post = ReadCache.PostKey("x.com/a/status/1");
        _cache.KeepPost("x.com/a/status/1", [new PostClaim("c1", "s1")], _cache.ChangesOf(ReadCache.PostKey("x.com/a/status/1")));
        _cache.KeepPost("x.com/b/status/2", [new PostClaim("c2", "s2")], _cache.ChangesOf(ReadCache.PostKey("x.com/b/status/2")));
        _cache.Keep("url:x.com/a/status/1", "post answer", 1, [(post, _cache.ChangesOf(post))]);
        KeepAnswer("handle:x:s3", "source answer", 1, "s3");
        KeepAnswer("handle:x:s4", "other source", 1, "s4");

        _cache.ChangedElsewhere(["s3"], ["x.com/a/status/1"]);

        Assert.False(_cache.TryGet<string>("url:x.com/a/status/1", 1, out _));
        Assert.False(_cache.TryGetPost("x.com/a/status/1", out _));
        Assert.False(_cache.TryGet<string>("handle:x:s3", 1, out _));
        Assert.True(_cache.TryGet<string>("handle:x:s4", 1, out _));
        Assert.True(_cache.TryGetPost("x.com/b/status/2", out _));
    }

    private static ReadCache.Kept Keep(ReadCache cache, string key, string source) =>
        cache.Keep(key, "answer", 1, [(ReadCache.SourceKey(source), cache.ChangesOf(ReadCache.SourceKey(source)))])
        ?? throw new InvalidOperationException("The cache is on: it keeps every answer.");

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(Interlocked.Read(ref _ticks));

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
