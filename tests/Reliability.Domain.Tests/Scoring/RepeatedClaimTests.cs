namespace Reliability.Domain.Tests.Scoring;

/// <summary>
/// A source saying the same option of a question again while its earlier claim still stands: the same
/// stake said twice, counted once, whatever the verdict.
/// </summary>
public sealed class RepeatedClaimTests
{
    // Without recency decay the arithmetic below can be checked by hand.
    private static readonly ScoringPolicy Timeless = ScoringPolicy.Beta with { RecencyHalfLife = null };

    private static readonly double Before = Timeless.Corrections.CorrectedBeforeResolution;

    private static SourceScore Score(IEnumerable<IReliabilityEvent> events, ScoringPolicy? policy = null, ProvisionalTruth? provisional = null) =>
        SourceScorer.Score(Subject, events, Day(1000), policy ?? Timeless, provisional);

    private static string Id(int i) => $"c{i:00}";

    /// <summary>The source says the option as many times as asked, a day apart, on a question the editors settle for B on day 100.</summary>
    private static List<IReliabilityEvent> Said(string option, int times, params IReliabilityEvent[] more) =>
        [Proposition("p", ["A", "B"]), .. Enumerable.Range(0, times).Select(i => Claim(Id(i), "p", option, i)), .. more, Resolved("p", "B", 100)];

    private static ClaimContribution Of(SourceScore score, string claimId) => score.Contributions.Single(c => c.ClaimId == claimId);

    /// <summary>The walk keeps stakes and weights as it goes: each point of its series must be the score worked out as of that point.</summary>
    private static void EachPointIsTheScoreThen(SourceScore score, IReadOnlyList<IReliabilityEvent> history, ScoringPolicy policy)
    {
        foreach (var point in score.History)
        {
            Assert.Equal(SourceScorer.Score(Subject, history, point.At, policy).Score, point.Score, 12);
        }
    }

    [Theory]
    [InlineData("B", "confirmed")]
    [InlineData("A", "refuted")]
    public void Saying_an_option_five_times_scores_as_saying_it_once(string option, string outcome)
    {
        var once = Score(Said(option, 1));
        var fiveTimes = Score(Said(option, 5));

        Assert.Equal(once.Score, fiveTimes.Score, 12);
        Assert.Equal((once.Overall.Confirmed, once.Overall.Refuted), (fiveTimes.Overall.Confirmed, fiveTimes.Overall.Refuted));
        Assert.Equal(1.0, fiveTimes.Overall.Confirmed + fiveTimes.Overall.Refuted, 12);
        Assert.Contains("said again by c01, c02, c03, c04, counted once", Of(fiveTimes, "c00").Reason);
        foreach (var repeat in new[] { "c01", "c02", "c03", "c04" })
        {
            Assert.Equal((0.0, 0.0), (Of(fiveTimes, repeat).Confirmed, Of(fiveTimes, repeat).Refuted));
            Assert.Equal(Of(fiveTimes, "c00").Credibility, Of(fiveTimes, repeat).Credibility);
            Assert.Contains($"{outcome} on 2024-01-06; repeats c00, counted once", Of(fiveTimes, repeat).Reason);
        }

        // The record still shows every claim made, and refuted.
        Assert.Equal(option == "A" ? 5 : 0, fiveTimes.Corrections.RefutedClaims);
    }

    [Fact]
    public void The_stake_is_the_strongest_said_before_the_verdict_and_each_firmer_claim_holds_what_it_added()
    {
        var score = Score([
            Proposition("p", ["A", "B"]),
            Claim("c00", "p", "B", 0, Hedge.Speculative),
            Claim("c01", "p", "B", 1, Hedge.Reported),
            Resolved("p", "B", 100),
            Claim("c02", "p", "B", 150),
        ]);

        // Reported (0.6) is the strongest stake said before the verdict; asserting it afterwards echoes the editors.
        Assert.Equal(Timeless.Hedges.Reported, score.Overall.Confirmed, 12);
        Assert.Equal(Timeless.Hedges.Speculative, Of(score, "c00").Confirmed, 12);
        Assert.Equal(Timeless.Hedges.Reported - Timeless.Hedges.Speculative, Of(score, "c01").Confirmed, 12);
        Assert.Contains("c01 said it more firmly and holds the rest from its own date", Of(score, "c00").Reason);
        Assert.Contains("says again what c00 said, more firmly: adds x0.3 to the stake counted once with c00", Of(score, "c01").Reason);
        Assert.Contains("repeats c00, counted once", Of(score, "c02").Reason);
        Assert.Equal(0.0, Of(score, "c02").Confirmed);
    }

    [Theory]
    [InlineData("B")]
    [InlineData("A")]
    public void A_speculation_made_long_ago_and_asserted_now_counts_the_assertion_from_now(string option)
    {
        // Two years after speculating, the source asserts it; the editors settle it soon after.
        var policy = ScoringPolicy.Beta;
        List<IReliabilityEvent> history =
        [
            Proposition("p", ["A", "B"]),
            Claim("c00", "p", option, 0, Hedge.Speculative),
            Claim("c01", "p", option, 730),
            Resolved("p", "B", 740),
        ];
        var score = SourceScorer.Score(Subject, history, Day(740), policy);
        var assertedNow = SourceScorer.Score(Subject, [history[0], history[2], history[3]], Day(740), policy);

        var old = ClaimAssessor.Recency(Claim("c00", "p", option, 0).Claim, Day(740), policy);
        var now = ClaimAssessor.Recency(Claim("c01", "p", option, 730).Claim, Day(740), policy);
        double Weight(SourceScore s, string id) => Of(s, id).Confirmed + Of(s, id).Refuted;
        Assert.Equal(policy.Hedges.Speculative * old, Weight(score, "c00"), 12);
        Assert.Equal((policy.Hedges.Asserted - policy.Hedges.Speculative) * now, Weight(score, "c01"), 12);
        // Between asserting it now alone and the speculation alone, never the whole assertion aged two years.
        Assert.True(score.Overall.Confirmed + score.Overall.Refuted > policy.Hedges.Asserted * old + 0.5);
        Assert.True(score.Overall.Confirmed + score.Overall.Refuted <= assertedNow.Overall.Confirmed + assertedNow.Overall.Refuted + 1e-12);
        EachPointIsTheScoreThen(score, history, policy);
    }

    [Fact]
    public void The_part_a_firmer_claim_holds_is_corrected_when_the_first_claim_is_taken_back_last()
    {
        // The assertion is retracted first, the speculation last: only then is the belief corrected, the
        // assertion's part with it, though nothing happened to the assertion itself at that moment.
        var policy = ScoringPolicy.Beta;
        List<IReliabilityEvent> history =
        [
            Proposition("p", ["A", "B"]),
            Claim("c00", "p", "A", 0, Hedge.Speculative),
            Claim("c01", "p", "A", 2),
            Resolved("p", "B", 3),
            Retraction("r1", "c01", 4),
            Retraction("r0", "c00", 6),
        ];
        var score = SourceScorer.Score(Subject, history, Day(10), policy);

        Assert.Equal(0.7 * policy.Corrections.CorrectedAfterResolution * ClaimAssessor.Recency(Claim("c01", "p", "A", 2).Claim, Day(10), policy),
            Of(score, "c01").Refuted, 12);
        EachPointIsTheScoreThen(score, history, policy);
    }

    [Fact]
    public void A_firmer_claim_that_arrives_with_a_merge_takes_over_from_the_one_that_had_said_it_more_firmly()
    {
        // The survivor speculated on day 1 and reported it on day 5; the channel it absorbs on day 10 had
        // asserted it on day 3. From the merge on the day-5 report adds nothing: the assertion came first.
        var policy = ScoringPolicy.Beta;
        List<IReliabilityEvent> history =
        [
            Proposition("p"), Claim("c00", "p", "yes", 1, Hedge.Speculative), Claim("c02", "p", "yes", 5, Hedge.Reported), Resolved("p", "yes", 6),
            new SourceAbsorbed(
                Subject, "T", "the army's channel", Day(10), [new SourceHandle("telegram", "chan")],
                [Proposition("p").Proposition], [Claim("a1", "p", "yes", 3, source: "T").Claim], [], [], []),
        ];
        var score = SourceScorer.Score(Subject, history, Day(20), policy);

        Assert.Equal(0.0, Of(score, "c02").Confirmed);
        Assert.Contains("repeats c00, counted once", Of(score, "c02").Reason);
        Assert.True(Of(score, "a1").Confirmed > 0.0);
        EachPointIsTheScoreThen(score, history, policy);
    }

    [Fact]
    public void Retracting_one_of_two_identical_posts_while_the_other_stays_up_is_no_correction()
    {
        var oneRetracted = Score(Said("A", 2, Retraction("r0", "c00", 5)));

        Assert.Equal(1.0, oneRetracted.Overall.Refuted, 12);
        Assert.Equal(1.0, Of(oneRetracted, "c00").Refuted, 12);
        Assert.Contains("withdrawn while c01 still said it, no credit", Of(oneRetracted, "c00").Reason);
        Assert.Equal(0, oneRetracted.Corrections.CorrectedBySource);

        // Taking the second down too corrects the belief, as of the last withdrawal.
        var bothBefore = Score(Said("A", 2, Retraction("r0", "c00", 5), Retraction("r1", "c01", 50)));
        var lastAfter = Score([.. Said("A", 2, Retraction("r0", "c00", 5)), Retraction("r1", "c01", 200)]);

        Assert.Equal(Before, bothBefore.Overall.Refuted, 12);
        Assert.Contains("retracted on 2023-11-17 (c01, the last of them), before resolution", Of(bothBefore, "c00").Reason);
        Assert.Equal((2, 1.0), (bothBefore.Corrections.CorrectedBySource, bothBefore.Corrections.SelfCorrectedShare));
        Assert.Equal(Timeless.Corrections.CorrectedAfterResolution, lastAfter.Overall.Refuted, 12);
    }

    [Fact]
    public void A_repeat_left_standing_keeps_the_stake_when_the_first_claim_is_retracted_and_a_true_one_keeps_its_credit()
    {
        var score = Score(Said("B", 2, Retraction("r0", "c00", 5)));

        Assert.Equal(1.0, score.Overall.Confirmed, 12);
        Assert.Equal(1.0, Of(score, "c00").Confirmed, 12);
    }

    [Fact]
    public void Silently_deleting_a_repeat_cannot_launder_the_record()
    {
        var harsh = Timeless with { Corrections = Timeless.Corrections with { SilentDeletion = 1.5 } };

        foreach (var deleted in new[] { "c00", "c01" })
        {
            var standing = Score(Said("A", 2), harsh);
            var oneDeleted = Score(Said("A", 2, SilentDeletion("d", deleted, 5)), harsh);

            Assert.Equal(1.0, standing.Overall.Refuted, 12);
            Assert.Equal(1.5, oneDeleted.Overall.Refuted, 12);
            Assert.Contains($"{(deleted == "c00" ? "" : "c01 ")}deleted without correction", Of(oneDeleted, "c00").Reason);
            Assert.Equal(1, oneDeleted.Corrections.SilentDeletions);
        }

        // Deleting one and retracting the other is not a correction of both.
        var mixed = Score(Said("A", 2, SilentDeletion("d", "c00", 5), Retraction("r", "c01", 6)), harsh);
        Assert.Equal(1.5, mixed.Overall.Refuted, 12);
    }

    [Fact]
    public void Saying_it_again_after_withdrawing_every_claim_of_it_is_a_return_not_a_repeat()
    {
        var score = Score(Said("B", 2, Retraction("r0", "c00", 5), Retraction("r1", "c01", 5), Claim("c02", "p", "B", 10), Claim("c03", "p", "B", 11)));

        Assert.Equal(1.0, score.Overall.Confirmed, 12);
        Assert.Contains("returned to an option it had withdrawn (c00, retracted on 2023-10-03), no fresh credit", Of(score, "c02").Reason);
        Assert.Contains("repeats c02, counted once", Of(score, "c03").Reason);
    }

    [Fact]
    public void On_an_open_question_repeats_hold_the_estimate_once()
    {
        var provisional = new ProvisionalTruth(new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["p"] = new Dictionary<string, double> { ["A"] = 0.3, ["B"] = 0.7 },
        });
        List<IReliabilityEvent> Open(int times) =>
            [Proposition("p", ["A", "B"]), .. Enumerable.Range(0, times).Select(i => Claim(Id(i), "p", "B", i))];

        var once = Score(Open(1), provisional: provisional);
        var threeTimes = Score(Open(3), provisional: provisional);

        Assert.Equal((once.Overall.Confirmed, once.Overall.Refuted), (threeTimes.Overall.Confirmed, threeTimes.Overall.Refuted));
        Assert.Equal(0.7 * Timeless.ProvisionalWeight, threeTimes.Overall.Confirmed, 12);
        Assert.True(Of(threeTimes, "c02").Provisional);
        Assert.Contains("repeats c00, counted once", Of(threeTimes, "c02").Reason);
    }

    [Fact]
    public void The_carrier_does_not_depend_on_the_order_claims_were_recorded_in()
    {
        List<IReliabilityEvent> history =
        [
            Proposition("p", ["A", "B"]),
            Claim("c02", "p", "A", 1),
            Claim("c01", "p", "A", 1, Hedge.Reported),
            Claim("c00", "p", "A", 3),
            Resolved("p", "B", 100),
        ];

        var forward = Score(history);
        var backward = Score(Enumerable.Reverse(history));

        Assert.Equal(forward.Contributions, backward.Contributions);
        // Same moment: the lower id carries, and the one said more firmly beside it holds the rest.
        Assert.Equal(Timeless.Hedges.Reported, Of(forward, "c01").Refuted, 12);
        Assert.Equal(1.0 - Timeless.Hedges.Reported, Of(forward, "c02").Refuted, 12);
        Assert.Contains("repeats c01, counted once", Of(forward, "c00").Reason);
        Assert.Equal(1.0, forward.Overall.Refuted, 12);
    }

    [Fact]
    public void The_score_history_follows_each_repeat_and_withdrawal()
    {
        // Settled early, so each point of the walk has evidence to move: a repeat contradicting the verdict,
        // then each claim taken back in turn, the belief corrected only by the last.
        List<IReliabilityEvent> history =
        [
            Proposition("p", ["A", "B"]),
            Claim("c00", "p", "A", 0, Hedge.Speculative),
            Claim("c01", "p", "A", 1, Hedge.Reported),
            Resolved("p", "B", 2),
            Claim("c02", "p", "A", 3),
            Retraction("r0", "c00", 4),
            Retraction("r1", "c01", 5),
            Retraction("r2", "c02", 6),
        ];
        var policy = ScoringPolicy.Beta;
        var score = SourceScorer.Score(Subject, history, Day(10), policy);

        Assert.Equal(8, score.History.Count);
        EachPointIsTheScoreThen(score, history, policy);

        // Each firmer claim holds what it added from its own date: 0.3 from day 0, 0.3 from day 1, 0.4 from day 3.
        double Aged(double day) => ClaimAssessor.Recency(Claim("c", "p", "A", day).Claim, Day(10), policy);
        Assert.Equal(
            policy.Corrections.CorrectedAfterResolution * ((0.3 * Aged(0)) + (0.3 * Aged(1)) + (0.4 * Aged(3))),
            score.Overall.Refuted, 12);
    }

    [Fact]
    public void A_channel_taken_over_that_said_it_first_carries_the_stake_from_the_merge_on()
    {
        // The survivor says yes on day 5; the channel it absorbs on day 10 had said yes on day 1, while
        // the survivor's claim stood. From the merge on the channel's claim is the earliest and carries it.
        List<IReliabilityEvent> history =
        [
            Proposition("p"), Claim("own", "p", "yes", 5), Resolved("p", "yes", 6),
            new SourceAbsorbed(
                Subject, "T", "the army's channel", Day(10), [new SourceHandle("telegram", "chan")],
                [Proposition("p").Proposition], [Claim("a1", "p", "yes", 1, source: "T").Claim], [], [], []),
        ];
        var score = Score(history);

        Assert.Equal(1.0, score.Overall.Confirmed, 12);
        Assert.Contains("repeats a1, counted once", Of(score, "own").Reason);
        EachPointIsTheScoreThen(score, history, Timeless);
    }
}
