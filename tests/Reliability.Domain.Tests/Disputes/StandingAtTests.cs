using Reliability.Domain.Disputes;

namespace Reliability.Domain.Tests.Disputes;

public sealed class StandingAtTests
{
    private const string Repelled = "army repelled the attack";
    private const string Taken = "JNIM took the base";

    private static readonly DateTimeOffset Sept28 = new(2023, 9, 28, 0, 0, 0, TimeSpan.Zero);

    private static StandingAt.ClaimTimes Claim(
        string id, string source, string option, int publishedDay, bool withdrawn = false, int? withdrawnDay = null) =>
        new(id, source, "acharane", option, Sept28.AddDays(publishedDay), withdrawn, withdrawnDay is { } day ? Sept28.AddDays(day) : null);

    private static Resolution Revision(int revision, Verdict verdict, string? option, int day) =>
        new("acharane", revision, verdict, option, ["https://example.org/imagery"], "editor", null, Sept28.AddDays(day));

    private static string[] Standing(IEnumerable<StandingAt.ClaimTimes> claims, int? day) =>
        [.. StandingAt.Claims(claims, c => c, day is { } d ? Sept28.AddDays(d) : null).Select(c => c.ClaimId).Order(StringComparer.Ordinal)];

    [Fact]
    public void A_claim_stands_from_its_publication_until_its_withdrawal()
    {
        StandingAt.ClaimTimes[] claims =
        [
            Claim("army", "army", Repelled, 0),
            Claim("retracted", "glory", Taken, 1, withdrawn: true, withdrawnDay: 3),
            Claim("later", "noir", Taken, 4),
        ];

        Assert.Equal(["army"], Standing(claims, 0));
        Assert.Equal(["army", "retracted"], Standing(claims, 1));
        Assert.Equal(["army", "retracted"], Standing(claims, 2));
        // Withdrawn at the very moment: gone then, as a replay to that moment has the correction.
        Assert.Equal(["army"], Standing(claims, 3));
        Assert.Equal(["army", "later"], Standing(claims, 4));
        Assert.Equal(["army", "later"], Standing(claims, null));
    }

    [Fact]
    public void A_withdrawal_of_unknown_time_counts_at_every_moment_and_a_deletion_withdraws_nothing()
    {
        StandingAt.ClaimTimes[] claims =
        [
            Claim("unknown", "glory", Taken, 1, withdrawn: true),
            // A deleted claim is not withdrawn: deleting cannot launder a record.
            Claim("deleted", "noir", Taken, 1),
        ];

        Assert.Equal(["deleted"], Standing(claims, 2));
        Assert.Equal(["deleted"], Standing(claims, null));
    }

    [Fact]
    public void A_change_of_mind_supersedes_the_earlier_claim_only_once_it_is_made()
    {
        StandingAt.ClaimTimes[] claims =
        [
            Claim("first", "account", Repelled, 1),
            Claim("second", "account", Taken, 3),
        ];

        Assert.Equal(["first"], Standing(claims, 2));
        Assert.Equal(["second"], Standing(claims, 3));
        Assert.Equal(["second"], Standing(claims, null));

        // A later claim withdrawn by then supersedes nothing: the first claim stands again.
        claims[1] = Claim("second", "account", Taken, 3, withdrawn: true, withdrawnDay: 5);
        Assert.Equal(["second"], Standing(claims, 4));
        Assert.Equal(["first"], Standing(claims, 5));
    }

    [Fact]
    public void The_verdict_is_the_revision_in_force_at_the_moment()
    {
        Resolution[] revisions =
        [
            Revision(2, Verdict.Unresolvable, null, 6),
            Revision(1, Verdict.Confirmed, Taken, 4),
            Revision(3, Verdict.Confirmed, Repelled, 8),
        ];

        ConfirmedProposition? At(int? day) => StandingAt.Confirmed("Who held Acharane?", revisions, day is { } d ? Sept28.AddDays(d) : null);

        Assert.Null(At(3));
        Assert.Equal((Taken, Sept28.AddDays(4)), (At(5)!.ConfirmedOption, At(5)!.ResolvedAt));
        Assert.Null(At(7));
        Assert.Equal((Repelled, Sept28.AddDays(8)), (At(8)!.ConfirmedOption, At(8)!.ResolvedAt));
        Assert.Equal(Repelled, At(null)!.ConfirmedOption);
        Assert.Equal("acharane", At(null)!.PropositionId);
    }
}
