namespace Reliability.Domain.Tests.Scoring;

/// <summary>
/// The band walk keeps each option's stakes up to date as events arrive rather than working them out
/// again at every instant; what it keeps must be what working them out afresh gives.
/// </summary>
public sealed class OptionStakesTests
{
    private static readonly Gen<(Scenario Scenario, ScoringPolicy Policy)> Cases =
        Gen.Select(Generators.Scenario, Generators.Policy);

    [Fact]
    public void The_stakes_kept_along_the_walk_are_the_stakes_worked_out_afresh_at_every_instant() =>
        Cases.Sample((scenario, policy) =>
        {
            // Walked as SourceScorer walks a history: totals at the end of each instant that changed something.
            var weights = new ClaimWeights(Subject, policy);
            var ledger = new Ledger();
            var events = Ledger.InOrder(scenario.Events);
            for (var i = 0; i < events.Count; i++)
            {
                if (ledger.Apply(events[i]))
                {
                    weights.Note(ledger, events[i]);
                }

                var at = events[i].OccurredAt;
                if (i < events.Count - 1 && events[i + 1].OccurredAt == at)
                {
                    continue;
                }

                if (weights.Changed)
                {
                    weights.TotalsAt(ledger, at);
                }

                foreach (var claim in ledger.ClaimsBy(Subject))
                {
                    var kept = weights.StakeOf(ledger, claim);
                    var fresh = StandingTogether.Of(ledger, claim);
                    Assert.Equal(fresh.Claims.Select(c => c.Id), kept.Claims.Select(c => c.Id));
                    Assert.Equal(fresh.Repeated?.Id, kept.Repeated?.Id);
                }
            }
        });

    [Fact]
    public void A_claim_recorded_after_a_later_one_of_its_option_has_its_stakes_worked_out_afresh()
    {
        var ledger = new Ledger();
        var weights = new ClaimWeights(Subject, ScoringPolicy.Beta);
        List<IReliabilityEvent> history = [Proposition("p"), Claim("c01", "p", "yes", 2), Claim("c00", "p", "yes", 1)];
        foreach (var e in history)
        {
            // Applied in the order recorded, as a merge brings an absorbed source's earlier claims.
            ledger.Apply(e);
            weights.Note(ledger, e);
            if (weights.Changed)
            {
                weights.TotalsAt(ledger, Day(2));
            }
        }

        var later = weights.StakeOf(ledger, ledger.FindClaim("c01")!);
        Assert.Equal(["c00", "c01"], later.Claims.Select(c => c.Id));
        Assert.Equal("c00", later.Repeated?.Id);
    }

    [Fact]
    public void A_withdrawal_dated_before_a_later_claim_of_the_option_is_not_taken_in_place()
    {
        // Retracted on day 3, before the day-5 claim was made: that claim no longer repeats the first, so
        // only building the option afresh says what it stands with.
        var ledger = new Ledger();
        foreach (var e in new IReliabilityEvent[] { Proposition("p"), Claim("c00", "p", "yes", 1), Claim("c01", "p", "yes", 5) })
        {
            ledger.Apply(e);
        }

        var stakes = OptionStakes.Of(ledger, Subject, "p", "yes");
        Assert.Equal("c00", stakes["c01"].Repeated?.Id);
        ledger.Apply(Retraction("r0", "c00", 3));

        Assert.False(stakes.TryWithdraw(ledger, ledger.FindClaim("c00")!));
        Assert.Null(OptionStakes.Of(ledger, Subject, "p", "yes")["c01"].Repeated);

        // Retracted after every claim of the option was made, it is taken in place, and a claim made after it stands alone.
        var later = OptionStakes.Of(ledger, Subject, "p", "no");
        ledger.Apply(Claim("n00", "p", "no", 6));
        Assert.True(later.TryAdd(ledger, ledger.FindClaim("n00")!));
        ledger.Apply(Retraction("r1", "n00", 7));
        Assert.True(later.TryWithdraw(ledger, ledger.FindClaim("n00")!));
        ledger.Apply(Claim("n01", "p", "no", 8));
        Assert.True(later.TryAdd(ledger, ledger.FindClaim("n01")!));
        Assert.Null(later["n01"].Repeated);
    }
}
