namespace Reliability.Domain.Tests.Scoring;

/// <summary>
/// A source going back and forth between the options of one question, each claim reversed into the
/// next: the chain may earn what one honest correction earns, never more.
/// </summary>
public sealed class ReversalChainTests
{
    // Without recency decay the arithmetic below can be checked by hand.
    private static readonly ScoringPolicy Timeless = ScoringPolicy.Beta with { RecencyHalfLife = null };

    private static readonly double Before = Timeless.Corrections.CorrectedBeforeResolution;

    private static SourceScore Score(IEnumerable<IReliabilityEvent> events, ProvisionalTruth? provisional = null) =>
        SourceScorer.Score(Subject, events, Day(1000), Timeless, provisional);

    private static string Id(int i) => $"c{i:00}";

    /// <summary>The source says each option in turn, a day apart, reversing each claim into the next.</summary>
    private static List<IReliabilityEvent> Said(params string[] options)
    {
        List<IReliabilityEvent> history = [Proposition("p", ["A", "B"])];
        for (var i = 0; i < options.Length; i++)
        {
            if (i > 0)
            {
                history.Add(Correction($"rev{i:00}", Id(i - 1), CorrectionKind.Reversed, i, replacement: Id(i)));
            }

            history.Add(Claim(Id(i), "p", options[i], i));
        }

        return history;
    }

    /// <summary>A, B, A, B, … as many claims as asked.</summary>
    private static string[] Toggling(int claims) => [.. Enumerable.Range(0, claims).Select(i => i % 2 == 0 ? "A" : "B")];

    /// <summary>The editors settle the question for B on day 100, after every claim.</summary>
    private static List<IReliabilityEvent> SettledB(List<IReliabilityEvent> history) => [.. history, Resolved("p", "B", 100)];

    private static ClaimContribution Of(SourceScore score, string claimId) => score.Contributions.Single(c => c.ClaimId == claimId);

    [Fact]
    public void Flip_flopping_toward_the_truth_earns_no_more_than_one_honest_correction()
    {
        var saidBOnce = Score(SettledB(Said("B")));
        var saidAOnce = Score(SettledB(Said("A")));
        var correctedOnce = Score(SettledB(Said("A", "B")));
        var previous = correctedOnce.Score;

        foreach (var cycles in new[] { 2, 3, 4, 6 })
        {
            var toggled = Score(SettledB(Said(Toggling(2 * cycles))));

            // One truth said, one false claim honestly corrected; every return to A counts fully against.
            Assert.Equal(1.0, toggled.Overall.Confirmed, 12);
            Assert.Equal(Before + (cycles - 1), toggled.Overall.Refuted, 12);
            Assert.True(toggled.Score < saidBOnce.Score, $"{cycles} cycles: {toggled.Score} >= said B once {saidBOnce.Score}");
            Assert.True(toggled.Score < previous, $"{cycles} cycles: {toggled.Score} >= {previous} with a cycle less");
            previous = toggled.Score;
        }

        // Ending on the truth after one honest correction still beats never leaving the false option.
        Assert.True(correctedOnce.Score > saidAOnce.Score);
    }

    [Fact]
    public void Ending_on_the_false_option_after_cycling_gains_nothing_from_the_cycles()
    {
        var saidBOnce = Score(SettledB(Said("B")));
        var reversedAwayOnce = Score(SettledB(Said("B", "A")));
        var previous = double.PositiveInfinity;

        foreach (var cycles in new[] { 1, 2, 3, 5 })
        {
            var toggled = Score(SettledB(Said(Toggling((2 * cycles) + 1))));

            // Back on A, the source stands by what it first corrected: that correction earns nothing now.
            Assert.Equal(1.0, toggled.Overall.Confirmed, 12);
            Assert.Equal(1.0 + cycles, toggled.Overall.Refuted, 12);
            Assert.Contains($"reversed on 2023-09-29, but said again by {Id(2 * cycles)}, which still stands: no credit", Of(toggled, "c00").Reason);
            Assert.Equal(0, toggled.Corrections.CorrectedBySource);
            Assert.True(toggled.Score < saidBOnce.Score && toggled.Score < reversedAwayOnce.Score,
                $"{cycles} cycles: {toggled.Score} against said B once {saidBOnce.Score}, reversed away once {reversedAwayOnce.Score}");
            Assert.True(toggled.Score < previous, $"{cycles} cycles: {toggled.Score} >= {previous} with a cycle less");
            previous = toggled.Score;
        }
    }

    [Fact]
    public void Each_claim_of_a_chain_says_why_it_earns_what_it_earns()
    {
        var score = Score(SettledB(Said("A", "B", "A", "B")));

        Assert.Contains("reversed toward the truth on 2023-09-29, before resolution", Of(score, "c00").Reason);
        Assert.Equal((1.0, 0.0), (Of(score, "c01").Confirmed, Of(score, "c01").Refuted));
        Assert.DoesNotContain("returned", Of(score, "c01").Reason);
        // Back to A: it counts in full against the source, and correcting it a second time earns nothing.
        var backToA = Of(score, "c02");
        Assert.Equal((0.0, 1.0), (backToA.Confirmed, backToA.Refuted));
        Assert.Contains("refuted on 2024-01-06; returned to an option it had withdrawn (c00, reversed on 2023-09-29)", backToA.Reason);
        Assert.Contains("withdrawn again, no credit for correcting it twice", backToA.Reason);
        // Back to B: true, and already credited once.
        var backToB = Of(score, "c03");
        Assert.Equal((0.0, 0.0), (backToB.Confirmed, backToB.Refuted));
        Assert.Equal(AdmiraltyCredibility.Confirmed, backToB.Credibility);
        Assert.Contains("confirmed on 2024-01-06; returned to an option it had withdrawn (c01, reversed on 2023-09-30), no fresh credit", backToB.Reason);
        // The factual record of reversals is kept; only the credit is withheld.
        Assert.Equal(2, score.Corrections.ReversalsTowardTruth);
        Assert.Equal(1, score.Corrections.CorrectedBySource);
        Assert.Equal(2, score.Corrections.RefutedClaims);
    }

    [Fact]
    public void A_single_reversal_each_way_is_scored_as_before()
    {
        var toward = Score(SettledB(Said("A", "B")));
        var away = Score(SettledB(Said("B", "A")));
        var late = Score([.. Said("A"), Resolved("p", "B", 0.5),
            Correction("rev", "c00", CorrectionKind.Reversed, 2, replacement: "c01"), Claim("c01", "p", "B", 2)]);

        Assert.Equal((0.0, Before), (Of(toward, "c00").Confirmed, Of(toward, "c00").Refuted));
        Assert.Equal((1.0, 0.0), (Of(toward, "c01").Confirmed, Of(toward, "c01").Refuted));
        Assert.Equal((1, 0, 1.0), (toward.Corrections.ReversalsTowardTruth, toward.Corrections.ReversalsAwayFromTruth, toward.Corrections.SelfCorrectedShare));
        Assert.Equal((1.0, 0.0), (Of(away, "c00").Confirmed, Of(away, "c00").Refuted));
        Assert.Equal((0.0, 1.0), (Of(away, "c01").Confirmed, Of(away, "c01").Refuted));
        Assert.Contains("reversed away from the truth", Of(away, "c00").Reason);
        Assert.Equal((0, 1), (away.Corrections.ReversalsTowardTruth, away.Corrections.ReversalsAwayFromTruth));
        Assert.Equal(Timeless.Corrections.CorrectedAfterResolution, Of(late, "c00").Refuted, 12);
        Assert.Equal(Timeless.HindsightWeight, Of(late, "c01").Confirmed, 12);
        Assert.All(toward.Contributions.Concat(away.Contributions).Concat(late.Contributions),
            c => Assert.DoesNotContain("returned", c.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void On_an_open_proposition_cycling_earns_no_more_than_one_reversal_toward_the_likelier_option()
    {
        var provisional = new ProvisionalTruth(new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["p"] = new Dictionary<string, double> { ["A"] = 0.2, ["B"] = 0.8 },
        });
        var correctedOnce = Score(Said("A", "B"), provisional);
        var weight = Timeless.ProvisionalWeight;
        Assert.Equal(weight * 0.8 * Before, Of(correctedOnce, "c00").Refuted, 12);
        var previous = correctedOnce.Score;

        foreach (var cycles in new[] { 2, 3, 5 })
        {
            var toggled = Score(Said(Toggling(2 * cycles)), provisional);

            Assert.Equal(correctedOnce.Overall.Confirmed, toggled.Overall.Confirmed, 12);
            Assert.True(toggled.Score < previous, $"{cycles} cycles: {toggled.Score} >= {previous} with a cycle less");
            previous = toggled.Score;
            // A return earns no share of the estimate, and the chance that it is false counts in full.
            var backToA = Of(toggled, "c02");
            Assert.Equal(0.0, backToA.Confirmed);
            Assert.Equal(weight * 0.8, backToA.Refuted, 12);
            Assert.True(backToA.Provisional);
            Assert.Contains("returned to an option it had withdrawn (c00, reversed on 2023-09-29), no fresh credit", backToA.Reason);
            Assert.Equal(0.0, Of(toggled, "c03").Confirmed);
            Assert.Equal(weight * 0.2, Of(toggled, "c03").Refuted, 12);
        }
    }

    [Fact]
    public void A_correction_the_source_undid_by_saying_it_again_earns_nothing_until_that_is_withdrawn_too()
    {
        // Said A (false), retracted it, said A again and stands by it: the first retraction corrected nothing
        // the source still says. Withdrawn in turn, the first retraction counts again, the second earns nothing.
        List<IReliabilityEvent> history =
            [Proposition("p", ["A", "B"]), Claim("first", "p", "A", 0), Retraction("pulled", "first", 1), Claim("again", "p", "A", 2)];
        var standing = Score([.. history, Resolved("p", "B", 10)]);
        var withdrawnAgain = Score([.. history, Retraction("pulled again", "again", 3), Resolved("p", "B", 10)]);
        var saidOnce = Score([Proposition("p", ["A", "B"]), Claim("first", "p", "A", 0), Resolved("p", "B", 10)]);
        var correctedOnce = Score([.. history.Take(3), Resolved("p", "B", 10)]);

        Assert.Equal(1.0, Of(standing, "first").Refuted, 12);
        Assert.Contains("retracted on 2023-09-29, but said again by again, which still stands: no credit", Of(standing, "first").Reason);
        Assert.Equal(1.0, Of(standing, "again").Refuted, 12);
        Assert.True(standing.Score < saidOnce.Score);
        Assert.Equal(0, standing.Corrections.CorrectedBySource);

        Assert.Equal(Before, Of(withdrawnAgain, "first").Refuted, 12);
        Assert.Equal(1.0, Of(withdrawnAgain, "again").Refuted, 12);
        Assert.Equal(1, withdrawnAgain.Corrections.CorrectedBySource);
        Assert.True(withdrawnAgain.Score < correctedOnce.Score);

        // A silent deletion of the return is no withdrawal: deleting cannot launder the record.
        var deleted = Score([.. history, SilentDeletion("gone", "again", 3), Resolved("p", "B", 10)]);
        Assert.Equal(1.0, Of(deleted, "first").Refuted, 12);

        // The walk re-judges the first claim as the return is said and withdrawn.
        var walked = SourceScorer.Score(Subject, [.. history, Retraction("pulled again", "again", 3), Resolved("p", "B", 10)], Day(20), ScoringPolicy.Beta);
        Assert.All(walked.History, point =>
            Assert.Equal(SourceScorer.Score(Subject, [.. history, Retraction("pulled again", "again", 3), Resolved("p", "B", 10)], point.At, ScoringPolicy.Beta).Score, point.Score, 12));
    }

    [Fact]
    public void On_an_open_proposition_a_correction_undone_by_saying_it_again_earns_nothing()
    {
        List<IReliabilityEvent> history =
            [Proposition("p", ["A", "B"]), Claim("first", "p", "A", 0), Retraction("pulled", "first", 1), Claim("again", "p", "A", 2)];
        var estimate = new ProvisionalTruth(new Dictionary<string, IReadOnlyDictionary<string, double>> { ["p"] = new Dictionary<string, double> { ["A"] = 0.2, ["B"] = 0.8 } });
        var standing = Score(history, estimate);
        var corrected = Score(history.Take(3), estimate);

        Assert.Equal(Timeless.ProvisionalWeight * 0.8, Of(standing, "first").Refuted, 12);
        Assert.Equal(Timeless.ProvisionalWeight * 0.8 * Before, Of(corrected, "first").Refuted, 12);
        Assert.Contains("but said again by again, which still stands: no credit", Of(standing, "first").Reason);
    }

    [Fact]
    public void Saying_again_what_it_had_retracted_earns_no_fresh_credit()
    {
        List<IReliabilityEvent> history = [Proposition("p", ["A", "B"]), Claim("first", "p", "B", 0), Retraction("pulled", "first", 1)];
        var again = Score([.. history, Claim("again", "p", "B", 2), Resolved("p", "B", 10)]);
        // Said twice without withdrawing the first: not a return but a repeat, counted once.
        var repeated = Score([Proposition("p", ["A", "B"]), Claim("first", "p", "B", 0), Claim("again", "p", "B", 2), Resolved("p", "B", 10)]);

        Assert.Equal(1.0, Of(again, "first").Confirmed, 12);
        Assert.Equal((0.0, 0.0), (Of(again, "again").Confirmed, Of(again, "again").Refuted));
        Assert.Contains("returned to an option it had withdrawn (first, retracted on 2023-09-29), no fresh credit", Of(again, "again").Reason);
        Assert.Equal(1.0, repeated.Overall.Confirmed, 12);
        Assert.Contains("repeats first, counted once", Of(repeated, "again").Reason);
    }

    [Fact]
    public void A_chain_declared_after_the_fact_is_judged_by_its_links_not_its_dates()
    {
        // Posts A, B, A, B on days 0–3, settled for B on day 4; the reversals linking them are recorded
        // only on days 5–7, after the later posts were made, so no withdrawal came before a return: the
        // links still say it did.
        IReliabilityEvent[] history =
        [
            Proposition("p", ["A", "B"]),
            Claim(Id(0), "p", "A", 0), Claim(Id(1), "p", "B", 1), Claim(Id(2), "p", "A", 2), Claim(Id(3), "p", "B", 3),
            Resolved("p", "B", 4),
            Correction("rev01", Id(0), CorrectionKind.Reversed, 5, replacement: Id(1)),
            Correction("rev02", Id(1), CorrectionKind.Reversed, 6, replacement: Id(2)),
            Correction("rev03", Id(2), CorrectionKind.Reversed, 7, replacement: Id(3)),
        ];
        var score = Score(history);

        Assert.Equal(1.0, score.Overall.Confirmed, 12);
        Assert.Equal(Timeless.Corrections.CorrectedAfterResolution + 1.0, score.Overall.Refuted, 12);
        Assert.Contains("returned to an option it had withdrawn (c01, reversed on 2023-10-04)", Of(score, Id(3)).Reason);
        // The walk of the history re-judges a claim when a reversal earlier in its chain is recorded.
        Assert.All(score.History, point =>
            Assert.Equal(SourceScorer.Score(Subject, history, point.At, Timeless).Score, point.Score, 12));
    }

    [Fact]
    public void Claims_at_one_instant_are_taken_in_order_of_id_whatever_order_they_were_recorded_in()
    {
        // Two claims of B at one moment, the lower id retracted then too: the other was said after it.
        IReliabilityEvent[] history =
        [
            Proposition("p", ["A", "B"]), Claim("b1", "p", "B", 1), Retraction("r", "b1", 1), Claim("b2", "p", "B", 1), Resolved("p", "B", 100),
        ];
        var forward = Score(history);
        var backward = Score(history.Reverse());
        // The higher id retracted instead: the lower one was said first and never withdrawn, so neither
        // returns; the higher repeats it, and the stake counts once.
        var swapped = Score([.. history.Where(e => e is not CorrectionRecorded), Retraction("r", "b2", 1)]);

        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(forward), System.Text.Json.JsonSerializer.Serialize(backward));
        Assert.Equal((1.0, 0.0), (Of(forward, "b2").Confirmed + Of(forward, "b1").Confirmed, Of(forward, "b2").Confirmed));
        Assert.Contains("returned to an option it had withdrawn (b1, retracted on 2023-09-29)", Of(forward, "b2").Reason);
        Assert.Equal(1.0, swapped.Overall.Confirmed, 12);
        Assert.Contains("repeats b1, counted once", Of(swapped, "b2").Reason);
    }
}
