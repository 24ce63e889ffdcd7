using Reliability.Domain.Truth;

namespace Reliability.Domain.Tests.Model;

public sealed class ChangesOfMindTests
{
    private static Claim Said(string id, string option, double day, string source = "office", string proposition = "acharane") =>
        new(id, source, proposition, option, Day(day), null, null, null, Hedge.Asserted, null, []);

    [Fact]
    public void A_later_claim_of_another_option_supersedes_the_earlier_one()
    {
        var superseded = ChangesOfMind.Superseded([Said("first", "repelled", 0), Said("later", "taken", 3)]);

        Assert.Equal("later", Assert.Single(superseded, s => s.Key == "first").Value.Id);
        Assert.False(superseded.ContainsKey("later"));
    }

    [Fact]
    public void Claiming_the_first_option_again_makes_the_first_claim_stand_and_supersedes_the_one_between()
    {
        var superseded = ChangesOfMind.Superseded([Said("first", "repelled", 0), Said("between", "taken", 1), Said("again", "repelled", 2)]);

        Assert.Equal(["between"], superseded.Keys);
        Assert.Equal("again", superseded["between"].Id);
    }

    [Fact]
    public void Claims_made_at_the_same_moment_both_stand_and_supersede_an_earlier_claim_together()
    {
        var superseded = ChangesOfMind.Superseded([Said("first", "unknown", 0), Said("b", "taken", 2), Said("a", "repelled", 2)]);

        Assert.Equal(["first"], superseded.Keys);
        // Of two latest claims, the one named is the same whatever order they come in.
        Assert.Equal("a", superseded["first"].Id);
    }

    [Fact]
    public void Repeating_the_same_option_supersedes_nothing()
    {
        Assert.Empty(ChangesOfMind.Superseded([Said("first", "taken", 0), Said("again", "taken", 3)]));
    }

    [Fact]
    public void Only_the_same_source_on_the_same_proposition_can_supersede_a_claim()
    {
        Assert.Empty(ChangesOfMind.Superseded(
        [
            Said("office", "repelled", 0),
            Said("wire", "taken", 3, source: "wire"),
            Said("elsewhere", "taken", 3, proposition: "dioura"),
        ]));
    }

    private static readonly Gen<Claim[]> GenClaims =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 2], Gen.OneOfConst("a", "b", "c"), Gen.Int[0, 4])
            .Array[1, 30]
            .Select(picks => picks.Select((p, i) => Said($"claim-{i}", p.Item3, p.Item4, $"source-{p.Item1}", $"object-{p.Item2}")).ToArray());

    [Fact]
    public void What_a_view_calls_superseded_is_what_the_truth_estimate_leaves_out() =>
        GenClaims.Sample(claims =>
        {
            // The view tells a reader the estimate weighs the later claim instead: each option's
            // claimants in the estimate are the sources with a claim of it that is not superseded.
            var superseded = ChangesOfMind.Superseded(claims);
            var estimate = new TruthDiscoveryEngine().Discover(new TruthDiscoveryInput([.. claims.Select(ToTruth)]));

            var counted = estimate.Objects.SelectMany(o => o.Candidates.Where(c => c.Claimants > 0).Select(c => $"{o.ObjectId} {c.Value} {c.Claimants}"));
            var standing = claims.Where(c => !superseded.ContainsKey(c.Id)).GroupBy(c => (c.PropositionId, c.Option))
                .Select(g => $"{g.Key.PropositionId} {g.Key.Option} {g.Select(c => c.SourceId).Distinct().Count()}");
            Assert.Equal(standing.Order(StringComparer.Ordinal), counted.Order(StringComparer.Ordinal));
            Assert.All(superseded, s =>
            {
                var claim = claims.Single(c => c.Id == s.Key);
                Assert.Equal((claim.SourceId, claim.PropositionId), (s.Value.SourceId, s.Value.PropositionId));
                Assert.True(s.Value.PublishedAt > claim.PublishedAt);
                Assert.NotEqual(claim.Option, s.Value.Option);
            });
        });

    [Fact]
    public void Superseded_claims_do_not_depend_on_the_order_claims_come_in() =>
        Gen.Select(GenClaims, Gen.Int).Sample((claims, seed) =>
        {
            var shuffled = claims.ToArray();
            new Random(seed).Shuffle(shuffled);
            var inOrder = ChangesOfMind.Superseded(claims);
            var outOfOrder = ChangesOfMind.Superseded(shuffled);
            Assert.Equal(inOrder.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => (s.Key, s.Value.Id)),
                outOfOrder.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => (s.Key, s.Value.Id)));
        });

    private static TruthClaim ToTruth(Claim claim) => new(claim.SourceId, claim.PropositionId, claim.Option, At: claim.PublishedAt);
}
