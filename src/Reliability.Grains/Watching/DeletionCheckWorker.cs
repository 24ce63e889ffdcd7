using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reliability.Contracts.Ledger;
using Reliability.Grains.Recording;
using Reliability.Grains.Records;
using Reliability.Infrastructure;
using Reliability.Infrastructure.Watching;
using Reliability.Infrastructure.Webhooks;

namespace Reliability.Grains.Watching;

/// <summary>
/// Checks the posts the schedule hands out, outside any grain turn (a check can take
/// <see cref="WatcherOptions.TotalTimeout"/>), folds each verdict into the claim's evidence, and
/// records an observed deletion once the evidence is confirmed. Unknown answers (timeouts, 5xx, 429,
/// network errors, an open circuit) never count toward a deletion. A check counts only for the
/// claim's latest hand-out (<see cref="ClaimWatch.LeaseId"/>), and its save is version-checked, so
/// one claim handed out twice (its lease ran out while it waited) is not checked twice in a row.
/// </summary>
public sealed partial class DeletionCheckWorker(
    DeletionCheckQueue queue,
    IDocumentStore store,
    PostWatcher watcher,
    WatchSchedule schedule,
    ILedger ledger,
    IOptions<WatcherOptions> options,
    TimeProvider clock,
    ILogger<DeletionCheckWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.ChecksAtOnce, CancellationToken = stoppingToken };
        await Parallel.ForEachAsync(queue.ReadAllAsync(stoppingToken), parallel, async (handedOut, token) =>
        {
            try
            {
                await CheckAsync(handedOut, token);
            }
            catch (Exception e) when (ExceptionChain.IsVersionConflict(e))
            {
                LogLeasedAgain(logger, handedOut.ClaimId);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The lease runs out and the claim comes due again.
                LogFailed(logger, e, handedOut.ClaimId);
            }
        });
    }

    /// <exception cref="Exception">
    /// A version conflict (<see cref="ExceptionChain.IsVersionConflict"/>): the claim was leased again
    /// during the check, which then counts for nothing; the newer hand-out checks it. So does a
    /// correction that ended the watch meanwhile, or a merge: the check must not store the watch back.
    /// </exception>
    public async Task CheckAsync(DeletionCheck handedOut, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var claimId = handedOut.ClaimId;
        await using (var session = store.LightweightSession())
        {
            var watch = await session.LoadAsync<ClaimWatch>(claimId, cancellationToken);
            if (watch is null || watch.Finished || watch.LeaseId != handedOut.LeaseId)
            {
                return;
            }

            // A correction ends the watch in its own commit; a claim the record already says is gone
            // or withdrawn without that (corrected before corrections ended watches) ends here, unchecked.
            if (await session.LoadAsync<ClaimDocument>(claimId, cancellationToken) is { CorrectionStatus: not "live" } withdrawn)
            {
                watch.End(new WatchEnding(withdrawn.CorrectionStatus, null, null, null, clock.GetUtcNow()));
                session.Store(watch);
                await session.SaveChangesAsync(cancellationToken);
                return;
            }

            if (watch.State != EvidenceState.ConfirmedGone)
            {
                var check = await watcher.CheckAsync(watch.Url, cancellationToken);
                var before = watch.State;
                var counted = Counted(check, watch.LastCheckedAt, o);
                var evidence = watch.Evidence.Apply(counted, o.ConfirmationsForDeletion);
                var now = clock.GetUtcNow();
                watch.LeaseId = null;
                watch.State = evidence.State;
                watch.ConsecutiveGone = evidence.ConsecutiveGone;
                watch.Checks++;
                watch.LastCheckedAt = check.CheckedAt;
                // The verdict as counted: a "gone" that came too soon shows as the nothing it counted for.
                watch.LastVerdict = counted;
                watch.LastReason = counted != check.Verdict ? UnknownReason.TooSoon : counted == PostVerdict.Unknown ? check.Reason : null;
                watch.LastStatus = check.StatusCode;
                watch.ConfirmedAt = evidence.JustConfirmed ? check.CheckedAt : watch.ConfirmedAt;
                watch.NextCheckAt = NextCheckOf(watch, now);
                session.Store(watch);
                if (evidence.State == EvidenceState.Withheld && before != EvidenceState.Withheld)
                {
                    // Withheld in some country (451) is not a deletion: announced, not recorded as a correction.
                    WebhookOutbox.Add(session, new WebhookEvent("claim.withheld", new { claimId, sourceId = watch.SourceId, url = watch.Url, status = check.StatusCode })
                    {
                        SourceId = watch.SourceId,
                        ArticleIds = await ArticleWrite.ArticlesCitingAsync(session, claimId, cancellationToken),
                        OccurredAt = check.CheckedAt,
                    }, now);
                }

                // Checked against the version read above: a lease taken meanwhile makes this throw.
                await session.SaveChangesAsync(cancellationToken);
                if (watch.State != EvidenceState.ConfirmedGone)
                {
                    return;
                }
            }
        }

        await RecordDeletionAsync(claimId, cancellationToken);
    }

    /// <summary>
    /// A "gone" within half a check interval of the previous check (the schedule never spaces checks
    /// closer) is the same moment seen again, by a hand-out repeated for whatever reason, and not
    /// another confirmation: a passing 404 must not become a deletion in minutes.
    /// </summary>
    private static PostVerdict Counted(PostCheck check, DateTimeOffset? lastCheckedAt, WatcherOptions o) =>
        check.Verdict == PostVerdict.Gone && lastCheckedAt is { } last && check.CheckedAt - last < o.CheckInterval / 2
            ? PostVerdict.Unknown
            : check.Verdict;

    private DateTimeOffset NextCheckOf(ClaimWatch watch, DateTimeOffset now)
    {
        var cited = watch.CitedAt is { } citedAt && now - citedAt < options.Value.OldClaimAge;
        return schedule.NextCheck(new WatchedClaim(watch.Id, watch.RecordedAt, cited), watch.LastCheckedAt, now);
    }

    /// <summary>
    /// Records the observed deletion, then stops watching. Idempotent: the correction's id derives from
    /// the claim and the confirmation time, so a worker that died in between records nothing twice.
    /// A refusal that may pass later (a conflict; or a failure thrown, such as the store being down,
    /// after which the lease runs out) leaves the watch to try again; one that cannot (no such claim,
    /// a correction the record contradicts) ends it with the reason on the watch, for an editor to see.
    /// </summary>
    private async Task RecordDeletionAsync(string claimId, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var watch = await session.LoadAsync<ClaimWatch>(claimId, cancellationToken);
        var claim = await session.LoadAsync<ClaimDocument>(claimId, cancellationToken);
        if (watch is null || watch.Finished)
        {
            return;
        }

        // A claim the source already retracted or reversed in public is not silently deleted.
        if (claim is { CorrectionStatus: "live" })
        {
            var note = $"Observed: the post answered 'gone' (HTTP {watch.LastStatus}) on {watch.ConsecutiveGone} consecutive checks.";
            var outcome = await ledger.RecordCorrectionAsync(
                claimId, new CorrectionSubmission("deleted", watch.ConfirmedAt!.Value, watch.Url, note, null, "observed"), cancellationToken);
            if (outcome.Succeeded)
            {
                // The correction ended the watch in its own commit, saying so; storing this copy
                // (read before that commit) would be a conflict.
                LogDeleted(logger, claimId, watch.Url);
                return;
            }

            LogNotRecorded(logger, claimId, outcome.Failure.ToString(), outcome.Detail);
            if (outcome.Failure == LedgerFailure.Conflict)
            {
                // Confirmed gone, so the next due check only tries the recording again.
                watch.LeaseId = null;
                watch.NextCheckAt = NextCheckOf(watch, clock.GetUtcNow());
                session.Store(watch);
                await session.SaveChangesAsync(cancellationToken);
                return;
            }

            watch.DeletionRefused = outcome.Errors is { Count: > 0 } errors
                ? string.Join(" ", errors.SelectMany(e => e.Value.Select(message => $"{e.Key}: {message}")))
                : outcome.Detail ?? outcome.Failure.ToString();
        }
        else if (claim is not null)
        {
            // Withdrawn without its watch ending (corrected before corrections ended watches).
            watch.EndedBy = new WatchEnding(claim.CorrectionStatus, null, null, null, clock.GetUtcNow());
        }

        watch.Finished = true;
        session.Store(watch);
        await session.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(LogLevel.Information, "Claim {ClaimId}: post {Url} confirmed deleted; observed deletion recorded")]
    private static partial void LogDeleted(ILogger logger, string claimId, string url);

    [LoggerMessage(LogLevel.Warning, "Claim {ClaimId}: the confirmed deletion could not be recorded ({Failure}: {Detail})")]
    private static partial void LogNotRecorded(ILogger logger, string claimId, string failure, string? detail);

    [LoggerMessage(LogLevel.Information, "Claim {ClaimId}: handed out again, corrected or merged during its check; this check is dropped")]
    private static partial void LogLeasedAgain(ILogger logger, string claimId);

    [LoggerMessage(LogLevel.Warning, "Claim {ClaimId}: the deletion check failed; it comes due again")]
    private static partial void LogFailed(ILogger logger, Exception exception, string claimId);
}
