using System.Linq.Expressions;
using Reliability.Contracts.Propositions;
using Reliability.Domain.Model;
using Reliability.Domain.Scoring;
using Reliability.Domain.Truth;
using Reliability.Grains.Records;

namespace Reliability.Grains.Propositions;

/// <summary>
/// The part of the record truth discovery reads: each claim's source, proposition, option, hedge,
/// relay, when it was published and whether it still stands, each proposition's options, and each resolved proposition's
/// confirmed option. The truth
/// grain keeps one in memory and puts in what each commit wrote, instead of reading every claim for
/// every estimate.
/// </summary>
public sealed class TruthRecord
{
    private readonly Dictionary<string, TruthRow> _claims = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _verdicts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _options = new(StringComparer.Ordinal);

    // Ids and options repeat across many claims; one copy of each keeps a large record small.
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    public int ClaimCount => _claims.Count;

    public static TruthRecord From(IEnumerable<ClaimDocument> claims, IEnumerable<PropositionDocument> propositions)
    {
        var all = propositions.ToList();
        return From(claims.Select(ClaimForEstimate.Of), all.Select(PropositionOptions.Of), all.Where(p => p.State == "resolved"));
    }

    /// <param name="claims">Every claim.</param>
    /// <param name="options">Every proposition's options.</param>
    /// <param name="resolved">The resolved propositions (others may be among them; they change nothing).</param>
    public static TruthRecord From(
        IEnumerable<ClaimForEstimate> claims, IEnumerable<PropositionOptions> options, IEnumerable<PropositionDocument> resolved)
    {
        var record = new TruthRecord();
        foreach (var claim in claims)
        {
            record.Put(claim);
        }

        foreach (var proposition in options)
        {
            record.Put(proposition);
        }

        foreach (var proposition in resolved)
        {
            record.Put(proposition);
        }

        return record;
    }

    /// <summary>A claim as read from the store, in its latest state.</summary>
    public void Put(ClaimForEstimate claim) =>
        _claims[claim.Id] = Row(claim.SourceId, claim.PropositionId, claim.Option, claim.Hedge, claim.RelayOf, claim.CorrectionStatus, claim.PublishedAt);

    /// <summary>
    /// A claim as its writer recorded it. A claim already held was read from the store since, in a
    /// state at least as late, and is kept.
    /// </summary>
    public void PutRecorded(RecordedClaimForTruth claim) =>
        _claims.TryAdd(claim.Id, Row(claim.SourceId, claim.PropositionId, claim.Option, claim.Hedge, claim.RelayOf, claim.CorrectionStatus, claim.PublishedAt));

    private TruthRow Row(string sourceId, string propositionId, string option, Hedge hedge, string? relayOf, string correctionStatus, DateTimeOffset? publishedAt) =>
        new(Shared(sourceId), Shared(propositionId), Shared(option), hedge, relayOf,
            Stands: ClaimDocument.StillAsserts(correctionStatus), PublishedTicks: publishedAt?.UtcTicks ?? Untimed);

    private const long Untimed = long.MinValue;

    public bool HasOptionsOf(string propositionId) => _options.ContainsKey(propositionId);

    /// <summary>A proposition's options: the estimate weighs all of them, claimed or not.</summary>
    public void Put(PropositionOptions proposition) =>
        _options[proposition.Id] = [.. proposition.Options.Select(Shared)];

    /// <summary>Only the latest revision counts, and only a confirmed option anchors the estimate.</summary>
    public void Put(PropositionDocument proposition)
    {
        Put(PropositionOptions.Of(proposition));
        if (proposition.ConfirmingResolution() is { ConfirmedOption: { } option })
        {
            _verdicts[proposition.Id] = option;
        }
        else
        {
            _verdicts.Remove(proposition.Id);
        }
    }

    /// <summary>
    /// The engine's input. Hedged claims weigh less; relays name the source they copy. Each claim
    /// carries when it was published: a source's later claim of another option supersedes its
    /// earlier one as a declared reversal would, and of two sources that copy one another the later is the copier.
    /// </summary>
    public TruthDiscoveryInput ToInput(HedgeWeights hedges)
    {
        // No ordering needed: the engine's answer does not depend on the order of its input.
        var claims = new List<TruthClaim>(_claims.Count);
        foreach (var row in _claims.Values)
        {
            if (!row.Stands)
            {
                continue;
            }

            claims.Add(new TruthClaim(
                row.SourceId,
                row.PropositionId,
                row.Option,
                row.Hedge switch { Hedge.Reported => hedges.Reported, Hedge.Speculative => hedges.Speculative, _ => hedges.Asserted },
                row.RelayOf is { } relayOf && _claims.TryGetValue(relayOf, out var relayed) ? relayed.SourceId : null,
                row.PublishedTicks == Untimed ? null : new DateTimeOffset(row.PublishedTicks, TimeSpan.Zero)));
        }

        return new TruthDiscoveryInput(
            claims,
            [.. _verdicts.Select(v => new ResolvedTruth(v.Key, v.Value))],
            Options: new Dictionary<string, IReadOnlyList<string>>(_options, StringComparer.Ordinal));
    }

    private string Shared(string value)
    {
        if (_strings.TryGetValue(value, out var shared))
        {
            return shared;
        }

        _strings[value] = value;
        return value;
    }

    // When it was published, in UTC ticks: a record of a million claims holds a long each, not a DateTimeOffset.
    private sealed record TruthRow(string SourceId, string PropositionId, string Option, Hedge Hedge, string? RelayOf, bool Stands, long PublishedTicks);
}

/// <summary>
/// The fields of a claim document the estimate reads, selected by the query itself: a claim's text,
/// evidence and correction ids stay in the store, and a whole read of a large record moves a fraction
/// of its bytes.
/// </summary>
public sealed class ClaimForEstimate
{
    public required string Id { get; init; }
    public required string SourceId { get; init; }
    public required string PropositionId { get; init; }
    public required string Option { get; init; }
    public Hedge Hedge { get; init; }
    public string? RelayOf { get; init; }
    public string CorrectionStatus { get; init; } = "live";
    public DateTimeOffset PublishedAt { get; init; }

    // One mapping: the query runs it in the database, documents already in memory go through its compiled form.
    private static readonly Expression<Func<ClaimDocument, ClaimForEstimate>> Selection = c => new ClaimForEstimate
    {
        Id = c.Id, SourceId = c.SourceId, PropositionId = c.PropositionId, Option = c.Option,
        Hedge = c.Hedge, RelayOf = c.RelayOf, CorrectionStatus = c.CorrectionStatus, PublishedAt = c.PublishedAt,
    };

    private static readonly Func<ClaimDocument, ClaimForEstimate> Compiled = Selection.Compile();

    public static ClaimForEstimate Of(ClaimDocument claim) => Compiled(claim);

    /// <summary>The query's selection of <see cref="Of"/>, run by the database.</summary>
    public static IQueryable<ClaimForEstimate> Select(IQueryable<ClaimDocument> claims) => claims.Select(Selection);
}

/// <summary>A proposition's id and options, selected by the query itself: the rest of the document stays in the store.</summary>
public sealed class PropositionOptions
{
    public required string Id { get; init; }
    public required IReadOnlyList<string> Options { get; init; }

    public static PropositionOptions Of(PropositionDocument proposition) =>
        new() { Id = proposition.Id, Options = proposition.Proposition.Options };

    /// <summary>The query's selection of <see cref="Of"/>, run by the database.</summary>
    public static IQueryable<PropositionOptions> Select(IQueryable<PropositionDocument> propositions) =>
        propositions.Select(p => new PropositionOptions { Id = p.Id, Options = p.Proposition.Options });
}
