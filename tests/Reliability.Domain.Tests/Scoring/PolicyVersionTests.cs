using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Reliability.Domain.Tests.Scoring;

/// <summary>
/// A score names the policy version that produced it, so a desk can tell a score of today from one it
/// stored under other rules. That holds only if every change to what the scorer gives raises the
/// version: the scores of a fixed set of generated histories are fingerprinted here, per version.
/// </summary>
public sealed class PolicyVersionTests
{
    /// <summary>The fingerprint of each version's scores; a version, once released, never changes its own.</summary>
    private static readonly Dictionary<string, string> Fingerprints = new(StringComparer.Ordinal)
    {
        ["beta-v2"] = "436C423FE38B9608",
    };

    [Fact]
    public void The_scores_of_fixed_histories_are_those_their_policy_version_gave_when_it_was_named()
    {
        var policy = ScoringPolicy.Beta;
        var fingerprint = Fingerprint(policy);

        Assert.True(Fingerprints.TryGetValue(policy.Version, out var known) && known == fingerprint,
            $"The scorer gives other scores than policy {policy.Version} did. If the rules changed on purpose, raise the policy's version "
            + $"(and the scoring README's versions) and record: [\"<new version>\"] = \"{fingerprint}\".");
    }

    [Fact]
    public void The_fingerprint_is_the_same_for_the_same_scores_and_differs_when_a_knob_moves()
    {
        Assert.Equal(Fingerprint(ScoringPolicy.Beta), Fingerprint(ScoringPolicy.Beta));
        Assert.NotEqual(Fingerprint(ScoringPolicy.Beta), Fingerprint(ScoringPolicy.Beta with { RelayWeight = 0.25 }));
    }

    /// <summary>Scores, totals and each claim's parts of 200 histories drawn from one seed, to nine decimals, hashed.</summary>
    private static string Fingerprint(ScoringPolicy policy)
    {
        var pcg = new PCG(7, 20261129);
        var text = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            var scenario = Generators.Scenario.Generate(pcg, null, out _);
            var score = SourceScorer.Score(Subject, scenario.Events, scenario.AsOf, policy, scenario.Provisional);
            text.Append(CultureInfo.InvariantCulture, $"{i}:{score.Score:F9}/{score.Overall.Confirmed:F9}/{score.Overall.Refuted:F9}/{score.Band}");
            foreach (var c in score.Contributions)
            {
                text.Append(CultureInfo.InvariantCulture, $";{c.ClaimId}={c.Confirmed:F9},{c.Refuted:F9},{c.Credibility}");
            }

            text.Append('\n');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}
