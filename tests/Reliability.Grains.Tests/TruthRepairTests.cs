using Reliability.Contracts.Ledger;
using Reliability.Contracts.Propositions;
using static Reliability.Grains.Tests.Record;

namespace Reliability.Grains.Tests;

/// <summary>Its own cluster, whose truth grain reads the whole record again every few seconds.</summary>
public sealed class FrequentTruthReadCluster : GrainCluster
{
    protected override void Configure(RecordOptions options)
    {
        base.Configure(options);
        options.TruthFullReadInterval = TimeSpan.FromSeconds(2);
    }
}

public sealed class TruthRepairTests(FrequentTruthReadCluster fixture) : IClassFixture<FrequentTruthReadCluster>
{
    [Fact]
    public async Task A_change_whose_notice_was_lost_reaches_the_estimate_on_a_quiet_record()
    {
        var claims = Enumerable.Range(0, 3).Select(i => Claim($"lost-{i}", $"lost-s{i}", "lost-p", i == 2 ? "o1" : "o0", i)).ToList();
        Assert.All(await fixture.Ledger.RecordClaimsAsync(claims), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        var truth = fixture.Grains.GetGrain<ITruthGrain>(0);
        await TruthChecks.WaitForQuietTruthAsync(truth);
        Assert.Equal(2, Claimants(await truth.GetEstimatesAsync(["lost-p"]), "o0"));

        // Stored, and never told to the truth grain: its writer died between the commit and the notice.
        // Nothing else happens on the record afterwards.
        await AppendClaimAsync(fixture.Store, "lost-s3", "lost-p", "lost-3", 3, withDocument: true);
        await EventuallyAsync(
            async () => Claimants(await truth.GetEstimatesAsync(["lost-p"]), "o0") == 3, "the lost claim in the estimate", 30);
    }

    private static int Claimants(ProvisionalEstimates estimates, string option) =>
        estimates.Propositions["lost-p"].Single(o => o.Option == option).Claimants;
}
