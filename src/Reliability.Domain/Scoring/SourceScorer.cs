using Reliability.Domain.Events;
using Reliability.Domain.Model;

namespace Reliability.Domain.Scoring;

/// <summary>
/// A source's score as a pure function of the event history up to a time and a policy. Events
/// after <c>asOf</c> are dropped before anything else, so the score as of t is by construction the
/// score of the history truncated to t.
/// </summary>
public static class SourceScorer
{
    /// <param name="sourceId">The source scored.</param>
    /// <param name="history">Its events (and those of the propositions it claimed on).</param>
    /// <param name="asOf">The moment scored; later events are dropped.</param>
    /// <param name="policy">The scoring policy.</param>
    /// <param name="provisional">The truth estimate the final point weighs open propositions by.</param>
    /// <param name="shown">
    /// The band readers were last shown for this source under this policy, which the final point holds
    /// in place of the walk's: the walk runs over verdicts alone, so where provisional evidence carries
    /// a score across a boundary, only the band last shown keeps an estimate moving back and forth at
    /// that boundary from flipping the band each time. Null (or insufficient): the walk's.
    /// </param>
    /// <param name="shownTags">The same for each topic and region: the band readers were last shown for it, held by its final point.</param>
    public static SourceScore Score(
        string sourceId,
        IEnumerable<IReliabilityEvent> history,
        DateTimeOffset asOf,
        ScoringPolicy policy,
        ProvisionalTruth? provisional = null,
        ReliabilityBand? shown = null,
        ShownTagBands? shownTags = null)
    {
        policy.EnsureValid();
        provisional ??= ProvisionalTruth.None;
        shownTags ??= ShownTagBands.None;
        var (ledger, series, weights, topics, regions) = Walk(sourceId, history, asOf, policy, null);
        var assessments = Assess(ledger, sourceId, asOf, policy, provisional, weights);
        var final = assessments.Select(a => a.Contribution).ToList();
        var totals = Totals(final);
        var overall = BetaPosterior.From(totals.Confirmed, totals.Refuted, policy);
        if (shown is { } band)
        {
            series.Hold(band);
        }

        var last = series.Add(asOf, totals);

        return new SourceScore(
            sourceId,
            policy.Version,
            asOf,
            overall,
            last.Band,
            BetaPosterior.Grade(overall, policy.Grades),
            CorrectionMetrics.From(assessments, ledger),
            TagScores(final, ledger, TopicsOf, topics, shownTags.Topics, asOf, policy),
            TagScores(final, ledger, RegionsOf, regions, shownTags.Regions, asOf, policy),
            final,
            series.Points);
    }

    /// <summary>
    /// The score series of one of <paramref name="score"/>'s topics or regions, for a chart beside the
    /// overall one: a point wherever the tag's evidence moved along the history, judged as the walk
    /// judges the overall series (verdicts alone, its band with hysteresis), then the final point as the
    /// score shows it. Empty when the score has no such tag. <c>history</c>: the events the score was
    /// worked out from.
    /// </summary>
    public static IReadOnlyList<ScorePoint> TagHistory(
        string sourceId, IEnumerable<IReliabilityEvent> history, SourceScore score, ScoringPolicy policy, TagKind kind, string tag)
    {
        ArgumentNullException.ThrowIfNull(score);
        policy.EnsureValid();
        if (score.PolicyVersion != policy.Version)
        {
            throw new ArgumentException($"The score was worked out under {score.PolicyVersion}, not {policy.Version}.", nameof(policy));
        }

        if ((kind == TagKind.Topic ? score.Topics : score.Regions).FirstOrDefault(t => string.Equals(t.Tag, tag, StringComparison.Ordinal)) is not { } final)
        {
            return [];
        }

        var walked = Walk(sourceId, history, score.AsOf, policy, (kind, tag));
        var bands = kind == TagKind.Topic ? walked.Topics : walked.Regions;
        return [.. bands.PointsOf(tag), new ScorePoint(score.AsOf, final.Estimate.Score, final.Estimate.EffectiveEvidence, final.Band)];
    }

    /// <summary>What the walk along a history leaves: the record, the overall series so far, the claims' weights and each tag's walk.</summary>
    private sealed record Walked(Ledger Ledger, ScoreSeries Series, ClaimWeights Weights, TagBands Topics, TagBands Regions);

    /// <summary>
    /// Bands have memory, so walk the history: after each instant that touched this source, judge the
    /// score as it stood then. Provisional estimates are only known for asOf, so the walk uses
    /// resolutions alone and the estimate enters at the final point. <c>kept</c>: a tag whose points the
    /// walk keeps, for its series; the others are only judged.
    /// </summary>
    private static Walked Walk(string sourceId, IEnumerable<IReliabilityEvent> history, DateTimeOffset asOf, ScoringPolicy policy, (TagKind Kind, string Tag)? kept)
    {
        var events = Ledger.InOrder(history).TakeWhile(e => e.OccurredAt <= asOf).ToList();
        var ledger = new Ledger();
        var series = new ScoreSeries(policy);
        var topics = new TagBands(policy, TopicsOf, kept is (TagKind.Topic, var topic) ? topic : null);
        var regions = new TagBands(policy, RegionsOf, kept is (TagKind.Region, var region) ? region : null);
        var weights = new ClaimWeights(sourceId, policy, [topics, regions]);
        for (var i = 0; i < events.Count; i++)
        {
            var at = events[i].OccurredAt;
            if (i > 0 && events[i - 1].OccurredAt != at && at < asOf && policy.RecencyHalfLife is not null && series.Points.Count > 0)
            {
                // Between two instants the record only ages, moving the score steadily toward the
                // prior; judged just before the next instant's events, a band crossed on the way
                // (Reliable decaying below its exit) is held, as a reader saw it then.
                series.Pass(weights.AgedTo(at));
                topics.Pass(at);
                regions.Pass(at);
            }

            // A no-op (a claim id seen before) changes nothing, so it marks no point in the series.
            if (ledger.Apply(events[i]))
            {
                weights.Note(ledger, events[i]);
            }

            var instantEnds = i == events.Count - 1 || events[i + 1].OccurredAt != at;
            if (weights.Changed && instantEnds && at < asOf)
            {
                series.Add(at, weights.TotalsAt(ledger, at));
            }
        }

        return new Walked(ledger, series, weights, topics, regions);
    }

    /// <summary>
    /// One claim judged as of a time — its credibility and what it adds to its source — for
    /// showing beside a citation. Null when the claim is not known by then.
    /// </summary>
    public static ClaimContribution? AssessClaim(
        string claimId,
        IEnumerable<IReliabilityEvent> history,
        DateTimeOffset asOf,
        ScoringPolicy policy,
        ProvisionalTruth? provisional = null)
    {
        policy.EnsureValid();
        var ledger = Ledger.Replay(history, asOf);
        return ledger.FindClaim(claimId) is { } claim
            ? ClaimAssessor.Assess(ledger, claim, asOf, policy, provisional ?? ProvisionalTruth.None).Contribution
            : null;
    }

    /// <summary>Weighted totals, summed in contribution order so they equal what an auditor adds up.</summary>
    public static (double Confirmed, double Refuted) Totals(IReadOnlyList<ClaimContribution> contributions)
    {
        var confirmed = 0.0;
        var refuted = 0.0;
        foreach (var c in contributions)
        {
            confirmed += c.Confirmed;
            refuted += c.Refuted;
        }

        return (confirmed, refuted);
    }

    private static List<ClaimAssessment> Assess(
        Ledger ledger, string sourceId, DateTimeOffset at, ScoringPolicy policy, ProvisionalTruth provisional, ClaimWeights weights) =>
        // Each claim judged in the stake the walk has kept up to date: a source can say one thing hundreds of times.
        [.. ledger.ClaimsBy(sourceId)
            .Order(ClaimOrder.Instance)
            .Select(c => ClaimAssessor.Assess(ledger, c, at, policy, provisional, weights.StakeOf(ledger, c)))];

    private static IReadOnlyList<string> TopicsOf(Proposition proposition) => proposition.Topics;

    private static IReadOnlyList<string> RegionsOf(Proposition proposition) => proposition.Region is { } region ? [region] : [];

    private static List<TagScore> TagScores(
        IReadOnlyList<ClaimContribution> contributions, Ledger ledger,
        Func<Proposition, IReadOnlyList<string>> tagsOf, TagBands bands, IReadOnlyDictionary<string, ReliabilityBand> shown,
        DateTimeOffset asOf, ScoringPolicy policy)
    {
        var byTag = new Dictionary<string, List<ClaimContribution>>(StringComparer.Ordinal);
        foreach (var contribution in contributions)
        {
            if (ledger.FindProposition(contribution.PropositionId) is not { } proposition)
            {
                continue;
            }

            foreach (var tag in tagsOf(proposition).Distinct(StringComparer.Ordinal))
            {
                byTag.ListFor(tag).Add(contribution);
            }
        }

        return [.. byTag.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
        {
            var totals = Totals(kv.Value);
            var estimate = BetaPosterior.From(totals.Confirmed, totals.Refuted, policy);
            return new TagScore(
                kv.Key, estimate, bands.BandAt(kv.Key, asOf, totals, shown.TryGetValue(kv.Key, out var band) ? band : null), BetaPosterior.Grade(estimate, policy.Grades),
                kv.Value.Any(c => c.Provisional && c.Confirmed + c.Refuted > 0));
        })];
    }
}
