using System.Text.Json;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Sources;

namespace Reliability.Grains.Tests;

/// <summary>A snapshot holds a source's stream; an event kind it cannot hold would fail every activation after it is written.</summary>
public sealed class SourceSnapshotTests
{
    private static readonly DateTimeOffset Epoch = new(2023, 9, 28, 0, 0, 0, TimeSpan.Zero);

    private static readonly IReliabilityEvent[] EveryKind =
    [
        new SourceRegistered(new Source("jn", "@jnim_media", SourceKind.SocialAccount, false, [new SourceHandle("telegram", "jnim_media")]), Epoch),
        new SourceHandleAdded("jn", new SourceHandle("x", "jnim_media_x"), Epoch.AddHours(1)),
        new SourceHandleRemoved("jn", new SourceHandle("x", "jnim_media_x"), "taken over", Epoch.AddHours(1.5)),
        new SourceAmended("jn", "JNIM media arm", SourceKind.ArmedGroup, true, Epoch.AddHours(2)),
        new ExternalRatingRecorded("jn", "wikipedia-rsp", "deprecated", "https://en.wikipedia.org/wiki/WP:RSP", Epoch.AddHours(2)),
        new PropositionOpened(new Proposition("p", "Who held the base?", ["army", "JNIM"], ["military"], "Timbuktu"), Epoch.AddHours(3)),
        new ClaimRecorded(new Claim("c", "jn", "p", "JNIM", Epoch.AddHours(4), "https://t.me/jnim_media/7", "The base is ours.", "ar", Hedge.Asserted, null, [])),
        new CorrectionRecorded(new Correction("k", "c", CorrectionKind.Deleted, Epoch.AddHours(5), null, "gone")),
        new PropositionResolved(new Resolution("p", 1, Verdict.Confirmed, "JNIM", ["https://example.org/imagery"], "desk", "imagery", Epoch.AddDays(2))),
        new CitationRecorded(new Citation("https://example.org/story", Epoch.AddDays(1), ["c"], [])),
        new SourceAbsorbed(
            "jn", "jn-telegram", "the same group's channel", Epoch.AddDays(3), [new SourceHandle("telegram", "jnim_channel")],
            [new Proposition("q", "Who held the camp?", ["army", "JNIM"], ["military"], null)],
            [new Claim("d", "jn-telegram", "q", "army", Epoch.AddDays(2.5), null, null, null, Hedge.Reported, null, [])],
            [new Correction("l", "d", CorrectionKind.Retracted, Epoch.AddDays(2.6), null, "withdrawn")],
            [new Resolution("q", 1, Verdict.Confirmed, "JNIM", [], "desk", null, Epoch.AddDays(2.7))],
            [new ExternalRatingRecorded("jn-telegram", "mbfc", "low", null, Epoch.AddDays(2.8))]),
        new SourceAbsorbedPart(
            "jn", "jn-telegram", Epoch.AddDays(3), 1,
            [new Proposition("q", "Who held the camp?", ["army", "JNIM"], ["military"], null)],
            [new Claim("e", "jn-telegram", "q", "JNIM", Epoch.AddDays(2.55), null, null, null, Hedge.Asserted, null, [])],
            [],
            [new Resolution("q", 1, Verdict.Confirmed, "JNIM", [], "desk", null, Epoch.AddDays(2.7))]),
        new SourceMerged("jn", "jn-press", "one group", Epoch.AddDays(4)),
    ];

    [Fact]
    public void Every_kind_of_event_is_held_by_a_snapshot()
    {
        var kinds = typeof(IReliabilityEvent).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IReliabilityEvent).IsAssignableFrom(t));

        Assert.Equal(kinds.Select(t => t.Name).Order(), EveryKind.Select(e => e.GetType().Name).Order());
    }

    [Fact]
    public void A_packed_snapshot_gives_back_the_events_it_was_made_of()
    {
        var restored = SourceSnapshot.Of("jn", EveryKind.Length, EveryKind).ToEvents();

        Assert.Equal(EveryKind.Select(Json), restored.Select(Json));
        // The x handle was added, then taken away again; the channel's came with the source it absorbed.
        Assert.Equal(("JNIM media arm", 1), Ledger.Replay(restored, Epoch.AddDays(2.9)).FindSource("jn") is { } s ? (s.Name, s.Handles.Count) : default);
        var merged = Ledger.Replay(restored, Epoch.AddDays(4));
        Assert.Equal(2, merged.FindSource("jn")!.Handles.Count);
        Assert.Equal(["c", "d", "e"], merged.ClaimsBy("jn").Select(c => c.Id));
        Assert.Equal("jn-press", merged.MergedInto("jn"));
    }

    private static string Json(IReliabilityEvent e) => e.GetType().Name + JsonSerializer.Serialize<object>(e);
}
