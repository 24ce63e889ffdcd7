using Marten;
using JasperFx.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reliability.Contracts.Articles;
using Reliability.Contracts.Claims;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Propositions;
using Reliability.Contracts.Sources;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Records;
using Reliability.Infrastructure.Watching;

namespace Reliability.Grains.Recording;

/// <summary>
/// Writes the record. A command is one transaction that appends to every stream it affects and
/// updates the read models, so an acknowledged write is whole or absent, whatever dies next. Grains
/// are told afterwards; one that misses the news catches up from its stream when next activated.
/// Conflicting concurrent writes (a stream or id taken meanwhile) are retried from a fresh read.
/// </summary>
public sealed partial class LedgerWriter(
    IDocumentStore store, IGrainFactory grains, TimeProvider clock, RecordEventHub hub, WatchSchedule schedule, ILogger<LedgerWriter> logger,
    IOptions<RecordOptions>? options = null, ReadCache? lookups = null, ReadCacheNotices? notices = null, CommitInterleaving? interleaving = null)
    : ILedger, IDisposable
{
    // A budget in time, not attempts: writers piling onto one busy source can each lose many rounds,
    // but every lost round means another write got through, so they all finish.
    private static readonly TimeSpan ConflictBudget = TimeSpan.FromSeconds(30);

    // Handing grains their events takes milliseconds; only a silo that is dying takes longer.
    private static readonly TimeSpan NotifyBudget = TimeSpan.FromSeconds(10);

    private ClaimGroupCommit? _claims;
    private bool _claimsStarted;
    private object? _claimsGate;

    /// <summary>
    /// Claim batches are written without their callers' tokens: once a group is taken, every batch in
    /// it is written whole, whichever of its callers gave up.
    /// </summary>
    private ClaimGroupCommit Claims => LazyInitializer.EnsureInitialized(ref _claims!, ref _claimsStarted, ref _claimsGate, () => new ClaimGroupCommit(
        (options?.Value ?? new RecordOptions()).ClaimWriters,
        (options?.Value ?? new RecordOptions()).MaxClaimsPerCommit,
        async claims =>
        {
            var (results, touched) = await WithRetryAsync(
                session => ClaimBatch.WriteAsync(session, claims, clock.GetUtcNow(), schedule, CancellationToken.None), CancellationToken.None,
                () => [.. claims.Select(c => UrlKeys.Of(c.Url)).OfType<string>().Distinct(StringComparer.Ordinal)]);
            var posts = new List<string>(touched.RecordedPosts.Count);
            foreach (var post in touched.RecordedPosts)
            {
                lookups?.Recorded(post.UrlKey, new PostClaim(post.Claim.Id, post.Claim.SourceId));
                posts.Add(post.UrlKey);
            }

            // Once for the whole group, before any of its callers is answered: a caller that reads
            // right after its write sees it.
            await NotifyAsync(touched, posts);
            return results;
        },
        logger));

    public async Task<IReadOnlyList<SubmissionResult>> RecordClaimsAsync(
        IReadOnlyList<ClaimSubmission> claims, CancellationToken cancellationToken = default)
    {
        var results = await Claims.RecordAsync(claims, cancellationToken);
        var accepted = results.Where(r => r.Status == SubmissionStatus.Accepted).ToList();
        if (accepted.Count > 0)
        {
            hub.Publish("claims", new ClaimsRecordedEvent(
                [.. accepted.Select(r => r.Id)],
                [.. accepted.Select(r => r.SourceId).OfType<string>().Distinct(StringComparer.Ordinal)],
                [.. accepted.Select(r => r.PropositionId).OfType<string>().Distinct(StringComparer.Ordinal)]));
        }

        return results;
    }

    public async Task<LedgerOutcome<ClaimView>> RecordCorrectionAsync(
        string claimId, CorrectionSubmission correction, CancellationToken cancellationToken = default)
    {
        var (outcome, touched) = await WithRetryAsync(
            session => CorrectionWrite.WriteAsync(session, claimId, correction, clock.GetUtcNow(), schedule, cancellationToken), cancellationToken,
            () => UrlKeys.Of(correction.Replacement?.Url) is { } replacedAt ? [replacedAt] : []);
        // A reversal's replacement is a claim at a URL of its own, which lookups must find at once, as a claim's.
        // Only one this correction recorded: a replacement already on record was posted at its own URL
        // (told to the caches when it was recorded), whatever URL the request gives it.
        var posts = new List<string>();
        if (outcome.Succeeded && correction.Replacement is { } replacement
            && touched.RecordedPosts.Find(p => p.Claim.Id == replacement.Id) is { } recorded)
        {
            lookups?.Recorded(recorded.UrlKey, new PostClaim(replacement.Id, recorded.Claim.SourceId));
            posts.Add(recorded.UrlKey);
        }

        await NotifyAsync(touched, posts);
        if (!outcome.Succeeded)
        {
            return outcome.Failed<ClaimView>();
        }

        var view = await grains.GetGrain<ISourceGrain>(outcome.Value!).GetClaimAsync(claimId);
        if (touched.Sources.Count > 0)
        {
            // A retried correction touches nothing and is not announced again.
            hub.Publish("correction", new CorrectionEvent(claimId, outcome.Value!, correction.Kind, correction.At));
        }

        return LedgerOutcome<ClaimView>.Ok(view!);
    }

    public async Task<LedgerOutcome<PropositionView>> OpenPropositionAsync(
        NewProposition proposition, CancellationToken cancellationToken = default)
    {
        var (outcome, touched) = await WithRetryAsync(
            session => PropositionWrite.OpenAsync(session, proposition, clock.GetUtcNow(), cancellationToken), cancellationToken);
        await NotifyAsync(touched);
        if (!outcome.Succeeded)
        {
            return outcome.Failed<PropositionView>();
        }

        return LedgerOutcome<PropositionView>.Ok((await grains.GetGrain<IPropositionGrain>(outcome.Value!).GetAsync())!);
    }

    public async Task<LedgerOutcome<ResolutionView>> ResolveAsync(
        string propositionId, ResolutionSubmission resolution, CancellationToken cancellationToken = default)
    {
        var (outcome, touched) = await WithRetryAsync(
            session => PropositionWrite.ResolveAsync(session, propositionId, resolution, clock.GetUtcNow(), cancellationToken), cancellationToken);
        await NotifyAsync(touched);
        if (outcome.Value is { } revision)
        {
            hub.Publish("resolution", new ResolutionEvent(propositionId, revision.Revision, revision.Verdict, revision.Option, revision.At));
        }

        return outcome;
    }

    public Task<LedgerOutcome<SourceProfile>> RegisterSourceAsync(
        string name, string kind, bool interestedParty, IReadOnlyList<HandleView> handles, CancellationToken cancellationToken = default, string? id = null) =>
        WriteSourceAsync(session => SourceWrite.RegisterAsync(session, id, name, kind, interestedParty, handles, clock.GetUtcNow(), cancellationToken), cancellationToken);

    public Task<LedgerOutcome<SourceProfile>> AddHandlesAsync(string sourceId, IReadOnlyList<HandleView> handles, CancellationToken cancellationToken = default) =>
        WriteSourceAsync(session => SourceWrite.AddHandlesAsync(session, sourceId, handles, clock.GetUtcNow(), cancellationToken), cancellationToken);

    public Task<LedgerOutcome<SourceProfile>> RemoveHandleAsync(
        string sourceId, HandleView handle, string? reason, CancellationToken cancellationToken = default) =>
        WriteSourceAsync(session => SourceWrite.RemoveHandleAsync(session, sourceId, handle, reason, clock.GetUtcNow(), cancellationToken), cancellationToken);

    public async Task<LedgerOutcome<SourceProfile>> MergeSourcesAsync(
        string survivorId, string absorbedId, string? reason, CancellationToken cancellationToken = default)
    {
        var at = clock.GetUtcNow();
        var merged = false;
        var outcome = await WriteSourceAsync(async session =>
        {
            var written = await SourceWrite.MergeAsync(session, survivorId, absorbedId, reason, at, cancellationToken);
            // The same merge asked again writes nothing, and is no news.
            merged = written.Outcome.Succeeded && written.Touched.Sources.Contains(absorbedId);
            return written;
        }, cancellationToken);
        if (merged)
        {
            hub.Publish("source-merged", new SourceMergedEvent(survivorId, absorbedId, reason, at));
        }

        return outcome;
    }

    public Task<LedgerOutcome<SourceProfile>> AmendSourceAsync(
        string sourceId, string? name, string? kind, bool? interestedParty, CancellationToken cancellationToken = default) =>
        WriteSourceAsync(session => SourceWrite.AmendAsync(session, sourceId, name, kind, interestedParty, clock.GetUtcNow(), cancellationToken), cancellationToken);

    public Task<LedgerOutcome<SourceProfile>> RecordExternalRatingAsync(
        string sourceId, string rater, string? rating, string? url, DateTimeOffset? at, CancellationToken cancellationToken = default) =>
        WriteSourceAsync(session => SourceWrite.RateAsync(
            session, sourceId, new ExternalRatingRecorded(sourceId, rater, rating, url, at ?? clock.GetUtcNow()), clock.GetUtcNow(), cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<SubmissionResult>> ImportExternalRatingsAsync(
        IReadOnlyList<ExternalRatingSubmission> ratings, CancellationToken cancellationToken = default)
    {
        var results = new List<SubmissionResult>(ratings.Count);
        foreach (var item in ratings)
        {
            var sourceId = item.SourceId;
            if (item.Handle is { } handle)
            {
                var web = string.Equals(handle.Platform.Trim(), "web", StringComparison.OrdinalIgnoreCase);
                var name = item.SourceName ?? (web ? handle.Handle.Trim() : "@" + handle.Handle.Trim().TrimStart('@'));
                var (registered, registeredTouched) = await WithRetryAsync(
                    session => SourceWrite.RegisterAsync(session, null, name, item.SourceKind ?? (web ? "outlet" : "social-account"), false, [handle], clock.GetUtcNow(), cancellationToken),
                    cancellationToken);
                await NotifyAsync(registeredTouched);
                if (!registered.Succeeded)
                {
                    results.Add(new SubmissionResult(item.Id, SubmissionStatus.Rejected, null, null, registered.Errors ?? Problem("handle", registered.Detail)));
                    continue;
                }

                sourceId = registered.Value!;
            }

            var (rated, touched) = await WithRetryAsync(
                session => SourceWrite.RateAsync(
                    session, sourceId!, new ExternalRatingRecorded(sourceId!, item.Rater, item.Rating, item.Url, item.At ?? clock.GetUtcNow()), clock.GetUtcNow(), cancellationToken),
                cancellationToken);
            await NotifyAsync(touched);
            results.Add(rated.Succeeded
                ? new SubmissionResult(item.Id, touched.Sources.Count > 0 ? SubmissionStatus.Accepted : SubmissionStatus.Duplicate, sourceId, null)
                : new SubmissionResult(item.Id, SubmissionStatus.Rejected, null, null, rated.Errors ?? Problem("sourceId", rated.Detail)));
        }

        return results;

        static Dictionary<string, string[]> Problem(string field, string? detail) => new() { [field] = [detail ?? "Refused."] };
    }

    /// <summary>A write to one source, answered with the source's profile once its grain holds the change.</summary>
    private async Task<LedgerOutcome<SourceProfile>> WriteSourceAsync(
        Func<IDocumentSession, Task<(LedgerOutcome<string> Outcome, Touched Touched)>> write, CancellationToken cancellationToken)
    {
        var (outcome, touched) = await WithRetryAsync(write, cancellationToken);
        await NotifyAsync(touched);
        return outcome.Succeeded
            ? LedgerOutcome<SourceProfile>.Ok((await grains.GetGrain<ISourceGrain>(outcome.Value!).GetProfileAsync())!)
            : outcome.Failed<SourceProfile>();
    }

    public async Task<LedgerOutcome<ArticleView>> RegisterArticleAsync(ArticleSubmission article, CancellationToken cancellationToken = default)
    {
        // Bands come from the grains' live scores, read before the transaction: the listing's band
        // is only as fresh as the last time someone read the source.
        Dictionary<string, ScoredBand> bands;
        await using (var query = store.QuerySession())
        {
            var (claims, _) = await ArticleWrite.CitedClaimsAsync(query, article, cancellationToken);
            var sourceIds = claims.Select(c => c.SourceId).Distinct(StringComparer.Ordinal).ToList();
            var scores = await Task.WhenAll(sourceIds.Select(id => grains.GetGrain<ISourceGrain>(id).GetScoreAsync(null, null)));
            bands = scores.OfType<ScoreView>().ToDictionary(s => s.SourceId, ScoredBand.Live, StringComparer.Ordinal);
        }

        var (outcome, touched) = await WithRetryAsync(
            session => ArticleWrite.WriteAsync(session, article, bands, clock.GetUtcNow(), cancellationToken), cancellationToken);
        await NotifyAsync(touched);
        return outcome;
    }

    /// <summary>
    /// Runs a write in a fresh session and commits it; when another writer got there first (an id,
    /// handle or stream taken meanwhile) the whole command is decided again on what is now stored.
    /// </summary>
    /// <param name="write">Decides the command on a fresh session.</param>
    /// <param name="cancellationToken">Cancels the command until it is decided.</param>
    /// <param name="postsIfUnknown">The post URLs the command records claims at, told to the caches when the commit's outcome is unknown.</param>
    private async Task<(T Result, Touched Touched)> WithRetryAsync<T>(
        Func<IDocumentSession, Task<(T Result, Touched Touched)>> write, CancellationToken cancellationToken, Func<IReadOnlyList<string>>? postsIfUnknown = null)
    {
        var started = clock.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var (result, touched) = await write(session);
            var throughMarten = session.PendingChanges.Streams().ToList();
            var streams = StreamLocks.Of(touched.Appends, throughMarten);
            var committing = false;
            try
            {
                if (interleaving is not null)
                {
                    await interleaving.RunAsync();
                }

                var versions = await StreamLocks.TakeAsync(session, streams, cancellationToken);
                touched.Appends.Queue(session, versions);
                // Decided: a caller that goes away now must not leave a commit the database may have
                // made without the grains and caches being told of it.
                committing = true;
                await session.SaveChangesAsync(CancellationToken.None);
                touched.Committed(throughMarten);
                RecordMetrics.Appended(throughMarten.SelectMany(a => a.Events).Concat(touched.Appends.Appended.SelectMany(a => a.Events)));
                return (result, touched);
            }
            catch (Exception exception) when (committing && !WriteConflicts.IsConflict(exception))
            {
                // The commit may have been made with only its acknowledgement lost (the connection
                // dropped after COMMIT was sent). The caller hears of the failure, and may retry with
                // the same ids; meanwhile nothing may be served as if the write had not happened: the
                // caches drop what it may have changed, now and once the grains have read their streams.
                var posts = postsIfUnknown?.Invoke() ?? [];
                lookups?.Changed(touched.Sources);
                foreach (var post in posts)
                {
                    lookups?.MayHaveRecorded(post);
                }

                _ = NotifyAsync(touched, posts);
                throw;
            }
            catch (Exception exception) when (WriteConflicts.IsConflict(exception) && clock.GetElapsedTime(started) < ConflictBudget)
            {
                LogConflict(logger, attempt, WriteConflicts.Describe(exception));
                // Exponential with full jitter, so the writers that collided spread out instead of colliding again.
                var ceiling = Math.Min(250, 5 << Math.Min(attempt, 6));
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, ceiling)), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Tells every affected grain to catch up. The write is already durable: a grain that cannot be
    /// told now reads its stream when it is next activated, so a failure here is logged, not thrown,
    /// and the client is not kept waiting past <see cref="NotifyBudget"/> for a grain on a silo that
    /// is going away.
    /// </summary>
    private async Task NotifyAsync(Touched touched, IReadOnlyList<string>? posts = null)
    {
        var calls = touched.Sources.Select(id => touched.CommittedTo(StreamKeys.Source(id)) is { } committed
                ? grains.GetGrain<ISourceStreamGrain>(id).CommittedAsync(committed)
                : grains.GetGrain<ISourceGrain>(id).CatchUpAsync(0))
            .Concat(touched.Propositions.Select(id => touched.CommittedTo(StreamKeys.Proposition(id)) is { } committed
                ? grains.GetGrain<IPropositionStreamGrain>(id).CommittedAsync(committed)
                : grains.GetGrain<IPropositionGrain>(id).CatchUpAsync(0)))
            .ToList();
        if (touched.Claims.Count > 0 || touched.Resolved.Count > 0 || touched.RecordedClaims.Count > 0)
        {
            calls.Add(grains.GetGrain<ITruthGrain>(0).ChangedAsync(new TruthChanges([.. touched.Claims], [.. touched.Resolved], touched.RecordedClaims)));
        }

        try
        {
            await Task.WhenAll(calls).WaitAsync(NotifyBudget);
        }
        catch (Exception exception)
        {
            LogNotifyFailed(logger, exception);
        }
        finally
        {
            // After the grains hold the change: a lookup that read a source before this is not kept,
            // here or on a node told of it.
            lookups?.Changed(touched.Sources);
            foreach (var post in touched.Posts)
            {
                lookups?.MayHaveRecorded(post);
            }

            notices?.Publish(touched.Sources, touched.Posts.Count == 0 ? posts ?? [] : [.. posts ?? [], .. touched.Posts]);
        }
    }

    public void Dispose() => _claims?.Dispose();

    [LoggerMessage(LogLevel.Debug, "Write conflicted with a concurrent one (attempt {Attempt}, {Conflict}); deciding again")]
    private static partial void LogConflict(ILogger logger, int attempt, string conflict);

    [LoggerMessage(LogLevel.Warning, "A committed write could not be announced to every grain; they catch up from their streams")]
    private static partial void LogNotifyFailed(ILogger logger, Exception exception);
}

/// <summary>The streams a command appended to, whose grains must catch up, and what it appended.</summary>
public sealed class Touched
{
    private Dictionary<string, CommittedEvents>? _committed;

    public HashSet<string> Sources { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Propositions { get; } = new(StringComparer.Ordinal);

    /// <summary>Claims changed after they were recorded (corrected): truth discovery reads them again.</summary>
    public HashSet<string> Claims { get; } = new(StringComparer.Ordinal);

    /// <summary>Claims recorded, as truth discovery reads them: it is handed them instead of reading them back.</summary>
    public List<RecordedClaimForTruth> RecordedClaims { get; } = [];

    /// <summary>
    /// Claims recorded at a post URL, with the URL's key worked out once for their documents: the
    /// articles citing the URL and the caches' notices read it here instead of parsing the URL again.
    /// </summary>
    public List<RecordedPost> RecordedPosts { get; } = [];

    /// <summary>Post URL keys whose claims now name another source (a merge): lookups read them afresh.</summary>
    public HashSet<string> Posts { get; } = new(StringComparer.Ordinal);

    /// <summary>Resolved propositions written: their latest verdict may have changed.</summary>
    public HashSet<string> Resolved { get; } = new(StringComparer.Ordinal);

    public static Touched None => new();

    /// <summary>The events committed to a stream, numbered; null when they are not known and the grain must read them.</summary>
    public CommittedEvents? CommittedTo(string streamKey) => _committed?.GetValueOrDefault(streamKey);

    /// <summary>The command's appends to streams that already exist, written by the ledger itself.</summary>
    internal StreamAppends Appends { get; } = new();

    /// <summary>
    /// Keeps the appends of a committed session: its own (<see cref="Appends"/>) and those Marten
    /// wrote. Every event was numbered while committing; a stream whose numbers are missing is left
    /// for its grain to read.
    /// </summary>
    internal void Committed(IEnumerable<StreamAction> throughMarten)
    {
        foreach (var (key, appended) in throughMarten.Where(a => a.Key is not null).Select(a => (a.Key!, (IReadOnlyList<IEvent>)a.Events)).Concat(Appends.Appended))
        {
            if (appended.Count == 0 || appended.Any(e => e.Version <= 0))
            {
                continue;
            }

            var events = appended.Select(e => e.Data).OfType<Domain.Events.IReliabilityEvent>().ToList();
            if (events.Count != appended.Count)
            {
                continue;
            }

            _committed ??= new Dictionary<string, CommittedEvents>(StringComparer.Ordinal);
            _committed[key] = new CommittedEvents(appended[0].Version, appended[^1].Version, events);
        }
    }
}

/// <summary>A claim recorded at a post URL, and the URL's key (<see cref="UrlKeys.Of"/>).</summary>
public sealed record RecordedPost(Claim Claim, string UrlKey);
