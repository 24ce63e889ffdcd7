namespace Reliability.Domain.Tests.Scoring;

/// <summary>The motivating case (shared/seed/README.md), scored before and after the verdict.</summary>
public sealed class AcharaneCaseTests
{
    private const string Army = "army repelled the attack";
    private const string Jnim = "JNIM took the base";

    private static readonly IReliabilityEvent[] Case =
    [
        Proposition("acharane", [Army, Jnim], ["territory"], "timbuktu"),
        Claim("fama", "acharane", Army, 0.5, source: "FAMa"),
        Claim("jnim", "acharane", Jnim, 0.6, source: "JNIM"),
        Claim("eg-1", "acharane", Army, 0.7, relayOf: "fama", source: "EternalGlory0"),
        Claim("war-noir", "acharane", Jnim, 0.9, Hedge.Reported, source: "war_noir"),
        Correction("eg-del", "eg-1", CorrectionKind.Deleted, 1.5, DeletionNotice.Announced),
        Correction("eg-rev", "eg-1", CorrectionKind.Reversed, 1.5, replacement: "eg-2"),
        Claim("eg-2", "acharane", Jnim, 1.5, source: "EternalGlory0"),
        Resolved("acharane", Jnim, 20),
    ];

    private static readonly ProvisionalTruth Estimate = new(new Dictionary<string, IReadOnlyDictionary<string, double>>
    {
        ["acharane"] = new Dictionary<string, double> { [Army] = 0.3, [Jnim] = 0.7 },
    });

    private static SourceScore Score(string source, double day, ProvisionalTruth? estimate = null) =>
        SourceScorer.Score(source, Case, Day(day), ScoringPolicy.Beta, estimate);

    [Fact]
    public void When_we_published_on_29_September_only_a_provisional_judgement_existed()
    {
        var fama = Score("FAMa", 1, Estimate);
        var claim = Assert.Single(fama.Contributions);

        Assert.True(claim.Provisional);
        Assert.Equal(AdmiraltyCredibility.Doubtful, claim.Credibility);
        Assert.Equal(ReliabilityBand.InsufficientRecord, fama.Band);
        // Without the estimate, an open proposition is simply not judged yet.
        Assert.Equal(AdmiraltyCredibility.CannotBeJudged, Assert.Single(Score("FAMa", 1).Contributions).Credibility);
    }

    [Fact]
    public void After_the_verdict_the_transparent_reversal_beats_standing_by_the_army_version()
    {
        var (fama, jnim, eternalGlory) = (Score("FAMa", 30), Score("JNIM", 30), Score("EternalGlory0", 30));

        Assert.Contains("never corrected", Assert.Single(fama.Contributions).Reason);
        Assert.True(jnim.Score > fama.Score);
        Assert.True(eternalGlory.Score > fama.Score);
        Assert.Equal(1, eternalGlory.Corrections.ReversalsTowardTruth);
        Assert.Equal(1.0, eternalGlory.Corrections.SelfCorrectedShare);
        Assert.Equal(0.0, fama.Corrections.SelfCorrectedShare);
        Assert.Equal(["territory"], eternalGlory.Topics.Select(t => t.Tag));
    }
}
