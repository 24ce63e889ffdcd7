using System.Text.Json;

namespace Reliability.Domain.Tests.Model;

public sealed class LedgerTests
{
    [Fact]
    public void Recording_a_claim_id_already_present_is_a_no_op()
    {
        var ledger = new Ledger();

        Assert.True(ledger.Apply(Claim("c", "p", "yes", 0)));
        Assert.False(ledger.Apply(Claim("c", "p", "no", 1)));
        Assert.Equal("yes", ledger.FindClaim("c")!.Option);
        Assert.Single(ledger.ClaimsBy(Subject));
    }

    [Fact]
    public void A_correction_already_applied_is_a_no_op()
    {
        var ledger = new Ledger();
        ledger.Apply(Claim("c", "p", "yes", 0));

        Assert.True(ledger.Apply(Retraction("r", "c", 1)));
        Assert.False(ledger.Apply(Retraction("r", "c", 1)));
        Assert.Single(ledger.CorrectionsOf("c"));
    }

    [Fact]
    public void A_deleted_claim_stays_in_the_record()
    {
        var ledger = Ledger.Replay([Claim("c", "p", "yes", 0), SilentDeletion("d", "c", 1)], Day(2));

        var history = Assert.Single(ledger.RecordOf(Subject).Claims);
        Assert.Equal("c", history.Claim.Id);
        Assert.Equal(CorrectionKind.Deleted, Assert.Single(history.Corrections).Kind);
    }

    [Fact]
    public void Every_resolution_revision_is_kept_and_the_highest_is_in_force()
    {
        // Applied out of order on purpose: the revision number, not arrival, decides.
        var ledger = new Ledger();
        ledger.Apply(Resolved("p", "no", 5, revision: 2));
        ledger.Apply(Resolved("p", "yes", 1, revision: 1));

        Assert.False(ledger.Apply(Resolved("p", "yes", 6, revision: 2)));
        Assert.Equal([1, 2], ledger.ResolutionsOf("p").Select(r => r.Revision));
        Assert.Equal("no", ledger.ResolutionInForce("p")!.ConfirmedOption);
    }

    [Fact]
    public void Replay_to_a_time_ignores_later_events()
    {
        var ledger = Ledger.Replay([Claim("late", "p", "yes", 10), Claim("early", "p", "yes", 1)], Day(5));

        Assert.NotNull(ledger.FindClaim("early"));
        Assert.Null(ledger.FindClaim("late"));
    }

    [Fact]
    public void Handles_accumulate_on_a_registered_source()
    {
        var ledger = new Ledger();
        ledger.Apply(new SourceRegistered(
            new Source("eg", "EternalGlory", SourceKind.SocialAccount, false, [new SourceHandle("x", "@EternalGlory0")]), Day(0)));

        Assert.True(ledger.Apply(new SourceHandleAdded("eg", new SourceHandle("telegram", "eternalglory"), Day(1))));
        Assert.False(ledger.Apply(new SourceHandleAdded("eg", new SourceHandle("telegram", "eternalglory"), Day(2))));
        Assert.Equal(2, ledger.FindSource("eg")!.Handles.Count);
    }

    [Fact]
    public void A_removed_handle_is_gone_from_then_on_and_stands_in_a_replay_before_it()
    {
        var history = new IReliabilityEvent[]
        {
            new SourceRegistered(new Source("jn", "@jnim_media", SourceKind.SocialAccount, false, [new SourceHandle("telegram", "jnim_media")]), Day(0)),
            new SourceHandleAdded("jn", new SourceHandle("x", "JNIM_X"), Day(1)),
            new SourceHandleRemoved("jn", new SourceHandle("x", "jnim_x"), "taken over", Day(3)),
        };
        var ledger = new Ledger();
        Assert.All(history, e => Assert.True(ledger.Apply(e)));

        Assert.Equal([new SourceHandle("telegram", "jnim_media")], ledger.FindSource("jn")!.Handles);
        Assert.Equal(2, Ledger.Replay(history, Day(2)).FindSource("jn")!.Handles.Count);
        // Taking a handle the source no longer has changes nothing.
        Assert.False(ledger.Apply(new SourceHandleRemoved("jn", new SourceHandle("x", "jnim_x"), null, Day(4))));
    }

    [Fact]
    public void A_source_is_described_as_the_desk_last_said_as_of_each_moment()
    {
        var history = new IReliabilityEvent[]
        {
            new SourceRegistered(new Source("jn", "@jnim_media", SourceKind.SocialAccount, false, [new SourceHandle("telegram", "jnim_media")]), Day(0)),
            new SourceAmended("jn", "JNIM media arm", SourceKind.ArmedGroup, true, Day(3)),
        };

        Assert.Equal(("@jnim_media", SourceKind.SocialAccount, false), Described(Ledger.Replay(history, Day(2))));
        Assert.Equal(("JNIM media arm", SourceKind.ArmedGroup, true), Described(Ledger.Replay(history, Day(3))));
        Assert.Single(Ledger.Replay(history, Day(3)).FindSource("jn")!.Handles);

        var ledger = Ledger.Replay(history, Day(3));
        Assert.False(ledger.Apply(new SourceAmended("jn", "JNIM media arm", SourceKind.ArmedGroup, true, Day(4))));
        Assert.False(ledger.Apply(new SourceAmended("unknown", "Nobody", SourceKind.Person, false, Day(4))));
        Assert.Null(ledger.FindSource("unknown"));

        static (string, SourceKind, bool) Described(Ledger ledger) =>
            ledger.FindSource("jn") is { } s ? (s.Name, s.Kind, s.InterestedParty) : throw new InvalidOperationException("No source");
    }

    [Fact]
    public void A_proposition_needs_two_distinct_options()
    {
        Assert.True(Proposition("p").Proposition.IsWellFormed);
        Assert.False(Proposition("p", ["yes"]).Proposition.IsWellFormed);
        Assert.False(Proposition("p", ["yes", "yes"]).Proposition.IsWellFormed);
    }

    [Fact]
    public void A_claim_that_carries_its_proposition_replays_and_scores_as_a_copied_proposition_does()
    {
        var proposition = Proposition("acharane", ["army repelled", "JNIM took the base"], ["territory"], "timbuktu");
        var claim = Claim("c", "acharane", "army repelled", 1);
        IReliabilityEvent[] rest =
        [
            Claim("c2", "acharane", "army repelled", 2),
            SilentDeletion("d", "c2", 3),
            Resolved("acharane", "JNIM took the base", 4),
        ];
        IReliabilityEvent[] copied = [proposition, claim, .. rest];
        IReliabilityEvent[] carried = [claim with { Proposition = proposition.Proposition }, .. rest];

        var ledger = Ledger.Replay(carried, Day(10));
        Assert.Same(proposition.Proposition, ledger.FindProposition("acharane"));
        Assert.All(ledger.RecordOf(Subject).Claims, c => Assert.Same(proposition.Proposition, c.Proposition));
        Assert.Null(Ledger.Replay(carried, Day(0.5)).FindProposition("acharane"));

        // Scores, explanations and contributions included, are the same at every point of the history.
        foreach (var day in new[] { 1, 2.5, 3.5, 10 })
        {
            Assert.Equal(
                JsonSerializer.Serialize(SourceScorer.Score(Subject, copied, Day(day), ScoringPolicy.Beta)),
                JsonSerializer.Serialize(SourceScorer.Score(Subject, carried, Day(day), ScoringPolicy.Beta)));
        }
    }

    [Fact]
    public void A_claim_carrying_its_proposition_again_changes_nothing()
    {
        var proposition = Proposition("p").Proposition;
        var ledger = new Ledger();

        Assert.True(ledger.Apply(Claim("c", "p", "yes", 0) with { Proposition = proposition }));
        Assert.False(ledger.Apply(Claim("c", "p", "yes", 0) with { Proposition = proposition with { Question = "Another?" } }));
        Assert.Equal("Question p?", ledger.FindProposition("p")!.Question);
    }

    public static TheoryData<IReliabilityEvent> Events() =>
    [
        new SourceRegistered(new Source("fama", "FAMa", SourceKind.OfficialBody, true, [new SourceHandle("x", "@FAMa_DIRPA")]), Day(0)),
        new SourceHandleAdded("fama", new SourceHandle("facebook", "fama.mali"), Day(1)),
        Proposition("acharane", ["army repelled", "JNIM took the base"], ["territory"], "timbuktu"),
        Claim("c", "acharane", "army repelled", 0, Hedge.Reported, relayOf: "r"),
        Claim("c1", "acharane", "JNIM took the base", 1) with { Proposition = Proposition("acharane", ["army repelled", "JNIM took the base"]).Proposition },
        Correction("rev", "c", CorrectionKind.Reversed, 1, replacement: "c2"),
        Correction("del", "c", CorrectionKind.Deleted, 1, DeletionNotice.Announced),
        Resolved("acharane", "JNIM took the base", 3, revision: 2),
        Unresolvable("dioura", 4),
        new CitationRecorded(new Citation("https://news.example/a", Day(1), ["c"], ["https://x.example/c"])),
        new SourceMerged("fama-telegram", "fama", "the same press office", Day(5)),
        new SourceAbsorbed(
            "fama", "fama-telegram", null, Day(5), [new SourceHandle("telegram", "fama_dirpa")], [Proposition("dioura").Proposition],
            [Claim("t1", "dioura", "yes", 2, source: "fama-telegram").Claim], [Retraction("t1r", "t1", 3).Correction],
            [Resolved("dioura", "no", 4).Resolution], [new ExternalRatingRecorded("fama-telegram", "mbfc", "mixed", null, Day(4))]),
    ];

    [Theory]
    [MemberData(nameof(Events))]
    public void Events_round_trip_through_System_Text_Json(IReliabilityEvent e)
    {
        var json = JsonSerializer.Serialize(e, e.GetType());
        var back = (IReliabilityEvent)JsonSerializer.Deserialize(json, e.GetType())!;

        // Records compare lists by reference, so compare the serialized forms.
        Assert.Equal(json, JsonSerializer.Serialize(back, e.GetType()));
        Assert.Equal(e.OccurredAt, back.OccurredAt);
        // Derived facts are not stored: the event holds only what was observed.
        Assert.DoesNotContain("OccurredAt", json);
        Assert.DoesNotContain("\"Is", json);
    }
}
