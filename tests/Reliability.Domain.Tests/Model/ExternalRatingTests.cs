namespace Reliability.Domain.Tests.Model;

public sealed class ExternalRatingTests
{
    private static readonly SourceRegistered Registered = new(new Source("fama", "FAMa", SourceKind.OfficialBody, true, []), Day(0));

    [Theory]
    [InlineData("Generally reliable", ReliabilityBand.Reliable)]
    [InlineData("  generally   UNRELIABLE. ", ReliabilityBand.Unreliable)]
    [InlineData("No consensus", ReliabilityBand.Mixed)]
    [InlineData("Deprecated", ReliabilityBand.Unreliable)]
    [InlineData("Mostly factual", ReliabilityBand.Mixed)]
    [InlineData("Very high", ReliabilityBand.Reliable)]
    [InlineData("Very low", ReliabilityBand.Unreliable)]
    [InlineData("82/100", null)]
    [InlineData("trustworthy", null)]
    public void A_rating_in_a_known_scale_s_words_has_the_band_they_mean(string rating, ReliabilityBand? band) =>
        Assert.Equal(band, ExternalRatingScale.BandOf(rating));

    [Fact]
    public void A_rating_disagrees_with_another_band_but_not_with_an_insufficient_record_or_an_unknown_scale()
    {
        var unreliable = new ExternalRating("wikipedia-rsp", "generally unreliable", null, Day(1));

        Assert.True(unreliable.DisagreesWith(ReliabilityBand.Reliable));
        Assert.True(unreliable.DisagreesWith(ReliabilityBand.Mixed));
        Assert.False(unreliable.DisagreesWith(ReliabilityBand.Unreliable));
        Assert.False(unreliable.DisagreesWith(ReliabilityBand.InsufficientRecord));
        Assert.False((unreliable with { Rating = "82/100" }).DisagreesWith(ReliabilityBand.Reliable));
    }

    [Fact]
    public void Each_rater_s_latest_word_stands_and_a_withdrawal_ends_it()
    {
        var ledger = Ledger.Replay(
        [
            Registered,
            Rated("wikipedia-rsp", "marginally reliable", 1),
            Rated("wikipedia-rsp", "generally unreliable", 3),
            Rated("mbfc", "high", 2),
            Rated("mbfc", null, 4),
            Rated("newsguard", "62/100", 2),
        ], Day(5));

        Assert.Equal([("newsguard", "62/100"), ("wikipedia-rsp", "generally unreliable")],
            ledger.ExternalRatingsOf("fama").Select(r => (r.Rater, r.Rating)));
        Assert.False(ledger.Apply(Rated("wikipedia-rsp", "generally unreliable", 3)));
        Assert.False(ledger.Apply(Rated("wikipedia-rsp", "generally reliable", 2)));
    }

    [Fact]
    public void A_word_older_than_the_desk_s_first_meeting_with_the_source_stands_in_a_replay_too()
    {
        // Imported with the rater's own date, years before a claim first registered the source.
        var registeredLater = Registered with { At = Day(400) };
        var rated = Rated("wikipedia-rsp", "generally unreliable", 1);

        var replayed = Ledger.Replay([registeredLater, rated], Day(500));
        var folded = new Ledger();
        folded.Apply(registeredLater);
        folded.Apply(rated);

        Assert.Equal("generally unreliable", Assert.Single(replayed.ExternalRatingsOf("fama")).Rating);
        Assert.Equal(folded.ExternalRatingsOf("fama"), replayed.ExternalRatingsOf("fama"));
        Assert.Single(Ledger.Replay([registeredLater, rated], Day(200)).ExternalRatingsOf("fama"));
    }

    [Fact]
    public void The_words_standing_do_not_depend_on_the_order_they_arrive_in() =>
        Gen.Select(Gen.Select(Gen.OneOfConst("a", "b"), Gen.OneOfConst("high", "low", "mixed", null), Gen.Int[0, 3]).Array[0, 8], Gen.Int)
            .Sample((words, seed) =>
            {
                var events = words.Select(w => Rated(w.Item1, w.Item2, w.Item3)).ToArray();
                var shuffled = events.ToArray();
                new Random(seed).Shuffle(shuffled);
                var folded = new Ledger();
                folded.Apply(Registered);
                foreach (var e in shuffled)
                {
                    folded.Apply(e);
                }

                // A grain folds as events are committed; a replay applies them in time order.
                Assert.Equal(Ledger.Replay([Registered, .. events], Day(10)).ExternalRatingsOf("fama"), folded.ExternalRatingsOf("fama"));
            });

    private static ExternalRatingRecorded Rated(string rater, string? rating, int day) =>
        new("fama", rater, rating, rating is null ? null : $"https://example.org/{rater}", Day(day));
}
