using Reliability.Domain.Truth;

namespace Reliability.Domain.Tests.Truth;

public sealed class TruthDiscoveryPropertyTests
{
    private static readonly TruthDiscoveryEngine Engine = new();

    private static readonly Gen<TruthClaim> GenClaim =
        Gen.Select(
            Gen.Int[0, 7],
            Gen.Int[0, 5],
            Gen.OneOfConst("a", "b", "c", "a;b", "120", "121"),
            Gen.Int[1, 10],
            Gen.Int[0, 9],
            (source, obj, value, weight, relay) => new TruthClaim(
                $"source-{source}",
                $"object-{obj}",
                value,
                weight / 10.0,
                relay == 0 ? $"source-{(source + 1) % 8}" : null));

    private static readonly Gen<TruthClaim[]> GenClaims = GenClaim.Array[1, 40];

    [Fact]
    public void Probabilities_of_each_object_lie_in_unit_interval_and_sum_to_one() =>
        GenClaims.Sample(claims =>
        {
            var result = Engine.Discover(new TruthDiscoveryInput(claims));
            Assert.Equal(claims.Select(c => c.ObjectId).Distinct().Count(), result.Objects.Count);
            foreach (var verdict in result.Objects)
            {
                Assert.All(verdict.Candidates, c => Assert.InRange(c.Probability, 0.0, 1.0));
                Assert.Equal(1.0, verdict.Candidates.Sum(c => c.Probability), 9);
                Assert.Equal(verdict.Candidates.Max(c => c.Probability), verdict.Probability);
            }
        });

    [Fact]
    public void Reliabilities_lie_inside_their_credible_intervals() =>
        GenClaims.Sample(claims =>
        {
            var result = Engine.Discover(new TruthDiscoveryInput(claims));
            Assert.All(result.Sources, s =>
            {
                Assert.InRange(s.Lower, 0.0, s.Reliability);
                Assert.InRange(s.Upper, s.Reliability, 1.0);
                Assert.True(s.EffectiveEvidence > 0);
            });
        });

    [Fact]
    public void Resolved_objects_come_back_as_their_fixed_value_with_probability_one() =>
        Gen.Select(GenClaims, Gen.Int[0, 1000]).Sample((claims, pick) =>
        {
            var anchored = claims[pick % claims.Length];
            var resolved = new ResolvedTruth(anchored.ObjectId, claims[(pick / 7) % claims.Length].Value);

            var result = Engine.Discover(new TruthDiscoveryInput(claims, [resolved]));

            var verdict = result.Objects.Single(o => o.ObjectId == resolved.ObjectId);
            Assert.True(verdict.IsResolved);
            Assert.Equal(resolved.Value, verdict.MostProbableValue);
            Assert.Equal(1.0, verdict.Probability);
            Assert.All(result.Objects.Where(o => o.ObjectId != resolved.ObjectId), o => Assert.False(o.IsResolved));
        });

    [Fact]
    public void The_same_claims_in_another_order_give_the_same_result() =>
        Gen.Select(GenClaims, Gen.Int).Sample((claims, seed) =>
        {
            var shuffled = claims.ToArray();
            new Random(seed).Shuffle(shuffled);

            var first = Engine.Discover(new TruthDiscoveryInput(claims));
            var second = Engine.Discover(new TruthDiscoveryInput(shuffled));

            Assert.Equal(Flatten(first), Flatten(second));
        });

    // Times from a handful of hours, some claims without: ties and untimed claims are common.
    private static readonly Gen<TruthClaim[]> GenTimedClaims =
        Gen.Select(GenClaim, Gen.Int[-1, 4]).Select((claim, hour) =>
            claim with { At = hour < 0 ? null : new DateTimeOffset(2023, 9, 28, hour, 0, 0, TimeSpan.Zero) }).Array[1, 40];

    [Fact]
    public void Timed_claims_in_another_order_give_the_same_result() =>
        Gen.Select(GenTimedClaims, Gen.Int).Sample((claims, seed) =>
        {
            var shuffled = claims.ToArray();
            new Random(seed).Shuffle(shuffled);

            Assert.Equal(Flatten(Engine.Discover(new TruthDiscoveryInput(claims))), Flatten(Engine.Discover(new TruthDiscoveryInput(shuffled))));
        });

    [Fact]
    public void A_claim_superseded_by_its_source_counts_as_if_it_had_never_been_made() =>
        GenTimedClaims.Sample(claims =>
        {
            // The rule written out plainly: a timed claim goes when its source later said another
            // value of the same object.
            var standing = claims.Where(c => c.At is not { } at || !claims.Any(other =>
                other.SourceId == c.SourceId && other.ObjectId == c.ObjectId && other.Value != c.Value && other.At > at)).ToArray();

            Assert.Equal(Flatten(Engine.Discover(new TruthDiscoveryInput(standing))), Flatten(Engine.Discover(new TruthDiscoveryInput(claims))));
        });

    [Fact]
    public void Declared_options_are_all_weighed_whatever_the_order_of_claims_and_options() =>
        Gen.Select(GenClaims, Gen.Int).Sample((claims, seed) =>
        {
            var random = new Random(seed);
            string[] domain = ["a", "b", "c", "a;b", "120", "121"];
            var shuffledDomain = domain.ToArray();
            random.Shuffle(shuffledDomain);
            var shuffledClaims = claims.ToArray();
            random.Shuffle(shuffledClaims);
            // Every other object declares the whole domain its values are drawn from.
            var declared = claims.Select(c => c.ObjectId).Where(o => o[^1] % 2 == 0).Distinct().ToList();

            var result = Engine.Discover(new TruthDiscoveryInput(claims, Options: declared.ToDictionary(o => o, _ => (IReadOnlyList<string>)domain)));
            var reordered = Engine.Discover(new TruthDiscoveryInput(shuffledClaims, Options: declared.ToDictionary(o => o, _ => (IReadOnlyList<string>)shuffledDomain)));

            Assert.Equal(Flatten(result), Flatten(reordered));
            Assert.Equal(claims.Select(c => c.ObjectId).Distinct().Count(), result.Objects.Count);
            foreach (var verdict in result.Objects)
            {
                Assert.All(verdict.Candidates, c => Assert.InRange(c.Probability, 0.0, 1.0));
                Assert.Equal(1.0, verdict.Candidates.Sum(c => c.Probability), 9);
                if (declared.Contains(verdict.ObjectId))
                {
                    Assert.Equal(domain.Order(StringComparer.Ordinal), verdict.Candidates.Select(c => c.Value));
                }
            }
        });

    [Fact]
    public void Sources_are_reported_once_each_in_id_order() =>
        GenClaims.Sample(claims =>
        {
            var ids = Engine.Discover(new TruthDiscoveryInput(claims)).Sources.Select(s => s.SourceId).ToList();
            Assert.Equal(claims.Select(c => c.SourceId).Distinct().Order(StringComparer.Ordinal), ids);
        });

    [Fact]
    public void Reliability_above_the_vote_cap_adds_no_further_weight() =>
        GenClaims.Sample(claims =>
        {
            // source-0 makes at most 40 claims, so both priors keep it between the cap and the floor.
            var engine = new TruthDiscoveryEngine(TruthPolicy.Default with { DetectCopying = false });
            var good = engine.Discover(new TruthDiscoveryInput(claims, Priors: [new SourcePrior("source-0", 1940, 60)]));
            var better = engine.Discover(new TruthDiscoveryInput(claims, Priors: [new SourcePrior("source-0", 9800, 200)]));

            Assert.Equal(Probabilities(good), Probabilities(better));
        });

    [Fact]
    public void Stating_a_verdict_no_surer_than_agreement_shows_changes_no_verdict_or_rating_and_raises_no_probability() =>
        GenClaims.Sample(claims =>
        {
            var input = new TruthDiscoveryInput(claims);
            var stated = Engine.Discover(input);
            var uncooled = new TruthDiscoveryEngine(TruthPolicy.Default with { TemperByAgreement = false }).Discover(input);

            Assert.Equal(uncooled.Objects.Select(o => o.MostProbableValue), stated.Objects.Select(o => o.MostProbableValue));
            Assert.Equal(uncooled.Sources, stated.Sources);
            foreach (var (before, after) in uncooled.Objects.Zip(stated.Objects))
            {
                Assert.True(after.Probability <= before.Probability + 1e-12, $"{after.ObjectId}: {before.Probability:R} -> {after.Probability:R}");
                Assert.True(after.Probability >= (1.0 / after.Candidates.Count) - 1e-12);
            }
        });

    private static List<string> Probabilities(TruthDiscoveryResult result) =>
        [.. result.Objects.SelectMany(o => o.Candidates.Select(c => $"{o.ObjectId}={c.Value}@{c.Probability:R}"))];

    private static List<string> Flatten(TruthDiscoveryResult result) =>
    [
        .. result.Objects.Select(o =>
            $"{o.ObjectId}={o.MostProbableValue}:{string.Join(",", o.Candidates.Select(c => $"{c.Value}@{c.Probability:R}"))}"),
        .. result.Sources.Select(s => $"{s.SourceId}:{s.Reliability:R}[{s.Lower:R},{s.Upper:R}]{s.EffectiveEvidence:R}"),
    ];
}
