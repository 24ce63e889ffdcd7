using Reliability.Contracts.Ledger;
using Reliability.Contracts.Sources;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Domain.Scoring;
using Marten;
using Reliability.Grains.Records;
using Reliability.Infrastructure.Webhooks;

namespace Reliability.Grains.Recording;

/// <summary>Finding a source by id or handle, and registering new ones.</summary>
internal static class SourceWrite
{
    /// <summary>
    /// The most claims one event of a merge's copy carries. A prolific source's whole record in one
    /// event is tens of megabytes of JSON, slow to write and to read, near PostgreSQL's limits at the
    /// extreme, and deserialized whole at every replay of the survivor's stream; 500 claims with their
    /// propositions, corrections and verdicts keep an event to a few hundred kilobytes for posts of
    /// ordinary length (<see cref="TextPerCopiedPart"/> bounds parts of long ones), and a source of a
    /// few hundred claims (most of them) still merges in one event.
    /// </summary>
    public const int ClaimsPerCopiedPart = 500;

    /// <summary>The part size merges use: <see cref="ClaimsPerCopiedPart"/>, smaller in tests.</summary>
    internal static int CopiedPartSize { get; set; } = ClaimsPerCopiedPart;

    /// <summary>At most this many characters of claims' texts and links in one part of a merge's copy: about a megabyte or three of JSON.</summary>
    public const int TextPerCopiedPart = 1_000_000;

    /// <summary>
    /// Registers a source, or finds the one it already is: the source with the requested id, or the
    /// one its known handles belong to. A found source gains the handles it lacks, so registering a
    /// source again with another platform's handle records that handle; its name, kind and
    /// interested-party flag are kept. Handles of two different sources, or of a source other than
    /// the requested id, are a conflict: two sources become one only by an editor's merge (<see cref="MergeAsync"/>).
    /// </summary>
    public static async Task<(LedgerOutcome<string> Outcome, Touched Touched)> RegisterAsync(
        Marten.IDocumentSession session, string? requestedId, string name, string kind, bool interestedParty, IReadOnlyList<HandleView> handles,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var transaction = new RecordTransaction(session, now, cancellationToken);
        if (!Vocabulary.TrySourceKind(kind, out var sourceKind))
        {
            return (LedgerOutcome<string>.Invalid(UnknownKind(kind)), Touched.None);
        }

        var normalised = Normalise(handles);
        var keys = normalised.Select(h => StreamKeys.HandleKey(h.Platform, h.Handle)).ToList();
        var known = await session.LoadManyAsync<HandleDocument>(cancellationToken, [.. keys]);
        var owners = known.Select(h => h.SourceId).Distinct(StringComparer.Ordinal).ToList();
        var claimed = requestedId is null ? owners : [.. owners.Append(requestedId).Distinct(StringComparer.Ordinal)];
        if (claimed.Count > 1)
        {
            return (Conflict(known, requestedId), Touched.None);
        }

        var id = claimed.SingleOrDefault() ?? (keys.Count > 0 ? await transaction.NewSourceIdForHandleAsync(keys[0]) : "s-" + Guid.NewGuid().ToString("N")[..12]);
        if (await transaction.SourceAsync(id) is { } existing)
        {
            return Added(transaction, existing, normalised, known, now);
        }

        if (owners.Count > 0)
        {
            // A handle whose source is not stored cannot happen: both are written in one transaction.
            throw new InvalidOperationException($"Handle of source {id}, which is not stored");
        }

        Register(transaction, id, name, sourceKind, interestedParty, normalised, now);
        transaction.Flush();
        return (LedgerOutcome<string>.Ok(id), transaction.Touched);
    }

    /// <summary>
    /// Gives a source more handles (one source, several platforms). Handles it has already are left
    /// as they are; a handle of another source is a conflict and nothing is added.
    /// </summary>
    public static async Task<(LedgerOutcome<string> Outcome, Touched Touched)> AddHandlesAsync(
        Marten.IDocumentSession session, string sourceId, IReadOnlyList<HandleView> handles, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var transaction = new RecordTransaction(session, now, cancellationToken);
        if (await transaction.SourceAsync(sourceId) is not { } source)
        {
            return (LedgerOutcome<string>.NotFound($"No source '{sourceId}'."), Touched.None);
        }

        var normalised = Normalise(handles);
        var known = await session.LoadManyAsync<HandleDocument>(cancellationToken, [.. normalised.Select(h => StreamKeys.HandleKey(h.Platform, h.Handle))]);
        if (known.Any(h => h.SourceId != source.Id))
        {
            return (Conflict(known, source.Id), Touched.None);
        }

        return Added(transaction, source, normalised, known, now);
    }

    /// <summary>
    /// Takes a handle from a source: the account changed hands, or was given to the wrong source. The
    /// source keeps the claims it made through the handle; from now on, claims and lookups by the
    /// handle no longer find it, and another source may be given it.
    /// </summary>
    public static async Task<(LedgerOutcome<string> Outcome, Touched Touched)> RemoveHandleAsync(
        Marten.IDocumentSession session, string sourceId, HandleView handle, string? reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var transaction = new RecordTransaction(session, now, cancellationToken);
        if (await transaction.SourceAsync(sourceId) is not { } source)
        {
            return (LedgerOutcome<string>.NotFound($"No source '{sourceId}'."), Touched.None);
        }

        var key = StreamKeys.HandleKey(handle.Platform, handle.Handle);
        if (source.Handles.FirstOrDefault(h => StreamKeys.HandleKey(h.Platform, h.Handle) == key) is not { } held)
        {
            return (LedgerOutcome<string>.NotFound($"Source '{source.Id}' has no handle '{key}'."), Touched.None);
        }

        transaction.RemoveHandle(key, source.Id);
        transaction.AppendToSource(source, new SourceHandleRemoved(source.Id, new SourceHandle(held.Platform, held.Handle), reason, now));
        source.Handles.Remove(held);
        source.SearchText = SearchText(source.Name, source.Handles);
        // Stored, and versioned: a writer adding handles meanwhile is decided again on the fresh list.
        transaction.Changed(source);

        // A desk whose story cites the account should hear that it is no longer the source's: what it
        // posts from now on is someone else's record.
        WebhookOutbox.Add(session, new WebhookEvent("source.handle-removed", new { sourceId = source.Id, platform = held.Platform, handle = held.Handle, reason, at = now })
        {
            SourceId = source.Id,
            ArticleIds = [.. await ArticlesCitingSourceAsync(transaction, source.Id)],
            OccurredAt = now,
        }, now);
        transaction.Flush();
        return (LedgerOutcome<string>.Ok(source.Id), transaction.Touched);
    }

    /// <summary>
    /// The survivor takes the absorbed source over, in one transaction: a <see cref="SourceMerged"/>
    /// marker in the absorbed source's stream and a <see cref="SourceAbsorbed"/> copy of its record in
    /// the survivor's, in bounded parts (<see cref="SourceAbsorbed.InParts"/>); its claims' documents (one statement) and its handles' index entries now name
    /// the survivor; its listing is marked merged, and so are the listings of the sources it had taken
    /// over, which now name the survivor; and its stream row is marked, so a commit that
    /// decided to append to it before this one committed is decided again (see <see cref="StreamLocks"/>).
    /// Merging a pair already merged writes nothing.
    /// </summary>
    public static async Task<(LedgerOutcome<string> Outcome, Touched Touched)> MergeAsync(
        Marten.IDocumentSession session, string survivorId, string absorbedId, string? reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var transaction = new RecordTransaction(session, now, cancellationToken);
        if (await transaction.StoredSourceAsync(survivorId) is not { } survivor)
        {
            return (LedgerOutcome<string>.NotFound($"No source '{survivorId}'."), Touched.None);
        }

        if (survivor.MergedInto is { } already)
        {
            return (MergeConflict($"Source '{survivor.Id}' was merged into '{already}': merge into that source instead."), Touched.None);
        }

        if (string.Equals(survivorId, absorbedId, StringComparison.Ordinal))
        {
            return (LedgerOutcome<string>.Invalid(new Dictionary<string, string[]> { ["absorb"] = ["A source cannot absorb itself."] }), Touched.None);
        }

        if (await transaction.StoredSourceAsync(absorbedId) is not { } absorbed)
        {
            return (LedgerOutcome<string>.Invalid(new Dictionary<string, string[]> { ["absorb"] = [$"No source has the id '{absorbedId}'."] }), Touched.None);
        }

        if (absorbed.MergedInto is not null)
        {
            // The same merge asked again (a retried request) is done already; so is absorbing a source
            // into the one that holds its record through a later merge of its survivor.
            var holder = (await transaction.SourceAsync(absorbed.Id))!.Id;
            return holder == survivor.Id
                ? (LedgerOutcome<string>.Ok(survivor.Id), Touched.None)
                : (MergeConflict($"Source '{absorbed.Id}' was already merged into '{holder}'."), Touched.None);
        }

        // The absorbed record as its stream holds it, merges into it included. The marker below is
        // appended with the version read here, so a claim committed to the stream meanwhile (which
        // this copy would lack) makes the merge a conflict, decided again with the claim in it.
        var stream = StreamKeys.Source(absorbed.Id);
        var stored = await session.Events.FetchStreamAsync(stream, token: cancellationToken);
        var ledger = new Ledger();
        foreach (var e in stored.Select(e => e.Data).OfType<IReliabilityEvent>())
        {
            ledger.Apply(e);
        }

        var claims = ledger.ClaimsBy(absorbed.Id);
        var propositionIds = claims.Select(c => c.PropositionId).Distinct(StringComparer.Ordinal).ToList();
        var handles = absorbed.Handles.Select(h => new SourceHandle(h.Platform, h.Handle)).ToList();
        var copied = new SourceAbsorbed(
            survivor.Id, absorbed.Id, reason, now, handles,
            [.. propositionIds.Select(ledger.FindProposition).OfType<Proposition>()],
            [.. claims],
            [.. claims.SelectMany(c => ledger.CorrectionsOf(c.Id))],
            [.. propositionIds.SelectMany(ledger.ResolutionsOf)],
            // Withdrawals too: a rater's later word is its withdrawal on the absorbed source, it must
            // outweigh an older word of the same rater on the survivor.
            [.. ledger.RaterWordsOf(absorbed.Id)]);
        session.Events.Append(stream, (stored.Count == 0 ? 0 : stored[^1].Version) + 1, new SourceMerged(absorbed.Id, survivor.Id, reason, now));
        transaction.Touched.Sources.Add(absorbed.Id);
        foreach (var part in copied.InParts(CopiedPartSize, TextPerCopiedPart))
        {
            transaction.AppendToSource(survivor, part);
        }

        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        session.QueueSqlCommand($"update {schema}.mt_streams set type = ? where id = ?", StreamLocks.Merged, stream);

        // Every claim document in one statement, not one write per claim: lookups by URL, the truth
        // estimate, disputes and claim counts read the claims' source from these.
        var claimTable = session.DocumentStore.Options.Schema.For<ClaimDocument>();
        session.QueueSqlCommand(
            $"update {claimTable} set data = jsonb_set(data, '{{SourceId}}', to_jsonb(?::text)) where data ->> 'SourceId' = ?", survivor.Id, absorbed.Id);
        // Deletion checks announce what they find to the subscribers of the claim's source. Watches
        // are versioned: a new version makes a check that loaded one before the merge a conflict
        // (the check counts for nothing and comes due again), where it would store the old source back.
        var watchTable = session.DocumentStore.Options.Schema.For<Watching.ClaimWatch>();
        session.QueueSqlCommand(
            $"update {watchTable} set data = jsonb_set(data, '{{SourceId}}', to_jsonb(?::text)), mt_version = gen_random_uuid() where data ->> 'SourceId' = ?",
            survivor.Id, absorbed.Id);
        foreach (var handle in absorbed.Handles)
        {
            transaction.MoveHandle(StreamKeys.HandleKey(handle.Platform, handle.Handle), absorbed.Id, survivor.Id);
        }

        survivor.Handles.AddRange(absorbed.Handles.Where(h => !survivor.Handles.Contains(h)));
        survivor.SearchText = SearchText(survivor.Name, survivor.Handles);
        survivor.Topics.AddRange(absorbed.Topics.Where(t => !survivor.Topics.Contains(t)).ToList());
        survivor.Regions.AddRange(absorbed.Regions.Where(r => !survivor.Regions.Contains(r)).ToList());
        // Each rater's latest word, a withdrawal included, decided as the ledger decides it when it
        // applies the copy: the later of the two sources' words stands, whichever it is.
        foreach (var word in absorbed.ExternalRatings)
        {
            var standing = survivor.ExternalRatings.FirstOrDefault(r => r.Rater == word.Rater);
            if (standing is null || RaterWords.Replaces(word.ToWord(survivor.Id), standing.ToWord(survivor.Id)))
            {
                survivor.ExternalRatings.RemoveAll(r => r.Rater == word.Rater);
                survivor.ExternalRatings.Add(word);
            }
        }

        survivor.ExternalRatings.Sort((a, b) => string.CompareOrdinal(a.Rater, b.Rater));
        survivor.RecordedRatingWords.AddRange(absorbed.RecordedRatingWords.Where(w => !survivor.RecordedRatingWords.Contains(w)).ToList());
        survivor.RefreshRatedOtherwise();
        transaction.Changed(survivor);
        (absorbed.MergedInto, absorbed.Handles, absorbed.SearchText) = (survivor.Id, [], "");
        transaction.Changed(absorbed);
        // The sources the absorbed one had taken over are listed as merged into the survivor from now
        // on, not into a source that is itself merged: their listings stay true, and every read of
        // them is sent once, straight to the survivor. Stored through the session, so a writer that
        // stored one meanwhile makes the merge a conflict, decided again.
        foreach (var earlier in await TakenOverBy(session, absorbed.Id).ToListAsync(cancellationToken))
        {
            earlier.MergedInto = survivor.Id;
            transaction.Changed(earlier);
        }

        // Articles citing the absorbed source cite the survivor now: their band alerts follow its score.
        // An article cites a source only through its claims (by id, or behind a cited URL: both kept
        // in its cited claims), so the articles citing either source are found through the indexed
        // column of cited claims, not by reading every article's sources.
        var citing = await ArticlesCitingAsync(session, [absorbed.Id, survivor.Id], cancellationToken);
        foreach (var article in citing.Where(a => a.Sources.Exists(cited => cited.SourceId == absorbed.Id)))
        {
            var both = article.Sources.Where(c => c.SourceId == absorbed.Id || c.SourceId == survivor.Id).OrderBy(c => c.CitedAt).ToList();
            var earliest = both[0];
            var cited = new CitedSource { SourceId = survivor.Id, Band = earliest.Band, PolicyVersion = earliest.PolicyVersion, CitedAt = earliest.CitedAt };
            // Each topic and region keeps one baseline: the earlier cited source's where both have one.
            foreach (var before in both)
            {
                foreach (var kind in new[] { TagKind.Topic, TagKind.Region })
                {
                    var bands = before.BandsOn(kind);
                    cited.CiteOn(kind, bands.Keys, tag => bands[tag]);
                }
            }

            article.Sources.RemoveAll(c => c.SourceId == absorbed.Id || c.SourceId == survivor.Id);
            article.Sources.Add(cited);
            transaction.Changed(article);
        }

        // Truth discovery counts the claims by their source: read again, they are one source's.
        transaction.Touched.Claims.UnionWith(claims.Select(c => c.Id));
        transaction.Touched.Posts.UnionWith(claims.Select(c => UrlKeys.Of(c.Url)).OfType<string>());
        WebhookOutbox.Add(session, new WebhookEvent("source.merged", new { sourceId = survivor.Id, absorbedId = absorbed.Id, reason, claims = claims.Count, at = now })
        {
            SourceIds = [survivor.Id, absorbed.Id],
            ArticleIds = [.. citing.Select(a => a.Id).Order(StringComparer.Ordinal)],
            OccurredAt = now,
        }, now);
        transaction.Flush();
        return (LedgerOutcome<string>.Ok(survivor.Id), transaction.Touched);
    }

    /// <summary>
    /// The sources listed as merged into this one: a merge of it repoints them. Read through the
    /// merged-into index (see <see cref="RecordRegistration.ConfigureRecord"/>), not out of every
    /// source's JSON.
    /// </summary>
    internal static IQueryable<SourceDocument> TakenOverBy(IQuerySession session, string sourceId) =>
        session.Query<SourceDocument>().Where(s => s.MergedInto == sourceId);

    private static LedgerOutcome<string> MergeConflict(string detail) => new(null, LedgerFailure.Conflict, Detail: detail);

    /// <summary>
    /// Changes what the desk says a source is: its name, kind or interested-party flag (null: kept).
    /// A change to nothing new writes nothing.
    /// </summary>
    public static async Task<(LedgerOutcome<string> Outcome, Touched Touched)> AmendAsync(
        Marten.IDocumentSession session, string sourceId, string? name, string? kind, bool? interestedParty, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var transaction = new RecordTransaction(session, now, cancellationToken);
        var sourceKind = default(SourceKind);
        if (kind is not null && !Vocabulary.TrySourceKind(kind, out sourceKind))
        {
            return (LedgerOutcome<string>.Invalid(UnknownKind(kind)), Touched.None);
        }

        if (await transaction.SourceAsync(sourceId) is not { } source)
        {
            return (LedgerOutcome<string>.NotFound($"No source '{sourceId}'."), Touched.None);
        }

        var amended = new SourceAmended(source.Id, name ?? source.Name, kind is null ? source.Kind : sourceKind, interestedParty ?? source.InterestedParty, now);
        if (amended.Name == source.Name && amended.Kind == source.Kind && amended.InterestedParty == source.InterestedParty)
        {
            return (LedgerOutcome<string>.Ok(source.Id), Touched.None);
        }

        (source.Name, source.Kind, source.InterestedParty) = (amended.Name, amended.Kind, amended.InterestedParty);
        source.SearchText = SearchText(source.Name, source.Handles);
        transaction.AppendToSource(source, amended);
        transaction.Changed(source);
        transaction.Flush();
        return (LedgerOutcome<string>.Ok(source.Id), transaction.Touched);
    }

    /// <summary>
    /// Records what a rater outside the newsroom says of a source (a null rating: it no longer rates
    /// it). Saying what already stands writes nothing; so does withdrawing a rating there is not.
    /// </summary>
    public static async Task<(LedgerOutcome<string> Outcome, Touched Touched)> RateAsync(
        Marten.IDocumentSession session, string sourceId, ExternalRatingRecorded rated, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var transaction = new RecordTransaction(session, now, cancellationToken);
        if (await transaction.SourceAsync(sourceId) is not { } source)
        {
            return (LedgerOutcome<string>.NotFound($"No source '{sourceId}'."), Touched.None);
        }

        rated = rated with { SourceId = source.Id };
        var standing = source.ExternalRatings.FirstOrDefault(r => r.Rater == rated.Rater);
        // The same words again, or a withdrawal where nothing was ever said, or a word already recorded
        // (an import run again).
        var digest = SourceDocument.RatingWordDigest(rated);
        if ((standing?.Rating == rated.Rating && standing?.Url == rated.Url) || source.RecordedRatingWords.Contains(digest))
        {
            return (LedgerOutcome<string>.Ok(source.Id), Touched.None);
        }

        // A word that does not replace the one standing (an older one found late) is history, not news:
        // recorded, but the standing word stays, as in the ledger.
        if (standing is null || RaterWords.Replaces(rated, standing.ToWord(source.Id)))
        {
            source.ExternalRatings.RemoveAll(r => r.Rater == rated.Rater);
            source.ExternalRatings.Add(new ExternalRatingDocument { Rater = rated.Rater, Rating = rated.Rating, Url = rated.Url, At = rated.At });
            source.ExternalRatings.Sort((a, b) => string.CompareOrdinal(a.Rater, b.Rater));
            source.RefreshRatedOtherwise();
            await AnnounceRatingAsync(transaction, source, rated);
        }

        transaction.AppendToSource(source, rated);
        source.RecordedRatingWords.Add(digest);
        // Stored, and versioned: two raters' words written at once are decided one after the other.
        transaction.Changed(source);
        transaction.Flush();
        return (LedgerOutcome<string>.Ok(source.Id), transaction.Touched);
    }

    /// <summary>
    /// A rater's new standing word, announced as <c>source.rated</c> to the subscribers of the source
    /// and of the articles citing it, in the transaction that records it: a desk hears when a list
    /// deprecates a source its stories lean on.
    /// </summary>
    private static async Task AnnounceRatingAsync(RecordTransaction transaction, SourceDocument source, ExternalRatingRecorded rated)
    {
        var word = rated.Rating is null ? null : new ExternalRating(rated.Rater, rated.Rating, rated.Url, rated.At);
        var citing = await ArticlesCitingSourceAsync(transaction, source.Id);
        var announced = new
        {
            sourceId = source.Id, rater = rated.Rater, rating = rated.Rating, url = rated.Url, at = rated.At,
            expectedBand = word?.ExpectedBand is { } expected ? Vocabulary.Band(expected) : null, band = source.Band,
            disagrees = word?.DisagreesWith(source.ListedBand) ?? false,
        };
        WebhookOutbox.Add(transaction.Session, new WebhookEvent("source.rated", announced)
        {
            SourceId = source.Id,
            ArticleIds = [.. citing],
            OccurredAt = rated.At,
        }, transaction.Now);
    }

    /// <summary>The articles citing any claim of the source, in id order.</summary>
    private static async Task<IReadOnlyList<string>> ArticlesCitingSourceAsync(RecordTransaction transaction, string sourceId) =>
        [.. (await ArticlesCitingAsync(transaction.Session, [sourceId], transaction.CancellationToken)).Select(a => a.Id).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The articles citing any claim of these sources, in one statement: the claims by the (source,
    /// proposition) index, then the articles by their cited claims' GIN index (as
    /// <see cref="ArticleWrite.CitingAnyAsync"/>). The claims' ids stay in the database: a busy
    /// source's can number tens of thousands.
    /// </summary>
    private static async Task<IReadOnlyList<ArticleDocument>> ArticlesCitingAsync(IQuerySession session, string[] sourceIds, CancellationToken cancellationToken)
    {
        var claims = session.DocumentStore.Options.Schema.For<ClaimDocument>();
        return await session.QueryAsync<ArticleDocument>(
            $"where cited_claim_ids && array(select c.id::text from {claims} c where c.data ->> 'SourceId' = any(?))", cancellationToken, [sourceIds]);
    }

    private static (LedgerOutcome<string> Outcome, Touched Touched) Added(
        RecordTransaction transaction, SourceDocument source, IReadOnlyList<HandleView> handles, IReadOnlyList<HandleDocument> known, DateTimeOffset now)
    {
        var taken = known.Select(h => h.Id).ToHashSet(StringComparer.Ordinal);
        var added = handles.Where(h => !taken.Contains(StreamKeys.HandleKey(h.Platform, h.Handle))).ToList();
        if (added.Count == 0)
        {
            return (LedgerOutcome<string>.Ok(source.Id), Touched.None);
        }

        foreach (var handle in added)
        {
            transaction.AddHandle(new HandleDocument { Id = StreamKeys.HandleKey(handle.Platform, handle.Handle), SourceId = source.Id });
            transaction.AppendToSource(source, new SourceHandleAdded(source.Id, new SourceHandle(handle.Platform, handle.Handle), now));
            source.Handles.Add(handle);
        }

        source.SearchText = SearchText(source.Name, source.Handles);
        // Stored, not only appended to: the handles listed and searched are the document's.
        transaction.Changed(source);
        transaction.Flush();
        return (LedgerOutcome<string>.Ok(source.Id), transaction.Touched);
    }

    private static Dictionary<string, string[]> UnknownKind(string kind) => new()
    {
        ["kind"] = [$"Unknown source kind '{kind}'; use one of: {string.Join(", ", Enum.GetValues<SourceKind>().Select(Vocabulary.Word))}."],
    };

    private static LedgerOutcome<string> Conflict(IReadOnlyList<HandleDocument> known, string? sourceId)
    {
        var others = known.Where(h => h.SourceId != sourceId).Select(h => $"{h.Id} belongs to source '{h.SourceId}'");
        return new LedgerOutcome<string>(null, LedgerFailure.Conflict, Detail:
            $"{string.Join("; ", others)}. A handle belongs to one source; when both are one source, an editor merges them (POST /v1/sources/{{id}}/merge).");
    }

    // registeredAt is no later than the source's first claim, so a score as of any time that
    // counts the claim also knows the source.
    public static SourceDocument Register(
        RecordTransaction transaction, string id, string name, SourceKind kind, bool interestedParty,
        IReadOnlyList<HandleView> handles, DateTimeOffset registeredAt)
    {
        var normalised = Normalise(handles);
        var source = new SourceDocument
        {
            Id = id,
            Name = name,
            Kind = kind,
            InterestedParty = interestedParty,
            Handles = normalised,
            RegisteredAt = registeredAt,
            SearchText = SearchText(name, normalised),
        };
        transaction.StartSource(source, new SourceRegistered(
            new Source(id, name, kind, interestedParty, [.. normalised.Select(h => new SourceHandle(h.Platform, h.Handle))]),
            registeredAt));
        foreach (var handle in normalised)
        {
            transaction.AddHandle(new HandleDocument { Id = StreamKeys.HandleKey(handle.Platform, handle.Handle), SourceId = id });
        }

        return source;
    }

    /// <summary>The platform as its key spells it ("twitter" is "x"), the handle without '@'; each handle once.</summary>
    private static List<HandleView> Normalise(IEnumerable<HandleView> handles) =>
        [.. handles
            .Select(h => new HandleView(h.Platform.Trim().ToLowerInvariant() is "twitter" ? "x" : h.Platform.Trim().ToLowerInvariant(), h.Handle.Trim().TrimStart('@')))
            .DistinctBy(h => StreamKeys.HandleKey(h.Platform, h.Handle))];

    private static string SearchText(string name, IEnumerable<HandleView> handles) =>
        string.Join(' ', [name, .. handles.Select(h => h.Handle)]).ToLowerInvariant();
}
