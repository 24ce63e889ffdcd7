using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reliability.Contracts.Claims;
using Reliability.Contracts.Propositions;
using Reliability.Contracts.Sources;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Domain.Scoring;
using Reliability.Grains.Propositions;
using Reliability.Grains.Recording;
using Reliability.Grains.Records;

namespace Reliability.Grains.Sources;

/// <summary>
/// A source's history in memory, folded from its stream, and its scores. The live score includes
/// provisional evidence from the truth estimate; a score as of a past time uses the resolutions
/// known then, so it is a pure replay of the stream up to that time; the score known at a past
/// moment is the live score of then, from the events recorded by then and the estimate in force then.
/// </summary>
/// <remarks>
/// A source that took another over holds the other's record because the merge copied it into this
/// stream, as a <see cref="SourceAbsorbed"/> event and its bounded parts (<see cref="SourceAbsorbedPart"/>),
/// all at the merge's time; the grain never reads the
/// absorbed source's stream. So this stream alone is still the whole history, a snapshot of it is
/// still a prefix of it, and as of a time before the merge the source is what it was then.
/// </remarks>
public sealed partial class SourceGrain(
    EventStreams streams, IDocumentStore store, TimeProvider clock, ScoringPolicies policies,
    IOptions<RecordOptions> options, ILogger<SourceGrain> logger, RecordEventHub hub, TruthEstimates truth, ActiveStreams active,
    SharedPropositions propositions)
    : Grain, ISourceGrain, ISourceStreamGrain
{
    private static readonly TimeSpan LiveScoreLifetime = TimeSpan.FromMinutes(1);
    private const int PublishAttempts = 5;

    // A listing write that failed (the store down, or writers kept winning) is tried again by a read
    // this long after; sooner, every read would wait on a store that is failing.
    private static readonly TimeSpan ListingRetry = TimeSpan.FromSeconds(5);

    private readonly List<IReliabilityEvent> _events = [];
    private Ledger _ledger = new();
    private long _streamVersion;
    private HeldStream? _held;
    private long _snapshotVersion;
    private LiveScore? _live;

    // The score the listing shows (and subscribers last heard) as far as this activation knows.
    private PublishedScore? _published;

    // The band readers were last shown live, as recorded (see BandHistory): read once per activation,
    // and only when the score is within the margin of a threshold, where it decides the band.
    private ShownBand? _shown;

    // The same for the score's topics and regions (see TagBandHistory): read once per activation, where a
    // tag's score is within the margin of a threshold and its band shown is not known yet.
    private ShownTags? _shownTags;
    private bool _loaded;
    private string? _sourceId;

    // One copy, which every claim held shares (see HeldEvents).
    private string SourceId => _sourceId ??= this.GetPrimaryKeyString();

    // Mirrored in the silo's list of held streams, which the periodic catch-up compares with the store.
    private long StreamVersion
    {
        get => _streamVersion;
        set => _streamVersion = _held?.Track(value) ?? value;
    }

    // From here on the grain holds its stream, and the silo's periodic catch-up watches it.
    private void MarkLoaded()
    {
        _loaded = true;
        _held ??= active.Hold(StreamOwner.Source, SourceId, StreamVersion);
    }

    /// <summary>
    /// The snapshot and the stream's tail, once per activation, before anything is answered; not on
    /// activation itself: a grain activated by the commit that starts its stream is handed its first
    /// events and never needs to read them back.
    /// </summary>
    private async ValueTask LoadAsync()
    {
        if (_loaded)
        {
            return;
        }

        try
        {
            await RestoreSnapshotAsync(CancellationToken.None);
            await CatchUpCoreAsync(CancellationToken.None);
        }
        catch
        {
            // The next call loads from scratch: restoring the snapshot again on top of what this
            // attempt held would hold its events twice, and the next snapshot would store them twice.
            Forget();
            throw;
        }

        MarkLoaded();
    }

    private void Forget()
    {
        _events.Clear();
        _ledger = new Ledger();
        StreamVersion = _snapshotVersion = 0;
    }

    public async Task CommittedAsync(CommittedEvents committed)
    {
        var before = StreamVersion;
        if (!_loaded && committed.StartStream)
        {
            MarkLoaded();
        }
        else
        {
            await LoadAsync();
        }

        switch (committed.ActionFor(StreamVersion))
        {
            case CommittedAction.Fold:
                Fold(committed.Events, committed.ToVersion);
                break;
            case CommittedAction.ReadStream:
                await CatchUpCoreAsync(CancellationToken.None);
                break;
            default:
                return;
        }

        await AfterCatchUpAsync(before);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_held is not null)
        {
            active.Release(_held);
        }

        if (StreamVersion > _snapshotVersion)
        {
            try
            {
                await SaveSnapshotAsync(cancellationToken);
            }
            catch (Exception exception)
            {
                // Only a shortcut is lost: the next activation replays more of the stream.
                LogSnapshotFailed(logger, SourceId, exception);
            }
        }
    }

    public async Task CatchUpAsync(long committedVersion)
    {
        if (committedVersion > 0 && committedVersion <= StreamVersion)
        {
            return;
        }

        var before = StreamVersion;
        await LoadAsync();
        await CatchUpCoreAsync(CancellationToken.None);
        await AfterCatchUpAsync(before);
    }

    private async Task AfterCatchUpAsync(long before)
    {
        await SnapshotIfDueAsync(CancellationToken.None);

        // A source whose score someone has read announces its new score now, not on the next read;
        // a source nobody looked at is not scored just to be announced.
        if (_live is not null && StreamVersion != before && Standing() is not null)
        {
            await LiveAsync();
        }
    }

    public async Task<ScoreSummary?> RefreshAsync()
    {
        await LoadAsync();
        if (Standing() is null)
        {
            return null;
        }

        return Summary((await LiveAsync(force: true)).Score);
    }

    public async Task<SourceProfile?> GetProfileAsync()
    {
        await LoadAsync();
        if (Standing() is not { } source)
        {
            return null;
        }

        var live = await LiveAsync();
        return ProfileOf(_ledger, source, live.Score);
    }

    public async Task<SourceProfile?> GetProfileAsOfAsync(DateTimeOffset asOf)
    {
        await LoadAsync();
        if (_ledger.MergedInto(SourceId) is not null)
        {
            return null;
        }

        var then = Ledger.Replay(_events, asOf);
        return then.FindSource(SourceId) is { } source ? ProfileOf(then, source, ScoreAsOf(asOf)) : null;
    }

    public async Task<string?> GetMergedIntoAsync()
    {
        await LoadAsync();
        if (_ledger.MergedInto(SourceId) is not { } survivor)
        {
            return null;
        }

        // The survivor may have been absorbed in turn, and this stream, closed by its merge marker,
        // never hears of it: the survivor's grain answers for where the record went from there, so a
        // reader is sent once, straight to the source that holds it now. Merges cannot form a cycle
        // (a merged source takes nothing over), so the calls end.
        return await GrainFactory.GetGrain<ISourceGrain>(survivor).GetMergedIntoAsync() ?? survivor;
    }

    /// <summary>
    /// The source, while it answers for itself: one merged into another (see <see cref="SourceMerged"/>)
    /// is answered as unknown, its whole record included, and callers are sent to the survivor
    /// (<see cref="GetMergedIntoAsync"/>), which holds that record from the merge on.
    /// </summary>
    private Source? Standing() => _ledger.MergedInto(SourceId) is null ? _ledger.FindSource(SourceId) : null;

    private SourceProfile ProfileOf(Ledger ledger, Source source, SourceScore score)
    {
        var claims = ledger.ClaimsBy(SourceId);
        var topics = claims.SelectMany(c => ledger.FindProposition(c.PropositionId)?.Topics ?? [])
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new SourceProfile(
            source.Id, source.Name, Vocabulary.Word(source.Kind), source.InterestedParty,
            [.. source.Handles.Select(h => new HandleView(h.Platform, h.Handle))], claims.Count, topics,
            Summary(score), score.PolicyVersion, [.. ledger.ExternalRatingsOf(SourceId).Select(r => Views.Of(r, score.Band))]);
    }

    public async Task<ScoreView?> GetScoreAsync(DateTimeOffset? asOf, string? topic)
    {
        await LoadAsync();
        if (Standing() is null)
        {
            return null;
        }

        LiveScore? live = null;
        if (asOf is null)
        {
            live = await LiveAsync();
            // The plugin and dashboards ask for the same live score over and over; it is built once per change.
            if (topic is null && live.View is { } known)
            {
                return known;
            }
        }

        var view = ViewOf(live?.Score ?? ScoreAsOf(asOf!.Value), topic, live?.TruthVersion ?? -1);
        if (live is not null && topic is null)
        {
            live.View = view;
        }

        return view;
    }

    private ScoreView ViewOf(SourceScore score, string? topic, long truthVersion)
    {
        var summary = Summary(score);
        if (topic is not null)
        {
            var tag = score.Topics.FirstOrDefault(s => string.Equals(s.Tag, topic, StringComparison.OrdinalIgnoreCase));
            summary = tag is null
                ? Views.Summary(BetaPosterior.From(0, 0, policies.Current), ReliabilityBand.InsufficientRecord, AdmiraltyReliability.F, false)
                : Views.Summary(tag.Estimate, tag.Band, tag.Grade, tag.Provisional);
        }

        return new ScoreView(
            SourceId, score.AsOf, score.PolicyVersion, topic, summary, score.ProvisionalEvidence,
            Views.Of(score.Corrections), [.. score.Topics.Select(Views.Of)], [.. score.Regions.Select(Views.Of)], truthVersion);
    }

    public async Task<ExplanationView?> ExplainAsync(DateTimeOffset? asOf, int? top = null)
    {
        await LoadAsync();
        if (Standing() is null)
        {
            return null;
        }

        return ExplanationOf(asOf is { } t ? ScoreAsOf(t) : (await LiveAsync()).Score, top);
    }

    private ExplanationView ExplanationOf(SourceScore score, int? top)
    {
        var contributions = score.Contributions;
        OmittedContributionsView? omitted = null;
        if (top is { } most)
        {
            (contributions, var others) = LargestContributions.Of(score.Contributions, most);
            omitted = new OmittedContributionsView(others.Claims, others.Confirmed, others.Refuted);
        }

        return new ExplanationView(
            SourceId, score.AsOf, score.PolicyVersion, Summary(score), score.Overall.Confirmed, score.Overall.Refuted,
            [.. contributions.Select(Views.Of)], omitted);
    }

    public async Task<SourceProfile?> GetProfileKnownAtAsync(DateTimeOffset knownAt, DateTimeOffset asOf) =>
        await KnownAtAsync(knownAt, asOf) is { } known && known.Then.FindSource(SourceId) is { } source
            ? ProfileOf(known.Then, source, known.Score)
            : null;

    public async Task<ScoreView?> GetScoreKnownAtAsync(DateTimeOffset knownAt, DateTimeOffset asOf, string? topic) =>
        await KnownAtAsync(knownAt, asOf) is { } known ? ViewOf(known.Score, topic, -1) with { KnownAt = knownAt } : null;

    public async Task<ExplanationView?> ExplainKnownAtAsync(DateTimeOffset knownAt, DateTimeOffset asOf, int? top = null) =>
        await KnownAtAsync(knownAt, asOf) is { } known ? ExplanationOf(known.Score, top) with { KnownAt = knownAt } : null;

    /// <summary>
    /// This source as the tracker knew it at <paramref name="knownAt"/>, as of <paramref name="asOf"/>:
    /// the events recorded by then, the record they replay to, and its score. As of that very moment
    /// it is the live score a reader was served then, provisional evidence and all, from the truth
    /// estimate in force then (<see cref="EstimateHistory"/>); as of an earlier moment it is what a
    /// read asking then for that earlier moment was given: verdicts alone.
    /// </summary>
    private async Task<KnownRecord?> KnownAtAsync(DateTimeOffset knownAt, DateTimeOffset asOf)
    {
        if (await KnownAtAsync(knownAt) is not { } events)
        {
            return null;
        }

        var then = Ledger.Replay(events, asOf);
        var estimates = ProvisionalTruth.None;
        ReliabilityBand? shown = null;
        ShownTagBands? shownTags = null;
        if (asOf == knownAt)
        {
            var open = OpenPropositions(then);
            estimates = ToProvisional(then, new ProvisionalEstimates(-1, await EstimateHistory.KnownAtAsync(store, open, knownAt)), open);
            shown = await BandHistory.ShownAsync(store, SourceId, policies.Current.Version, knownAt);
            shownTags = await TagBandHistory.ShownAsync(store, SourceId, policies.Current.Version, knownAt);
        }

        return new KnownRecord(then, SourceScorer.Score(SourceId, events, asOf, policies.Current, estimates, shown, shownTags), estimates, events);
    }

    /// <summary>A record as known at a moment, as of a moment: the ledger replayed, its score, the estimates it used and the events it came from.</summary>
    private sealed record KnownRecord(Ledger Then, SourceScore Score, ProvisionalTruth Estimates, IReadOnlyList<IReliabilityEvent> Events);

    /// <summary>
    /// The events of this source's stream recorded by <paramref name="knownAt"/>, read from the store:
    /// the grain holds its events without their recording times, and a snapshot does not keep them
    /// either. A source merged into another since was, as the tracker knew it before the merge, a
    /// source of its own: its stream up to then is what a reader was told of it. Null when no source
    /// has the id, when it had been merged by then (the reader is sent to the survivor), or when none
    /// of its events was recorded by then.
    /// </summary>
    private async Task<IReadOnlyList<IReliabilityEvent>?> KnownAtAsync(DateTimeOffset knownAt)
    {
        await LoadAsync();
        if (Standing() is null && _ledger.MergedInto(SourceId) is null)
        {
            return null;
        }

        var known = await streams.ReadRecordedByAsync(StreamKeys.Source(SourceId), knownAt);
        return known.Count == 0 || known.Any(e => e is SourceMerged) ? null : known;
    }

    public async Task<ScoreHistoryView?> GetHistoryAsync(int? maxPoints)
    {
        await LoadAsync();
        if (Standing() is null)
        {
            return null;
        }

        return HistoryOf((await LiveAsync()).Score, maxPoints);
    }

    public async Task<ScoreHistoryView?> GetHistoryAsOfAsync(DateTimeOffset asOf, int? maxPoints)
    {
        await LoadAsync();
        return Standing() is null ? null : HistoryOf(ScoreAsOf(asOf), maxPoints) with { AsOf = asOf };
    }

    public async Task<ScoreHistoryView?> GetHistoryKnownAtAsync(DateTimeOffset knownAt, DateTimeOffset asOf, int? maxPoints) =>
        await KnownAtAsync(knownAt, asOf) is { } known ? HistoryOf(known.Score, maxPoints) with { AsOf = asOf, KnownAt = knownAt } : null;

    private ScoreHistoryView HistoryOf(SourceScore score, int? maxPoints) => HistoryOf(score.PolicyVersion, score.History, maxPoints);

    private ScoreHistoryView HistoryOf(string policyVersion, IReadOnlyList<ScorePoint> series, int? maxPoints)
    {
        var points = maxPoints is { } most ? ScoreHistoryThinning.Thin(series, most) : series;
        return new ScoreHistoryView(SourceId, policyVersion,
            [.. points.Select(p => new ScorePointView(p.At, p.Score, p.EffectiveEvidence, Vocabulary.Band(p.Band)))], series.Count);
    }

    public async Task<ScoreHistoryView?> GetTopicHistoryAsync(string topic, DateTimeOffset? asOf, DateTimeOffset? knownAt, int? maxPoints) =>
        await TagHistoryAsync(TagKind.Topic, topic, asOf, knownAt, maxPoints) is { } series ? series.History with { Topic = series.Named } : null;

    public async Task<ScoreHistoryView?> GetRegionHistoryAsync(string region, DateTimeOffset? asOf, DateTimeOffset? knownAt, int? maxPoints) =>
        await TagHistoryAsync(TagKind.Region, region, asOf, knownAt, maxPoints) is { } series ? series.History with { Region = series.Named } : null;

    /// <summary>A topic's or region's series, and the tag as the score names it (else as asked).</summary>
    private async Task<(ScoreHistoryView History, string Named)?> TagHistoryAsync(TagKind kind, string tag, DateTimeOffset? asOf, DateTimeOffset? knownAt, int? maxPoints)
    {
        await LoadAsync();
        (SourceScore Score, IReadOnlyList<IReliabilityEvent> Events)? scored;
        if (knownAt is { } recordedBy)
        {
            scored = await KnownAtAsync(recordedBy, asOf ?? recordedBy) is { } known ? (known.Score, known.Events) : null;
        }
        else
        {
            // The live series ends as the live score shows the topic: held band and provisional evidence included.
            scored = Standing() is null ? null : (asOf is { } at ? ScoreAsOf(at) : (await LiveAsync()).Score, _events);
        }

        if (scored is not var (score, events))
        {
            return null;
        }

        // Walked again for this one tag: a series per tag kept with every live score would cost every
        // activation what only a chart asks for. Every score here is worked out under the policy in force.
        var named = (kind == TagKind.Topic ? score.Topics : score.Regions).FirstOrDefault(t => string.Equals(t.Tag, tag, StringComparison.OrdinalIgnoreCase))?.Tag;
        var series = named is null ? [] : SourceScorer.TagHistory(SourceId, events, score, policies.Current, kind, named);
        return (HistoryOf(score.PolicyVersion, series, maxPoints) with { AsOf = asOf ?? knownAt, KnownAt = knownAt }, named ?? tag);
    }

    public async Task<ClaimPage?> GetClaimsAsync(string? cursor, int limit)
    {
        await LoadAsync();
        if (Standing() is null)
        {
            return null;
        }

        var (page, next) = PageOf(_ledger, cursor, limit);
        var estimates = await EstimatesAsync(page.Select(c => c.PropositionId));
        var superseded = SupersededOn(page.Select(c => c.PropositionId));
        return new ClaimPage([.. page.Select(c => ViewOf(c, estimates, superseded))], next);
    }

    public async Task<ClaimPage?> GetClaimsAsOfAsync(DateTimeOffset asOf, string? cursor, int limit)
    {
        await LoadAsync();
        if (Standing() is null)
        {
            return null;
        }

        var then = Ledger.Replay(_events, asOf);
        return then.FindSource(SourceId) is null ? null : PastClaimsOf(then, cursor, limit, ProvisionalTruth.None) with { AsOf = asOf };
    }

    public async Task<ClaimPage?> GetClaimsKnownAtAsync(DateTimeOffset knownAt, DateTimeOffset asOf, string? cursor, int limit) =>
        await KnownAtAsync(knownAt, asOf) is { } known && known.Then.FindSource(SourceId) is not null
            ? PastClaimsOf(known.Then, cursor, limit, known.Estimates) with { AsOf = asOf, KnownAt = knownAt }
            : null;

    /// <summary>
    /// A page of the claims of a record replayed to a past moment: each with the corrections, the
    /// verdict in force and the changes of mind of that record, and the provisional estimate its score
    /// used (none as of a past moment, whose score is from verdicts alone; the one in force then, known
    /// at a moment and as of it).
    /// </summary>
    private ClaimPage PastClaimsOf(Ledger then, string? cursor, int limit, ProvisionalTruth estimates)
    {
        var (page, next) = PageOf(then, cursor, limit);
        var superseded = SupersededOn(then, SourceId, page.Select(c => c.PropositionId));
        return new ClaimPage([.. page.Select(c => ViewOf(then, c, estimates, superseded))], next);
    }

    /// <summary>
    /// Newest first; the cursor is the last claim of the previous page, so pages stay stable while
    /// claims arrive (new claims land at the front, which a reader sees by starting again), and the
    /// same query over the same record pages alike every time.
    /// </summary>
    private (List<Claim> Page, string? Next) PageOf(Ledger ledger, string? cursor, int limit)
    {
        var ordered = ledger.ClaimsBy(SourceId).OrderByDescending(c => c.PublishedAt).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
        var start = 0;
        if (cursor is not null)
        {
            var index = ordered.FindIndex(c => c.Id == cursor);
            start = index < 0 ? ordered.Count : index + 1;
        }

        var page = ordered.Skip(start).Take(limit).ToList();
        var next = start + page.Count < ordered.Count && page.Count > 0 ? page[^1].Id : null;
        return (page, next);
    }

    public async Task<ClaimView?> GetClaimAsync(string claimId)
    {
        await LoadAsync();
        if (Standing() is null || _ledger.FindClaim(claimId) is not { } claim || claim.SourceId != SourceId)
        {
            return null;
        }

        return ViewOf(claim, await EstimatesAsync([claim.PropositionId]), SupersededOn([claim.PropositionId]));
    }

    public async Task<SourceLookup?> LookupAsync(IReadOnlyList<string> claimIds, int everyClaimUpTo, DateTimeOffset? asOf)
    {
        await LoadAsync();
        if (Standing() is not { } current)
        {
            return null;
        }

        // As of a past time, the record as it stood then: the source as it was known (its name and
        // handles then, when it was registered by then), the claims made by then, with the
        // corrections and verdicts known then, judged as the score then is, from verdicts alone
        // (see ScoreAsOf), beside the raters' words then. The live
        // score is not worked out for it.
        if (asOf is { } at)
        {
            var then = Ledger.Replay(_events, at);
            var scoreThen = ScoreAsOf(at);
            return LookupOf(then, ProfileOf(then, then.FindSource(SourceId) ?? current, scoreThen), scoreThen, BadgeClaims.Of(then, SourceId, claimIds, everyClaimUpTo));
        }

        var profile = (await GetProfileAsync())!;
        var badges = BadgeClaims.Of(_ledger, SourceId, claimIds, everyClaimUpTo);
        var estimates = await EstimatesAsync(badges.Claims.Concat(badges.Replacements).Select(c => c.PropositionId));
        return LookupOf(_ledger, profile, _live?.Score, badges, estimates) with { ScoredAt = _live?.Score.AsOf, TruthVersion = _live?.TruthVersion ?? -1 };
    }

    public async Task<SourceLookup?> LookupKnownAtAsync(IReadOnlyList<string> claimIds, int everyClaimUpTo, DateTimeOffset knownAt, DateTimeOffset asOf)
    {
        // Only what the events recorded by then say, down to the source's name and handles: a lookup
        // known at a moment must not find the source by a handle it was given later.
        if (await KnownAtAsync(knownAt, asOf) is not { } known || known.Then.FindSource(SourceId) is not { } source)
        {
            return null;
        }

        return LookupOf(known.Then, ProfileOf(known.Then, source, known.Score), known.Score, BadgeClaims.Of(known.Then, SourceId, claimIds, everyClaimUpTo), known.Estimates);
    }

    /// <summary>
    /// A lookup from a record (the live one, or one replayed), without the live score's time and truth
    /// version; with the source's record on each topic and region of the claims shown, from the score the profile shows.
    /// </summary>
    private static SourceLookup LookupOf(Ledger ledger, SourceProfile profile, SourceScore? score, BadgeClaims badges, ProvisionalTruth? estimates = null)
    {
        estimates ??= ProvisionalTruth.None;
        List<ClaimView> claims = [.. badges.Claims.Select(c => BadgeViewOf(ledger, c, estimates, badges.Superseded))];
        // Most sources' questions carry no topic or region: their lookups look for none.
        List<TagScoreView>? onTopics = null, inRegions = null;
        if (score is { Topics.Count: > 0 })
        {
            var topics = claims.SelectMany(c => c.Topics ?? []).ToHashSet(StringComparer.Ordinal);
            onTopics = [.. score.Topics.Where(t => topics.Contains(t.Tag)).Select(Views.Of)];
        }

        if (score is { Regions.Count: > 0 })
        {
            var regions = claims.Select(c => c.Region).OfType<string>().ToHashSet(StringComparer.Ordinal);
            inRegions = [.. score.Regions.Where(t => regions.Contains(t.Tag)).Select(Views.Of)];
        }

        return new SourceLookup(profile, profile.Score, claims,
            [.. badges.Replacements.Select(c => BadgeViewOf(ledger, c, estimates, badges.Superseded))], badges.EveryClaim, profile.ExternalRatings,
            Topics: onTopics is { Count: > 0 } ? onTopics : null, Regions: inRegions is { Count: > 0 } ? inRegions : null);
    }

    /// <summary>
    /// The claims a lookup shows of this source: those asked for that are its own (every claim, when
    /// it has at most a given number), the later claims of its that superseded any, and what the
    /// source says now: a reversal's replacement, or the later claim that superseded one.
    /// </summary>
    private sealed record BadgeClaims(IReadOnlyList<Claim> Claims, IReadOnlyList<Claim> Replacements, IReadOnlyDictionary<string, Claim> Superseded, bool EveryClaim)
    {
        public static BadgeClaims Of(Ledger ledger, string sourceId, IReadOnlyList<string> claimIds, int everyClaimUpTo)
        {
            var own = ledger.ClaimsBy(sourceId);
            var everyClaim = own.Count <= everyClaimUpTo;
            List<Claim> claims = everyClaim
                ? [.. own]
                : [.. claimIds.Select(ledger.FindClaim).OfType<Claim>().Where(c => c.SourceId == sourceId)];
            var superseded = SupersededOn(ledger, sourceId, claims.Select(c => c.PropositionId));
            var replacements = claims.SelectMany(c => ledger.CorrectionsOf(c.Id))
                .Select(c => c.ReplacementClaimId).OfType<string>().Select(ledger.FindClaim).OfType<Claim>()
                .Where(c => c.SourceId == sourceId)
                .Concat(claims.Select(c => superseded.GetValueOrDefault(c.Id)).OfType<Claim>())
                .DistinctBy(c => c.Id, StringComparer.Ordinal).ToList();
            return new BadgeClaims(claims, replacements, superseded, everyClaim);
        }
    }

    /// <summary>
    /// A claim as a badge shows it: without its text, evidence and corrections. Nodes keep lookups of
    /// small sources whole, every claim of them, a hundred thousand at a time; the text alone made most
    /// of that memory, and of each call's bytes.
    /// </summary>
    private static ClaimView BadgeViewOf(Ledger ledger, Claim claim, ProvisionalTruth estimates, IReadOnlyDictionary<string, Claim> superseded)
    {
        var proposition = ledger.FindProposition(claim.PropositionId);
        return ViewOf(ledger, claim, estimates, superseded) with
        {
            Text = null, Language = null, Evidence = [], Corrections = [],
            // The proposition's own list, shared by every claim on it; none where it has no topic.
            Topics = proposition?.Topics is { Count: > 0 } topics ? topics : null,
            Region = proposition?.Region,
        };
    }

    private ClaimView ViewOf(Claim claim, ProvisionalTruth estimates, IReadOnlyDictionary<string, Claim> superseded) =>
        ViewOf(_ledger, claim, estimates, superseded);

    private static ClaimView ViewOf(Ledger ledger, Claim claim, ProvisionalTruth estimates, IReadOnlyDictionary<string, Claim> superseded) =>
        Views.Of(claim, ledger.CorrectionsOf(claim.Id), ledger.ResolutionInForce(claim.PropositionId),
            estimates.ProbabilityOf(claim.PropositionId, claim.Option), estimates.Contested.Contains(claim.PropositionId),
            estimates.Uncorroborated.Contains(claim.PropositionId), superseded.GetValueOrDefault(claim.Id));

    /// <summary>This source's standing claims on these propositions that it has since superseded (one pass over its claims).</summary>
    private IReadOnlyDictionary<string, Claim> SupersededOn(IEnumerable<string> propositionIds) => SupersededOn(_ledger, SourceId, propositionIds);

    private static IReadOnlyDictionary<string, Claim> SupersededOn(Ledger ledger, string sourceId, IEnumerable<string> propositionIds)
    {
        var wanted = propositionIds.ToHashSet(StringComparer.Ordinal);
        return ChangesOfMind.Superseded(ledger.ClaimsBy(sourceId)
            .Where(c => wanted.Contains(c.PropositionId) && ledger.StillAsserts(c.Id)));
    }

    // A score as of a past moment, from verdicts alone, as it has always been served: the truth
    // estimate in force then judged a record that did not yet hold what was recorded since about
    // earlier times (see KnownAtAsync for the score as the tracker served it then).
    private SourceScore ScoreAsOf(DateTimeOffset asOf) => SourceScorer.Score(SourceId, _events, asOf, policies.Current);

    /// <summary>
    /// The live score is kept until the stream or the truth estimate changes, or a minute passes
    /// (recency decay moves it slowly with the clock). Its band holds the band readers were last shown
    /// (<see cref="BandHistory"/>), and a band that moves is recorded before it is served.
    /// </summary>
    private async Task<LiveScore> LiveAsync(bool force = false)
    {
        var estimates = await truth.CurrentAsync();
        var now = clock.GetUtcNow();
        if (!force && _live is { } cached && cached.Version == StreamVersion && cached.TruthVersion == estimates.Version
            && now - cached.Score.AsOf < LiveScoreLifetime)
        {
            if (cached.ListingOwedSince is not { } owed || now - owed < ListingRetry)
            {
                return cached;
            }

            // A band not yet on record is worked out again, and recorded this time if the store lets it.
            if (!cached.BandOwed)
            {
                await ListAsync(cached, now, BandsToRecord.None);
                return cached;
            }
        }

        var policy = policies.Current;
        var known = _shown is { } held && held.Policy == policy.Version ? held : null;
        var knownTags = _shownTags is { } heldTags && heldTags.Policy == policy.Version ? heldTags : null;
        var score = SourceScorer.Score(
            SourceId, _events, now, policy, ToProvisional(_ledger, estimates, OpenPropositions(_ledger)), known?.Band, knownTags?.Bands);
        if (known is null && score.Band != ReliabilityBand.InsufficientRecord && BandRule.Settled(score.Score, policy.Bands) is null)
        {
            // Within the margin of a threshold the band last shown decides: read it, once per activation.
            // Elsewhere the score alone decides, and the write below records it only if it is a change.
            known = _shown = new ShownBand(policy.Version, await BandHistory.ShownAsync(store, SourceId, policy.Version, null));
            if (known.Band is { } shown)
            {
                score = score.ShowingBand(BandRule.Next(shown, score.Score, policy.Bands));
            }
        }

        if (knownTags is not { Read: true } && UnsettledTags(score, policy.Bands).Any(t => knownTags?.Bands.Of(t.Kind, t.Tag.Tag) is null))
        {
            // The same for each topic and region: what was shown decides only within a threshold's margin.
            var read = await TagBandHistory.ShownAsync(store, SourceId, policy.Version, null);
            knownTags = _shownTags = new ShownTags(policy.Version, read, Read: true);
            score = score.ShowingTagBands((kind, tag) => read.Of(kind, tag.Tag) is { } shown ? BandRule.Next(shown, tag.Estimate.Score, policy.Bands) : null);
        }

        var record = new BandsToRecord(
            score.Band != ReliabilityBand.InsufficientRecord && (known is null || score.Band != known.Band),
            [.. Tags(score).Where(t => t.Tag.Band != ReliabilityBand.InsufficientRecord && knownTags?.Bands.Of(t.Kind, t.Tag.Tag) != t.Tag.Band)
                .Select(t => new TagShown(t.Kind, t.Tag.Tag, t.Tag.Band))]);
        var live = _live = new LiveScore(StreamVersion, estimates.Version, score);
        // Against what was last published, not the last live score: drift too small to publish on its
        // own adds up minute by minute until it is news.
        var published = _published;
        if (published is null || record.Any || ScoreNews.IsNews(published, score) || ScoreNews.TagBandsMoved(published, score))
        {
            live = await ListAsync(live, now, record);
            if (published is not null && ScoreNews.IsNews(published, live.Score))
            {
                // The first score after activation is not news: only a change is announced.
                hub.Publish("score", new ScoreEvent(
                    SourceId, live.Score.Score, live.Score.Overall.Lower, live.Score.Overall.Upper, Vocabulary.Band(live.Score.Band),
                    live.Score.Grade.ToString(), live.Score.AsOf));
            }
        }

        return live;
    }

    /// <summary>
    /// Puts the live score in the listing, with its bands (overall, and of its topics and regions) on
    /// record where they moved. A listing that could not be written is owed, and tried again by a later
    /// read: the reader still gets the score it asked for, which the grain holds right, but not a band
    /// that is not on record: until it is, the score shows the band last recorded (a reader known at a
    /// moment finds only what was recorded).
    /// </summary>
    /// <returns>The live score as served: showing the band last recorded when its own could not be.</returns>
    private async Task<LiveScore> ListAsync(LiveScore live, DateTimeOffset now, BandsToRecord record)
    {
        var listed = false;
        var bandRecorded = false;
        try
        {
            (listed, bandRecorded) = await PublishSummaryAsync(live.Score, record);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogListingFailed(logger, SourceId, exception);
        }

        var policy = live.Score.PolicyVersion;
        if (bandRecorded)
        {
            if (record.Overall)
            {
                _shown = new ShownBand(policy, live.Score.Band);
            }

            if (record.Tags.Count > 0)
            {
                _shownTags = ShownTags.With(_shownTags is { } before && before.Policy == policy ? before : new ShownTags(policy, ShownTagBands.None, Read: false), record.Tags);
            }
        }
        else if (record.Any)
        {
            // Shown meanwhile without a record: a band the score alone decides (a read known at the
            // moment finds the same), or the first band ever, with nothing older to show.
            var score = live.Score;
            if (record.Overall && _shown is { Band: { } held } shown && shown.Policy == policy)
            {
                score = score.ShowingBand(held);
            }

            if (_shownTags is { } tags && tags.Policy == policy)
            {
                score = score.ShowingTagBands((kind, tag) => record.Tags.Any(t => t.Kind == kind && t.Tag == tag.Tag) ? tags.Bands.Of(kind, tag.Tag) : null);
            }

            live = _live = ReferenceEquals(score, live.Score) ? live : new LiveScore(live.Version, live.TruthVersion, score);
            live.BandOwed = true;
        }

        if (listed)
        {
            _published = PublishedScore.Of(live.Score);
        }

        live.ListingOwedSince = listed ? null : now;
        return live;
    }

    /// <summary>
    /// Keeps the source listing (search, filter by band) in step with the live score, and records its
    /// bands in the same transaction when asked to. The document is versioned: when a writer changed it
    /// meanwhile, the grain reloads it rather than overwrite the writer's claim count and propositions
    /// with its stale copy.
    /// </summary>
    /// <returns>Whether the listing now shows this score (false: no listing, or the grain gave up), and whether its band is on record.</returns>
    private async Task<(bool Listed, bool BandRecorded)> PublishSummaryAsync(SourceScore score, BandsToRecord record)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var document = await session.LoadAsync<SourceDocument>(SourceId);
            if (record.Overall)
            {
                BandHistory.Queue(session, SourceId, score.PolicyVersion, score.Band);
            }

            TagBandHistory.Queue(session, SourceId, score.PolicyVersion, [.. record.Tags.Select(t => (TagBandHistory.Key(t.Kind, t.Tag), t.Band))]);
            if (document is null)
            {
                // No listing to keep; the bands are still recorded for the readers they are shown to.
                if (record.Any)
                {
                    await session.SaveChangesAsync();
                }

                return (false, record.Any);
            }

            document.Score = score.Score;
            document.Lower = score.Overall.Lower;
            document.Upper = score.Overall.Upper;
            document.EffectiveEvidence = score.Overall.EffectiveEvidence;
            document.Band = Vocabulary.Band(score.Band);
            document.PolicyVersion = score.PolicyVersion;
            document.Grade = score.Grade.ToString();
            document.TopicBands = [.. score.Topics.Select(t => SourceDocument.TagBand(t.Tag, Vocabulary.Band(t.Band)))];
            document.RegionBands = [.. score.Regions.Select(t => SourceDocument.TagBand(t.Tag, Vocabulary.Band(t.Band)))];
            document.Regions.AddRange(score.Regions.Select(t => t.Tag).Where(r => !document.Regions.Contains(r)).ToList());
            document.RefreshRatedOtherwise();
            session.Store(document);
            try
            {
                await session.SaveChangesAsync();
                return (true, record.Any);
            }
            catch (Exception exception) when (WriteConflicts.IsConflict(exception))
            {
                if (attempt == PublishAttempts)
                {
                    // The listing lags until the next change of score; the grain's own answers are right.
                    LogPublishGaveUp(logger, SourceId);
                    return (false, false);
                }
            }
        }
    }

    // For claim views, which show each estimate but never weigh it as evidence.
    private async Task<ProvisionalTruth> EstimatesAsync(IEnumerable<string> propositionIds) =>
        ToProvisional(_ledger, await truth.CurrentAsync(), propositionIds);

    private List<string> OpenPropositions(Ledger ledger) =>
        [.. ledger.ClaimsBy(SourceId).Select(c => c.PropositionId).Distinct(StringComparer.Ordinal)
            .Where(p => ledger.ResolutionInForce(p) is null)];

    /// <summary>
    /// The estimates of the propositions asked for that have one, which of them are contested, and
    /// which only this source speaks to. The last needs a pass over the source's claims, made only
    /// when an estimate has no more claimants than options.
    /// </summary>
    private ProvisionalTruth ToProvisional(Ledger ledger, ProvisionalEstimates estimates, IEnumerable<string> propositionIds)
    {
        var wanted = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        var contested = new HashSet<string>(StringComparer.Ordinal);
        var uncorroborated = new HashSet<string>(StringComparer.Ordinal);
        Dictionary<string, HashSet<string>>? own = null;
        foreach (var id in propositionIds)
        {
            if (!wanted.ContainsKey(id) && estimates.Propositions.TryGetValue(id, out var options))
            {
                wanted[id] = options.ToDictionary(o => o.Option, o => o.Probability, StringComparer.Ordinal);
                if (ProvisionalEstimates.IsContested(options))
                {
                    contested.Add(id);
                }

                if (!ProvisionalEstimates.MayBeUncorroborated(options))
                {
                    continue;
                }

                own ??= StandingOptions(ledger);
                if (ProvisionalEstimates.IsUncorroborated(options, own.TryGetValue(id, out var asserted) ? asserted.Count : 0))
                {
                    uncorroborated.Add(id);
                }
            }
        }

        return new ProvisionalTruth(wanted) { Contested = contested, Uncorroborated = uncorroborated };
    }

    /// <summary>
    /// The options this source's standing claims assert, by proposition, standing as the truth
    /// estimate counts them: not retracted or reversed (see <see cref="Correction.EndsAssertion"/>),
    /// nor superseded by a later claim of another option (see <see cref="ChangesOfMind"/>).
    /// </summary>
    private Dictionary<string, HashSet<string>> StandingOptions(Ledger ledger)
    {
        var standing = ledger.ClaimsBy(SourceId).Where(c => ledger.StillAsserts(c.Id)).ToList();
        var superseded = ChangesOfMind.Superseded(standing);
        var options = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var claim in standing.Where(c => !superseded.ContainsKey(c.Id)))
        {
            if (!options.TryGetValue(claim.PropositionId, out var asserted))
            {
                options[claim.PropositionId] = asserted = new HashSet<string>(StringComparer.Ordinal);
            }

            asserted.Add(claim.Option);
        }

        return options;
    }

    private static ScoreSummary Summary(SourceScore score) =>
        Views.Summary(score.Overall, score.Band, score.Grade, score.HasProvisionalEvidence);

    private async Task CatchUpCoreAsync(CancellationToken cancellationToken)
    {
        var (events, version) = await streams.ReadAsync(StreamKeys.Source(SourceId), StreamVersion, cancellationToken);
        if (version == StreamVersion)
        {
            return;
        }

        Fold(events, version);
        await SnapshotIfDueAsync(cancellationToken);
    }

    /// <summary>
    /// A snapshot is only a shortcut for the next activation: failing to store one must not fail the
    /// call that held the events (a commit's notice, a catch-up or a reader's first question).
    /// </summary>
    private async Task SnapshotIfDueAsync(CancellationToken cancellationToken)
    {
        if (StreamVersion - _snapshotVersion < options.Value.SnapshotInterval)
        {
            return;
        }

        try
        {
            await SaveSnapshotAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogSnapshotFailed(logger, SourceId, exception);
        }
    }

    private void Fold(IReadOnlyList<IReliabilityEvent> events, long version)
    {
        foreach (var e in events)
        {
            Hold(e);
        }

        StreamVersion = version;
    }

    private void Hold(IReliabilityEvent e)
    {
        var held = HeldEvents.Compact(e, SourceId, _ledger, propositions);
        _events.Add(held);
        _ledger.Apply(held);
    }

    private async Task RestoreSnapshotAsync(CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        if (await session.LoadAsync<SourceSnapshot>(SourceId, cancellationToken) is not { } snapshot)
        {
            return;
        }

        foreach (var e in snapshot.ToEvents())
        {
            Hold(e);
        }

        StreamVersion = _snapshotVersion = snapshot.Version;
    }

    /// <summary>
    /// Holds exactly the events up to <see cref="StreamVersion"/>; whichever activation writes last, the
    /// snapshot stays a true prefix of the stream.
    /// </summary>
    private async Task SaveSnapshotAsync(CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        session.Store(SourceSnapshot.Of(SourceId, StreamVersion, _events));
        await session.SaveChangesAsync(cancellationToken);
        _snapshotVersion = StreamVersion;
    }

    [LoggerMessage(LogLevel.Warning, "Source {SourceId} kept conflicting with writers; its listing is refreshed on the next score change")]
    private static partial void LogPublishGaveUp(ILogger logger, string sourceId);

    [LoggerMessage(LogLevel.Warning, "Could not put source {SourceId}'s score in the listing, nor a band it moved to on record; a later read tries again")]
    private static partial void LogListingFailed(ILogger logger, string sourceId, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Could not store the snapshot of source {SourceId}")]
    private static partial void LogSnapshotFailed(ILogger logger, string sourceId, Exception exception);

    /// <summary>
    /// A live score and, once asked for, its view. The view lives and dies with its score, so a
    /// replaced score is never kept alive by the view built from it.
    /// </summary>
    private sealed class LiveScore(long version, long truthVersion, SourceScore score)
    {
        public long Version => version;
        public long TruthVersion => truthVersion;
        public SourceScore Score => score;

        /// <summary>Built the first time the score is asked for whole, then served again.</summary>
        public ScoreView? View { get; set; }

        /// <summary>When a write of this score to the listing last failed; null once it is listed, or was not news.</summary>
        public DateTimeOffset? ListingOwedSince { get; set; }

        /// <summary>A band this score moved to (overall or of a tag) could not be recorded: a later read works the score out again to record it.</summary>
        public bool BandOwed { get; set; }
    }

    /// <summary>The band last recorded as shown under a policy (null: none yet).</summary>
    private sealed record ShownBand(string Policy, ReliabilityBand? Band);

    /// <summary>
    /// The bands last recorded as shown for the score's tags under a policy, as far as this activation knows:
    /// all of them once read from the store (<paramref name="Read"/>), else only those it recorded itself.
    /// </summary>
    private sealed record ShownTags(string Policy, ShownTagBands Bands, bool Read)
    {
        public static ShownTags With(ShownTags before, IReadOnlyList<TagShown> recorded)
        {
            var topics = new Dictionary<string, ReliabilityBand>(before.Bands.Topics, StringComparer.Ordinal);
            var regions = new Dictionary<string, ReliabilityBand>(before.Bands.Regions, StringComparer.Ordinal);
            foreach (var tag in recorded)
            {
                (tag.Kind == TagKind.Topic ? topics : regions)[tag.Tag] = tag.Band;
            }

            return before with { Bands = new ShownTagBands(topics, regions) };
        }
    }

    /// <summary>A tag's band to record as shown.</summary>
    private sealed record TagShown(TagKind Kind, string Tag, ReliabilityBand Band);

    /// <summary>The bands a live score moved to, to record before they are served: the overall band, and those of its tags.</summary>
    private sealed record BandsToRecord(bool Overall, IReadOnlyList<TagShown> Tags)
    {
        public static BandsToRecord None { get; } = new(false, []);

        public bool Any => Overall || Tags.Count > 0;
    }

    private static IEnumerable<(TagKind Kind, TagScore Tag)> Tags(SourceScore score) =>
        score.Topics.Select(t => (TagKind.Topic, t)).Concat(score.Regions.Select(r => (TagKind.Region, r)));

    /// <summary>The tags of a record of their own whose score lies within the margin of a threshold, where the band shown decides.</summary>
    private static IEnumerable<(TagKind Kind, TagScore Tag)> UnsettledTags(SourceScore score, BandThresholds bands) =>
        Tags(score).Where(t => t.Tag.Band != ReliabilityBand.InsufficientRecord && BandRule.Settled(t.Tag.Estimate.Score, bands) is null);
}
