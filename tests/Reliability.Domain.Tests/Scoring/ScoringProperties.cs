using System.Text.Json;

namespace Reliability.Domain.Tests.Scoring;

/// <summary>The newsroom's expectations of scores, checked over generated histories and policies.</summary>
public sealed class ScoringProperties
{
    // Below this a claim's decayed weight is lost in the rounding of the totals, so only the
    // non-strict form of an inequality can be asked of the score.
    private const double Meaningful = 1e-6;

    // Mean = (α + c)/(α + β + c + r) is monotone in c and r, but its rounding is not, by an ulp or
    // so; non-strict comparisons of scores allow that much.
    private const double Rounding = 1e-12;

    private static readonly Gen<(Scenario Scenario, ScoringPolicy Policy)> Cases =
        Gen.Select(Generators.Scenario, Generators.Policy);

    private static SourceScore Score(Scenario scenario, ScoringPolicy policy) =>
        SourceScorer.Score(Subject, scenario.Events, scenario.AsOf, policy, scenario.Provisional);

    private static string Json(SourceScore score) => JsonSerializer.Serialize(score);

    private static ClaimContribution Contribution(SourceScore score, string claimId) =>
        score.Contributions.Single(c => c.ClaimId == claimId);

    [Fact]
    public void Generated_policies_are_inside_the_allowed_range() =>
        Generators.Policy.Sample(policy => Assert.Empty(policy.Problems()));

    [Fact]
    public void Scores_lie_in_the_unit_interval_and_inside_their_credible_interval() =>
        Cases.Sample((scenario, policy) =>
        {
            var score = Score(scenario, policy);
            foreach (var estimate in score.Topics.Concat(score.Regions).Select(t => t.Estimate).Append(score.Overall))
            {
                Assert.InRange(estimate.Score, 0.0, 1.0);
                Assert.InRange(estimate.Score, estimate.Lower, estimate.Upper);
                Assert.Equal(estimate.EffectiveEvidence < policy.MinimumEvidence, estimate.Insufficient);
            }

            Assert.Equal(score.Overall.Insufficient, score.Band == ReliabilityBand.InsufficientRecord);
            Assert.Equal(score.Overall.Insufficient, score.Grade == AdmiraltyReliability.F);
        });

    [Fact]
    public void Contributions_add_up_to_the_evidence_totals_and_the_score() =>
        Cases.Sample((scenario, policy) =>
        {
            var score = Score(scenario, policy);
            var confirmed = score.Contributions.Sum(c => c.Confirmed);
            var refuted = score.Contributions.Sum(c => c.Refuted);

            Assert.Equal(confirmed, score.Overall.Confirmed);
            Assert.Equal(refuted, score.Overall.Refuted);
            Assert.Equal((policy.PriorConfirmed + confirmed) / (policy.PriorConfirmed + policy.PriorRefuted + confirmed + refuted),
                score.Score, 12);
            Assert.All(score.Contributions, c => Assert.True(c.Confirmed >= 0 && c.Refuted >= 0 && !string.IsNullOrEmpty(c.Reason)));
            Assert.Equal(scenario.SubjectClaims.Select(c => c.Id).Order(), score.Contributions.Select(c => c.ClaimId).Order());
        });

    [Fact]
    public void Claims_only_their_source_speaks_to_add_no_evidence_and_leave_every_other_claim_as_it_was() =>
        Gen.Select(Cases, Gen.Int[0, int.MaxValue]).Sample((@case, mask) =>
        {
            var (scenario, policy) = @case;
            var alone = scenario.Provisional.Probabilities.Keys.Where((_, i) => ((mask >> (i % 31)) & 1) == 1).ToHashSet(StringComparer.Ordinal);
            var counted = Score(scenario, policy);
            var marked = SourceScorer.Score(Subject, scenario.Events, scenario.AsOf, policy, scenario.Provisional with { Uncorroborated = alone });

            Assert.True(marked.Overall.EffectiveEvidence <= counted.Overall.EffectiveEvidence + Rounding);
            foreach (var before in counted.Contributions)
            {
                var after = Contribution(marked, before.ClaimId);
                if (alone.Contains(before.PropositionId) && before.Provisional)
                {
                    Assert.Equal((0.0, 0.0, false, AdmiraltyCredibility.CannotBeJudged), (after.Confirmed, after.Refuted, after.Provisional, after.Credibility));
                }
                else
                {
                    Assert.Equal(before, after);
                }
            }
        });

    [Fact]
    public void A_confirmed_claim_never_lowers_the_score_and_a_refuted_one_never_raises_it() =>
        Gen.Select(Cases, Gen.Double[0, 1], Gen.Double[0, 1], Gen.Bool).Sample((@case, publish, resolve, confirmed) =>
        {
            var (scenario, policy) = @case;
            var day = scenario.AsOfDay * publish;
            // Min: day + (asOf − day) × 1.0 can round past asOf, leaving the verdict in the future.
            var resolved = Math.Min(scenario.AsOfDay, day + ((scenario.AsOfDay - day) * resolve));
            var added = scenario.With(ResolvedClaim("new", "fresh", "yes", confirmed ? "yes" : "no", day, resolved));

            var before = Score(scenario, policy);
            var after = Score(added, policy);
            var weight = Contribution(after, "new");

            if (confirmed)
            {
                Assert.True(after.Score >= before.Score - Rounding, $"{after.Score} < {before.Score}");
                Assert.True(weight.Confirmed > 0 && weight.Refuted == 0);
                Assert.True(weight.Confirmed < Meaningful || after.Score > before.Score);
            }
            else
            {
                Assert.True(after.Score <= before.Score + Rounding, $"{after.Score} > {before.Score}");
                Assert.True(weight.Refuted > 0 && weight.Confirmed == 0);
                Assert.True(weight.Refuted < Meaningful || after.Score < before.Score);
            }
        });

    [Fact]
    public void Public_correction_before_resolution_beats_after_beats_silence_and_standing() =>
        Gen.Select(Cases, Gen.Double[1, 60], Gen.Double[0, 0.99], Gen.Double[0, 60]).Sample((@case, gap, early, late) =>
        {
            var (scenario, policy) = @case;
            var published = scenario.AsOfDay;
            var resolved = published + gap;
            var asOf = resolved + late + 1;
            var falseClaim = scenario.With(ResolvedClaim("x", "fresh", "yes", "no", published, resolved)) with { AsOfDay = asOf };

            var before = Score(falseClaim.With(Retraction("fix", "x", published + (gap * early))), policy);
            var after = Score(falseClaim.With(Retraction("fix", "x", resolved + late)), policy);
            var silent = Score(falseClaim.With(SilentDeletion("fix", "x", published + (gap * early))), policy);
            var standing = Score(falseClaim, policy);

            var (b, a, s, n) = (Contribution(before, "x").Refuted, Contribution(after, "x").Refuted,
                Contribution(silent, "x").Refuted, Contribution(standing, "x").Refuted);
            Assert.True(b < a && a < n && n <= s, $"against weights: before {b}, after {a}, standing {n}, silent {s}");
            Assert.True(before.Score >= after.Score - Rounding && after.Score >= standing.Score - Rounding
                && standing.Score >= silent.Score - Rounding);
            Assert.True(n < Meaningful || (before.Score > after.Score && after.Score > standing.Score));
            Assert.Equal(standing.Corrections.SilentDeletions + 1, silent.Corrections.SilentDeletions);
        });

    [Fact]
    public void A_reversal_toward_the_truth_earns_credit_a_reversal_away_does_not() =>
        Gen.Select(Cases, Gen.Double[1, 60]).Sample((@case, gap) =>
        {
            var (scenario, policy) = @case;
            var day = scenario.AsOfDay;
            var claims = scenario.With(ResolvedClaim("x", "fresh", "yes", "no", day, day + gap)) with { AsOfDay = day + gap };
            var standing = Score(claims, policy);
            var toward = Score(claims.With(
                Correction("rev", "x", CorrectionKind.Reversed, day + 0.5, replacement: "x2"),
                Claim("x2", "fresh", "no", day + 0.5)), policy);
            var away = Score(claims.With(
                Correction("rev", "x", CorrectionKind.Reversed, day + 0.5, replacement: "x2"),
                Claim("x2", "fresh", "other", day + 0.5)), policy);

            Assert.True(Contribution(toward, "x").Refuted < Contribution(standing, "x").Refuted);
            Assert.Equal(Contribution(standing, "x").Refuted, Contribution(away, "x").Refuted);
            Assert.True(toward.Score >= standing.Score - Rounding && standing.Score >= away.Score - Rounding);
            Assert.Equal(standing.Corrections.ReversalsTowardTruth + 1, toward.Corrections.ReversalsTowardTruth);
            Assert.Equal(standing.Corrections.ReversalsAwayFromTruth, away.Corrections.ReversalsAwayFromTruth);
        });

    [Fact]
    public void A_chain_of_reversals_never_scores_above_saying_the_truth_once_and_correcting_the_first_claim() =>
        Gen.Select(Cases, Gen.Int[1, 2].Array[1, 9], Gen.Double[0, 5].Array[10], Gen.Int[0, 2], Gen.Double[0, 1])
            .Sample((@case, turns, gaps, truth, verdict) =>
        {
            var (scenario, policy) = @case;
            // The source says o0, then turns to another option each time, each claim reversed into the next.
            var said = new List<int> { 0 };
            var days = new List<double> { scenario.AsOfDay };
            foreach (var turn in turns)
            {
                said.Add((said[^1] + turn) % 3);
                days.Add(days[^1] + gaps[days.Count]);
            }

            var truthOption = $"o{truth}";
            var settled = scenario.With(
                Proposition("fresh", ["o0", "o1", "o2"]),
                Resolved("fresh", truthOption, scenario.AsOfDay + (verdict * (days[^1] + 1 - scenario.AsOfDay))),
                Claim("x0", "fresh", "o0", days[0])) with { AsOfDay = days[^1] + 2 };
            var chain = settled.With([.. Enumerable.Range(1, said.Count - 1).SelectMany(k => new IReliabilityEvent[]
            {
                Correction($"v{k}", $"x{k - 1}", CorrectionKind.Reversed, days[k], replacement: $"x{k}"),
                Claim($"x{k}", "fresh", $"o{said[k]}", days[k]),
            })]);
            // The first claim corrected, when the chain first withdrew it, toward the truth the chain first said.
            var firstTrue = said.IndexOf(truth);
            var plain = firstTrue switch
            {
                0 => settled,
                > 0 => settled.With(
                    Correction("v1", "x0", CorrectionKind.Reversed, days[1], replacement: "truth"), Claim("truth", "fresh", truthOption, days[firstTrue])),
                _ => settled.With(Retraction("v1", "x0", days[1])),
            };

            var (chained, once) = (Score(chain, policy), Score(plain, policy));
            Assert.True(chained.Score <= once.Score + Rounding, $"chain {string.Join(",", said)} scores {chained.Score} > {once.Score}");
            Assert.True(chained.Overall.Confirmed <= once.Overall.Confirmed + Rounding);
        });

    [Fact]
    public void A_silent_deletion_never_scores_above_leaving_the_claim_standing() =>
        Gen.Select(Cases, Gen.Int[0, 100], Gen.Double[0, 1]).Sample((@case, pick, when) =>
        {
            var (scenario, policy) = @case;
            var claims = scenario.SubjectClaims.ToList();
            if (claims.Count == 0)
            {
                return;
            }

            var claim = claims[pick % claims.Count];
            var deleted = scenario.With(SilentDeletion("silent", claim.Id, scenario.AsOfDay * when));
            var standing = Score(scenario, policy);
            var after = Score(deleted, policy);

            Assert.True(after.Score <= standing.Score + Rounding, $"{after.Score} > {standing.Score}");
            Assert.True(Contribution(after, claim.Id).Refuted >= Contribution(standing, claim.Id).Refuted);
            Assert.True(Contribution(after, claim.Id).Confirmed == Contribution(standing, claim.Id).Confirmed);
        });

    [Fact]
    public void Saying_a_standing_claim_again_changes_nothing_but_the_list_of_claims() =>
        Gen.Select(Cases, Gen.Int[0, 100]).Sample((@case, pick) =>
        {
            var (scenario, policy) = @case;
            // Never withdrawn, deleted or reached by a reversal: a claim that simply stands.
            var corrections = scenario.Events.OfType<CorrectionRecorded>().Select(c => c.Correction).ToList();
            var touched = corrections.Where(c => c.Kind != CorrectionKind.Amended).Select(c => c.ClaimId)
                .Concat(corrections.Select(c => c.ReplacementClaimId).OfType<string>())
                .ToHashSet();
            var claims = scenario.SubjectClaims.Where(c => !touched.Contains(c.Id)).ToList();
            if (claims.Count == 0)
            {
                return;
            }

            var claim = claims[pick % claims.Count];
            var again = scenario.With(new ClaimRecorded(claim with { Id = $"{claim.Id}-again", Url = null }));
            var once = Score(scenario, policy);
            var twice = Score(again, policy);

            Assert.Equal((once.Overall.Confirmed, once.Overall.Refuted), (twice.Overall.Confirmed, twice.Overall.Refuted));
            Assert.Equal(once.Score, twice.Score);
            Assert.Equal(once.History.Select(p => (p.At, p.Score, p.Band)), twice.History.Select(p => (p.At, p.Score, p.Band)));
            Assert.Equal((0.0, 0.0), (Contribution(twice, $"{claim.Id}-again").Confirmed, Contribution(twice, $"{claim.Id}-again").Refuted));
            // The claim is on the record, refuted or not, but corrects nothing and deletes nothing.
            Assert.Equal(
                (once.Corrections.CorrectedBySource, once.Corrections.SilentDeletions, once.Corrections.ReversalsTowardTruth, once.Corrections.ReversalsAwayFromTruth),
                (twice.Corrections.CorrectedBySource, twice.Corrections.SilentDeletions, twice.Corrections.ReversalsTowardTruth, twice.Corrections.ReversalsAwayFromTruth));
        });

    [Fact]
    public void Recording_a_claim_or_correction_twice_changes_nothing() =>
        Gen.Select(Cases, Gen.Int[0, 100], Gen.Double[0, 100]).Sample((@case, pick, later) =>
        {
            var (scenario, policy) = @case;
            var claims = scenario.Events.OfType<ClaimRecorded>().ToList();
            if (claims.Count == 0)
            {
                return;
            }

            var original = claims[pick % claims.Count].Claim;
            var copy = original with { Option = "o2", Hedge = Hedge.Asserted, PublishedAt = original.PublishedAt.AddDays(later) };
            var repeated = scenario.With([new ClaimRecorded(copy), .. scenario.Events.OfType<CorrectionRecorded>()]);

            Assert.Equal(Json(Score(scenario, policy)), Json(Score(repeated, policy)));
        });

    [Fact]
    public void The_score_as_of_t_is_the_score_of_the_history_truncated_to_t() =>
        Gen.Select(Cases, Gen.Double[0, 800]).Sample((@case, day) =>
        {
            var (scenario, policy) = @case;
            var at = scenario with { AsOfDay = day };
            var truncated = at with { Events = [.. scenario.Events.Where(e => e.OccurredAt <= Day(day))] };

            Assert.Equal(Json(Score(at, policy)), Json(Score(truncated, policy)));
        });

    [Fact]
    public void Each_point_of_the_score_history_is_the_score_as_of_that_point() =>
        Cases.Sample((scenario, policy) =>
        {
            var score = Score(scenario with { Provisional = ProvisionalTruth.None }, policy);

            Assert.Equal(score.AsOf, score.History[^1].At);
            foreach (var point in score.History)
            {
                // The walk keeps its totals up to date instead of summing every claim afresh at each
                // point, so they may differ from a fresh sum in the last bits (ClaimWeights).
                var then = SourceScorer.Score(Subject, scenario.Events, point.At, policy);
                Assert.Equal(then.Score, point.Score, 1e-12);
                Assert.Equal(then.Overall.EffectiveEvidence, point.EffectiveEvidence, 1e-9 * Math.Max(1.0, then.Overall.EffectiveEvidence));
                Assert.Equal(then.Band, point.Band);
            }
        });

    [Fact]
    public void A_claim_judged_alone_matches_its_contribution_to_the_source() =>
        Cases.Sample((scenario, policy) =>
        {
            var score = Score(scenario, policy);
            foreach (var claim in scenario.SubjectClaims)
            {
                Assert.Equal(Contribution(score, claim.Id),
                    SourceScorer.AssessClaim(claim.Id, scenario.Events, scenario.AsOf, policy, scenario.Provisional));
            }

            Assert.Null(SourceScorer.AssessClaim("unknown", scenario.Events, scenario.AsOf, policy));
        });

    [Fact]
    public void The_score_does_not_depend_on_the_order_events_arrive_in() =>
        Cases.Sample((scenario, policy) =>
        {
            var reversed = scenario with { Events = [.. scenario.Events.Reverse()] };

            Assert.Equal(Json(Score(scenario, policy)), Json(Score(reversed, policy)));
        });

    [Fact]
    public void A_relay_moves_the_score_less_than_an_independent_claim() =>
        Gen.Select(Cases, Gen.Double[0, 1], Gen.Bool).Sample((@case, publish, confirmed) =>
        {
            var (scenario, policy) = @case;
            var day = scenario.AsOfDay * publish;
            var truth = confirmed ? "yes" : "no";
            var before = Score(scenario, policy);
            var independent = Score(scenario.With(ResolvedClaim("new", "fresh", "yes", truth, day, day)), policy);
            var relay = Score(scenario.With(ResolvedClaim("new", "fresh", "yes", truth, day, day, relayOf: "wire")), policy);

            var (i, r) = (Contribution(independent, "new"), Contribution(relay, "new"));
            Assert.True(r.Confirmed + r.Refuted < i.Confirmed + i.Refuted);
            Assert.True(Math.Abs(relay.Score - before.Score) <= Math.Abs(independent.Score - before.Score) + Rounding);
        });

    [Fact]
    public void One_confirmed_claim_out_of_one_is_never_certain_nor_enough() =>
        Gen.Select(Generators.Policy, Gen.Double[0, 400]).Sample((policy, age) =>
        {
            var score = SourceScorer.Score(Subject, ResolvedClaim("only", "p", "yes", "yes", 0, 0), Day(age),
                policy with { MinimumEvidence = Math.Max(1.01, policy.MinimumEvidence) });

            Assert.Equal(ReliabilityBand.InsufficientRecord, score.Band);
            Assert.Equal(AdmiraltyReliability.F, score.Grade);
            Assert.True(score.Score < 1.0 && score.Overall.Upper < 1.0);
        });

    [Fact]
    public void A_revised_resolution_rescores_the_source() =>
        Gen.Select(Cases, Gen.Double[1, 60]).Sample((@case, gap) =>
        {
            var (scenario, policy) = @case;
            var day = scenario.AsOfDay;
            var first = scenario.With(ResolvedClaim("x", "fresh", "yes", "yes", day, day)) with { AsOfDay = day + gap };
            var revised = first.With(Resolved("fresh", "other", day + gap, revision: 2));

            var (was, now) = (Score(first, policy), Score(revised, policy));
            Assert.Equal(AdmiraltyCredibility.Confirmed, Contribution(was, "x").Credibility);
            Assert.Equal(AdmiraltyCredibility.Improbable, Contribution(now, "x").Credibility);
            Assert.True(now.Score <= was.Score + Rounding);
            Assert.True(Contribution(was, "x").Confirmed < Meaningful || now.Score < was.Score);
        });

    [Fact]
    public void A_score_hovering_at_a_threshold_within_the_margin_keeps_its_band() =>
        Gen.Select(Generators.Policy, Gen.Int[0, 3], Gen.Double[-0.999, 0.999].Array[1, 30]).Sample((policy, side, wobble) =>
        {
            var bands = policy.Bands with { Margin = Math.Max(policy.Bands.Margin, 0.001) };
            // Each held band next to the threshold it hovers at.
            var (held, threshold) = side switch
            {
                0 => (ReliabilityBand.Reliable, bands.Reliable),
                1 => (ReliabilityBand.Mixed, bands.Reliable),
                2 => (ReliabilityBand.Mixed, bands.Unreliable),
                _ => (ReliabilityBand.Unreliable, bands.Unreliable),
            };

            foreach (var w in wobble)
            {
                Assert.Equal(held, BandRule.Next(held, threshold + (w * bands.Margin), bands));
            }

            // Crossing by more than the margin does move it.
            var beyond = threshold + (held is ReliabilityBand.Reliable || (held is ReliabilityBand.Mixed && threshold == bands.Unreliable)
                ? -1.01 * bands.Margin - 1e-9
                : 1.01 * bands.Margin + 1e-9);
            Assert.NotEqual(held, BandRule.Next(held, beyond, bands));
        });

    /// <summary>The history with every proposition under one topic and one region.</summary>
    private static IReadOnlyList<IReliabilityEvent> UnderOneTag(IEnumerable<IReliabilityEvent> events) =>
        [.. events.Select(e => e switch
        {
            PropositionOpened opened => opened with { Proposition = opened.Proposition with { Topics = ["casualties"], Region = "timbuktu" } },
            ClaimRecorded { Proposition: { } carried } recorded => recorded with { Proposition = carried with { Topics = ["casualties"], Region = "timbuktu" } },
            _ => e,
        })];

    /// <summary>A long run of resolved claims at random times, mostly one way or the other in stretches, so bands move.</summary>
    private static readonly Gen<(IReadOnlyList<IReliabilityEvent> Events, double AsOfDay)> LongRecord =
        from outcomes in Gen.Select(Gen.Double[0, 1], Gen.Double[0, 1]).Array[10, 60]
        from asOf in Gen.Double[0, 900]
        select ((IReadOnlyList<IReliabilityEvent>)[.. outcomes.SelectMany((o, i) =>
        {
            var day = (i * 12) + (o.Item2 * 10);
            // The chance a claim is right drifts from stretch to stretch, crossing the thresholds back and forth.
            var right = o.Item1 < 0.5 + (0.45 * Math.Sin(i / 4.0));
            return new IReliabilityEvent[] { Proposition($"p{i}", day: day), Claim($"c{i}", $"p{i}", "yes", day), Resolved($"p{i}", right ? "yes" : "no", day + o.Item2) };
        })], asOf);

    /// <summary>Scenarios and long records with every proposition under one topic and region, scored as of their moment.</summary>
    private static readonly Gen<(IReadOnlyList<IReliabilityEvent> Tagged, SourceScore Score, ScoringPolicy Policy)> TaggedRecords =
        Gen.OneOf(
                Cases.Select(c => (c.Scenario.Events, c.Scenario.AsOfDay, c.Scenario.Provisional, c.Policy)),
                Gen.Select(LongRecord, Generators.Policy).Select(c => (c.Item1.Events, c.Item1.AsOfDay, ProvisionalTruth.None, c.Item2)))
            .Select(c =>
            {
                var tagged = UnderOneTag(c.Item1);
                return (tagged, SourceScorer.Score(Subject, tagged, Day(c.Item2), c.Item4, c.Item3), c.Item4);
            });

    [Fact]
    public void A_tag_every_claim_carries_has_the_overall_band_at_every_point_of_the_history() =>
        TaggedRecords.Sample((tagged, score, policy) =>
            {
                foreach (var then in score.History.Select(p => SourceScorer.Score(Subject, tagged, p.At, policy)).Append(score))
                {
                    // A claim can be dated before its proposition was opened: as of then it carries no tag.
                    var opened = tagged.OfType<PropositionOpened>().Where(o => o.At <= then.AsOf).Select(o => o.Proposition.Id).ToHashSet();
                    if (!then.Contributions.All(c => opened.Contains(c.PropositionId)) || then.Contributions.Count == 0)
                    {
                        continue;
                    }

                    foreach (var tag in new[] { then.Topics.Single(), then.Regions.Single() })
                    {
                        // Summed in another order: equal to within rounding, which digits-after-the-point can straddle.
                        Assert.Equal(then.Overall.Score, tag.Estimate.Score, 1e-12);
                        Assert.Equal(then.Band, tag.Band);
                        Assert.Equal(then.Grade, tag.Grade);
                        Assert.Equal(then.HasProvisionalEvidence, tag.Provisional);
                    }
                }
            });

    [Fact]
    public void A_tag_every_claim_carries_has_a_series_whose_every_point_is_the_overall_series_point_of_that_moment() =>
        TaggedRecords.Sample((tagged, score, policy) =>
            {
                // A claim dated before its proposition was opened carries no tag until then.
                var opened = tagged.OfType<PropositionOpened>().ToDictionary(o => o.Proposition.Id, o => o.At);
                var claimedBeforeOpened = tagged.OfType<ClaimRecorded>().Any(c => c.Claim.PublishedAt < opened.GetValueOrDefault(c.Claim.PropositionId, DateTimeOffset.MaxValue));
                if (score.Topics.Count == 0 || claimedBeforeOpened)
                {
                    return;
                }

                foreach (var (kind, tag) in new[] { (TagKind.Topic, "casualties"), (TagKind.Region, "timbuktu") })
                {
                    var series = SourceScorer.TagHistory(Subject, tagged, score, policy, kind, tag);
                    Assert.Equal(score.History[^1], series[^1]);
                    Assert.Equal(series.Select(p => p.At).Order(), series.Select(p => p.At));
                    foreach (var point in series)
                    {
                        // A point wherever the tag's evidence moved: a moment of the overall series, with its score and band.
                        var overall = Assert.Single(score.History, p => p.At == point.At);
                        Assert.Equal(overall.Score, point.Score, 1e-12);
                        Assert.Equal(overall.EffectiveEvidence, point.EffectiveEvidence, 1e-9);
                        Assert.Equal(overall.Band, point.Band);
                    }
                }
            });

    [Fact]
    public void A_settled_band_is_the_one_every_held_band_leads_to_and_only_the_margins_are_unsettled() =>
        Gen.Select(Generators.Policy, Gen.Double[0, 1]).Sample((policy, score) =>
        {
            var bands = policy.Bands;
            var led = new ReliabilityBand?[] { null, ReliabilityBand.Reliable, ReliabilityBand.Mixed, ReliabilityBand.Unreliable }
                .Select(held => BandRule.Next(held, score, bands)).Distinct().ToList();
            if (BandRule.Settled(score, bands) is { } settled)
            {
                Assert.Equal([settled], led);
            }
            else
            {
                Assert.True(led.Count > 1 || bands.Margin == 0, $"{score} is settled by every held band, {led[0]}");
                Assert.True(Math.Abs(score - bands.Reliable) <= bands.Margin || Math.Abs(score - bands.Unreliable) <= bands.Margin);
            }
        });
}
