using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Propositions;
using Reliability.Contracts.Sources;
using Reliability.Domain.Scoring;
using Reliability.Grains.Propositions;
using Reliability.Grains.Sources;
using static Reliability.Grains.Tests.Record;

namespace Reliability.Grains.Tests;

/// <summary>
/// Domain point 7 on the live score: a source rated on open propositions has no band held from
/// verdicts, and the provisional estimate moves its score back and forth; the band readers were
/// shown holds until the score crosses a boundary by the margin, and a read known at a moment shows
/// the band of then. Every question is under one topic and one region, whose bands must do the same.
/// </summary>
public sealed class ShownBandTests(GrainCluster fixture) : IClassFixture<GrainCluster>
{
    private const int Questions = 10;
    private static readonly BandThresholds Bands = ScoringPolicy.Beta.Bands;

    // Above the truth grain's own versions, and rising across the tests: a silo keeps the newest estimate it is handed.
    private static long _version;

    [Fact]
    public async Task An_estimate_moving_back_and_forth_at_a_boundary_does_not_flip_the_band_readers_are_shown()
    {
        var source = await SourceOnOpenQuestionsAsync("band");
        var (justBelow, justAbove, wellBelow) = (Bands.Reliable - (Bands.Margin / 2), Bands.Reliable + (Bands.Margin / 2), Bands.Reliable - (2 * Bands.Margin));
        var served = new List<(DateTimeOffset At, string Band)> { (source.None.At, source.None.Band), (source.All.At, source.All.Band) };
        async Task<string> ShowAsync(double score)
        {
            var shown = await source.ShowAsync(score);
            served.Add((shown.At, shown.Band));
            Assert.Equal((shown.Band, shown.Band), (shown.TopicBand, shown.RegionBand));
            return shown.Band;
        }

        Assert.Equal("reliable", source.All.Band);
        var grain = source.Grain;

        // Reliable, then a dip within the margin and back: reliable all along (the thresholds alone said mixed at the dip).
        Assert.Equal("reliable", await ShowAsync(justBelow));
        Assert.Equal("mixed", BandRule.Next(null, justBelow, Bands).ToString().ToLowerInvariant());
        Assert.Equal("reliable", await ShowAsync(justAbove));
        // A fall past the margin is news; a rise back within it is not.
        Assert.Equal("mixed", await ShowAsync(wellBelow));
        Assert.Equal("mixed", await ShowAsync(justAbove));

        // A new activation holds the band last shown where it decides, within the margin; where the
        // score alone decides, it records the band only if it is a change.
        await fixture.Cluster.DeactivateAsync((IAddressable)grain);
        Assert.Equal("mixed", await ShowAsync(justAbove));
        await fixture.Cluster.DeactivateAsync((IAddressable)grain);
        Assert.Equal("mixed", await ShowAsync(wellBelow));
        await fixture.Cluster.DeactivateAsync((IAddressable)grain);
        Assert.Equal("reliable", await ShowAsync(Bands.Reliable + (2 * Bands.Margin)));

        // On record, a row per change of band, in order; known at each moment, the band that was served then.
        var changes = served.Select(s => s.Band).Where((band, i) => i == 0 || band != served[i - 1].Band).ToList();
        Assert.Equal(changes, await RecordedAsync(source.Id));
        Assert.Equal(changes, await RecordedAsync(source.Id, "topic:casualties"));
        Assert.Equal(changes, await RecordedAsync(source.Id, "region:Timbuktu"));
        foreach (var (at, band) in served)
        {
            Assert.Equal(band, (await grain.GetScoreKnownAtAsync(at, at, null))!.Summary.Band);
            var topic = (await grain.GetScoreKnownAtAsync(at, at, "casualties"))!;
            Assert.Equal((band, band, band), (topic.Summary.Band, topic.Topics.Single().Band, topic.Regions.Single().Band));
        }
    }

    [Fact]
    public async Task A_band_that_cannot_be_recorded_is_not_shown_until_it_is()
    {
        var source = await SourceOnOpenQuestionsAsync("unrecorded");
        Assert.Equal("reliable", source.All.Band);
        await using (await TakeTableAwayAsync(fixture.Store, TagBandHistory.TableName))
        {
            // The score falls past the margin: the score is served, the bands it moved to are not.
            var fallen = await source.ShowAsync(Bands.Reliable - (2 * Bands.Margin));
            Assert.Equal(("reliable", "reliable", "reliable"), (fallen.Band, fallen.TopicBand, fallen.RegionBand));
            Assert.Equal("reliable", (await fixture.Grains.GetGrain<ISourceGrain>(source.Id).GetHistoryAsync(null))!.Points[^1].Band);
        }

        // Once the store takes it again, a later read records the band and shows it.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await source.Grain.GetScoreAsync(null, null))!.Summary.Band != "mixed")
        {
            Assert.True(DateTime.UtcNow < deadline, "the band was never recorded once the store was back");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        Assert.Equal([source.None.Band, "reliable", "mixed"], await RecordedAsync(source.Id));
        Assert.Equal([source.None.Band, "reliable", "mixed"], await RecordedAsync(source.Id, "topic:casualties"));
        var now = (await source.Grain.GetScoreAsync(null, null))!;
        Assert.Equal(("mixed", "mixed"), (now.Topics.Single().Band, now.Regions.Single().Band));
    }

    /// <summary>
    /// A source of ten claims this week (so recency hardly weighs) on open questions, each disputed by
    /// one other source, read with the estimate of its option at 0 and at 1: its score is linear in
    /// that estimate, so the two readings give the estimate for any score between.
    /// </summary>
    private async Task<SourceOnOpenQuestions> SourceOnOpenQuestionsAsync(string prefix)
    {
        var minute = (int)(DateTimeOffset.UtcNow - Epoch).TotalMinutes - (3 * 24 * 60);
        ClaimSubmission OnCasualties(ClaimSubmission claim) => claim with { Proposition = claim.Proposition! with { Topics = ["casualties"], Region = "Timbuktu" } };
        var claims = Enumerable.Range(0, Questions).SelectMany(i => new[]
        {
            OnCasualties(Claim($"{prefix}-c{i}", $"{prefix}-s", $"{prefix}-p{i}", "o0", minute + i)),
            OnCasualties(Claim($"{prefix}-d{i}", $"{prefix}-other", $"{prefix}-p{i}", "o1", minute + i)),
        }).ToList();
        Assert.All(await fixture.Ledger.RecordClaimsAsync(claims), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        var truth = fixture.Grains.GetGrain<ITruthGrain>(0);
        await TruthChecks.WaitForQuietTruthAsync(truth);
        _version = Math.Max(_version, (await truth.GetEstimatesAsync([])).Version + 1_000);
        var source = new SourceOnOpenQuestions(fixture, prefix);
        source.None = await source.ShownAtAsync(0);
        source.All = await source.ShownAtAsync(1);
        return source;
    }

    private sealed class SourceOnOpenQuestions(GrainCluster cluster, string prefix)
    {
        public string Id => $"{prefix}-s";
        public ISourceGrain Grain => cluster.Grains.GetGrain<ISourceGrain>(Id);
        public Shown None { get; set; } = null!;
        public Shown All { get; set; } = null!;

        /// <summary>Puts the estimate that gives the source this score, reads it, and checks it got it.</summary>
        public async Task<Shown> ShowAsync(double score)
        {
            var shown = await ShownAtAsync((score - None.Score) / (All.Score - None.Score));
            Assert.Equal(score, shown.Score, 1e-4);
            return shown;
        }

        /// <summary>
        /// Puts an estimate of <paramref name="p"/> for the source's option on every question, on record
        /// and in every silo's copy as the truth grain would, then reads the live score and takes a moment
        /// just after it.
        /// </summary>
        public async Task<Shown> ShownAtAsync(double p)
        {
            var version = Interlocked.Increment(ref _version);
            var estimate = Enumerable.Range(0, Questions).ToDictionary(
                i => $"{prefix}-p{i}", IReadOnlyList<OptionProbability> (_) => [new("o0", p, 1), new("o1", 1 - p, 1)], StringComparer.Ordinal);
            await EstimateHistory.WriteAsync(cluster.Store, version, [.. estimate.Select(e => new EstimateChange(e.Key, e.Value))]);
            foreach (var silo in cluster.Cluster.GetActiveSilos())
            {
                cluster.Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<TruthEstimates>()
                    .Publish(new ProvisionalEstimates(version, estimate));
            }

            var score = (await Grain.GetScoreAsync(null, null))!;
            await Task.Delay(TimeSpan.FromMilliseconds(100));
            var at = DateTimeOffset.UtcNow;
            await Task.Delay(TimeSpan.FromMilliseconds(100));
            return new(score.Summary.Score, score.Summary.Band, at, score.Topics.Single().Band, score.Regions.Single().Band);
        }
    }

    /// <summary>A live score read: its score and band, a moment just after, and the bands of its one topic and region.</summary>
    private sealed record Shown(double Score, string Band, DateTimeOffset At, string TopicBand, string RegionBand);

    /// <summary>The bands recorded as shown for the source, or for one of its tags, in order.</summary>
    private async Task<List<string>> RecordedAsync(string sourceId, string? tag = null)
    {
        await using var connection = fixture.Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand(tag is null
            ? $"select band from {BandHistory.QualifiedName(fixture.Store)} where source_id = $1 order by recorded_at"
            : $"select band from {TagBandHistory.QualifiedName(fixture.Store)} where source_id = $1 and tag = $2 order by recorded_at", connection);
        read.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        if (tag is not null)
        {
            read.Parameters.Add(new NpgsqlParameter { Value = tag });
        }

        var bands = new List<string>();
        await using var reader = await read.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            bands.Add(reader.GetString(0).ToLowerInvariant());
        }

        return bands;
    }
}
