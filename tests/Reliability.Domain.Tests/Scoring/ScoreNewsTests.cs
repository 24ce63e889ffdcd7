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
    public void A_topics_band_moving_is_listing_news_but_not_score_news()
    {
        List<IReliabilityEvent> events =
        [
            .. Record(12, 3).Select(e => e is PropositionOpened opened ? opened with { Proposition = opened.Proposition with { Topics = ["casualties"] } } : e),
        ];
        var published = Score(events, Day(40));
        var casualties = published.Topics.Single();
        var moved = published with { Topics = [casualties with { Band = casualties.Band == ReliabilityBand.Reliable ? ReliabilityBand.Mixed : ReliabilityBand.Reliable }] };

        Assert.Equal(casualties.Band, PublishedScore.Of(published).TopicBands["casualties"]);
        Assert.False(ScoreNews.TopicBandsMoved(PublishedScore.Of(published), published));
        Assert.False(ScoreNews.TopicBandsMoved(PublishedScore.Of(published), Score(events, Day(40).AddMinutes(1))));
        Assert.True(ScoreNews.TopicBandsMoved(PublishedScore.Of(published), moved));
        Assert.False(ScoreNews.IsNews(PublishedScore.Of(published), moved));
        // A topic new to the source, or one no longer in its score, moves the listing too.
        Assert.True(ScoreNews.TopicBandsMoved(PublishedScore.Of(published), published with { Topics = [casualties, casualties with { Tag = "aid" }] }));
        Assert.True(ScoreNews.TopicBandsMoved(PublishedScore.Of(published), published with { Topics = [] }));
    }
}
