using Reliability.Domain.Truth;

namespace Reliability.Domain.Tests.Truth;

public sealed class DefaultValueSimilarityTests
{
    private static readonly DefaultValueSimilarity Similarity = DefaultValueSimilarity.Instance;

    [Fact]
    public void An_incomplete_author_list_fully_supports_the_full_list_but_not_the_reverse()
    {
        Assert.Equal(1.0, Similarity.Support("aiken p;allen m", "aiken p"));
        Assert.Equal(0.5, Similarity.Support("aiken p", "aiken p;allen m"));
    }

    [Fact]
    public void Disjoint_sets_and_unrelated_words_give_no_support()
    {
        Assert.Equal(0.0, Similarity.Support("celko j", "celko b;joe"));
        Assert.Equal(0.0, Similarity.Support("7:10 a.m.", "7:16 a.m."));
        Assert.Equal(0.0, Similarity.Support("army", "jnim"));
    }

    [Fact]
    public void Nearby_numbers_support_each_other_and_distant_ones_do_not()
    {
        Assert.InRange(Similarity.Support("100000", "100500"), 0.4, 0.6);
        Assert.Equal(0.0, Similarity.Support("100000", "250000"));
        Assert.Equal(1.0, Similarity.Support("42", "42"));
    }
}
