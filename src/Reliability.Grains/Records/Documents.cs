using Reliability.Contracts.Sources;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Domain.Scoring;

namespace Reliability.Grains.Records;

/// <summary>A source as listed and searched; its score fields are refreshed by its grain.</summary>
public sealed class SourceDocument
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required SourceKind Kind { get; set; }
    public bool InterestedParty { get; set; }
    public List<HandleView> Handles { get; set; } = [];

    /// <summary>
    /// Topics of the propositions the source has claimed on, for filtering the listing. Nothing here
    /// grows with every claim: a claim writer stores the document only when a topic is new, and
    /// counts and propositions are read from the claims themselves.
    /// </summary>
    public List<string> Topics { get; set; } = [];

    /// <summary>
    /// The same for the propositions' regions. Kept by claim writers as topics are, and by the grain's
    /// listing from the score's regions, so a listing written before it was kept has them after a rescore.
    /// </summary>
    public List<string> Regions { get; set; } = [];

    public string Band { get; set; } = "insufficient-record";

    /// <summary>
    /// The band of each topic of the listed score, as "band:topic" (a band has no colon), for finding the
    /// sources reliable or not on a topic; empty on a listing written before it was kept, until its next score.
    /// </summary>
    public List<string> TopicBands { get; set; } = [];

    /// <summary>The same for each region, kept for the articles that come to cite the source on it.</summary>
    public List<string> RegionBands { get; set; } = [];

    public static string TagBand(string tag, string band) => $"{band}:{tag}";

    /// <summary>The listed band of each topic, by topic.</summary>
    public Dictionary<string, string> BandsByTopic() => ByTag(TopicBands);

    /// <summary>The listed band of each region, by region.</summary>
    public Dictionary<string, string> BandsByRegion() => ByTag(RegionBands);

    private static Dictionary<string, string> ByTag(List<string> bands) =>
        bands.Select(t => t.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[1], p => p[0], StringComparer.Ordinal);

    /// <summary>The scoring policy the listed score and band were worked out under; null on a listing written before it was kept.</summary>
    public string? PolicyVersion { get; set; }

    public double Score { get; set; }
    public double Lower { get; set; }
    public double Upper { get; set; }
    public double EffectiveEvidence { get; set; }
    public string Grade { get; set; } = "F";
    public DateTimeOffset RegisteredAt { get; set; }

    /// <summary>
    /// The source this one was merged into or, once that one was merged in turn, the source holding
    /// its record now (a merge repoints the listings of the sources its absorbed source had taken
    /// over); null while it stands on its own. A merged source is left out of listings and searches,
    /// and writes naming it are made to the source holding its record.
    /// </summary>
    public string? MergedInto { get; set; }

    /// <summary>Lower-cased name and handles, for the search box.</summary>
    public string SearchText { get; set; } = "";

    /// <summary>
    /// Each outside rater's standing word, by rater, a withdrawal included (its rating null): what a
    /// word that arrives later is decided against, as the ledger decides it (<see cref="RaterWords"/>).
    /// </summary>
    public List<ExternalRatingDocument> ExternalRatings { get; set; } = [];

    /// <summary>
    /// A digest of every rater's word recorded of the source (<see cref="RatingWordDigest"/>), older
    /// ones found late included: the same word imported again is a duplicate, not a second event.
    /// </summary>
    public List<string> RecordedRatingWords { get; set; } = [];

    public static string RatingWordDigest(ExternalRatingRecorded word) =>
        StreamKeys.Digest($"{word.Rater}\n{word.Rating}\n{word.Url}\n{word.At.UtcTicks}")[..16];

    /// <summary>
    /// Whether an outside rater's words mean another band than the listed one, for the listing's
    /// filter; kept in step by whoever changes either (an insufficient record disagrees with no one).
    /// </summary>
    public bool RatedOtherwise { get; set; }

    public void RefreshRatedOtherwise() => RatedOtherwise = StandingRatings().Any(r => r.DisagreesWith(ListedBand));

    /// <summary>The listed band, in the domain's terms.</summary>
    public ReliabilityBand ListedBand => Vocabulary.TryBand(Band, out var band) ? band : ReliabilityBand.InsufficientRecord;

    /// <summary>The raters' standing ratings, withdrawals left out.</summary>
    public IEnumerable<ExternalRating> StandingRatings() =>
        ExternalRatings.Where(r => r.Rating is not null).Select(r => new ExternalRating(r.Rater, r.Rating!, r.Url, r.At));
}

public sealed class ExternalRatingDocument
{
    public required string Rater { get; set; }

    /// <summary>The rater's words; null: it withdrew its rating.</summary>
    public string? Rating { get; set; }

    public string? Url { get; set; }
    public DateTimeOffset At { get; set; }

    public ExternalRatingRecorded ToWord(string sourceId) => new(sourceId, Rater, Rating, Url, At);
}

/// <summary>Maps a platform handle to its source; its id makes a handle belong to one source only.</summary>
public sealed class HandleDocument
{
    public required string Id { get; set; }
    public required string SourceId { get; set; }
}

/// <summary>A claim by id and by URL, with what corrections did to it.</summary>
public sealed class ClaimDocument
{
    public required string Id { get; set; }
    public required string SourceId { get; set; }
    public required string PropositionId { get; set; }
    public required string Option { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
    public string? Url { get; set; }

    /// <summary><see cref="UrlKeys.Of"/> of <see cref="Url"/>: how citations on a page find the claim.</summary>
    public string? UrlKey { get; set; }

    public Hedge Hedge { get; set; }
    public string? RelayOf { get; set; }

    // With the fields above, the whole claim: a proposition's view reads its claims from these
    // documents instead of from a copy of every claim in the proposition's stream. Documents stored
    // before these fields lack them; their claims' copies are in the proposition's stream.
    public string? OriginalText { get; set; }
    public string? Language { get; set; }
    public List<string> EvidenceUrls { get; set; } = [];

    /// <summary>"live", "deleted", "retracted" or "reversed": what the source did to the claim.</summary>
    public string CorrectionStatus { get; set; } = "live";

    public string? ReplacementClaimId { get; set; }

    /// <summary>
    /// When the source withdrew the claim (retracted or reversed it): the time of the earliest such
    /// correction, as the correction dates it (<see cref="Correction.At"/>, which may lie before the
    /// day it was recorded), so that a read as of a past moment knows whether the claim still stood
    /// then. Null while the claim stands, and on a document stored before the field was kept that no
    /// start-up pass has filled in (<see cref="ClaimWithdrawalTimes"/>; one withdrawn by a copy of the
    /// previous version after the pass completed waits for its next correction or another pass): such
    /// a claim counts as withdrawn at every moment (see <see cref="Domain.Disputes.StandingAt.Asserts"/>).
    /// </summary>
    public DateTimeOffset? WithdrawnAt { get; set; }

    /// <summary>
    /// Whether a claim in this <see cref="CorrectionStatus"/> still asserts its option: one the source
    /// retracted or reversed no longer does; a deleted one still does (deleting cannot launder a record).
    /// </summary>
    public static bool StillAsserts(string correctionStatus) => correctionStatus is not ("retracted" or "reversed");

    /// <summary>Corrections already recorded, so a retried one is not appended twice.</summary>
    public List<string> CorrectionIds { get; set; } = [];

    /// <summary>A new claim's document: the whole claim, not yet corrected.</summary>
    public static ClaimDocument Of(Claim claim) => new()
    {
        Id = claim.Id,
        SourceId = claim.SourceId,
        PropositionId = claim.PropositionId,
        Option = claim.Option,
        PublishedAt = claim.PublishedAt,
        Url = claim.Url,
        UrlKey = UrlKeys.Of(claim.Url),
        Hedge = claim.Hedge,
        RelayOf = claim.RelayOfClaimId,
        OriginalText = claim.OriginalText,
        Language = claim.Language,
        EvidenceUrls = [.. claim.EvidenceUrls],
    };

    public Claim ToClaim() => new(Id, SourceId, PropositionId, Option, PublishedAt, Url, OriginalText, Language, Hedge, RelayOf, EvidenceUrls);
}

/// <summary>A proposition by state, with its resolution revisions (which new claimants' streams receive).</summary>
public sealed class PropositionDocument
{
    public required string Id { get; set; }
    public required Proposition Proposition { get; set; }
    public DateTimeOffset OpenedAt { get; set; }

    /// <summary>"open", "contested" or "resolved".</summary>
    public string State { get; set; } = "open";

    public List<Resolution> Resolutions { get; set; } = [];
    public int ClaimCount { get; set; }

    /// <summary>Options claimed so far: two or more distinct ones make an unresolved proposition contested.</summary>
    public List<string> ClaimedOptions { get; set; } = [];

    public void Refresh() =>
        State = Resolutions.Count > 0 ? "resolved" : ClaimedOptions.Count > 1 ? "contested" : "open";

    /// <summary>
    /// The revision in force when it confirms an option, else null: revisions are kept in order, the
    /// last one is in force, and "unresolvable" confirms nothing. A method, not a property, so the
    /// document's JSON does not carry it.
    /// </summary>
    public Resolution? ConfirmingResolution() =>
        Resolutions.LastOrDefault() is { Verdict: Verdict.Confirmed, ConfirmedOption: not null } resolution ? resolution : null;
}

/// <summary>An article registered by a newsroom, with what it cites and the cited sources' bands then.</summary>
public sealed class ArticleDocument
{
    public required string Id { get; set; }
    public required string Url { get; set; }

    /// <summary>
    /// <see cref="UrlKeys.Of"/> of <see cref="Url"/>: how a registration finds the article again. Its
    /// id was derived from the key function of its first registration, so it is found by this, not by
    /// deriving the id again (see <c>ArticleWrite.ArticleAtAsync</c>).
    /// </summary>
    public string? UrlKey { get; set; }

    public string? Title { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public List<string> CitedClaimIds { get; set; } = [];
    public List<string> CitedUrls { get; set; } = [];

    /// <summary>
    /// <see cref="UrlKeys.Of"/> of each of <see cref="CitedUrls"/>: a claim recorded later at one of
    /// them is cited by the article too, found through this (a column of its own, GIN-indexed).
    /// Null on an article stored before the keys were kept, or whose keys are to be worked out
    /// again (new key rules): <see cref="ArticleUrlKeys"/> fills them in at start-up.
    /// </summary>
    public List<string>? CitedUrlKeys { get; set; }

    public List<CitedSource> Sources { get; set; } = [];

    public static List<string> KeysOf(IEnumerable<string> urls) =>
        [.. urls.Select(UrlKeys.Of).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}

/// <summary>
/// A source an article cites and its band when first cited: what "its band dropped" compares with,
/// and the scoring policy that band was worked out under (null: cited before it was kept), so a
/// drop that came with a new policy says so.
/// </summary>
public sealed class CitedSource
{
    public required string SourceId { get; set; }
    public required string Band { get; set; }
    public string? PolicyVersion { get; set; }
    public DateTimeOffset CitedAt { get; set; }

    /// <summary>
    /// The source's band on each topic of the questions the article cites it on, when the article came
    /// to cite it on that topic: an army reliable overall may fall on casualty figures, the one topic
    /// a story leans on. Null on an article registered before they were kept.
    /// </summary>
    public Dictionary<string, string>? TopicBands { get; set; }

    /// <summary>The same for the regions of those questions.</summary>
    public Dictionary<string, string>? RegionBands { get; set; }

    /// <summary>Adds a baseline for each of <paramref name="tags"/> not cited before; a tag already cited keeps its own.</summary>
    public void CiteOn(TagKind kind, IEnumerable<string> tags, Func<string, string> bandNow)
    {
        foreach (var tag in tags)
        {
            var bands = kind == TagKind.Topic
                ? TopicBands ??= new Dictionary<string, string>(StringComparer.Ordinal)
                : RegionBands ??= new Dictionary<string, string>(StringComparer.Ordinal);
            bands.TryAdd(tag, bandNow(tag));
        }
    }

    /// <summary>Drops the bands kept of the tags of this kind the article no longer cites the source on.</summary>
    public void CitedOnlyOn(TagKind kind, IReadOnlySet<string> tags)
    {
        var bands = kind == TagKind.Topic ? TopicBands : RegionBands;
        foreach (var gone in bands?.Keys.Where(tag => !tags.Contains(tag)).ToList() ?? [])
        {
            bands!.Remove(gone);
        }
    }

    /// <summary>The bands kept of one kind of tag, by tag; empty where none were kept.</summary>
    public IReadOnlyDictionary<string, string> BandsOn(TagKind kind) =>
        (kind == TagKind.Topic ? TopicBands : RegionBands) ?? new Dictionary<string, string>();
}
