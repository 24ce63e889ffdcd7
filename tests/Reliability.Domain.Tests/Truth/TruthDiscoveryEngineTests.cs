using Reliability.Domain.Truth;

namespace Reliability.Domain.Tests.Truth;

public sealed class TruthDiscoveryEngineTests
{
    private static readonly TruthDiscoveryEngine Engine = new();

    [Fact]
    public void Resolved_object_keeps_its_value_with_certainty_even_against_the_majority()
    {
        var claims = new[]
        {
            new TruthClaim("army", "base-held", "army"),
            new TruthClaim("agency", "base-held", "army"),
            new TruthClaim("local", "base-held", "jnim"),
        };

        var result = Engine.Discover(new TruthDiscoveryInput(claims, [new ResolvedTruth("base-held", "jnim")]));

        var verdict = Assert.Single(result.Objects);
        Assert.True(verdict.IsResolved);
        Assert.Equal("jnim", verdict.MostProbableValue);
        Assert.Equal(1.0, verdict.Probability);
        Assert.Equal(0.0, verdict.Candidates.Single(c => c.Value == "army").Probability);
    }

    [Fact]
    public void A_source_with_a_corroborated_record_is_not_outvoted_by_accounts_that_never_posted_before()
    {
        // "desk" agrees with "wire" ten times, then twenty accounts, each posting once, dispute it one to one.
        var claims = new List<TruthClaim>();
        for (var i = 0; i < 10; i++)
        {
            claims.Add(new TruthClaim("desk", $"agreed-{i}", "x"));
            claims.Add(new TruthClaim("wire", $"agreed-{i}", "x"));
        }

        for (var i = 0; i < 20; i++)
        {
            claims.Add(new TruthClaim("desk", $"disputed-{i}", "held"));
            claims.Add(new TruthClaim($"newcomer-{i}", $"disputed-{i}", "fell"));
        }

        // Two newcomers who agree are another matter: their value is backed twice.
        claims.Add(new TruthClaim("desk", "disputed-by-two", "held"));
        claims.Add(new TruthClaim("newcomer-a", "disputed-by-two", "fell"));
        claims.Add(new TruthClaim("newcomer-b", "disputed-by-two", "fell"));

        var result = Engine.Discover(new TruthDiscoveryInput(claims));

        var disputes = result.Objects.Where(o => o.ObjectId.StartsWith("disputed-", StringComparison.Ordinal) && o.ObjectId != "disputed-by-two");
        Assert.All(disputes, o => Assert.Equal("held", o.MostProbableValue));
        Assert.Equal("fell", result.Objects.Single(o => o.ObjectId == "disputed-by-two").MostProbableValue);
        var desk = result.Sources.Single(s => s.SourceId == "desk").Reliability;
        Assert.All(result.Sources.Where(s => s.SourceId.StartsWith("newcomer-", StringComparison.Ordinal)), s => Assert.True(desk > s.Reliability));
    }

    [Fact]
    public void Newcomers_are_trusted_as_far_as_other_newcomers_proved_right_on_resolved_questions()
    {
        // "desk" was right on 10 of 12 resolved questions; on each, an account that never posted
        // again claimed a wrong answer. Two more such accounts now dispute the desk on an open question.
        var claims = new List<TruthClaim>();
        var resolved = new List<ResolvedTruth>();
        for (var i = 0; i < 12; i++)
        {
            claims.Add(new TruthClaim("desk", $"resolved-{i}", i < 10 ? "true" : "false"));
            claims.Add(new TruthClaim($"passer-by-{i}", $"resolved-{i}", "rumour"));
            resolved.Add(new ResolvedTruth($"resolved-{i}", "true"));
        }

        claims.Add(new TruthClaim("desk", "open", "held"));
        claims.Add(new TruthClaim("newcomer-a", "open", "fell"));
        claims.Add(new TruthClaim("newcomer-b", "open", "fell"));
        // A source the caller vouches for keeps the prior it was given, newcomer or not.
        claims.Add(new TruthClaim("desk", "vouched", "held"));
        claims.Add(new TruthClaim("envoy", "vouched", "fell"));
        SourcePrior[] priors = [new("envoy", 19, 1)];

        var result = Engine.Discover(new TruthDiscoveryInput(claims, resolved, priors));
        var withoutPassersBy = Engine.Discover(new TruthDiscoveryInput(
            [.. claims.Where(c => !c.SourceId.StartsWith("passer-by-", StringComparison.Ordinal))], resolved, priors));

        Assert.Equal("held", result.Objects.Single(o => o.ObjectId == "open").MostProbableValue);
        var newcomer = result.Sources.Single(s => s.SourceId == "newcomer-a").Reliability;
        Assert.InRange(newcomer, 0.2, 0.5);
        // With no newcomer's record to go by, two of them at the default prior outvote the desk.
        Assert.Equal("fell", withoutPassersBy.Objects.Single(o => o.ObjectId == "open").MostProbableValue);
        Assert.Equal("fell", result.Objects.Single(o => o.ObjectId == "vouched").MostProbableValue);
        Assert.True(result.Sources.Single(s => s.SourceId == "envoy").Reliability > 0.85);
    }

    [Fact]
    public void A_source_that_won_every_resolved_dispute_with_a_group_is_believed_against_it_again()
    {
        // Four aggregators agree with the airline on 200 resolved flights and share the same wrong
        // time on 12 of its own. Their records (about 0.94) say little of that; their disputes do.
        var (claims, resolved) = AirlineAndAggregators(disputedOwnFlights: 12);
        claims.Add(new TruthClaim("airline", "open-own-flight", "7:05"));
        claims.AddRange(Aggregators.Select(a => new TruthClaim(a, "open-own-flight", "7:07")));

        var result = Engine.Discover(new TruthDiscoveryInput(claims, resolved));
        var withoutDisputes = new TruthDiscoveryEngine(TruthPolicy.Default with { WeighHeadToHead = false })
            .Discover(new TruthDiscoveryInput(claims, resolved));

        Assert.Equal("7:05", result.Objects.Single(o => o.ObjectId == "open-own-flight").MostProbableValue);
        Assert.Equal("7:07", withoutDisputes.Objects.Single(o => o.ObjectId == "open-own-flight").MostProbableValue);
    }

    [Fact]
    public void A_few_lost_disputes_are_no_pair_effect()
    {
        // Two flights in dispute: a group of accurate sources disagreeing with the airline twice is chance, not a pattern.
        var (claims, resolved) = AirlineAndAggregators(disputedOwnFlights: 2);
        claims.Add(new TruthClaim("airline", "open-own-flight", "7:05"));
        claims.AddRange(Aggregators.Select(a => new TruthClaim(a, "open-own-flight", "7:07")));
        var input = new TruthDiscoveryInput(claims, resolved);

        var result = Engine.Discover(input);
        var withoutDisputes = new TruthDiscoveryEngine(TruthPolicy.Default with { WeighHeadToHead = false }).Discover(input);

        Assert.Equal(
            withoutDisputes.Objects.Select(o => (o.ObjectId, o.MostProbableValue, o.Probability)),
            result.Objects.Select(o => (o.ObjectId, o.MostProbableValue, o.Probability)));
    }

    [Fact]
    public void Where_sources_err_independently_resolved_disputes_change_nothing()
    {
        var (record, options) = SyntheticNewsroom.YesNo(questions: 600, sources: 40, perQuestion: 6, lowest: 0.55, highest: 0.95, seed: 11);
        var resolved = record.Truth.OrderBy(t => t.Key, StringComparer.Ordinal).Where((_, i) => i % 2 == 0)
            .Select(t => new ResolvedTruth(t.Key, t.Value)).ToList();
        var input = new TruthDiscoveryInput(record.Claims, resolved, Options: options);

        var result = Engine.Discover(input);
        var withoutDisputes = new TruthDiscoveryEngine(TruthPolicy.Default with { WeighHeadToHead = false }).Discover(input);

        Assert.Equal(
            withoutDisputes.Objects.Select(o => (o.ObjectId, o.MostProbableValue, o.Probability)),
            result.Objects.Select(o => (o.ObjectId, o.MostProbableValue, o.Probability)));
    }

    private static readonly string[] Aggregators = ["aggregator-a", "aggregator-b", "aggregator-c", "aggregator-d"];

    private static (List<TruthClaim> Claims, List<ResolvedTruth> Resolved) AirlineAndAggregators(int disputedOwnFlights)
    {
        var claims = new List<TruthClaim>();
        var resolved = new List<ResolvedTruth>();
        for (var i = 0; i < 200 + disputedOwnFlights; i++)
        {
            var flight = $"flight-{i:D3}";
            var disputed = i >= 200;
            claims.Add(new TruthClaim("airline", flight, "on time"));
            claims.AddRange(Aggregators.Select(a => new TruthClaim(a, flight, disputed ? "late" : "on time")));
            resolved.Add(new ResolvedTruth(flight, "on time"));
        }

        return (claims, resolved);
    }

    [Fact]
    public void Resolved_value_nobody_claimed_becomes_a_candidate()
    {
        var result = Engine.Discover(new TruthDiscoveryInput(
            [new TruthClaim("army", "toll", "12")],
            [new ResolvedTruth("toll", "14")]));

        Assert.Equal("14", Assert.Single(result.Objects).MostProbableValue);
        Assert.True(result.Sources.Single().Reliability < TruthPolicy.Default.PriorReliability);
    }

    [Fact]
    public void Anchors_teach_which_sources_to_trust_on_open_objects()
    {
        // "wire" is right on every resolved object, "rumour" wrong; on the open object they disagree.
        var claims = new List<TruthClaim>();
        var resolved = new List<ResolvedTruth>();
        for (var i = 0; i < 10; i++)
        {
            claims.Add(new TruthClaim("wire", $"event-{i}", "true"));
            claims.Add(new TruthClaim("rumour", $"event-{i}", "false"));
            resolved.Add(new ResolvedTruth($"event-{i}", "true"));
        }

        claims.Add(new TruthClaim("wire", "open", "a"));
        claims.Add(new TruthClaim("rumour", "open", "b"));

        var result = Engine.Discover(new TruthDiscoveryInput(claims, resolved));

        Assert.Equal("a", result.Objects.Single(o => o.ObjectId == "open").MostProbableValue);
        var wire = result.Sources.Single(s => s.SourceId == "wire");
        var rumour = result.Sources.Single(s => s.SourceId == "rumour");
        Assert.True(wire.Lower > rumour.Upper);
    }

    [Fact]
    public void Two_sources_with_near_perfect_records_vote_alike()
    {
        // Both records put the sources above the vote cap; the longer one should not decide alone.
        ResolvedTruth[] resolved = [.. Enumerable.Range(0, 100).Select(i => new ResolvedTruth($"event-{i}", "true"))];
        TruthClaim[] claims =
        [
            .. resolved.Select(r => new TruthClaim("veteran", r.ObjectId, r.Value)),
            .. resolved.Take(40).Select(r => new TruthClaim("newcomer", r.ObjectId, r.Value)),
            new TruthClaim("veteran", "open", "a"),
            new TruthClaim("newcomer", "open", "b"),
        ];

        var result = Engine.Discover(new TruthDiscoveryInput(claims, resolved));

        var sources = result.Sources.ToDictionary(s => s.SourceId);
        Assert.True(sources["veteran"].Reliability > sources["newcomer"].Reliability);
        Assert.True(sources["newcomer"].Reliability > TruthPolicy.Default.VoteReliabilityCap);
        var open = result.Objects.Single(o => o.ObjectId == "open");
        Assert.Equal(0.5, open.Candidates.Single(c => c.Value == "a").Probability, 12);
    }

    [Fact]
    public void A_declared_relay_adds_less_support_than_an_independent_claim()
    {
        TruthClaim[] Claims(string? relayOf) =>
        [
            new("army", "town-taken", "no"),
            new("reposter", "town-taken", "no", RelayOf: relayOf),
            new("witness-1", "town-taken", "yes"),
        ];

        double SupportForNo(string? relayOf) =>
            Engine.Discover(new TruthDiscoveryInput(Claims(relayOf))).Objects.Single()
                .Candidates.Single(c => c.Value == "no").Probability;

        Assert.True(SupportForNo("army") < SupportForNo(null));
    }

    [Fact]
    public void A_lower_claim_weight_adds_less_support()
    {
        double SupportForYes(double weight) =>
            Engine.Discover(new TruthDiscoveryInput(
            [
                new TruthClaim("a", "x", "yes", weight),
                new TruthClaim("b", "x", "no"),
                new TruthClaim("c", "x", "yes"),
            ])).Objects.Single().Candidates.Single(c => c.Value == "yes").Probability;

        Assert.True(SupportForYes(0.3) < SupportForYes(1.0));
    }

    [Fact]
    public void Copiers_repeating_false_values_do_not_outvote_independent_reliable_sources()
    {
        var data = SyntheticNewsroom.WithCopyingGroup(objects: 100, independents: 5, copiers: 6, seed: 7);

        var result = Engine.Discover(new TruthDiscoveryInput(data.Claims));

        var predicted = result.Objects.ToDictionary(o => o.ObjectId, o => o.MostProbableValue);
        var copiedFalsehoods = data.CopiedFalsehoods.ToList();
        Assert.NotEmpty(copiedFalsehoods);
        // Plain voting gets every one of these wrong: the copiers outnumber the independents.
        Assert.All(copiedFalsehoods, o => Assert.Equal(data.Truth[o], predicted[o]));
        Assert.True(SyntheticNewsroom.Accuracy(predicted, data.Truth) >= 0.95);
    }

    [Fact]
    public void Without_copy_detection_the_copiers_win()
    {
        var data = SyntheticNewsroom.WithCopyingGroup(objects: 100, independents: 5, copiers: 6, seed: 7);

        var result = new TruthDiscoveryEngine(TruthPolicy.Default with { DetectCopying = false })
            .Discover(new TruthDiscoveryInput(data.Claims));

        var predicted = result.Objects.ToDictionary(o => o.ObjectId, o => o.MostProbableValue);
        Assert.All(data.CopiedFalsehoods, o => Assert.NotEqual(data.Truth[o], predicted[o]));
    }

    [Fact]
    public void A_group_that_copies_most_of_what_one_source_says_does_not_beat_counting()
    {
        // The group makes the verdicts on its own objects and is rated on them; judged with those
        // ratings its agreement looked like accuracy, and the engine did worse than a plain count.
        var data = SyntheticNewsroom.WithPartialCopyingGroup(objects: 1_000, seed: 11);

        var result = Engine.Discover(new TruthDiscoveryInput(data.Claims));

        var predicted = result.Objects.ToDictionary(o => o.ObjectId, o => o.MostProbableValue);
        var engine = SyntheticNewsroom.Accuracy(predicted, data.Truth);
        var counting = SyntheticNewsroom.Accuracy(SyntheticNewsroom.MajorityVote(data.Claims), data.Truth);
        Assert.True(engine > counting + 0.03, $"engine {engine:F3}, majority vote {counting:F3}");
        var rated = result.Sources.ToDictionary(s => s.SourceId, s => s.Reliability);
        Assert.True(rated["origin"] < 0.85, $"the origin, right 70 % of the time, is rated {rated["origin"]:F3}");
    }

    [Fact]
    public void One_claim_sources_do_not_get_extreme_reliability()
    {
        var result = Engine.Discover(new TruthDiscoveryInput(
        [
            new TruthClaim("one-post-account", "a", "x"),
            new TruthClaim("another-account", "b", "y"),
            new TruthClaim("third-account", "b", "z"),
        ]));

        Assert.All(result.Sources, s =>
        {
            Assert.InRange(s.Reliability, 0.2, 0.95);
            Assert.True(s.Upper - s.Lower > 0.2, $"{s.SourceId}: interval [{s.Lower}, {s.Upper}] is too sure for one claim");
            Assert.Equal(TruthPolicy.Default.ProvisionalEvidenceWeight, s.EffectiveEvidence);
        });
    }

    [Fact]
    public void More_confirmed_claims_narrow_the_interval()
    {
        var claims = new List<TruthClaim>();
        var resolved = new List<ResolvedTruth>();
        for (var i = 0; i < 30; i++)
        {
            claims.Add(new TruthClaim("prolific", $"o{i}", "v"));
            resolved.Add(new ResolvedTruth($"o{i}", "v"));
        }

        claims.Add(new TruthClaim("newcomer", "o0", "v"));
        var result = Engine.Discover(new TruthDiscoveryInput(claims, resolved));

        var prolific = result.Sources.Single(s => s.SourceId == "prolific");
        var newcomer = result.Sources.Single(s => s.SourceId == "newcomer");
        Assert.True(prolific.Upper - prolific.Lower < newcomer.Upper - newcomer.Lower);
        Assert.True(prolific.Lower > newcomer.Lower);
    }

    [Fact]
    public void Ties_go_to_the_first_value_in_value_order()
    {
        var result = Engine.Discover(new TruthDiscoveryInput(
        [
            new TruthClaim("s1", "o", "b"),
            new TruthClaim("s2", "o", "a"),
        ]));

        var verdict = result.Objects.Single();
        Assert.Equal("a", verdict.MostProbableValue);
        Assert.Equal(0.5, verdict.Probability, 9);
    }

    [Fact]
    public void A_source_prior_shifts_whom_to_believe()
    {
        var claims = new[] { new TruthClaim("trusted", "o", "b"), new TruthClaim("unknown", "o", "a") };

        var result = Engine.Discover(new TruthDiscoveryInput(claims, Priors: [new SourcePrior("trusted", 50, 1)]));

        Assert.Equal("b", result.Objects.Single().MostProbableValue);
    }

    [Fact]
    public void A_lone_claim_on_declared_options_is_as_likely_as_its_source_is_reliable()
    {
        // Strong priors hold the reliabilities where they are, so the expected probabilities are known.
        var claims = new[] { new TruthClaim("army", "camp", "repelled"), new TruthClaim("channel", "road", "open") };
        var priors = new[] { new SourcePrior("army", 700, 300), new SourcePrior("channel", 200, 800) };
        var options = new Dictionary<string, IReadOnlyList<string>>
        {
            ["camp"] = ["repelled", "taken"],
            ["road"] = ["open", "closed", "mined"],
            ["nobody-claimed"] = ["yes", "no"],
        };

        var undeclared = Engine.Discover(new TruthDiscoveryInput(claims, Priors: priors));
        var declared = Engine.Discover(new TruthDiscoveryInput(claims, Priors: priors, Options: options));

        Assert.All(undeclared.Objects, o => Assert.Equal(1.0, o.Probability));
        Assert.Equal(["camp", "road"], declared.Objects.Select(o => o.ObjectId));
        var camp = declared.Objects[0];
        Assert.Equal(["repelled", "taken"], camp.Candidates.Select(c => c.Value));
        Assert.Equal([1, 0], camp.Candidates.Select(c => c.Claimants));
        Assert.Equal(0.7, camp.Candidates[0].Probability, 2);
        Assert.Equal(0.3, camp.Candidates[1].Probability, 2);
        // A source wrong four times in five makes its option less likely than each of the others.
        var road = declared.Objects[1];
        Assert.Equal(1.0, road.Candidates.Sum(c => c.Probability), 9);
        Assert.Equal(0.2, road.Candidates.Single(c => c.Value == "open").Probability, 2);
        Assert.NotEqual("open", road.MostProbableValue);
    }

    [Fact]
    public void Each_value_counts_the_sources_that_claim_it_once_each()
    {
        var result = Engine.Discover(new TruthDiscoveryInput(
            [
                new TruthClaim("army", "camp", "repelled"), new TruthClaim("army", "camp", "repelled", 0.5),
                new TruthClaim("relay", "camp", "repelled", RelayOf: "army"), new TruthClaim("channel", "camp", "taken"),
            ],
            [new ResolvedTruth("toll", "14")]));

        Assert.Equal([("repelled", 2), ("taken", 1)], result.Objects.Single(o => o.ObjectId == "camp").Candidates.Select(c => (c.Value, c.Claimants)));
        Assert.Equal(0, result.Objects.Single(o => o.ObjectId == "toll").Candidates.Single().Claimants);
    }

    [Fact]
    public void Declared_options_set_how_many_false_values_a_vote_counts()
    {
        // Three barely-better-than-chance sources against one good one. Assuming at least five false
        // values, agreeing is rare by chance and three agreeing outweigh one; on a yes/no question
        // they agree by chance more than half the time, and the good source is right.
        var claims = new[]
        {
            new TruthClaim("weak-1", "q", "yes"), new TruthClaim("weak-2", "q", "yes"), new TruthClaim("weak-3", "q", "yes"),
            new TruthClaim("good", "q", "no"),
        };
        SourcePrior[] priors =
        [
            new("weak-1", 550, 450), new("weak-2", 550, 450), new("weak-3", 550, 450), new("good", 900, 100),
        ];

        var undeclared = Engine.Discover(new TruthDiscoveryInput(claims, Priors: priors));
        var yesNo = Engine.Discover(new TruthDiscoveryInput(claims, Priors: priors, Options: new Dictionary<string, IReadOnlyList<string>> { ["q"] = ["yes", "no"] }));

        Assert.Equal("yes", undeclared.Objects.Single().MostProbableValue);
        Assert.Equal("no", yesNo.Objects.Single().MostProbableValue);
    }

    [Fact]
    public void Declared_options_in_another_order_give_the_same_result()
    {
        TruthClaim[] claims = [new("a", "q", "x"), new("b", "q", "y"), new("c", "q", "x"), new("a", "r", "y")];
        var forward = Engine.Discover(new TruthDiscoveryInput(claims, Options: new Dictionary<string, IReadOnlyList<string>> { ["q"] = ["x", "y", "z"] }));
        var backward = Engine.Discover(new TruthDiscoveryInput(claims, Options: new Dictionary<string, IReadOnlyList<string>> { ["q"] = ["z", "y", "x", "y"] }));

        Assert.Equal(
            forward.Objects.SelectMany(o => o.Candidates.Select(c => (o.ObjectId, c.Value, c.Probability))),
            backward.Objects.SelectMany(o => o.Candidates.Select(c => (o.ObjectId, c.Value, c.Probability))));
        Assert.Equal(forward.Sources, backward.Sources);
    }

    [Fact]
    public void A_value_claimed_but_not_declared_still_counts()
    {
        var result = Engine.Discover(new TruthDiscoveryInput(
            [new TruthClaim("a", "q", "maybe"), new TruthClaim("b", "q", "maybe")],
            Options: new Dictionary<string, IReadOnlyList<string>> { ["q"] = ["yes", "no"] }));

        var verdict = result.Objects.Single();
        Assert.Equal(["maybe", "no", "yes"], verdict.Candidates.Select(c => c.Value));
        Assert.Equal("maybe", verdict.MostProbableValue);
    }

    [Theory]
    [InlineData("only")]
    [InlineData("same|same")]
    [InlineData("")]
    public void Fewer_than_two_distinct_declared_options_are_rejected(string options) =>
        Assert.Throws<ArgumentException>(() => Engine.Discover(new TruthDiscoveryInput(
            [new TruthClaim("s", "q", "v")],
            Options: new Dictionary<string, IReadOnlyList<string>> { ["q"] = options.Split('|', StringSplitOptions.RemoveEmptyEntries) })));

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Claim_weight_outside_zero_to_one_is_rejected(double weight) =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Engine.Discover(new TruthDiscoveryInput([new TruthClaim("s", "o", "v", weight)])));

    [Fact]
    public void Conflicting_resolutions_are_rejected() =>
        Assert.Throws<ArgumentException>(() => Engine.Discover(new TruthDiscoveryInput(
            [new TruthClaim("s", "o", "v")],
            [new ResolvedTruth("o", "v"), new ResolvedTruth("o", "w")])));

    [Theory]
    [InlineData(60, 7)] // each source shares enough with others to be measured on its own
    [InlineData(3_000, 20)] // ten claims a source, as on the service: measured as one group
    public void A_record_of_coin_flips_is_stated_close_to_chance_not_as_certain(int sources, int perQuestion)
    {
        var (record, options) = SyntheticNewsroom.YesNo(questions: 1_500, sources, perQuestion, lowest: 0.5, highest: 0.5, seed: 3);
        var input = new TruthDiscoveryInput(record.Claims, Options: options);

        var stated = Engine.Discover(input).Objects;
        var uncooled = new TruthDiscoveryEngine(TruthPolicy.Default with { TemperByAgreement = false }).Discover(input).Objects;

        // The sources rate each other up by agreeing by chance; what their agreement shows once
        // chance is taken out holds the verdicts near an even share.
        Assert.True(uncooled.Average(o => o.Probability) > 0.75, $"uncooled {uncooled.Average(o => o.Probability):F3}");
        Assert.True(stated.Average(o => o.Probability) < 0.62, $"stated {stated.Average(o => o.Probability):F3}");
        Assert.True(stated.Count(o => o.Probability >= 0.9) < stated.Count / 50, $"{stated.Count(o => o.Probability >= 0.9)} verdicts at 0.9 or more");
    }

    [Fact]
    public void Noise_on_one_desk_does_not_flatten_another_desks_estimates()
    {
        var (signal, signalOptions) = SyntheticNewsroom.YesNo(questions: 500, sources: 30, perQuestion: 7, lowest: 0.6, highest: 0.9, seed: 8);
        var (noise, noiseOptions) = SyntheticNewsroom.YesNo(questions: 3_000, sources: 60, perQuestion: 10, lowest: 0.5, highest: 0.5, seed: 9);
        // The same generator names its sources and questions alike: the noise gets names of its own.
        var noisy = noise.Claims.Select(c => c with { SourceId = "noisy-" + c.SourceId, ObjectId = "noisy-" + c.ObjectId }).ToList();
        var options = signalOptions.Concat(noiseOptions.Select(o => KeyValuePair.Create("noisy-" + o.Key, o.Value))).ToDictionary();

        var alone = Engine.Discover(new TruthDiscoveryInput(signal.Claims, Options: signalOptions)).Objects;
        var together = Engine.Discover(new TruthDiscoveryInput([.. signal.Claims, .. noisy], Options: options)).Objects;

        // The desk is stated as it is on its own (measured with the noise, its sources' agreement
        // would be nearly chance, and it would be cooled to near an even share). Within a hair: the
        // estimate runs until every part of the record has settled, so beside the noise the desk
        // gets a few more rounds.
        var desk = alone.Zip(together.Where(o => !o.ObjectId.StartsWith("noisy-", StringComparison.Ordinal))).ToList();
        Assert.Equal(500, desk.Count);
        Assert.All(desk, pair => Assert.Equal(pair.First.ObjectId, pair.Second.ObjectId));
        Assert.All(desk, pair => Assert.Equal(pair.First.Probability, pair.Second.Probability, 0.05));
        Assert.True(Math.Abs(desk.Average(p => p.First.Probability - p.Second.Probability)) < 0.005);
        Assert.True(alone.Average(o => o.Probability) > 0.9);
        Assert.InRange(together.Where(o => o.ObjectId.StartsWith("noisy-", StringComparison.Ordinal)).Average(o => o.Probability), 0.5, 0.55);
    }

    [Fact]
    public void A_source_measured_by_verdicts_keeps_its_say_among_sources_that_agree_by_chance()
    {
        var (noise, options) = SyntheticNewsroom.YesNo(questions: 1_000, sources: 60, perQuestion: 7, lowest: 0.5, highest: 0.5, seed: 12);
        // A wire that editors have checked on 40 questions, right on all of them, also answers 100
        // open ones, and is right on those too.
        var checkedQuestions = noise.Truth.Keys.Order(StringComparer.Ordinal).Take(40).ToList();
        var open = noise.Truth.Keys.Order(StringComparer.Ordinal).Skip(40).Take(100).ToList();
        var wire = checkedQuestions.Concat(open).Select(q => new TruthClaim("wire", q, noise.Truth[q])).ToList();
        var input = new TruthDiscoveryInput([.. noise.Claims, .. wire], [.. checkedQuestions.Select(q => new ResolvedTruth(q, noise.Truth[q]))], Options: options);

        var verdicts = Engine.Discover(input).Objects.ToDictionary(o => o.ObjectId);

        // The coin flips around it say nothing either way; the wire's record does.
        Assert.True(open.Average(q => verdicts[q].Probability) > 0.8, $"{open.Average(q => verdicts[q].Probability):F3} where the wire answers");
        Assert.InRange(noise.Truth.Keys.Except(checkedQuestions).Except(open).Average(q => verdicts[q].Probability), 0.5, 0.55);
    }

    [Fact]
    public void Where_sources_carry_a_signal_the_stated_probability_stays_near_how_often_verdicts_are_right()
    {
        var (record, options) = SyntheticNewsroom.YesNo(questions: 1_500, sources: 60, perQuestion: 7, lowest: 0.55, highest: 0.9, seed: 4);

        var verdicts = Engine.Discover(new TruthDiscoveryInput(record.Claims, Options: options)).Objects;

        var right = SyntheticNewsroom.Accuracy(verdicts.ToDictionary(o => o.ObjectId, o => o.MostProbableValue), record.Truth);
        Assert.InRange(verdicts.Average(o => o.Probability), right - 0.03, right + 0.03);
    }

    [Fact]
    public void No_claims_give_an_empty_result()
    {
        var result = Engine.Discover(new TruthDiscoveryInput([]));

        Assert.Empty(result.Objects);
        Assert.Empty(result.Sources);
    }
}
