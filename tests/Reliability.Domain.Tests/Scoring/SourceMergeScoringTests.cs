namespace Reliability.Domain.Tests.Scoring;

/// <summary>A source that took another over: the other's record counts from the merge on, never before it.</summary>
public sealed class SourceMergeScoringTests
{
    private static readonly ScoringPolicy Timeless = ScoringPolicy.Beta with { RecencyHalfLife = null };

    // The survivor's own record: one claim, refuted on day 3.
    private static readonly IReliabilityEvent[] Own =
    [
        new SourceRegistered(new Source(Subject, "Army press office", SourceKind.OfficialBody, true, []), Day(0)),
        .. ResolvedClaim("own", "p", "yes", "no", 1, 3),
    ];

    // The absorbed channel's record on day 10: two claims published on days 1 and 2, confirmed on day 4.
    private static readonly SourceAbsorbed Absorbed = new(
        Subject, "T", "the army's channel", Day(10), [new SourceHandle("telegram", "chan")],
        [Proposition("q").Proposition, Proposition("r").Proposition],
        [Claim("a1", "q", "yes", 1, source: "T").Claim, Claim("a2", "r", "yes", 2, source: "T").Claim],
        [],
        [Resolved("q", "yes", 4).Resolution, Resolved("r", "yes", 4).Resolution],
        [new ExternalRatingRecorded("T", "mbfc", "high", null, Day(5))]);

    [Fact]
    public void Before_the_merge_the_survivor_scores_as_it_did_then()
    {
        IReliabilityEvent[] merged = [.. Own, Absorbed];

        var before = SourceScorer.Score(Subject, merged, Day(9), Timeless);

        Assert.Equal(SourceScorer.Score(Subject, Own, Day(9), Timeless).Score, before.Score);
        Assert.Single(before.Contributions);
        Assert.Empty(Ledger.Replay(merged, Day(9)).ExternalRatingsOf(Subject));
    }

    [Fact]
    public void From_the_merge_on_the_absorbed_claims_count_as_the_survivors_with_their_own_dates()
    {
        IReliabilityEvent[] merged = [.. Own, Absorbed];

        var after = SourceScorer.Score(Subject, merged, Day(11), Timeless);

        Assert.Equal(3, after.Contributions.Count);
        Assert.True(after.Score > SourceScorer.Score(Subject, Own, Day(11), Timeless).Score);
        // The series moves at the merge, not at the absorbed claims' verdicts.
        Assert.Contains(after.History, p => p.At == Day(10));
        Assert.DoesNotContain(after.History, p => p.At == Day(4));
        var ledger = Ledger.Replay(merged, Day(10));
        Assert.Equal(["own", "a1", "a2"], ledger.ClaimsBy(Subject).Select(c => c.Id));
        Assert.All(ledger.ClaimsBy(Subject), c => Assert.Equal(Subject, c.SourceId));
        Assert.Equal(Day(1), ledger.FindClaim("a1")!.PublishedAt);
        Assert.Equal(["telegram:chan"], ledger.FindSource(Subject)!.Handles.Select(h => $"{h.Platform}:{h.Handle}"));
        Assert.Equal(["mbfc"], ledger.ExternalRatingsOf(Subject).Select(r => r.Rater));
    }

    [Fact]
    public void The_absorbed_source_is_marked_merged_from_the_marker_on()
    {
        var ledger = new Ledger();

        Assert.True(ledger.Apply(new SourceMerged("T", Subject, null, Day(10))));
        Assert.Equal(Subject, ledger.MergedInto("T"));
        Assert.False(ledger.Apply(new SourceMerged("T", Subject, null, Day(10))));
        Assert.Null(ledger.MergedInto(Subject));
    }
}
