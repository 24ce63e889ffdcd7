namespace Reliability.Domain.Tests.Scoring;

public sealed class SourceScorerTests
{
    // Without recency decay the arithmetic below can be checked by hand.
    private static readonly ScoringPolicy Timeless = ScoringPolicy.Beta with { RecencyHalfLife = null };

    private static SourceScore Score(IEnumerable<IReliabilityEvent> events, double asOfDay = 1000,
        ScoringPolicy? policy = null, ProvisionalTruth? provisional = null) =>
        SourceScorer.Score(Subject, events, Day(asOfDay), policy ?? Timeless, provisional);

    private static IEnumerable<IReliabilityEvent> ResolvedClaims(int confirmed, int refuted, double startDay = 0)
    {
        for (var i = 0; i < confirmed + refuted; i++)
        {
            var day = startDay + i;
            yield return Proposition($"p{day}", day: day);
            yield return Claim($"c{day}", $"p{day}", "yes", day);
            yield return Resolved($"p{day}", i < confirmed ? "yes" : "no", day + 0.5);
        }
    }

    [Fact]
    public void One_of_one_confirmed_is_an_insufficient_record_not_certainty()
    {
        var score = Score(ResolvedClaims(1, 0));

        Assert.Equal(ReliabilityBand.InsufficientRecord, score.Band);
        Assert.Equal(AdmiraltyReliability.F, score.Grade);
        Assert.True(score.Overall.Insufficient);
        Assert.Equal(2.0 / 3.0, score.Score, 12);
        Assert.True(score.Overall.Upper < 1.0);
    }

    [Fact]
    public void Enough_confirmed_claims_make_a_reliable_source_with_the_beta_mean()
    {
        var score = Score(ResolvedClaims(8, 1));

        Assert.Equal(9.0 / 11.0, score.Score, 12);
        Assert.Equal(9.0, score.Overall.EffectiveEvidence, 12);
        Assert.Equal(ReliabilityBand.Reliable, score.Band);
        Assert.InRange(score.Score, score.Overall.Lower, score.Overall.Upper);
        Assert.NotEqual(AdmiraltyReliability.F, score.Grade);
    }

    [Fact]
    public void A_revised_resolution_rescores_the_source()
    {
        List<IReliabilityEvent> history =
            [.. ResolvedClaims(3, 0), .. ResolvedClaim("army", "acharane", "army repelled", "army repelled", 1, 2)];
        var before = Score(history);
        history.Add(Resolved("acharane", "JNIM took the base", 30, revision: 2));
        var after = Score(history);

        Assert.True(after.Score < before.Score, $"{after.Score} should be below {before.Score}");
        Assert.Contains("refuted on 2023-10-28", after.Contributions.Single(c => c.ClaimId == "army").Reason);
        // As of a day before the revision, the first verdict was still in force.
        Assert.Equal(before.Score, Score(history, asOfDay: 29).Score, 12);
    }

    [Fact]
    public void The_motivating_reversal_toward_the_truth_is_credited_and_explained()
    {
        // @EternalGlory0 relayed the army's version, then deleted it publicly and reversed with evidence.
        var history = new IReliabilityEvent[]
        {
            Proposition("acharane", ["army repelled", "JNIM took the base"], ["territory"], "timbuktu"),
            Claim("army-statement", "acharane", "army repelled", 0, source: "FAMa"),
            Claim("eg-1", "acharane", "army repelled", 0.2, relayOf: "army-statement"),
            Correction("eg-del", "eg-1", CorrectionKind.Deleted, 1, DeletionNotice.Announced),
            Correction("eg-rev", "eg-1", CorrectionKind.Reversed, 1, replacement: "eg-2"),
            Claim("eg-2", "acharane", "JNIM took the base", 1),
            Resolved("acharane", "JNIM took the base", 10),
        };
        var score = Score(history);

        var original = score.Contributions.Single(c => c.ClaimId == "eg-1");
        Assert.Equal(Timeless.RelayWeight * Timeless.Corrections.CorrectedBeforeResolution, original.Refuted, 12);
        Assert.Contains("before resolution", original.Reason);
        Assert.Equal(AdmiraltyCredibility.Improbable, original.Credibility);
        Assert.Equal(1.0, score.Contributions.Single(c => c.ClaimId == "eg-2").Confirmed, 12);
        Assert.Equal(1, score.Corrections.ReversalsTowardTruth);
        Assert.Equal(1.0, score.Corrections.SelfCorrectedShare);
        Assert.Equal(TimeSpan.FromDays(0.8), score.Corrections.MedianTimeToCorrect);
        Assert.Equal(0, score.Corrections.SilentDeletions);
    }

    [Fact]
    public void A_silent_deletion_is_reported_and_never_helps()
    {
        List<IReliabilityEvent> history = [.. ResolvedClaims(4, 0), .. ResolvedClaim("false", "dioura", "yes", "no", 5, 6)];
        var standing = Score(history);
        history.Add(SilentDeletion("gone", "false", 7));
        var deleted = Score(history);

        Assert.True(deleted.Score <= standing.Score);
        Assert.Equal(1, deleted.Corrections.SilentDeletions);
        Assert.Equal(0.0, deleted.Corrections.SelfCorrectedShare);
        Assert.Contains("refuted on 2023-10-04; deleted without correction",
            deleted.Contributions.Single(c => c.ClaimId == "false").Reason);
    }

    [Fact]
    public void A_claim_contradicted_later_and_left_standing_is_counted_apart_from_corrected_ones()
    {
        var score = Score(
        [
            Proposition("p"), Proposition("q"), Proposition("r"),
            // Said yes, then no, and never touched the first post.
            Claim("p-yes", "p", "yes", 0), Claim("p-no", "p", "no", 2),
            // The same change of mind, with the first post deleted: a silent deletion, not this.
            Claim("q-yes", "q", "yes", 0), Claim("q-no", "q", "no", 2), SilentDeletion("gone", "q-yes", 3),
            // A declared reversal.
            Claim("r-yes", "r", "yes", 0), Correction("rev", "r-yes", CorrectionKind.Reversed, 2, replacement: "r-no"), Claim("r-no", "r", "no", 2),
        ]);

        Assert.Equal(1, score.Corrections.ContradictedWithoutCorrection);
        Assert.Equal(1, score.Corrections.SilentDeletions);
    }

    [Fact]
    public void Saying_the_first_option_again_takes_back_the_change_of_mind()
    {
        IReliabilityEvent[] changed = [Proposition("p"), Claim("first", "p", "yes", 0), Claim("between", "p", "no", 1)];

        Assert.Equal(1, Score(changed).Corrections.ContradictedWithoutCorrection);
        // What was contradicted is now the claim in between.
        Assert.Equal(1, Score([.. changed, Claim("again", "p", "yes", 2)]).Corrections.ContradictedWithoutCorrection);
        // Retracting the later claim leaves the first one standing uncontradicted.
        Assert.Equal(0, Score([.. changed, Retraction("withdrawn", "between", 2)]).Corrections.ContradictedWithoutCorrection);
    }

    [Fact]
    public void Deleting_a_confirmed_claim_keeps_its_credit()
    {
        var history = new List<IReliabilityEvent>(ResolvedClaims(3, 1));
        var kept = Score(history);
        history.Add(SilentDeletion("d", "c0", 20));
        var deleted = Score(history);

        Assert.Equal(kept.Score, deleted.Score, 12);
        Assert.Contains("credit kept", deleted.Contributions.Single(c => c.ClaimId == "c0").Reason);
        Assert.Equal(1, deleted.Corrections.SilentDeletions);
    }

    [Fact]
    public void A_reversal_away_from_the_truth_earns_nothing_and_its_replacement_is_refuted()
    {
        var history = new IReliabilityEvent[]
        {
            Proposition("p"),
            Claim("true", "p", "yes", 0),
            Correction("rev", "true", CorrectionKind.Reversed, 1, replacement: "false"),
            Claim("false", "p", "no", 1),
            Resolved("p", "yes", 2),
        };
        var score = Score(history);

        Assert.Equal(1, score.Corrections.ReversalsAwayFromTruth);
        Assert.Equal(0, score.Corrections.ReversalsTowardTruth);
        Assert.Equal(1.0, score.Overall.Confirmed, 12);
        Assert.Equal(1.0, score.Overall.Refuted, 12);
        Assert.Contains("reversed away from the truth", score.Contributions.Single(c => c.ClaimId == "true").Reason);
    }

    [Fact]
    public void An_announced_deletion_after_the_verdict_counts_as_a_late_public_correction()
    {
        var score = Score([.. ResolvedClaim("x", "p", "yes", "no", 0, 1),
            Correction("del", "x", CorrectionKind.Deleted, 3, DeletionNotice.Announced)]);
        var x = score.Contributions.Single(c => c.ClaimId == "x");

        Assert.Equal(Timeless.Corrections.CorrectedAfterResolution, x.Refuted, 12);
        Assert.Contains("deletion announced on 2023-10-01, after resolution", x.Reason);
        Assert.Equal(0, score.Corrections.SilentDeletions);
        Assert.Equal(1, score.Corrections.CorrectedBySource);
        Assert.Equal(TimeSpan.FromDays(3), score.Corrections.MedianTimeToCorrect);
    }

    [Fact]
    public void A_claim_made_while_another_verdict_stood_is_not_an_echo_of_the_verdict_restored_later()
    {
        // B confirmed, then A, then B again; the source said B while A stood, against the editors.
        var score = Score(
        [
            Proposition("p", ["A", "B"]), Resolved("p", "B", 2), Resolved("p", "A", 5, revision: 2),
            Claim("x", "p", "B", 6), Resolved("p", "B", 8, revision: 3),
        ]);
        var x = score.Contributions.Single(c => c.ClaimId == "x");

        Assert.Equal(1.0, x.Confirmed, 12);
        Assert.Contains("confirmed on 2023-10-06", x.Reason);
        Assert.DoesNotContain("after the verdict", x.Reason);
    }

    [Fact]
    public void Retracting_while_another_verdict_stood_is_correcting_before_the_one_restored_later()
    {
        var score = Score(
        [
            Proposition("p", ["A", "B"]), Claim("x", "p", "A", 0), Resolved("p", "B", 2), Resolved("p", "A", 5, revision: 2),
            Retraction("r", "x", 7), Resolved("p", "B", 8, revision: 3),
        ]);

        Assert.Equal(Timeless.Corrections.CorrectedBeforeResolution, score.Contributions.Single(c => c.ClaimId == "x").Refuted, 12);
    }

    [Fact]
    public void A_withdrawal_dated_before_its_own_claim_counts_from_the_claim_not_before_the_verdict()
    {
        // The claim came after the verdict; a retraction stamped a day before the verdict is a slip in the dates.
        var score = Score([Proposition("p", ["A", "B"]), Resolved("p", "A", 2), Claim("x", "p", "B", 5), Retraction("r", "x", 1)]);
        var x = score.Contributions.Single(c => c.ClaimId == "x");

        Assert.Equal(Timeless.Corrections.CorrectedAfterResolution, x.Refuted, 12);
        Assert.Contains("after resolution", x.Reason);
    }

    [Fact]
    public void A_band_the_record_aged_out_of_is_not_regained_by_a_small_rise()
    {
        // Reliable once (37 of 50 confirmed), then four years in which only the record's age changes:
        // it reads Mixed. The verdicts on three claims made back then lift it above Reliable's exit but
        // not to its entry, and nothing else happened in between to mark the dip.
        var policy = ScoringPolicy.Beta;
        var late = Enumerable.Range(0, 3).ToList();
        List<IReliabilityEvent> history = [.. ResolvedClaims(37, 13)];
        history.AddRange(late.SelectMany(i => new IReliabilityEvent[] { Proposition($"late{i}", day: 60), Claim($"c-late{i}", $"late{i}", "yes", 60) }));
        var aged = SourceScorer.Score(Subject, history, Day(1460), policy);
        history.AddRange(late.Select(i => Resolved($"late{i}", "yes", 1461)));
        var risen = SourceScorer.Score(Subject, history, Day(1462), policy);
        var bands = policy.Bands;

        Assert.Equal(ReliabilityBand.Reliable, SourceScorer.Score(Subject, history, Day(60), policy).Band);
        Assert.Equal(ReliabilityBand.Mixed, aged.Band);
        Assert.InRange(risen.Score, bands.Reliable - bands.Margin, bands.Reliable + bands.Margin);
        Assert.Equal(ReliabilityBand.Mixed, risen.Band);
        // A topic's band ages out of Reliable the same way.
        var topic = SourceScorer.Score(Subject, Under("territory", "mopti", history), Day(1462), policy).Topics.Single();
        Assert.Equal((risen.Score, ReliabilityBand.Mixed), (topic.Estimate.Score, topic.Band));
    }

    [Fact]
    public void Retracting_before_a_revised_verdict_counts_as_correcting_before_resolution()
    {
        var score = Score([.. ResolvedClaim("x", "p", "yes", "yes", 0, 2),
            Retraction("r", "x", 5), Resolved("p", "other", 10, revision: 2)]);
        var x = score.Contributions.Single(c => c.ClaimId == "x");

        Assert.Equal(Timeless.Corrections.CorrectedBeforeResolution, x.Refuted, 12);
        Assert.Equal(0.0, x.Confirmed);
    }

    [Fact]
    public void On_an_open_proposition_a_reversal_toward_the_likelier_option_is_credited()
    {
        var provisional = new ProvisionalTruth(new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["p"] = new Dictionary<string, double> { ["yes"] = 0.2, ["no"] = 0.8 },
        });
        List<IReliabilityEvent> history = [Proposition("p"), Claim("x", "p", "yes", 0)];
        var standing = Score(history, provisional: provisional);
        history.AddRange([Correction("rev", "x", CorrectionKind.Reversed, 1, replacement: "x2"), Claim("x2", "p", "no", 1)]);
        var reversed = Score(history, provisional: provisional);

        var weight = Timeless.ProvisionalWeight;
        Assert.Equal(weight * 0.8, standing.Contributions.Single(c => c.ClaimId == "x").Refuted, 12);
        Assert.Equal(weight * 0.8 * Timeless.Corrections.CorrectedBeforeResolution,
            reversed.Contributions.Single(c => c.ClaimId == "x").Refuted, 12);
        Assert.All(reversed.Contributions, c => Assert.True(c.Provisional));
        // Metrics are about resolved propositions only.
        Assert.Equal(0, reversed.Corrections.RefutedClaims);
        Assert.Null(reversed.Corrections.SelfCorrectedShare);
    }

    [Fact]
    public void Echoing_a_verdict_already_published_earns_only_the_hindsight_share()
    {
        // The echo is the source's first word on its question: said again beside a standing claim it
        // would be a repeat, counted once with it.
        IReliabilityEvent[] history =
            [.. ResolvedClaim("early", "p", "yes", "yes", 0, 2), Proposition("q"), Resolved("q", "yes", 2), Claim("echo", "q", "yes", 3)];
        var echo = Score(history);
        var generous = Score(history, policy: Timeless with { HindsightWeight = 0.5 });

        Assert.Equal(1.0, echo.Contributions.Single(c => c.ClaimId == "early").Confirmed, 12);
        Assert.Equal(0.0, echo.Contributions.Single(c => c.ClaimId == "echo").Confirmed, 12);
        Assert.Equal(0.5, generous.Contributions.Single(c => c.ClaimId == "echo").Confirmed, 12);
        Assert.Contains("published after the verdict", echo.Contributions.Single(c => c.ClaimId == "echo").Reason);
        Assert.Equal(AdmiraltyCredibility.Confirmed, echo.Contributions.Single(c => c.ClaimId == "echo").Credibility);
    }

    [Fact]
    public void Credibility_follows_resolution_then_provisional_estimate()
    {
        var history = new IReliabilityEvent[]
        {
            Proposition("confirmed"), Claim("c1", "confirmed", "yes", 0), Resolved("confirmed", "yes", 1),
            Proposition("refuted"), Claim("c2", "refuted", "yes", 0), Resolved("refuted", "no", 1),
            Proposition("unknowable"), Claim("c3", "unknowable", "yes", 0), Unresolvable("unknowable", 1),
            Proposition("open"), Claim("c4", "open", "yes", 0),
            Proposition("estimated"), Claim("c5", "estimated", "yes", 0),
            Proposition("doubtful"), Claim("c6", "doubtful", "yes", 0),
        };
        var provisional = new ProvisionalTruth(new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["estimated"] = new Dictionary<string, double> { ["yes"] = 0.8, ["no"] = 0.2 },
            ["doubtful"] = new Dictionary<string, double> { ["yes"] = 0.3, ["no"] = 0.7 },
            // A provisional estimate never overrides a resolution.
            ["refuted"] = new Dictionary<string, double> { ["yes"] = 1.0 },
        });
        var score = Score(history, provisional: provisional);
        AdmiraltyCredibility Of(string id) => score.Contributions.Single(c => c.ClaimId == id).Credibility;

        Assert.Equal(AdmiraltyCredibility.Confirmed, Of("c1"));
        Assert.Equal(AdmiraltyCredibility.Improbable, Of("c2"));
        Assert.Equal(AdmiraltyCredibility.CannotBeJudged, Of("c3"));
        Assert.Equal(AdmiraltyCredibility.CannotBeJudged, Of("c4"));
        Assert.Equal(AdmiraltyCredibility.ProbablyTrue, Of("c5"));
        Assert.Equal(AdmiraltyCredibility.Doubtful, Of("c6"));
        Assert.True(score.HasProvisionalEvidence);
        Assert.Equal(2 * Timeless.ProvisionalWeight, score.ProvisionalEvidence, 12);
        var estimated = score.Contributions.Single(c => c.ClaimId == "c5");
        Assert.True(estimated.Provisional);
        Assert.Equal(Timeless.ProvisionalWeight * 0.8, estimated.Confirmed, 12);
        Assert.Equal(Timeless.ProvisionalWeight * 0.2, estimated.Refuted, 12);
        Assert.False(score.Contributions.Single(c => c.ClaimId == "c2").Provisional);
    }

    [Fact]
    public void A_claim_only_its_own_source_speaks_to_is_no_evidence_of_that_source()
    {
        var estimates = new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["alone"] = new Dictionary<string, double> { ["yes"] = 0.8, ["no"] = 0.2 },
            ["echoed"] = new Dictionary<string, double> { ["yes"] = 0.9, ["no"] = 0.1 },
        };
        var history = new IReliabilityEvent[]
        {
            Proposition("alone"), Claim("c1", "alone", "yes", 0), Proposition("echoed"), Claim("c2", "echoed", "yes", 0),
            // A resolution always wins: marking its proposition changes nothing.
            Proposition("settled"), Claim("c3", "settled", "yes", 0), Resolved("settled", "yes", 1),
        };
        var counted = Score(history, provisional: new ProvisionalTruth(estimates));
        var marked = Score(history, provisional: new ProvisionalTruth(estimates) { Uncorroborated = new HashSet<string> { "alone", "settled" } });
        ClaimContribution Of(SourceScore score, string id) => score.Contributions.Single(c => c.ClaimId == id);

        Assert.Equal(Timeless.ProvisionalWeight * 0.8, Of(counted, "c1").Confirmed, 12);
        Assert.Equal((0.0, 0.0, false), (Of(marked, "c1").Confirmed, Of(marked, "c1").Refuted, Of(marked, "c1").Provisional));
        Assert.Equal(AdmiraltyCredibility.CannotBeJudged, Of(marked, "c1").Credibility);
        Assert.Contains("no other source has claimed on it (provisional probability 0.80", Of(marked, "c1").Reason);
        Assert.Equal(Of(counted, "c2"), Of(marked, "c2"));
        Assert.Equal(Of(counted, "c3"), Of(marked, "c3"));
        Assert.Equal(counted.Overall.EffectiveEvidence - (Timeless.ProvisionalWeight * 1.0), marked.Overall.EffectiveEvidence, 12);
    }

    [Fact]
    public void The_band_depends_on_the_path_because_of_hysteresis()
    {
        // Both end at 7 confirmed and 3 refuted (mean 8/12, just under the 0.7 threshold but within
        // its margin): the source that was reliable stays reliable, the one that climbed stays mixed.
        var fromAbove = Score([.. ResolvedClaims(7, 0), .. RefutedFrom(100, 3)]);
        var fromBelow = Score([.. RefutedFrom(0, 3), .. ResolvedClaims(7, 0, startDay: 100)]);

        Assert.Equal(fromAbove.Score, fromBelow.Score, 12);
        Assert.Equal(ReliabilityBand.Reliable, fromAbove.Band);
        Assert.Equal(ReliabilityBand.Mixed, fromBelow.Band);
        Assert.Equal(ReliabilityBand.Mixed, BandRule.Next(null, fromAbove.Score, Timeless.Bands));
    }

    [Fact]
    public void A_topics_band_and_a_regions_depend_on_their_own_path_as_the_overall_band_does()
    {
        // Casualty figures end at 7 confirmed and 3 refuted in both histories (within the margin below
        // 0.7), after a run of confirmations in one and of refutations in the other; logistics claims,
        // all confirmed, keep the source reliable overall either way.
        IEnumerable<IReliabilityEvent> Tagged(int confirmed, int refuted, double startDay, string topic, string region) =>
            Under(topic, region, ResolvedClaims(confirmed, refuted, startDay));
        IEnumerable<IReliabilityEvent> Logistics() => Tagged(10, 0, 500, "logistics", "gao");
        var fromAbove = Score([.. Tagged(7, 0, 0, "casualties", "timbuktu"), .. Tagged(0, 3, 100, "casualties", "timbuktu"), .. Logistics()]);
        var fromBelow = Score([.. Tagged(0, 3, 0, "casualties", "timbuktu"), .. Tagged(7, 0, 100, "casualties", "timbuktu"), .. Logistics()]);
        TagScore Casualties(SourceScore score) => score.Topics.Single(t => t.Tag == "casualties");
        TagScore Timbuktu(SourceScore score) => score.Regions.Single(t => t.Tag == "timbuktu");

        Assert.Equal(Casualties(fromAbove).Estimate.Score, Casualties(fromBelow).Estimate.Score, 12);
        Assert.InRange(Casualties(fromAbove).Estimate.Score, Timeless.Bands.Reliable - Timeless.Bands.Margin, Timeless.Bands.Reliable);
        Assert.Equal((ReliabilityBand.Reliable, ReliabilityBand.Reliable), (fromAbove.Band, fromBelow.Band));
        Assert.Equal(ReliabilityBand.Reliable, Casualties(fromAbove).Band);
        Assert.Equal(ReliabilityBand.Mixed, Casualties(fromBelow).Band);
        Assert.Equal(ReliabilityBand.Reliable, Timbuktu(fromAbove).Band);
        Assert.Equal(ReliabilityBand.Mixed, Timbuktu(fromBelow).Band);
        Assert.Equal(ReliabilityBand.Reliable, fromBelow.Topics.Single(t => t.Tag == "logistics").Band);
        // The grade is the tag's own, under the score's policy.
        Assert.Equal(BetaPosterior.Grade(Casualties(fromBelow).Estimate, Timeless.Grades), Casualties(fromBelow).Grade);
        Assert.False(Casualties(fromBelow).Provisional);
    }

    [Fact]
    public void A_topics_series_has_a_point_where_its_own_evidence_moved_and_ends_as_the_score_shows_the_topic()
    {
        // Seven casualty figures confirmed, then three refuted; ten logistics claims confirmed later.
        IEnumerable<IReliabilityEvent> Tagged(int confirmed, int refuted, double startDay, string topic) =>
            Under(topic, "timbuktu", ResolvedClaims(confirmed, refuted, startDay));
        List<IReliabilityEvent> history = [.. Tagged(7, 0, 0, "casualties"), .. Tagged(0, 3, 100, "casualties"), .. Tagged(10, 0, 500, "logistics")];
        var score = Score(history);
        var series = SourceScorer.TagHistory(Subject, history, score, Timeless, TagKind.Topic, "casualties");
        var casualties = score.Topics.Single(t => t.Tag == "casualties");

        // Logistics moves the overall series, never the casualties one: its points all fall before day 500.
        Assert.True(series.Count < score.History.Count, $"{series.Count} points against {score.History.Count}");
        Assert.All(series.SkipLast(1), p => Assert.True(p.At < Day(500), $"{p.At:O}"));
        Assert.Equal(new ScorePoint(score.AsOf, casualties.Estimate.Score, casualties.Estimate.EffectiveEvidence, casualties.Band), series[^1]);
        // Reliable while confirmed, held through the refutations within the margin, as the final band says.
        Assert.Equal(ReliabilityBand.Reliable, casualties.Band);
        Assert.InRange(series[^2].Score, Timeless.Bands.Reliable - Timeless.Bands.Margin, Timeless.Bands.Reliable);
        Assert.Equal(ReliabilityBand.Reliable, series[^2].Band);
        Assert.Equal(10, series[^2].EffectiveEvidence, 9);
        Assert.Contains(series, p => p.Score > Timeless.Bands.Reliable && p.Band == ReliabilityBand.Reliable);

        // The region is every claim's: its series is the overall one at the moments evidence moved (a claim
        // recorded open weighs nothing on the walk, which judges verdicts alone), and the final point.
        var timbuktu = SourceScorer.TagHistory(Subject, history, score, Timeless, TagKind.Region, "timbuktu");
        var moved = score.History.Where((p, i) => i == score.History.Count - 1 || p.EffectiveEvidence != (i == 0 ? 0 : score.History[i - 1].EffectiveEvidence));
        Assert.Equal(moved.Select(p => (p.At, p.Band)), timbuktu.Select(p => (p.At, p.Band)));
        Assert.Equal(21, timbuktu.Count);
        Assert.Empty(SourceScorer.TagHistory(Subject, history, score, Timeless, TagKind.Topic, "territory"));
        Assert.Throws<ArgumentException>(() => SourceScorer.TagHistory(Subject, history, score, Timeless with { Version = "other" }, TagKind.Topic, "casualties"));
    }

    [Fact]
    public void An_estimate_moving_back_and_forth_at_a_boundary_keeps_the_band_readers_were_last_shown()
    {
        // Ten open claims and no verdict: the walk holds no band, and the estimate alone moves the score.
        // Every question under one topic and region, whose bands must follow the overall band's rule.
        List<IReliabilityEvent> history = [.. Under("casualties", "timbuktu",
            Enumerable.Range(0, 10).SelectMany(i => new IReliabilityEvent[] { Proposition($"p{i}"), Claim($"c{i}", $"p{i}", "yes", i) }))];
        SourceScore Estimated(double p, ReliabilityBand? shown = null)
        {
            var estimate = new ProvisionalTruth(Enumerable.Range(0, 10).ToDictionary(
                i => $"p{i}", IReadOnlyDictionary<string, double> (_) => new Dictionary<string, double> { ["yes"] = p, ["no"] = 1 - p }));
            var score = SourceScorer.Score(Subject, history, Day(1000), Timeless, estimate, shown);
            // Shown the same band for the topic and the region alone, they hold it as the overall band does.
            var tags = shown is { } band
                ? new ShownTagBands(new Dictionary<string, ReliabilityBand> { ["casualties"] = band }, new Dictionary<string, ReliabilityBand> { ["timbuktu"] = band })
                : null;
            var tagged = SourceScorer.Score(Subject, history, Day(1000), Timeless, estimate, shownTags: tags);
            Assert.Equal(score.Band, tagged.Topics.Single().Band);
            Assert.Equal(score.Band, tagged.Regions.Single().Band);
            return score;
        }

        // The score is linear in the estimate: find the estimates that put it where each step needs it.
        var (none, all) = (Estimated(0).Score, Estimated(1).Score);
        SourceScore At(double score, ReliabilityBand? shown = null) => Estimated((score - none) / (all - none), shown);
        var bands = Timeless.Bands;
        var (justBelow, justAbove, wellBelow) = (bands.Reliable - (bands.Margin / 2), bands.Reliable + (bands.Margin / 2), bands.Reliable - (2 * bands.Margin));

        // Shown nothing yet, the thresholds alone decide, as they always did.
        Assert.Equal(ReliabilityBand.Mixed, At(justBelow).Band);
        Assert.Equal(ReliabilityBand.Reliable, At(justAbove).Band);
        Assert.Equal(At(justAbove).Band, At(justAbove, ReliabilityBand.InsufficientRecord).Band);

        // Shown reliable, a dip within the margin keeps it, at the final point of the series too; a fall past it does not.
        var dipped = At(justBelow, ReliabilityBand.Reliable);
        Assert.Equal(ReliabilityBand.Reliable, dipped.Band);
        Assert.Equal(ReliabilityBand.Reliable, dipped.History[^1].Band);
        Assert.Equal(At(justBelow).Score, dipped.Score, 12);
        Assert.Equal(ReliabilityBand.Mixed, At(wellBelow, ReliabilityBand.Reliable).Band);

        // Shown mixed, a rise within the margin keeps it mixed.
        Assert.Equal(ReliabilityBand.Mixed, At(justAbove, ReliabilityBand.Mixed).Band);
        Assert.Equal(ReliabilityBand.Reliable, At(bands.Reliable + (2 * bands.Margin), ReliabilityBand.Mixed).Band);
    }

    [Fact]
    public void The_score_history_is_a_series_ending_at_the_as_of_time()
    {
        var score = Score(ResolvedClaims(5, 0), asOfDay: 50);

        Assert.Equal(Day(50), score.History[^1].At);
        Assert.Equal(score.Score, score.History[^1].Score, 12);
        Assert.True(score.History.Count > 5);
        Assert.Equal(ReliabilityBand.InsufficientRecord, score.History[0].Band);
        Assert.All(score.History.Zip(score.History.Skip(1)), pair => Assert.True(pair.First.At < pair.Second.At));
    }

    [Fact]
    public void A_long_history_walked_with_running_totals_matches_a_fresh_score_at_every_point_checked()
    {
        // Years of claims at distinct times, decaying fast, resolved, corrected and reversed long after:
        // the walk's running totals must not drift from what summing the contributions afresh gives.
        var random = new Random(20261126);
        var events = new List<IReliabilityEvent>();
        for (var i = 0; i < 2_000; i++)
        {
            var day = i * 0.7;
            var option = random.Next(2) == 0 ? "yes" : "no";
            events.Add(Proposition($"p{i}", day: day));
            events.Add(Claim($"c{i}", $"p{i}", option, day, hedge: (Hedge)random.Next(3)));
            if (random.NextDouble() < 0.6)
            {
                events.Add(Resolved($"p{i}", random.Next(3) == 0 ? "no" : "yes", day + (random.NextDouble() * 400)));
            }

            switch (random.Next(20))
            {
                case 0:
                    events.Add(Retraction($"r{i}", $"c{i}", day + (random.NextDouble() * 30)));
                    break;
                case 1:
                    events.Add(SilentDeletion($"d{i}", $"c{i}", day + (random.NextDouble() * 30)));
                    break;
                case 2:
                    var reversedAt = day + (random.NextDouble() * 30);
                    events.Add(Correction($"v{i}", $"c{i}", CorrectionKind.Reversed, reversedAt, replacement: $"c{i}-rev"));
                    events.Add(Claim($"c{i}-rev", $"p{i}", option == "yes" ? "no" : "yes", reversedAt));
                    break;
            }
        }

        var policy = ScoringPolicy.Beta with { RecencyHalfLife = TimeSpan.FromDays(30) };
        var score = SourceScorer.Score(Subject, events, Day(2_000), policy);

        Assert.True(score.History.Count > 2_000, $"{score.History.Count} points");
        for (var k = 0; k < 25; k++)
        {
            var point = score.History[k * (score.History.Count - 1) / 24];
            var then = SourceScorer.Score(Subject, events, point.At, policy);
            Assert.Equal(then.Score, point.Score, 1e-9);
            Assert.Equal(then.Overall.EffectiveEvidence, point.EffectiveEvidence, 1e-9 * Math.Max(1.0, then.Overall.EffectiveEvidence));
            Assert.Equal(then.Band, point.Band);
        }
    }

    [Fact]
    public void Topic_and_region_scores_use_only_the_claims_tagged_so()
    {
        var history = new IReliabilityEvent[]
        {
            Proposition("logistics", topics: ["logistics"], region: "timbuktu"),
            Claim("l", "logistics", "yes", 0), Resolved("logistics", "yes", 1),
            Proposition("casualties", topics: ["casualties"], region: "timbuktu"),
            Claim("k", "casualties", "yes", 0), Resolved("casualties", "no", 1),
        };
        var score = Score(history);

        Assert.Equal(["casualties", "logistics"], score.Topics.Select(t => t.Tag));
        Assert.Equal(2.0 / 3.0, score.Topics.Single(t => t.Tag == "logistics").Estimate.Score, 12);
        Assert.Equal(1.0 / 3.0, score.Topics.Single(t => t.Tag == "casualties").Estimate.Score, 12);
        Assert.Equal(0.5, score.Regions.Single(r => r.Tag == "timbuktu").Estimate.Score, 12);
    }

    [Fact]
    public void Older_evidence_weighs_less()
    {
        var history = ResolvedClaims(1, 0).ToList();
        var policy = ScoringPolicy.Beta;

        var fresh = Score(history, asOfDay: 0.5, policy: policy);
        var yearOld = Score(history, asOfDay: 365.5, policy: policy);

        Assert.Equal(fresh.Overall.Confirmed / 2, yearOld.Overall.Confirmed, 12);
        Assert.True(yearOld.Score < fresh.Score);
    }

    [Fact]
    public void An_invalid_policy_is_refused()
    {
        var laundering = ScoringPolicy.Beta with
        {
            Corrections = ScoringPolicy.Beta.Corrections with { SilentDeletion = 0.5 },
        };

        Assert.NotEmpty(laundering.Problems());
        Assert.Empty(ScoringPolicy.Beta.Problems());
        Assert.Throws<ArgumentException>(() => Score([], policy: laundering));
    }

    /// <summary>The events with every proposition opened under one topic and one region.</summary>
    private static IEnumerable<IReliabilityEvent> Under(string topic, string region, IEnumerable<IReliabilityEvent> events) =>
        events.Select(e => e is PropositionOpened opened ? opened with { Proposition = opened.Proposition with { Topics = [topic], Region = region } } : e);

    private static IEnumerable<IReliabilityEvent> RefutedFrom(double startDay, int count) =>
        ResolvedClaims(0, count, startDay);
}
