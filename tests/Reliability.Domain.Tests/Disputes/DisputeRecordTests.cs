using Reliability.Domain.Disputes;

namespace Reliability.Domain.Tests.Disputes;

public sealed class DisputeRecordTests
{
    private const string Repelled = "army repelled the attack";
    private const string Taken = "JNIM took the base";
    private const string Withdrew = "both withdrew";

    private static readonly DateTimeOffset Start = new(2023, 10, 1, 0, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, ConfirmedProposition> Confirmed(params (string Id, string Option, int Day)[] propositions) =>
        propositions.ToDictionary(
            p => p.Id, p => new ConfirmedProposition(p.Id, "Who held " + p.Id + "?", p.Option, Start.AddDays(p.Day)), StringComparer.Ordinal);

    private static StandingClaim Said(string source, string proposition, string option) => new(source, proposition, option);

    [Fact]
    public void Each_contradiction_on_a_confirmed_proposition_is_won_lost_or_neither_right()
    {
        var confirmed = Confirmed(("acharane", Taken, 4), ("mourdiah", Repelled, 3), ("dioura", Withdrew, 2), ("bamba", Taken, 1));
        StandingClaim[] claims =
        [
            Said("army", "acharane", Repelled), Said("jnim", "acharane", Taken),
            Said("army", "mourdiah", Repelled), Said("jnim", "mourdiah", Taken),
            Said("army", "dioura", Repelled), Said("jnim", "dioura", Taken),
            // Agreeing is no dispute, whoever was right.
            Said("army", "bamba", Taken), Said("jnim", "bamba", Taken),
        ];

        var record = Assert.Single(DisputeRecord.Of("army", claims, confirmed));

        Assert.Equal("jnim", record.OpponentId);
        Assert.Equal((1, 1, 1), (record.Won, record.Lost, record.NeitherRight));
        // The latest resolution first.
        Assert.Equal(["acharane", "mourdiah", "dioura"], record.Disputes.Select(d => d.Proposition.PropositionId));
        Assert.Equal(DisputeOutcome.Lost, record.Disputes[0].Outcome);
        Assert.Equal([Repelled], record.Disputes[0].Options);
        Assert.Equal([Taken], record.Disputes[0].OpponentOptions);
    }

    [Fact]
    public void The_other_sides_record_is_the_mirror_image()
    {
        var confirmed = Confirmed(("acharane", Taken, 2), ("mourdiah", Repelled, 1));
        StandingClaim[] claims =
        [
            Said("army", "acharane", Repelled), Said("jnim", "acharane", Taken),
            Said("army", "mourdiah", Repelled), Said("jnim", "mourdiah", Taken),
            Said("noir", "acharane", Taken),
        ];

        var army = DisputeRecord.Of("army", claims, confirmed);
        var jnim = DisputeRecord.Of("jnim", claims, confirmed);

        var armyAgainstJnim = army.Single(o => o.OpponentId == "jnim");
        var jnimAgainstArmy = jnim.Single(o => o.OpponentId == "army");
        Assert.Equal((armyAgainstJnim.Won, armyAgainstJnim.Lost), (jnimAgainstArmy.Lost, jnimAgainstArmy.Won));
        // jnim and noir agree: neither has a record against the other.
        Assert.DoesNotContain(jnim, o => o.OpponentId == "noir");
        // The army disputed with two sources, jnim on more propositions: it comes first.
        Assert.Equal(["jnim", "noir"], army.Select(o => o.OpponentId));
    }

    [Fact]
    public void Open_propositions_and_propositions_the_source_did_not_speak_to_are_no_disputes()
    {
        var confirmed = Confirmed(("acharane", Taken, 1));
        StandingClaim[] claims =
        [
            // Open: not among the confirmed propositions.
            Said("army", "dioura", Repelled), Said("cma", "dioura", Taken),
            // Confirmed, but the army said nothing there.
            Said("jnim", "acharane", Taken), Said("noir", "acharane", Repelled),
        ];

        Assert.Empty(DisputeRecord.Of("army", claims, confirmed));
    }

    [Fact]
    public void A_source_that_said_both_options_loses_nothing_to_one_that_said_the_confirmed_one()
    {
        var confirmed = Confirmed(("acharane", Taken, 1), ("mourdiah", Repelled, 2));
        StandingClaim[] claims =
        [
            Said("hedger", "acharane", Repelled), Said("hedger", "acharane", Taken), Said("jnim", "acharane", Taken),
            Said("hedger", "mourdiah", Repelled), Said("hedger", "mourdiah", Taken), Said("jnim", "mourdiah", Taken),
        ];

        var record = Assert.Single(DisputeRecord.Of("hedger", claims, confirmed));

        // On acharane both said what was confirmed; on mourdiah only the hedger did.
        var dispute = Assert.Single(record.Disputes);
        Assert.Equal("mourdiah", dispute.Proposition.PropositionId);
        Assert.Equal(DisputeOutcome.Won, dispute.Outcome);
        Assert.Equal([Taken, Repelled], dispute.Options);
    }

    [Fact]
    public void The_record_does_not_depend_on_the_order_of_the_claims()
    {
        var confirmed = Confirmed(("a", Taken, 1), ("b", Repelled, 1), ("c", Taken, 3));
        StandingClaim[] claims =
        [
            Said("army", "a", Repelled), Said("jnim", "a", Taken), Said("noir", "a", Repelled),
            Said("army", "b", Taken), Said("army", "b", Repelled), Said("jnim", "b", Taken), Said("cma", "b", Withdrew),
            Said("army", "c", Repelled), Said("cma", "c", Taken), Said("jnim", "c", Taken),
        ];

        var expected = Describe(DisputeRecord.Of("army", claims, confirmed));
        var random = new Random(7);
        for (var i = 0; i < 20; i++)
        {
            var shuffled = claims.ToArray();
            random.Shuffle(shuffled);
            Assert.Equal(expected, Describe(DisputeRecord.Of("army", shuffled, confirmed)));
        }
    }

    [Fact]
    public void Records_over_parts_of_the_propositions_merge_into_the_record_over_all_of_them()
    {
        var confirmed = Confirmed(("a", Taken, 1), ("b", Repelled, 1), ("c", Taken, 3), ("d", Repelled, 2));
        StandingClaim[] claims =
        [
            Said("army", "a", Repelled), Said("jnim", "a", Taken), Said("noir", "a", Repelled),
            Said("army", "b", Taken), Said("army", "b", Repelled), Said("jnim", "b", Taken), Said("cma", "b", Withdrew),
            Said("army", "c", Repelled), Said("cma", "c", Taken), Said("jnim", "c", Taken),
            Said("army", "d", Repelled), Said("cma", "d", Taken),
        ];
        string[][] parts = [["a", "c"], ["b"], ["d"]];

        var merged = DisputeRecord.Merge(parts.Select(part =>
            DisputeRecord.Of("army", claims.Where(c => part.Contains(c.PropositionId)), confirmed)));

        Assert.Equal(Describe(DisputeRecord.Of("army", claims, confirmed)), Describe(merged));
        // cma's disputes come from all three parts, jnim's from two.
        Assert.Equal(["cma", "jnim"], merged.Select(o => o.OpponentId));
        Assert.Equal(3, merged[0].Disputes.Count);
    }

    private static string Describe(IEnumerable<OpponentRecord> record) => string.Join(
        "; ",
        record.Select(o => o.OpponentId + ": " + string.Join(
            ", ", o.Disputes.Select(d => $"{d.Proposition.PropositionId} {string.Join("/", d.Options)} vs {string.Join("/", d.OpponentOptions)} {d.Outcome}"))));
}
