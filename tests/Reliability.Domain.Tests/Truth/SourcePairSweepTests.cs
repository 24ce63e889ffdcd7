using Reliability.Domain.Truth;

namespace Reliability.Domain.Tests.Truth;

public sealed class SourcePairSweepTests
{
    [Fact]
    public void Every_claim_pair_of_two_sources_on_one_object_is_visited_once_with_its_source_pair()
    {
        var random = new Random(11);
        var claims = new List<TruthClaim>();
        for (var o = 0; o < 300; o++)
        {
            // Some objects draw more claims than the policy's cap below; a source may back two values.
            var claimants = o % 50 == 0 ? 40 : random.Next(1, 9);
            for (var k = 0; k < claimants; k++)
            {
                claims.Add(new TruthClaim($"s{random.Next(60)}", $"o{o}", $"v{random.Next(3)}"));
            }
        }

        var policy = TruthPolicy.Default with { CopyTestMaxClaimsPerObject = 30 };
        var index = ClaimIndex.Build(new TruthDiscoveryInput(claims), policy);

        var expected = new List<(int, int)>();
        for (var o = 0; o < index.ObjectCount; o++)
        {
            if (index.ClaimStart[o + 1] - index.ClaimStart[o] > policy.CopyTestMaxClaimsPerObject)
            {
                continue;
            }

            for (var a = index.ClaimStart[o]; a < index.ClaimStart[o + 1]; a++)
            {
                for (var b = index.ClaimStart[o]; b < index.ClaimStart[o + 1]; b++)
                {
                    if (index.ClaimSource[a] < index.ClaimSource[b])
                    {
                        expected.Add((a, b));
                    }
                }
            }
        }

        var visited = new List<(int, int)>();
        var sourcePairs = new HashSet<(int, int)>();
        new SourcePairSweep(index, policy).ForEachSourcePair((source, partner, pairs) =>
        {
            Assert.True(source < partner);
            Assert.True(sourcePairs.Add((source, partner)), "each pair of sources is visited once");
            Assert.False(pairs.IsEmpty);
            var lastObject = -1;
            foreach (var (a, b) in pairs)
            {
                Assert.Equal(source, index.ClaimSource[a]);
                Assert.Equal(partner, index.ClaimSource[b]);
                var o = index.CandidateObject[index.ClaimCandidate[a]];
                Assert.Equal(o, index.CandidateObject[index.ClaimCandidate[b]]);
                Assert.True(o >= lastObject, "a pair's claims come object by object");
                lastObject = o;
                visited.Add((a, b));
            }
        });

        Assert.True(expected.Count > 1_000);
        Assert.Equal(expected.Order(), visited.Order());
    }
}
