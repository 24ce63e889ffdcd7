using Marten;
using Reliability.Contracts.Propositions;
using Reliability.Contracts.Sources;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Watching;
using Reliability.Infrastructure.Watching;
using Reliability.Grains.Records;

namespace Reliability.Grains.Recording;

/// <summary>
/// One command's view of the record and the appends it makes, committed together by the session.
/// Keeps each source's stream self-contained: the first time a source claims on a proposition, the
/// claim's event carries the proposition, and its resolutions are copied into the source's stream.
/// </summary>
internal sealed class RecordTransaction(IDocumentSession session, DateTimeOffset now, CancellationToken cancellationToken)
{
    private static readonly NewDocumentRows<ClaimDocument> NewClaims = new(d => d.Id);
    private static readonly NewDocumentRows<ArchivedPost> NewArchivedPosts = new(d => d.Id);
    private static readonly NewDocumentRows<ClaimWatch> NewWatches = new(d => d.Id, ("next_check_at", d => d.NextCheckAt));

    private readonly Dictionary<string, SourceDocument?> _sources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PropositionDocument?> _propositions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ClaimDocument?> _claims = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HandleDocument?> _handles = new(StringComparer.Ordinal);

    // The id chosen for the new source of each handle no source holds, so every claim of the command
    // by that handle names the same new source.
    private readonly Dictionary<string, string> _newSourceIds = new(StringComparer.Ordinal);

    // Whether a source had claimed on a proposition before this command, for the pairs looked up so far.
    private readonly Dictionary<(string Source, string Proposition), bool> _acquainted = [];
    private readonly Dictionary<string, List<object>> _appends = new(StringComparer.Ordinal);
    private readonly HashSet<string> _newStreams = new(StringComparer.Ordinal);
    private readonly HashSet<object> _changed = [];
    private readonly HashSet<object> _inserted = [];

    // Holdings of handles this command ends and starts (see HandleHolders), written when it is flushed.
    private readonly List<Holding> _handlesTaken = [];
    private readonly List<Holding> _handlesGiven = [];

    public IDocumentSession Session => session;
    public DateTimeOffset Now => now;
    public CancellationToken CancellationToken => cancellationToken;
    public Touched Touched { get; } = new();

    /// <summary>Claims recorded here by a source that had already claimed on their proposition.</summary>
    public List<Claim> RepeatedOnProposition { get; } = [];

    /// <summary>Every claim this transaction records, in the order recorded.</summary>
    public List<Claim> RecordedClaims { get; } = [];

    /// <summary>Plans the first deletion check of each claim recorded; without it claims are not watched.</summary>
    public WatchSchedule? Schedule { get; init; }

    public async Task LoadClaimsAsync(IEnumerable<string> ids) =>
        await LoadAsync(_claims, ids, d => d.Id);

    public async Task LoadSourcesAsync(IEnumerable<string> ids) =>
        await LoadAsync(_sources, ids, d => d.Id);

    public async Task LoadPropositionsAsync(IEnumerable<string> ids) =>
        await LoadAsync(_propositions, ids, d => d.Id);

    public async Task LoadHandlesAsync(IEnumerable<string> keys) =>
        await LoadAsync(_handles, keys, d => d.Id);

    /// <summary>The source a handle belongs to, or the id a new source of it gets.</summary>
    public async Task<string> SourceIdOfHandleAsync(HandleView handle)
    {
        var key = StreamKeys.HandleKey(handle.Platform, handle.Handle);
        await LoadHandlesAsync([key]);
        return _handles[key]?.SourceId ?? await NewSourceIdForHandleAsync(key);
    }

    /// <summary>
    /// The id a new source of a handle no source holds gets: named after the handle, unless the source
    /// of that name had the handle removed (an account that changed hands). That source is not the
    /// handle's new owner, so the new one gets an id of its own.
    /// </summary>
    public async Task<string> NewSourceIdForHandleAsync(string handleKey)
    {
        if (_newSourceIds.TryGetValue(handleKey, out var chosen))
        {
            return chosen;
        }

        var named = StreamKeys.SourceIdFor(handleKey);
        chosen = await StoredSourceAsync(named) is null ? named : $"{named}-{Guid.NewGuid().ToString("N")[..8]}";
        _newSourceIds[handleKey] = chosen;
        return chosen;
    }

    /// <summary>The sources named after those of these handles no source holds, in one read for a batch.</summary>
    public Task LoadSourcesNamedAfterAsync(IEnumerable<string> handleKeys) =>
        LoadSourcesAsync(handleKeys.Where(k => _handles.GetValueOrDefault(k) is null).Select(StreamKeys.SourceIdFor));

    /// <summary>
    /// Which of these sources have claimed on which of these propositions, in one query over the
    /// stored claims; a command that knows its pairs up front asks once instead of once per claim.
    /// Each pair is one probe of the (source, proposition) index: asking for every claim whose source
    /// is among the sources and whose proposition is among the propositions read hundreds of claims
    /// per batch that pair no wanted source with its proposition (a tenth of the database's time in
    /// steady ingest).
    /// </summary>
    public async Task LoadAcquaintancesAsync(IReadOnlyCollection<(string Source, string Proposition)> pairs)
    {
        var wanted = pairs.Where(p => !_acquainted.ContainsKey(p)).Distinct().ToList();
        if (wanted.Count == 0)
        {
            return;
        }

        foreach (var pair in wanted)
        {
            _acquainted[pair] = false;
        }

        var claims = session.DocumentStore.Options.Schema.For<ClaimDocument>();
        var known = await session.AdvancedSql.QueryAsync<long>(
            $"""
            select w.position from unnest(?::text[], ?::text[]) with ordinality as w(source_id, proposition_id, position)
            where exists (
                select 1 from {claims} d
                where d.data ->> 'SourceId' = w.source_id and d.data ->> 'PropositionId' = w.proposition_id)
            """,
            cancellationToken,
            wanted.Select(p => p.Source).ToArray(),
            wanted.Select(p => p.Proposition).ToArray());
        foreach (var position in known)
        {
            _acquainted[wanted[(int)position - 1]] = true;
        }
    }

    public async Task<ClaimDocument?> ClaimAsync(string id)
    {
        await LoadClaimsAsync([id]);
        return _claims[id];
    }

    /// <summary>
    /// The source of this id or, when it was merged into another, the source it was merged into
    /// (following merges of merges): every write naming an absorbed source, a claim by its id or
    /// handle included, is the survivor's. <see cref="StoredSourceAsync"/> gives the document itself.
    /// </summary>
    public async Task<SourceDocument?> SourceAsync(string id)
    {
        var source = await StoredSourceAsync(id);
        for (var hops = 0; source?.MergedInto is { } survivor && hops < MaxMergeHops; hops++)
        {
            source = await StoredSourceAsync(survivor);
        }

        return source;
    }

    // A merge refuses a survivor that was itself absorbed, so a chain only grows when a survivor is
    // later absorbed in turn; no desk merges a source this many times over.
    internal const int MaxMergeHops = 32;

    /// <summary>The stored document of this id, merged or not.</summary>
    public async Task<SourceDocument?> StoredSourceAsync(string id)
    {
        await LoadSourcesAsync([id]);
        return _sources[id];
    }

    public async Task<PropositionDocument?> PropositionAsync(string id)
    {
        await LoadPropositionsAsync([id]);
        return _propositions[id];
    }

    public void AddClaim(ClaimDocument claim)
    {
        _claims[claim.Id] = claim;
        _inserted.Add(claim);
    }

    /// <summary>
    /// Archives a new claim's text with its hash and, when it has a post URL, starts watching it, in
    /// this transaction: nothing acknowledged lacks its archive. Inserted, so a concurrent writer of
    /// the same claim is a conflict and the retry sees a duplicate.
    /// </summary>
    public void Archive(Claim claim)
    {
        if (!string.IsNullOrEmpty(claim.OriginalText))
        {
            _inserted.Add(new ArchivedPost
            {
                Id = claim.Id,
                Url = claim.Url ?? "",
                Text = claim.OriginalText,
                ContentHash = ArchivedPost.HashOf(claim.OriginalText),
                ArchivedAt = now,
            });
        }

        if (Schedule is { } schedule && ClaimWatch.IsWatchable(claim.Url))
        {
            _inserted.Add(new ClaimWatch
            {
                Id = claim.Id,
                SourceId = claim.SourceId,
                Url = claim.Url!,
                RecordedAt = now,
                NextCheckAt = schedule.NextCheck(new WatchedClaim(claim.Id, now), null, now),
            });
        }
    }

    /// <summary>A new handle; inserted, so a handle another writer took meanwhile is a conflict.</summary>
    public void AddHandle(HandleDocument handle)
    {
        _inserted.Add(handle);
        _handles[handle.Id] = handle;
        _handlesGiven.Add(new Holding(handle.Id, handle.SourceId));
    }

    /// <summary>A handle no longer the source's: from this commit on, it is free for another source.</summary>
    public void RemoveHandle(string handleKey, string sourceId)
    {
        session.Delete<HandleDocument>(handleKey);
        _handles[handleKey] = null;
        _newSourceIds.Remove(handleKey);
        _handlesTaken.Add(new Holding(handleKey, sourceId));
    }

    /// <summary>A handle a merge hands from the absorbed source to the survivor (stored over, not inserted).</summary>
    public void MoveHandle(string handleKey, string fromSourceId, string toSourceId)
    {
        var moved = new HandleDocument { Id = handleKey, SourceId = toSourceId };
        _changed.Add(moved);
        _handles[handleKey] = moved;
        _handlesTaken.Add(new Holding(handleKey, fromSourceId));
        _handlesGiven.Add(new Holding(handleKey, toSourceId));
    }

    public void StartSource(SourceDocument source, IReliabilityEvent registered)
    {
        _sources[source.Id] = source;
        _newStreams.Add(StreamKeys.Source(source.Id));
        _changed.Add(source);
        AppendToSource(source, registered);
    }

    public void StartProposition(PropositionDocument proposition, IReliabilityEvent opened)
    {
        _propositions[proposition.Id] = proposition;
        _newStreams.Add(StreamKeys.Proposition(proposition.Id));
        _inserted.Add(proposition);
        AppendToProposition(proposition, opened);
    }

    /// <summary>
    /// Appends to the source's stream without storing its document: a claim writer must not rewrite
    /// the document of every source it touches. A command whose correctness rests on no other writer
    /// having changed the source meanwhile says so with <see cref="Changed"/>, which stores the
    /// (versioned) document and so makes such a writer a conflict.
    /// </summary>
    public void AppendToSource(SourceDocument source, IReliabilityEvent e)
    {
        Append(StreamKeys.Source(source.Id), e);
        Touched.Sources.Add(source.Id);
    }

    public void AppendToProposition(PropositionDocument proposition, IReliabilityEvent e)
    {
        Append(StreamKeys.Proposition(proposition.Id), e);
        _changed.Add(proposition);
        Touched.Propositions.Add(proposition.Id);
    }

    /// <summary>
    /// The proposition's facts for the source's stream, the first time it claims on it: the claim's
    /// event carries the proposition (returned here; null when the source knows it already), and any
    /// resolution revisions are copied beside it. Two writers doing so at once both store the
    /// (versioned) proposition, so one of them is decided again and finds the other's claim; so is
    /// one that read the proposition before a resolution.
    /// </summary>
    public async Task<Proposition?> AcquaintAsync(SourceDocument source, PropositionDocument proposition)
    {
        var pair = (source.Id, proposition.Id);
        await LoadAcquaintancesAsync([pair]);
        if (_acquainted[pair])
        {
            return null;
        }

        _acquainted[pair] = true;
        _changed.Add(proposition);
        foreach (var revision in proposition.Resolutions)
        {
            AppendToSource(source, new PropositionResolved(revision));
        }

        foreach (var topic in proposition.Proposition.Topics.Where(t => !source.Topics.Contains(t)))
        {
            source.Topics.Add(topic);
            _changed.Add(source);
        }

        if (proposition.Proposition.Region is { } region && !source.Regions.Contains(region))
        {
            source.Regions.Add(region);
            _changed.Add(source);
        }

        return proposition.Proposition;
    }

    public void Changed(object document) => _changed.Add(document);

    /// <summary>The watch this transaction starts for a claim it records, if the claim is watched.</summary>
    public ClaimWatch? NewWatch(string claimId) =>
        _inserted.OfType<ClaimWatch>().FirstOrDefault(w => w.Id == claimId);

    /// <summary>Queues everything on the session; the caller's SaveChanges commits it in one transaction.</summary>
    public void Flush()
    {
        // One order for every writer, so commits touching the same streams wait for each other
        // instead of deadlocking.
        foreach (var (stream, events) in _appends.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (_newStreams.Contains(stream))
            {
                session.Events.StartStream(stream, [.. events]);
            }
            else
            {
                Touched.Appends.Add(session, stream, events);
            }
        }

        // Insert, not upsert: a claim id or proposition another writer stored meanwhile is a conflict.
        // Documents go in one order too (by type, then id): two commits updating the same
        // propositions' documents in opposite orders each waited for the other's row.
        var stored = _changed.Where(d => !_inserted.Contains(d)).ToList();
        // A claim loaded before its key was migrated must not be stored back under the old key.
        foreach (var claim in stored.OfType<ClaimDocument>())
        {
            claim.UrlKey = UrlKeys.Of(claim.Url);
        }

        // The three documents every new claim brings go in one statement per table.
        QueueWrites<ClaimDocument>(_inserted, d => NewClaims.Queue(session, d), stored, session.Store, d => d.Id);
        QueueWrites<PropositionDocument>(_inserted, session.Insert, stored, session.Store, d => d.Id);
        QueueWrites<SourceDocument>(_inserted, null, stored, session.Store, d => d.Id);
        // Stored over only by a merge, which gives the absorbed source's handles to the survivor.
        QueueWrites<HandleDocument>(_inserted, session.Insert, stored, session.Store, d => d.Id);
        QueueWrites<ArchivedPost>(_inserted, d => NewArchivedPosts.Queue(session, d), stored, null, d => d.Id);
        // Stored over only by a correction that ends the watch.
        QueueWrites<ClaimWatch>(_inserted, d => NewWatches.Queue(session, d), stored, session.Store, d => d.Id);
        QueueWrites<ArticleDocument>(_inserted, null, stored, session.Store, d => d.Id);
        // With the handles' documents and events, so a lookup known at any moment finds who held each then.
        HandleHolders.Queue(session, _handlesTaken, _handlesGiven);
        if (_inserted.Concat(stored).FirstOrDefault(d => d is not (ClaimDocument or PropositionDocument or SourceDocument
            or HandleDocument or ArchivedPost or ClaimWatch or ArticleDocument)) is { } unexpected)
        {
            throw new InvalidOperationException($"Unexpected document {unexpected.GetType().Name}");
        }

        foreach (var document in _inserted)
        {
            NoteForTruth(document, inserted: true);
        }

        foreach (var document in stored)
        {
            NoteForTruth(document, inserted: false);
        }
    }

    /// <summary>
    /// One call per document type, not per document: the session checks each call's type by
    /// reflection, which a group commit of thousands of documents otherwise pays thousands of times.
    /// </summary>
    private static void QueueWrites<T>(IEnumerable<object> inserted, Action<T[]>? insert, IEnumerable<object> stored, Action<T[]>? store, Func<T, string> id)
        where T : notnull
    {
        var inserts = inserted.OfType<T>().OrderBy(id, StringComparer.Ordinal).ToArray();
        var stores = stored.OfType<T>().OrderBy(id, StringComparer.Ordinal).ToArray();
        if (inserts.Length > 0)
        {
            (insert ?? throw new InvalidOperationException($"{typeof(T).Name} documents are never inserted"))(inserts);
        }

        if (stores.Length > 0)
        {
            (store ?? throw new InvalidOperationException($"{typeof(T).Name} documents are never stored over"))(stores);
        }
    }

    // Truth discovery reads claims and verdicts; it is told exactly which of them this command wrote,
    // and handed the claims it recorded.
    private void NoteForTruth(object document, bool inserted)
    {
        switch (document)
        {
            case ClaimDocument claim when inserted:
                Touched.RecordedClaims.Add(new RecordedClaimForTruth(
                    claim.Id, claim.SourceId, claim.PropositionId, claim.Option, claim.Hedge, claim.RelayOf, claim.CorrectionStatus, claim.PublishedAt));
                break;
            case ClaimDocument claim:
                Touched.Claims.Add(claim.Id);
                break;
            case PropositionDocument { Resolutions.Count: > 0 } proposition:
                Touched.Resolved.Add(proposition.Id);
                break;
        }
    }

    private void Append(string stream, object e)
    {
        if (!_appends.TryGetValue(stream, out var events))
        {
            _appends[stream] = events = [];
        }

        events.Add(e);
    }

    private async Task LoadAsync<T>(Dictionary<string, T?> cache, IEnumerable<string> ids, Func<T, string> idOf) where T : class
    {
        var missing = ids.Where(id => !cache.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToArray();
        if (missing.Length == 0)
        {
            return;
        }

        foreach (var id in missing)
        {
            cache[id] = null;
        }

        foreach (var document in await session.LoadManyAsync<T>(cancellationToken, missing))
        {
            cache[idOf(document)] = document;
        }
    }
}
