namespace Reliability.Domain.Tests.Scoring;

public sealed class ScoreNewsTests
{
    // The default policy: its recency half-life is what makes a score drift with the clock.
    private static SourceScore Score(IEnumerable<IReliabilityEvent> events, DateTimeOffset asOf) =>
        SourceScorer.Score(Subject, events, asOf, ScoringPolicy.Beta);

    private static List<IReliabilityEvent> Record(int confirmed, int refuted)
    {
        var events = new List<IReliabilityEvent>();
        for (var i = 0; i < confirmed + refuted; i++)
        {
            events.AddRange(ResolvedClaim($"c{i}", $"p{i}", "yes", i < confirmed ? "yes" : "no", i, i + 0.5));
        }

        return events;
    }

    [Fact]
    public void A_minute_of_recency_decay_moves_the_score_but_is_not_news()
    {
        var events = Record(12, 3);
        var asOf = Day(40);
        var published = Score(events, asOf);
        var minuteLater = Score(events, asOf.AddMinutes(1));

        // The drift is real, which is why a comparison of exact values counted it as a change.
        Assert.NotEqual(published.Overall.EffectiveEvidence, minuteLater.Overall.EffectiveEvidence);
        Assert.False(ScoreNews.IsNews(PublishedScore.Of(published), minuteLater));
        Assert.False(ScoreNews.IsNews(PublishedScore.Of(published), published));
    }

    [Fact]
    public void Drift_adds_up_to_news_against_what_was_published()
    {
        var events = Record(12, 3);
        var published = Score(events, Day(40));

        Assert.True(ScoreNews.IsNews(PublishedScore.Of(published), Score(events, Day(40 + 365))));
    }

    [Fact]
    public void A_new_verdict_is_news()
    {
        var events = Record(12, 3);
        var published = Score(events, Day(40));
        events.AddRange(ResolvedClaim("late", "p-late", "yes", "no", 39, 39.5));

        var after = Score(events, Day(40));

        Assert.True(after.Score < published.Score);
        Assert.True(ScoreNews.IsNews(PublishedScore.Of(published), after));
    }

    [Fact]
    public void What_is_kept_of_a_published_score_is_what_it_showed()
    {
        var score = Score(Record(12, 3), Day(40));
        var published = PublishedScore.Of(score);

        Assert.Equal(
            (score.Band, score.Grade, score.HasProvisionalEvidence, score.Score, score.Overall.Lower, score.Overall.Upper, score.Overall.EffectiveEvidence),
            (published.Band, published.Grade, published.Provisional, published.Score, published.Lower, published.Upper, published.EffectiveEvidence));
    }

    [Fact]
    public void A_change_of_band_or_grade_is_news_however_small_the_move()
    {
        var published = Score(Record(12, 3), Day(40));

        Assert.True(ScoreNews.IsNews(PublishedScore.Of(published), published with { Band = published.Band == ReliabilityBand.Reliable ? ReliabilityBand.Mixed : ReliabilityBand.Reliable }));
        Assert.True(ScoreNews.IsNews(PublishedScore.Of(published), published with { Grade = published.Grade == AdmiraltyReliability.A ? AdmiraltyReliability.B : AdmiraltyReliability.A }));
    }

    [Fact]
    public void A_topics_or_a_regions_band_moving_is_listing_news_but_not_score_news()
    {
        List<IReliabilityEvent> events =
        [
            .. Record(12, 3).Select(e => e is PropositionOpened opened ? opened with { Proposition = opened.Proposition with { Topics = ["casualties"], Region = "Kidal" } } : e),
        ];
        var published = Score(events, Day(40));
        var (casualties, kidal) = (published.Topics.Single(), published.Regions.Single());
        static TagScore Other(TagScore tag) => tag with { Band = tag.Band == ReliabilityBand.Reliable ? ReliabilityBand.Mixed : ReliabilityBand.Reliable };
        var was = PublishedScore.Of(published);

        Assert.Equal((casualties.Band, kidal.Band), (was.TopicBands["casualties"], was.RegionBands["Kidal"]));
        Assert.False(ScoreNews.TagBandsMoved(was, published));
        Assert.False(ScoreNews.TagBandsMoved(was, Score(events, Day(40).AddMinutes(1))));
        foreach (var moved in new[] { published with { Topics = [Other(casualties)] }, published with { Regions = [Other(kidal)] } })
        {
            Assert.True(ScoreNews.TagBandsMoved(was, moved));
            Assert.False(ScoreNews.IsNews(was, moved));
        }

        // A topic or region new to the source, or one no longer in its score, moves the listing too.
        Assert.True(ScoreNews.TagBandsMoved(was, published with { Topics = [casualties, casualties with { Tag = "aid" }] }));
        Assert.True(ScoreNews.TagBandsMoved(was, published with { Topics = [] }));
        Assert.True(ScoreNews.TagBandsMoved(was, published with { Regions = [kidal, kidal with { Tag = "Gao" }] }));
        Assert.True(ScoreNews.TagBandsMoved(was, published with { Regions = [] }));
    }
}
