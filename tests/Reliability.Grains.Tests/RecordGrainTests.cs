using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Propositions;
using Reliability.Contracts.Sources;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Recording;
using Reliability.Grains.Records;
using Reliability.Grains.Sources;
using Reliability.Infrastructure.Watching;
using static Reliability.Grains.Tests.Record;

namespace Reliability.Grains.Tests;

public sealed class RecordGrainTests(GrainCluster fixture) : IClassFixture<GrainCluster>
{
    private static readonly DateTimeOffset AsOf = Epoch.AddDays(30);

    [Fact]
    public async Task A_source_gets_each_proposition_once_when_a_batch_pairs_known_sources_and_propositions_crosswise()
    {
        // a knows p and b knows q; the batch pairs a with q and b with p, and repeats a on p.
        Assert.All(await fixture.Ledger.RecordClaimsAsync([Claim("cross-1", "cross-a", "cross-p", "o0", 1), Claim("cross-2", "cross-b", "cross-q", "o0", 2)]),
            r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        Assert.All(await fixture.Ledger.RecordClaimsAsync(
            [
                Claim("cross-3", "cross-a", "cross-q", "o1", 3),
                Claim("cross-4", "cross-b", "cross-p", "o1", 4),
                Claim("cross-5", "cross-a", "cross-p", "o1", 5),
            ]), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));

        foreach (var source in new[] { "cross-a", "cross-b" })
        {
            var events = await StreamAsync(fixture.Store, SourceStream(source));
            Assert.Equal(["cross-p", "cross-q"], PropositionsIn(events).Order(StringComparer.Ordinal));
            Assert.Empty(events.OfType<PropositionOpened>());
        }
    }

    [Fact]
    public async Task A_lookup_carries_what_a_badge_shows_and_not_the_claims_text()
    {
        var said = Claim("badge-1", "badge-s", "badge-p", "o0", 1) with { Text = "A long post, quoted whole.", Evidence = ["https://example.org/photo"] };
        Assert.All(await fixture.Ledger.RecordClaimsAsync([said]), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        Assert.True((await fixture.Ledger.RecordCorrectionAsync("badge-1", new CorrectionSubmission("amended", Epoch.AddHours(2), null, "typo", null))).Succeeded);

        var lookup = (await fixture.Grains.GetGrain<ISourceGrain>("badge-s").LookupAsync(["badge-1"], 200, null))!;
        var claim = Assert.Single(lookup.Claims);
        Assert.Equal(("badge-1", "o0", "https://example.org/badge-s/badge-1"), (claim.Id, claim.Option, claim.Url));
        Assert.Equal((null, 0, 0), (claim.Text, claim.Evidence.Count, claim.Corrections.Count));

        // The claim itself still comes whole.
        var whole = (await fixture.Grains.GetGrain<ISourceGrain>("badge-s").GetClaimAsync("badge-1"))!;
        Assert.Equal(("A long post, quoted whole.", 1, 1), (whole.Text, whole.Evidence.Count, whole.Corrections.Count));
    }

    [Fact]
    public async Task A_commit_whose_acknowledgement_is_lost_still_drops_what_the_caches_keep_of_it()
    {
        var cache = new ReadCache(TimeProvider.System, Options.Create(new ReadCacheOptions()));
        using var ledger = new LedgerWriter(fixture.Store, fixture.Grains, TimeProvider.System, new RecordEventHub(),
            new WatchSchedule(Options.Create(new WatcherOptions())), NullLogger<LedgerWriter>.Instance, lookups: cache);
        var first = Claim("lost-1", "lost-s", "lost-p", "o0", 1);
        Assert.Equal(SubmissionStatus.Accepted, Assert.Single(await ledger.RecordClaimsAsync([first])).Status);
        var post = UrlKeys.Of(first.Url)!;
        var source = ReadCache.SourceKey("lost-s");
        cache.Keep("score:lost-s", "before the lost commit", 0, [(source, cache.ChangesOf(source))]);
        cache.KeepPost(post, [new PostClaim("lost-1", "lost-s")], cache.ChangesOf(ReadCache.PostKey(post)));

        fixture.Injector.LoseNextAcknowledgement();
        await Assert.ThrowsAnyAsync<IOException>(() => ledger.RecordClaimsAsync([Claim("lost-2", "lost-s", "lost-p", "o1", 2) with { Url = first.Url }]));

        // Made all the same; what the caches kept of the source and the post is not served again.
        Assert.Contains("lost-2", await ClaimIdsAsync(fixture.Store, SourceStream("lost-s")));
        Assert.False(cache.TryGet<string>("score:lost-s", 0, out _));
        Assert.False(cache.TryGetPost(post, out _));
    }

    [Fact]
    public async Task Deactivation_and_reactivation_rebuild_the_same_state()
    {
        var claims = Enumerable.Range(0, 40)
            .Select(i => Claim($"re-{i}", $"re-s{i % 3}", $"re-p{i % 4}", "o" + (i % 7 % 2), i, i % 5 == 0 ? "reported" : "asserted"))
            .ToList();
        Assert.All(await fixture.Ledger.RecordClaimsAsync(claims), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        Assert.True((await fixture.Ledger.RecordCorrectionAsync("re-3", new CorrectionSubmission("retracted", Epoch.AddHours(2), null, "oops", null))).Succeeded);
        Assert.True((await fixture.Ledger.ResolveAsync("re-p1", new ResolutionSubmission("o1", false, null, null, "ed", Epoch.AddDays(1)))).Succeeded);

        var before = await StateAsync(3, 4);
        foreach (var i in Enumerable.Range(0, 3))
        {
            await fixture.Cluster.DeactivateAsync((IAddressable)fixture.Grains.GetGrain<ISourceGrain>($"re-s{i}"));
        }

        foreach (var i in Enumerable.Range(0, 4))
        {
            await fixture.Cluster.DeactivateAsync((IAddressable)fixture.Grains.GetGrain<IPropositionGrain>($"re-p{i}"));
        }

        Assert.Equal(before, await StateAsync(3, 4));
        Assert.Contains("\"ClaimCount\":14", before, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_writers_to_one_source_lose_nothing()
    {
        const string source = "busy";
        var submitted = Enumerable.Range(0, 8).Select(w => Enumerable.Range(0, 20)
            .Select(i => Claim($"busy-{w}-{i}", source, $"busy-p{(w + i) % 6}", "o" + (i % 2), w * 100 + i)).ToList()).ToList();
        var grain = fixture.Grains.GetGrain<ISourceGrain>(source);
        var reading = true;
        // Reads publish the live score into the source document while the writers update it.
        var reader = Task.Run(async () =>
        {
            while (Volatile.Read(ref reading))
            {
                await grain.GetProfileAsync();
            }
        });
        var writers = submitted.Select(claims => Task.Run(async () =>
        {
            var results = new List<SubmissionResult>();
            foreach (var batch in claims.Chunk(4))
            {
                results.AddRange(await fixture.Ledger.RecordClaimsAsync(batch));
            }

            return results;
        })).ToList();
        var all = (await Task.WhenAll(writers)).SelectMany(r => r).ToList();
        Volatile.Write(ref reading, false);
        await reader;

        Assert.Equal(160, all.Count(r => r.Status == SubmissionStatus.Accepted));
        var ids = submitted.SelectMany(c => c).Select(c => c.Id).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ids, (await ClaimIdsAsync(fixture.Store, SourceStream(source))).Order(StringComparer.Ordinal));
        var events = await StreamAsync(fixture.Store, SourceStream(source));
        Assert.Equal(6, PropositionsIn(events).Count);
        Assert.Equal(6, PropositionsIn(events).Distinct().Count());
        Assert.Single(events.OfType<SourceRegistered>());
        Assert.Equal(160, (await new RecordQueries(fixture.Store).ClaimCountsAsync([source]))[source]);
        Assert.Equal(160, (await grain.GetProfileAsync())!.ClaimCount);
    }

    [Fact]
    public async Task Editors_resolving_one_proposition_at_once_get_one_revision_each()
    {
        const int editors = 8;
        int[] revisions = [.. Enumerable.Range(1, editors)];
        foreach (var round in Enumerable.Range(0, 3))
        {
            var proposition = $"rev{round}-p";
            var (first, second) = ($"rev{round}-s1", $"rev{round}-s2");
            Assert.All(await fixture.Ledger.RecordClaimsAsync([Claim($"rev{round}-1", first, proposition, "o0", 1), Claim($"rev{round}-2", second, proposition, "o1", 2)]),
                r => Assert.Equal(SubmissionStatus.Accepted, r.Status));

            // Each editor decides its revision number from what it read; the store refuses the ones that
            // read a proposition another editor has since revised, and they decide again.
            var outcomes = await Task.WhenAll(Enumerable.Range(0, editors).Select(i => Task.Run(() =>
                fixture.Ledger.ResolveAsync(proposition, new ResolutionSubmission("o" + (i % 2), false, null, null, $"editor-{i}", Epoch.AddDays(1).AddMinutes(i))))));

            Assert.All(outcomes, o => Assert.True(o.Succeeded));
            Assert.Equal(revisions, outcomes.Select(o => o.Value!.Revision).Order());
            var stored = await StreamAsync(fixture.Store, StreamKeys.Proposition(proposition));
            Assert.Equal(revisions, stored.OfType<PropositionResolved>().Select(r => r.Resolution.Revision));
            Assert.Equal(revisions, (await fixture.Grains.GetGrain<IPropositionGrain>(proposition).GetResolutionsAsync())!.Select(r => r.Revision));
            var copied = await StreamAsync(fixture.Store, SourceStream(second));
            Assert.Equal(revisions, copied.OfType<PropositionResolved>().Select(r => r.Resolution.Revision));
        }
    }

    [Fact]
    public async Task Claimants_and_editors_on_shared_propositions_at_once_lose_nothing()
    {
        const int writers = 8, batches = 10, propositions = 4, revisions = 6;
        string Proposition(int p) => $"mix-p{p}";
        var submitted = Enumerable.Range(0, writers).Select(w => Enumerable.Range(0, batches).Select(b =>
            Enumerable.Range(0, 3).Select(i => Claim($"mix-{w}-{b}-{i}", $"mix-s{(w * 7 + b * 3 + i) % 10}", Proposition((w + b + i) % propositions),
                "o" + ((w + i) % 2), (w * 100) + (b * 3) + i)).ToArray()).ToList()).ToList();
        var claiming = submitted.Select(claims => Task.Run(async () =>
        {
            foreach (var batch in claims)
            {
                Assert.All(await fixture.Ledger.RecordClaimsAsync(batch), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
            }
        }));
        // Editors revise each proposition's verdict while its claims arrive; the first needs a proposition to exist.
        var resolving = Enumerable.Range(0, propositions).Select(p => Task.Run(async () =>
        {
            await EventuallyAsync(async () => await LoadAsync<PropositionDocument>(fixture.Store, Proposition(p)) is not null, "the proposition is opened");
            foreach (var revision in Enumerable.Range(0, revisions))
            {
                Assert.True((await fixture.Ledger.ResolveAsync(Proposition(p),
                    new ResolutionSubmission("o" + (revision % 2), false, null, null, "ed", Epoch.AddDays(1 + revision)))).Succeeded);
            }
        }));
        await Task.WhenAll(claiming.Concat(resolving));

        var claims = submitted.SelectMany(w => w.SelectMany(b => b)).ToList();
        foreach (var p in Enumerable.Range(0, propositions).Select(Proposition))
        {
            var onIt = claims.Where(c => c.Proposition!.Id == p).ToList();
            var document = await LoadAsync<PropositionDocument>(fixture.Store, p);
            Assert.Equal(onIt.Count, document!.ClaimCount);
            Assert.Equal(Enumerable.Range(1, revisions), document.Resolutions.Select(r => r.Revision));
            Assert.Equal("resolved", document.State);
            Assert.Equal(onIt.Select(c => c.Option).Distinct().Order(), document.ClaimedOptions.Order());
            Assert.Equal(onIt.Select(c => c.Id).Order(), (await ClaimIdsOnAsync(fixture.Store, p)).Order());
            Assert.Empty(await ClaimIdsAsync(fixture.Store, PropositionStream(p)));

            // Every claimant's stream has the proposition once and every verdict, whenever it first claimed.
            foreach (var source in onIt.Select(c => c.SourceId!).Distinct())
            {
                var events = await StreamAsync(fixture.Store, SourceStream(source));
                Assert.Single(PropositionsIn(events), id => id == p);
                Assert.Equal(Enumerable.Range(1, revisions), events.OfType<PropositionResolved>().Where(e => e.Resolution.PropositionId == p).Select(e => e.Resolution.Revision));
            }
        }
    }

    [Fact]
    public async Task A_resolution_committed_while_a_new_claimant_is_written_reaches_both()
    {
        const string proposition = "late-p";
        Assert.All(await fixture.Ledger.RecordClaimsAsync([Claim("late-1", "late-s1", proposition, "o0", 1), Claim("late-2", "late-s2", proposition, "o1", 2)]),
            r => Assert.Equal(SubmissionStatus.Accepted, r.Status));

        // The resolution commits after the claim's writer read the proposition and before it commits:
        // the new claimant's stream must still receive the verdict, and the listing must keep it.
        fixture.Injector.Arm(async () => Assert.True(
            (await fixture.Ledger.ResolveAsync(proposition, new ResolutionSubmission("o0", false, null, null, "ed", Epoch.AddDays(1)))).Succeeded));
        Assert.Equal(SubmissionStatus.Accepted, Assert.Single(await fixture.Ledger.RecordClaimsAsync([Claim("late-3", "late-s3", proposition, "o1", 3)])).Status);
        Assert.True(fixture.Injector.Fired);

        var document = await LoadAsync<PropositionDocument>(fixture.Store, proposition);
        Assert.Equal("resolved", document!.State);
        Assert.Single(document.Resolutions);
        Assert.Single((await StreamAsync(fixture.Store, SourceStream("late-s3"))).OfType<PropositionResolved>());
        Assert.Equal("refuted", (await fixture.Grains.GetGrain<ISourceGrain>("late-s3").GetClaimAsync("late-3"))!.Outcome);
        Assert.Equal(3, (await fixture.Grains.GetGrain<IPropositionGrain>(proposition).GetAsync())!.Claims.Count);
    }

    [Fact]
    public async Task A_proposition_shows_claims_copied_into_its_stream_before_and_claims_read_from_their_documents_once_each()
    {
        const string proposition = "legacy-p";
        Assert.All(await fixture.Ledger.RecordClaimsAsync(
            [Claim("legacy-1", "legacy-s1", proposition, "o0", 1) with { Text = "new words", Language = "fr", Evidence = ["https://example.org/e"] }]),
            r => Assert.Equal(SubmissionStatus.Accepted, r.Status));

        // A claim as an earlier writer stored it: copied into the proposition's stream, with a
        // document that has no text.
        var old = new Claim("legacy-0", "legacy-s0", proposition, "o1", Epoch, "https://example.org/old", "old words", "en", Hedge.Reported, null, []);
        await using (var session = fixture.Store.LightweightSession())
        {
            session.Events.Append(SourceStream("legacy-s0"), new ClaimRecorded(old));
            session.Events.Append(PropositionStream(proposition), new ClaimRecorded(old));
            session.Insert(new ClaimDocument
            {
                Id = old.Id, SourceId = old.SourceId, PropositionId = proposition, Option = old.Option, PublishedAt = old.PublishedAt,
                Url = old.Url, UrlKey = UrlKeys.Of(old.Url), Hedge = old.Hedge,
            });
            await session.SaveChangesAsync();
        }

        await TellTruthAsync(old.Id);
        var grain = fixture.Grains.GetGrain<IPropositionGrain>(proposition);
        await grain.CatchUpAsync(0);
        var claims = (await grain.GetAsync())!.Claims;
        Assert.Equal(["legacy-0", "legacy-1"], claims.Select(c => c.Id));
        Assert.Equal(("old words", "en", "reported"), (claims[0].Text, claims[0].Language, claims[0].Hedge));
        Assert.Equal(("new words", "fr", "https://example.org/e"), (claims[1].Text, claims[1].Language, Assert.Single(claims[1].Evidence)));
        Assert.Equal("contested", (await grain.GetAsync())!.State);
        Assert.Equal(["legacy-0"], await ClaimIdsAsync(fixture.Store, PropositionStream(proposition)));
    }

    [Fact]
    public async Task Claims_on_one_proposition_committed_at_once_are_all_counted_and_contest_it()
    {
        const string proposition = "both-p";
        Assert.Equal(SubmissionStatus.Accepted, Assert.Single(await fixture.Ledger.RecordClaimsAsync([Claim("both-1", "both-s1", proposition, "o0", 1)])).Status);

        // Another writer's claim on the other option commits between this writer's read and its commit.
        fixture.Injector.Arm(async () => Assert.Equal(SubmissionStatus.Accepted,
            Assert.Single(await fixture.Ledger.RecordClaimsAsync([Claim("both-2", "both-s2", proposition, "o1", 2)])).Status));
        Assert.Equal(SubmissionStatus.Accepted, Assert.Single(await fixture.Ledger.RecordClaimsAsync([Claim("both-3", "both-s3", proposition, "o0", 3)])).Status);
        Assert.True(fixture.Injector.Fired);

        var listed = await new RecordQueries(fixture.Store).ListPropositionsAsync("contested", 10_000);
        Assert.Equal(3, Assert.Single(listed, p => p.Id == proposition).ClaimCount);
    }

    [Fact]
    public async Task A_claim_id_taken_between_the_read_and_the_commit_is_decided_again_not_failed()
    {
        // The source and proposition exist and nothing else moves, so the commit collides on the claim's
        // document alone. Marten reports that without a PostgreSQL error inside; seen once as a failed
        // batch when concurrent batches shared claim ids.
        Assert.Equal(SubmissionStatus.Accepted, Assert.Single(await fixture.Ledger.RecordClaimsAsync([Claim("race-0", "race-s", "race-p", "o0", 1)])).Status);

        fixture.Injector.Arm(async () =>
        {
            await using var other = fixture.Store.LightweightSession();
            other.Insert(new ClaimDocument { Id = "race-1", SourceId = "race-s", PropositionId = "race-p", Option = "o1" });
            await other.SaveChangesAsync();
        });
        var result = Assert.Single(await fixture.Ledger.RecordClaimsAsync([Claim("race-1", "race-s", "race-p", "o1", 2)]));

        Assert.True(fixture.Injector.Fired);
        Assert.Equal(SubmissionStatus.Duplicate, result.Status);
    }

    [Fact]
    public async Task A_write_injected_from_outside_is_served_and_the_next_write_reloads()
    {
        const string source = "outside";
        await fixture.Ledger.RecordClaimsAsync([Claim("out-1", source, "out-p", "o0", 1)]);
        var grain = fixture.Grains.GetGrain<ISourceGrain>(source);
        Assert.NotNull(await grain.GetClaimAsync("out-1"));

        await AppendClaimAsync(fixture.Store, source, "out-p", "out-foreign-1", 2);
        await grain.CatchUpAsync(0);
        Assert.NotNull(await grain.GetClaimAsync("out-foreign-1"));

        // The stream moves behind the grain's back: the next commit's events do not follow the ones
        // it holds, so it reads its stream again instead of taking them as they come.
        await AppendClaimAsync(fixture.Store, source, "out-p", "out-foreign-2", 3);
        var results = await fixture.Ledger.RecordClaimsAsync([Claim("out-2", source, "out-p", "o1", 4)]);
        Assert.Equal(SubmissionStatus.Accepted, Assert.Single(results).Status);

        Assert.Equal(["out-1", "out-foreign-1", "out-foreign-2", "out-2"], await ClaimIdsAsync(fixture.Store, SourceStream(source)));
        Assert.Equal(4, (await grain.GetProfileAsync())!.ClaimCount);
        Assert.NotNull(await grain.GetClaimAsync("out-2"));
    }

    [Fact]
    public async Task A_grain_that_missed_the_news_catches_up_on_its_own()
    {
        const string source = "quiet";
        await fixture.Ledger.RecordClaimsAsync([Claim("quiet-1", source, "quiet-p", "o0", 1)]);
        var grain = fixture.Grains.GetGrain<ISourceGrain>(source);
        var proposition = fixture.Grains.GetGrain<IPropositionGrain>("quiet-p");
        Assert.Equal(1, (await grain.GetProfileAsync())!.ClaimCount);
        Assert.Single((await proposition.GetAsync())!.Claims);

        // Committed, and nobody tells the grains: as if the writer died right after its commit.
        await AppendClaimAsync(fixture.Store, source, "quiet-p", "quiet-2", 2, withDocument: true);
        await TellTruthAsync("quiet-2");

        await EventuallyAsync(async () => (await grain.GetClaimAsync("quiet-2")) is not null, "the source grain reads the missed claim");
        await EventuallyAsync(async () => (await proposition.GetAsync())!.Claims.Count == 2, "the proposition grain reads the missed claim");
    }

    [Fact]
    public async Task Activation_from_a_snapshot_equals_activation_from_the_whole_stream()
    {
        const string source = "long";
        var claims = Enumerable.Range(0, 230).Select(i => Claim($"long-{i}", source, $"long-p{i % 9}", "o" + (i % 3 % 2), i)).ToList();
        foreach (var batch in claims.Chunk(23))
        {
            await fixture.Ledger.RecordClaimsAsync(batch);
        }

        Assert.True((await fixture.Ledger.ResolveAsync("long-p2", new ResolutionSubmission("o0", false, null, null, "ed", Epoch.AddDays(2)))).Succeeded);
        var grain = fixture.Grains.GetGrain<ISourceGrain>(source);
        await grain.CatchUpAsync(0);
        await fixture.Cluster.DeactivateAsync((IAddressable)grain);
        var snapshot = await LoadAsync<SourceSnapshot>(fixture.Store, source);
        var stream = await StreamAsync(fixture.Store, SourceStream(source));
        Assert.NotNull(snapshot);
        Assert.Equal(stream.Count, snapshot.Version);

        // A tail after the snapshot, written behind the grain's back.
        await AppendClaimAsync(fixture.Store, source, "long-p0", "long-tail", 500);
        var fromSnapshot = await SourceStateAsync(source);
        Assert.Contains("long-tail", fromSnapshot, StringComparison.Ordinal);

        await fixture.Cluster.DeactivateAsync((IAddressable)grain);
        await using (var session = fixture.Store.LightweightSession())
        {
            session.Delete<SourceSnapshot>(source);
            await session.SaveChangesAsync();
        }

        Assert.Equal(fromSnapshot, await SourceStateAsync(source));
    }

    [Fact]
    public async Task A_snapshot_written_before_snapshots_were_packed_still_restores()
    {
        const string source = "unpacked";
        var claims = Enumerable.Range(0, 40).Select(i => Claim($"unpacked-{i}", source, $"unpacked-p{i % 5}", "o" + (i % 2), i)).ToList();
        await fixture.Ledger.RecordClaimsAsync(claims);
        var grain = fixture.Grains.GetGrain<ISourceGrain>(source);
        var fromStream = await SourceStateAsync(source);
        var stream = await StreamAsync(fixture.Store, SourceStream(source));

        // The first snapshot format: every event as a JSON object of its own.
        await fixture.Cluster.DeactivateAsync((IAddressable)grain);
        await using (var session = fixture.Store.LightweightSession())
        {
            session.Store(new SourceSnapshot { Id = source, Version = stream.Count, Events = [.. stream.Select(SnapshotEvent.Of)] });
            await session.SaveChangesAsync();
        }

        Assert.Equal(fromStream, await SourceStateAsync(source));
        var packed = SourceSnapshot.Of(source, stream.Count, stream);
        Assert.NotNull(packed.Packed);
        Assert.Equal(stream.Select(e => System.Text.Json.JsonSerializer.Serialize<object>(e)), packed.ToEvents().Select(e => System.Text.Json.JsonSerializer.Serialize<object>(e)));
    }

    [Fact]
    public async Task Provisional_truth_equals_the_batch_engine_once_quiet()
    {
        var random = new Random(20251125);
        const int sources = 60, propositions = 150;
        var bias = Enumerable.Range(0, sources).Select(_ => random.NextDouble()).ToArray();
        var claims = Enumerable.Range(0, 1200).Select(i =>
        {
            var s = random.Next(sources);
            var p = random.Next(propositions);
            var options = 2 + p % 2;
            // Reliable sources mostly say o0, so the engine has something to learn.
            var option = random.NextDouble() < bias[s] ? "o0" : "o" + random.Next(1, options);
            var hedge = random.Next(6) switch { 0 => "reported", 1 => "speculative", _ => "asserted" };
            return Claim($"eq-{i}", $"eq-s{s}", $"eq-p{p}", option, i, hedge, options);
        }).ToList();
        foreach (var batch in claims.Chunk(100))
        {
            Assert.All(await fixture.Ledger.RecordClaimsAsync(batch), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        }

        foreach (var p in Enumerable.Range(0, 15))
        {
            await fixture.Ledger.ResolveAsync($"eq-p{p * 10}", new ResolutionSubmission(p % 4 == 0 ? null : "o0", p % 4 == 0, null, null, "ed", Epoch.AddDays(3)));
        }

        foreach (var i in Enumerable.Range(0, 10))
        {
            await fixture.Ledger.RecordCorrectionAsync($"eq-{i * 37}", new CorrectionSubmission("retracted", Epoch.AddDays(1), null, null, null));
        }

        await fixture.AssertTruthEqualsBatchAsync(minimumOpen: 100);
    }

    [Fact]
    public async Task Provisional_truth_follows_every_kind_of_change_from_what_each_commit_wrote()
    {
        // Mostly agreeing: on a record whose sources agree no more than chance every estimate is
        // stated at an even share, and no change would show in it. Claims i and i + 30 are one
        // source's on one proposition, and say the same option: a later claim of another would
        // supersede the earlier one.
        var claims = Enumerable.Range(0, 60)
            .Select(i => Claim($"tr-{i}", $"tr-s{i % 6}", $"tr-p{i % 10}", i % 30 % 7 == 3 ? "o1" : "o0", i, i % 4 == 0 ? "reported" : "asserted"))
            .Append(Claim("tr-x0", "tr-s0", "tr-px", "o0", 70))
            .Append(Claim("tr-x1", "tr-s1", "tr-px", "o1", 71))
            .ToList();
        Assert.All(await fixture.Ledger.RecordClaimsAsync(claims), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        await fixture.AssertTruthEqualsBatchAsync();

        // Each kind of change, told to an estimate that has already read the record.
        Assert.All(await fixture.Ledger.RecordClaimsAsync(
            [
                Claim("tr-60", "tr-s7", "tr-p1", "o0", 80),
                Claim("tr-61", "tr-s8", "tr-p2", "o1", 81) with { RelayOf = "tr-2" },
            ]), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        Assert.True((await fixture.Ledger.RecordCorrectionAsync("tr-4", new CorrectionSubmission(
            "reversed", Epoch.AddHours(3), null, null, Claim("tr-4r", "-", "-", "o1", 190)))).Succeeded);
        // The replacement is the source's claim on a proposition it already claimed on: no second copy of it.
        Assert.Single(PropositionsIn(await StreamAsync(fixture.Store, SourceStream("tr-s4"))), id => id == "tr-p4");
        Assert.True((await fixture.Ledger.RecordCorrectionAsync("tr-7", new CorrectionSubmission("retracted", Epoch.AddHours(3), null, null, null))).Succeeded);
        Assert.True((await fixture.Ledger.RecordCorrectionAsync("tr-8", new CorrectionSubmission("deleted", Epoch.AddHours(3), null, null, null))).Succeeded);
        Assert.True((await fixture.Ledger.ResolveAsync("tr-p3", new ResolutionSubmission("o1", false, null, null, "ed", Epoch.AddDays(1)))).Succeeded);
        Assert.True((await fixture.Ledger.ResolveAsync("tr-p5", new ResolutionSubmission("o0", false, null, null, "ed", Epoch.AddDays(1)))).Succeeded);
        Assert.True((await fixture.Ledger.ResolveAsync("tr-p5", new ResolutionSubmission(null, true, null, null, "ed", Epoch.AddDays(2)))).Succeeded);
        var open = await fixture.AssertTruthEqualsBatchAsync();
        Assert.DoesNotContain("tr-p3", open.Keys);
        // Revised to unresolvable: the proposition no longer anchors anything and is estimated again.
        Assert.Contains("tr-p5", open.Keys);

        // A change nobody told the grain of is not read with the next commit's claims, only when the
        // whole record is read again.
        await using (var session = fixture.Store.LightweightSession())
        {
            var unannounced = (await session.LoadAsync<ClaimDocument>("tr-x1"))!;
            unannounced.CorrectionStatus = "retracted";
            session.Store(unannounced);
            await session.SaveChangesAsync();
        }

        Assert.All(await fixture.Ledger.RecordClaimsAsync([Claim("tr-62", "tr-s2", "tr-p9", "o0", 90)]), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        var truth = fixture.Grains.GetGrain<ITruthGrain>(0);
        await TruthChecks.WaitForQuietTruthAsync(truth);
        // Both options are weighed either way; until the whole record is read, o1 keeps its claim.
        var unread = (await truth.GetEstimatesAsync(["tr-px"])).Propositions["tr-px"].Single(o => o.Option == "o1").Probability;

        await truth.InvalidateAsync();
        var batch = await fixture.AssertTruthEqualsBatchAsync();
        var read = batch["tr-px"].Single(o => o.Value == "o1").Probability;
        Assert.True(read < unread - 0.05, $"o1 without its claim {read}, with it {unread}");
    }

    private async Task<string> SourceStateAsync(string source)
    {
        var grain = fixture.Grains.GetGrain<ISourceGrain>(source);
        var profile = await grain.GetProfileAsync();
        return Json(new
        {
            profile!.Id, profile.ClaimCount, profile.Topics, profile.Handles,
            Score = await grain.GetScoreAsync(AsOf, null),
            Explanation = await grain.ExplainAsync(AsOf),
            Claims = (await grain.GetClaimsAsync(null, 10_000))!.Claims.Select(c => new { c.Id, c.Status, c.Outcome, c.Corrections }),
        });
    }

    [Fact]
    public async Task The_listing_is_written_again_only_when_the_score_moves_visibly()
    {
        // Every proposition resolved: no provisional estimate can move the score between reads.
        var claims = Enumerable.Range(0, 5).Select(i => Claim($"news-{i}", "news-s", $"news-p{i}", "o0", i)).ToList();
        Assert.All(await fixture.Ledger.RecordClaimsAsync(claims), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        foreach (var i in Enumerable.Range(0, 5))
        {
            Assert.True((await fixture.Ledger.ResolveAsync($"news-p{i}", new ResolutionSubmission("o0", false, null, null, "ed", Epoch.AddDays(1)))).Succeeded);
        }

        var source = fixture.Grains.GetGrain<ISourceGrain>("news-s");
        await source.RefreshAsync();
        var (published, version) = await ListingAsync("news-s");

        // Each recomputation is a little later, and recency decay moves the score by far less than a reader can see.
        foreach (var _ in Enumerable.Range(0, 3))
        {
            var again = await source.RefreshAsync();
            Assert.NotEqual(published.EffectiveEvidence, again!.EffectiveEvidence);
            Assert.Equal(published.Score, again.Score, 3);
        }

        Assert.Equal(version, (await ListingAsync("news-s")).Version);

        // A refuted claim moves it visibly: the listing follows without being asked.
        Assert.Equal(SubmissionStatus.Accepted, Assert.Single(await fixture.Ledger.RecordClaimsAsync([Claim("news-5", "news-s", "news-p5", "o0", 5)])).Status);
        Assert.True((await fixture.Ledger.ResolveAsync("news-p5", new ResolutionSubmission("o1", false, null, null, "ed", Epoch.AddDays(1)))).Succeeded);
        await EventuallyAsync(async () => (await ListingAsync("news-s")).Version != version, "the listing written again");
        var live = (await source.GetScoreAsync(null, null))!.Summary;
        var listed = (await ListingAsync("news-s")).Document;
        Assert.True(live.Score < published.Score - 0.01, $"{live.Score} should be well below {published.Score}");
        Assert.Equal(live.Score, listed.Score, 3);
        Assert.Equal(live.EffectiveEvidence, listed.EffectiveEvidence, 2);
    }

    [Fact]
    public async Task A_score_is_served_while_its_listing_cannot_be_written_and_listed_once_it_can()
    {
        const string source = "unlisted";
        var claims = Enumerable.Range(0, 4).Select(i => Claim($"unlisted-{i}", source, $"unlisted-p{i}", "o0", i)).ToList();
        Assert.All(await fixture.Ledger.RecordClaimsAsync(claims), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        foreach (var i in Enumerable.Range(0, 4))
        {
            Assert.True((await fixture.Ledger.ResolveAsync($"unlisted-p{i}", new ResolutionSubmission("o0", false, null, null, "ed", Epoch.AddDays(1)))).Succeeded);
        }

        var grain = fixture.Grains.GetGrain<ISourceGrain>(source);
        fixture.Failures.Refuse<SourceDocument>(d => d.Id == source);
        ScoreSummary live;
        try
        {
            live = (await grain.GetScoreAsync(null, null))!.Summary;
            Assert.True(fixture.Failures.Refused > 0, "the listing write was never tried");
            Assert.Equal(0, (await ListingAsync(source)).Document.EffectiveEvidence);
        }
        finally
        {
            fixture.Failures.Clear();
        }

        // Nothing changes in the record: a later read makes good the listing it owes.
        await EventuallyAsync(
            async () =>
            {
                await grain.GetScoreAsync(null, null);
                return (await ListingAsync(source)).Document.EffectiveEvidence > 0;
            },
            "the owed listing written by a later read");
        var listed = (await ListingAsync(source)).Document;
        Assert.Equal(live.Score, listed.Score, 3);
        Assert.Equal(live.EffectiveEvidence, listed.EffectiveEvidence, 2);
    }

    [Fact]
    public async Task A_snapshot_that_cannot_be_stored_fails_no_call()
    {
        const string source = "unsaved";
        await ActivateWithLongTailAsync(source);
        var grain = fixture.Grains.GetGrain<ISourceGrain>(source);
        fixture.Failures.Refuse<SourceSnapshot>(s => s.Id == source);
        try
        {
            // Loading the tail is due a snapshot, which the store refuses.
            Assert.Equal(64, (await grain.GetProfileAsync())!.ClaimCount);
            Assert.True(fixture.Failures.Refused > 0, "no snapshot was tried");
        }
        finally
        {
            fixture.Failures.Clear();
        }

        await AssertSnapshotIsTheStreamAsync(source);
    }

    [Fact]
    public async Task A_load_that_fails_partway_holds_nothing_twice_once_it_succeeds()
    {
        const string source = "torn";
        await ActivateWithLongTailAsync(source);
        var grain = fixture.Grains.GetGrain<ISourceGrain>(source);
        await using (await DamageLastEventAsync(fixture.Store, SourceStream(source)))
        {
            // The snapshot restores, then the tail cannot be read: every attempt fails.
            await Assert.ThrowsAnyAsync<Exception>(grain.GetProfileAsync);
            await Assert.ThrowsAnyAsync<Exception>(grain.GetProfileAsync);
        }

        Assert.Equal(64, (await grain.GetProfileAsync())!.ClaimCount);
        await AssertSnapshotIsTheStreamAsync(source);
    }

    /// <summary>
    /// A source with a stored snapshot, then a tail longer than the snapshot interval written behind
    /// its grain's back; the grain is left deactivated, so its next call loads both.
    /// </summary>
    private async Task ActivateWithLongTailAsync(string source)
    {
        var claims = Enumerable.Range(0, 4).Select(i => Claim($"{source}-{i}", source, $"{source}-p{i % 2}", "o0", i)).ToList();
        Assert.All(await fixture.Ledger.RecordClaimsAsync(claims), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        var grain = fixture.Grains.GetGrain<ISourceGrain>(source);
        await grain.CatchUpAsync(0);
        await fixture.Cluster.DeactivateAsync((IAddressable)grain);
        Assert.NotNull(await LoadAsync<SourceSnapshot>(fixture.Store, source));
        foreach (var i in Enumerable.Range(0, 60))
        {
            await AppendClaimAsync(fixture.Store, source, $"{source}-p0", $"{source}-tail-{i}", 100 + i);
        }
    }

    /// <summary>The snapshot the grain stores on deactivation holds the stream's events, each once.</summary>
    private async Task AssertSnapshotIsTheStreamAsync(string source)
    {
        await fixture.Cluster.DeactivateAsync((IAddressable)fixture.Grains.GetGrain<ISourceGrain>(source));
        var snapshot = await LoadAsync<SourceSnapshot>(fixture.Store, source);
        var stream = await StreamAsync(fixture.Store, SourceStream(source));
        Assert.NotNull(snapshot);
        Assert.Equal(stream.Count, snapshot.Version);
        Assert.Equal(stream.Count, snapshot.ToEvents().Count());
    }

    private async Task<(SourceDocument Document, Guid Version)> ListingAsync(string sourceId)
    {
        await using var session = fixture.Store.QuerySession();
        var document = (await session.LoadAsync<SourceDocument>(sourceId))!;
        return (document, (await session.MetadataForAsync(document))!.CurrentVersion);
    }

    private async Task<string> StateAsync(int sources, int propositions)
    {
        var parts = new List<string>();
        foreach (var i in Enumerable.Range(0, sources))
        {
            parts.Add(await SourceStateAsync($"re-s{i}"));
        }

        foreach (var i in Enumerable.Range(0, propositions))
        {
            var grain = fixture.Grains.GetGrain<IPropositionGrain>($"re-p{i}");
            var view = await grain.GetAsync();
            parts.Add(Json(new { view!.Id, view.State, Claims = view.Claims.Select(c => new { c.Id, c.Status, c.Outcome }), Resolutions = await grain.GetResolutionsAsync() }));
        }

        return string.Join('\n', parts);
    }

    /// <summary>
    /// Tells the truth estimate of claims stored behind the writers' backs. It would find them at its
    /// next whole read of the record; told now, the other tests' checks of it against everything
    /// stored are not disturbed.
    /// </summary>
    private Task TellTruthAsync(params string[] claimIds) =>
        fixture.Grains.GetGrain<ITruthGrain>(0).ChangedAsync(new TruthChanges(claimIds, []));
}
