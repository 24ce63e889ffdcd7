using System.Text.Json;

namespace Reliability.Domain.Tests.Scoring;

/// <summary>
/// A merge copies a prolific source's record in bounded parts: replayed, the parts give the survivor
/// exactly what the whole copy in one event gave it (and a stream holding the one event still replays).
/// </summary>
public sealed class SourceMergePartsTests
{
    private const int PartSize = 2;

    // The survivor's own record: a claim on p, refuted on day 3, and one on q, which the channel claimed on too.
    private static readonly IReliabilityEvent[] Own =
    [
        new SourceRegistered(new Source(Subject, "Army press office", SourceKind.OfficialBody, true, []), Day(0)),
        .. ResolvedClaim("own", "p", "yes", "no", 1, 3),
        Claim("own-q", "q", "no", 2),
        new ExternalRatingRecorded(Subject, "wikipedia-rsp", "generally reliable", null, Day(1)),
    ];

    // The channel's record, copied whole on day 10: seven claims on three propositions (each claimed
    // on in several parts), a retraction, a reversal into a claim of another part, a verdict revised,
    // a rater's word and a withdrawal.
    private static readonly SourceAbsorbed Whole = new(
        Subject, "T", "the army's channel", Day(10), [new SourceHandle("telegram", "chan")],
        [Proposition("q").Proposition, Proposition("r").Proposition, Proposition("s").Proposition],
        [
            Claim("a1", "q", "yes", 1, source: "T").Claim, Claim("a2", "r", "yes", 2, source: "T").Claim,
            Claim("a3", "s", "no", 3, source: "T").Claim, Claim("a4", "q", "yes", 4, source: "T").Claim,
            Claim("a5", "r", "no", 5, source: "T").Claim, Claim("a6", "s", "yes", 6, source: "T").Claim,
            Claim("a7", "q", "yes", 7, source: "T").Claim,
        ],
        [Retraction("c1", "a3", 4).Correction, Correction("c2", "a5", CorrectionKind.Reversed, 8, replacement: "a6").Correction],
        [
            Resolved("q", "yes", 4).Resolution, Resolved("r", "yes", 4).Resolution, Resolved("r", "no", 6, revision: 2).Resolution,
            Resolved("s", "yes", 9).Resolution,
        ],
        [new ExternalRatingRecorded("T", "mbfc", "high", null, Day(5)), new ExternalRatingRecorded("T", "wikipedia-rsp", null, null, Day(6))]);

    [Fact]
    public void A_copy_with_more_claims_than_a_part_holds_is_split_into_parts_under_the_bound()
    {
        var parts = Whole.InParts(PartSize);

        Assert.Equal(4, parts.Count);
        var head = Assert.IsType<SourceAbsorbed>(parts[0]);
        Assert.Equal(["a1", "a2"], head.Claims.Select(c => c.Id));
        Assert.Equal(Whole.Handles, head.Handles);
        Assert.Equal(Whole.Ratings, head.Ratings);
        var rest = parts.Skip(1).Select(p => Assert.IsType<SourceAbsorbedPart>(p)).ToList();
        Assert.Equal([1, 2, 3], rest.Select(p => p.Part));
        Assert.All(rest, p => Assert.InRange(p.Claims.Count, 1, PartSize));
        Assert.Equal(Whole.Claims.Select(c => c.Id), head.Claims.Concat(rest.SelectMany(p => p.Claims)).Select(c => c.Id));
        // Each part carries what its claims need: the reversal goes with the reversed claim, a5.
        Assert.Equal(["c2"], rest[1].Corrections.Select(c => c.Id));
        Assert.Equal(["r", "s"], rest[1].Propositions.Select(p => p.Id));
        Assert.Equal([1, 2, 1], rest[1].Resolutions.Select(r => r.Revision));
        Assert.Single(Whole.InParts(Whole.Claims.Count));
    }

    [Fact]
    public void Parts_of_long_posts_are_bounded_by_their_text_as_well_as_their_count()
    {
        // Seven posts of 20,000 characters, the most a claim's text holds: two fit in 50,000, a third does not.
        var longPosts = Whole with { Claims = [.. Whole.Claims.Select(c => c with { OriginalText = new string('x', 20_000) })] };

        var parts = longPosts.InParts(500, 50_000);

        Assert.Equal([2, 2, 2, 1], parts.Select(ClaimsOf).Select(c => c.Count));
        Assert.All(parts, p => Assert.InRange(ClaimsOf(p).Sum(c => c.OriginalText!.Length + c.Url!.Length), 1, 50_000));
        Assert.Equal(longPosts.Claims.Select(c => c.Id), parts.SelectMany(ClaimsOf).Select(c => c.Id));
        // One post longer than the bound on its own still goes, alone in its part.
        Assert.Equal(7, longPosts.InParts(500, 1_000).Count);
        Assert.Single(Whole.InParts(500, 1_000_000));

        IReliabilityEvent[] whole = [.. Own, longPosts];
        IReliabilityEvent[] parted = [.. Own, .. parts];
        Assert.Equal(Json(SourceScorer.Score(Subject, whole, Day(40), ScoringPolicy.Beta)), Json(SourceScorer.Score(Subject, parted, Day(40), ScoringPolicy.Beta)));
        Assert.Equal(Json(Ledger.Replay(whole, Day(40)).RecordOf(Subject)), Json(Ledger.Replay(parted, Day(40)).RecordOf(Subject)));
    }

    private static IReadOnlyList<Claim> ClaimsOf(IReliabilityEvent part) => part switch
    {
        SourceAbsorbed head => head.Claims,
        SourceAbsorbedPart rest => rest.Claims,
        _ => throw new InvalidOperationException($"Not a part of a merge's copy: {part.GetType().Name}"),
    };

    [Theory]
    [InlineData(10.5)]
    [InlineData(40)]
    [InlineData(9)]
    public void The_parts_replay_to_the_same_record_score_explanation_and_history_as_the_whole_copy(double day)
    {
        IReliabilityEvent[] whole = [.. Own, Whole];
        IReliabilityEvent[] parted = [.. Own, .. Whole.InParts(PartSize)];

        foreach (var policy in new[] { ScoringPolicy.Beta, ScoringPolicy.Beta with { RecencyHalfLife = null } })
        {
            Assert.Equal(Json(SourceScorer.Score(Subject, whole, Day(day), policy)), Json(SourceScorer.Score(Subject, parted, Day(day), policy)));
        }

        var expected = Ledger.Replay(whole, Day(day));
        var actual = Ledger.Replay(parted, Day(day));
        Assert.Equal(Json(expected.RecordOf(Subject)), Json(actual.RecordOf(Subject)));
        Assert.Equal(Json(expected.ExternalRatingsOf(Subject)), Json(actual.ExternalRatingsOf(Subject)));
        Assert.Equal(Json(expected.FindSource(Subject)), Json(actual.FindSource(Subject)));
    }

    [Fact]
    public void The_raters_later_withdrawal_on_the_absorbed_source_takes_the_survivors_older_word_away()
    {
        var ledger = Ledger.Replay([.. Own, .. Whole.InParts(PartSize)], Day(11));

        Assert.Equal(["mbfc"], ledger.ExternalRatingsOf(Subject).Select(r => r.Rater));
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
