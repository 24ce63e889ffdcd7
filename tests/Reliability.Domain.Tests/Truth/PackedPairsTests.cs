using Reliability.Domain.Truth;

namespace Reliability.Domain.Tests.Truth;

public sealed class PackedPairsTests
{
    [Fact]
    public void Pairs_whose_halves_xor_alike_get_different_hashes()
    {
        // (a, a) for every a: a long's own hash gives all of them 0.
        var sameXor = Enumerable.Range(0, 4_000).Select(a => PackedPairs.Key(a, a)).ToList();

        var hashes = sameXor.Select(PackedPairs.Comparer.GetHashCode).Distinct().Count();

        Assert.True(hashes > 3_990, $"{hashes} distinct hashes for 4,000 keys");
    }

    [Fact]
    public void Every_pair_of_a_few_thousand_sources_spreads_over_the_buckets()
    {
        const int Sources = 2_000;
        const int Buckets = 1 << 16;
        var used = new HashSet<int>();
        for (var a = 0; a < Sources; a += 7)
        {
            for (var b = a + 1; b < Sources; b += 3)
            {
                used.Add(PackedPairs.Comparer.GetHashCode(PackedPairs.Key(a, b)) & (Buckets - 1));
            }
        }

        // About 95,000 keys: hashed at random they fill 1 - e^(-95/65.5), about 76 %, of the buckets;
        // XOR of the halves fills at most 2,048 of them.
        Assert.True(used.Count > Buckets * 0.7, $"{used.Count} of {Buckets} buckets used");
    }

    [Fact]
    public void A_key_keeps_both_halves_apart()
    {
        Assert.NotEqual(PackedPairs.Key(1, 2), PackedPairs.Key(2, 1));
        Assert.True(PackedPairs.Comparer.Equals(PackedPairs.Key(5, 9), PackedPairs.Key(5, 9)));
        Assert.Equal((5L << 32) | 9, PackedPairs.Key(5, 9));
    }
}
