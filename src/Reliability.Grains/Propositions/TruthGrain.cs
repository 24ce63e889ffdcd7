using System.Diagnostics;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reliability.Contracts.Propositions;
using Reliability.Domain.Scoring;
using Reliability.Domain.Truth;
using Reliability.Grains.Records;

namespace Reliability.Grains.Propositions;

/// <summary>
/// Runs the domain's truth-discovery engine over every claim, with resolved propositions as
/// anchors, and serves the provisional estimate of each open proposition. The whole estimate is
/// recomputed a moment after the record changes (changes arriving together are folded into one
/// run), so once the system is quiet it is the batch engine's answer on the same history, each
/// probability served as its history last recorded it (within <see cref="EstimateHistory.Tolerance"/>).
/// The grain reads the whole record once, then puts in the claims each commit recorded, as its
/// writer hands them over, and reads again only the claims and verdicts a commit changed.
/// </summary>
public sealed partial class TruthGrain(
    IDocumentStore store, TruthInputs inputs, TruthEstimates copy, IOptions<RecordOptions> options, ILogger<TruthGrain> logger)
    : Grain, ITruthGrain
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(250);

    // While the store is down every run fails; trying again at a growing interval keeps the log readable.
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    // A run takes the whole record; under a steady stream of writes, back-to-back runs would take a
    // core away from the writers. Waiting eight times as long as the last run took keeps recomputation
    // to at most a ninth of a core while the record is busy (at four, a profile of steady ingest found
    // the engine the largest single user of the service's CPU), and changes nothing once it is quiet.
    private const int QuietFactor = 8;

    private ProvisionalEstimates _estimates = new(0, new Dictionary<string, IReadOnlyList<OptionProbability>>());
    private readonly EstimateLog _history = new(store);

    // This activation's generation (0 until its first run takes one) and how many estimates it has computed.
    private long _generation;
    private long _runs;
    private bool _stale = true;

    // A run takes its changes when it starts, so _stale is false while it works on them; readers
    // must still hear the estimate is pending until its result is in.
    private bool _running;
    private IGrainTimer? _pending;
    private TimeSpan _lastRun;
    private int _failedRuns;

    private TruthRecord? _record;
    private bool _readAll = true;
    private long _fullReadAt;
    private HashSet<string> _changedClaims = new(StringComparer.Ordinal);
    private HashSet<string> _changedPropositions = new(StringComparer.Ordinal);
    private List<RecordedClaimForTruth> _recordedClaims = [];

    // A change whose news was lost (its writer died between commit and notice) would otherwise be
    // missing from every estimate until the grain is next activated; reading everything again now
    // and then bounds how long, on a quiet record too, where no change starts a run.
    private TimeSpan FullReadInterval => options.Value.TruthFullReadInterval;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(
            () =>
            {
                if (_record is not null && Stopwatch.GetElapsedTime(_fullReadAt) >= FullReadInterval)
                {
                    _readAll = true;
                    // Not marked pending: nothing is known to have changed, and readers would see every
                    // estimate flagged pending for the length of a run, every interval.
                    Schedule(markStale: false);
                }

                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions(FullReadInterval, FullReadInterval) { Interleave = false, KeepAlive = false });
        return Task.CompletedTask;
    }

    public async Task<ProvisionalEstimates> GetEstimatesAsync(IReadOnlyList<string> propositionIds)
    {
        if (_estimates.Version == 0 && _stale)
        {
            // This run takes in everything a scheduled one would; changes told during it schedule another.
            _pending?.Dispose();
            _pending = null;
            await RecomputeAsync();
        }

        var wanted = propositionIds.Where(_estimates.Propositions.ContainsKey)
            .ToDictionary(id => id, id => _estimates.Propositions[id], StringComparer.Ordinal);
        return new ProvisionalEstimates(_estimates.Version, wanted, _stale);
    }

    /// <summary>
    /// Never waits for a computation: on a large record the first one after a start takes longer
    /// than a reader should, so until it is done readers are told the estimate is pending.
    /// </summary>
    public Task<EstimatesUpdate> GetAllIfNewerAsync(long knownVersion)
    {
        if (_estimates.Version == 0 && _stale)
        {
            Schedule();
        }

        var pending = _stale || _running;
        return Task.FromResult(new EstimatesUpdate(_estimates.Version > knownVersion ? _estimates with { Stale = pending } : null, pending));
    }

    public Task ChangedAsync(TruthChanges changes)
    {
        _changedClaims.UnionWith(changes.ClaimIds);
        _changedPropositions.UnionWith(changes.PropositionIds);
        if (changes.Recorded is { Count: > 0 } recorded)
        {
            _recordedClaims.AddRange(recorded);
        }

        Schedule();
        return Task.CompletedTask;
    }

    public Task InvalidateAsync()
    {
        _readAll = true;
        Schedule();
        return Task.CompletedTask;
    }

    private void Schedule(bool markStale = true)
    {
        if (markStale && !_stale)
        {
            _stale = true;
            copy.Publish(_estimates with { Stale = true });
        }

        _pending ??= this.RegisterGrainTimer(
            async _ =>
            {
                _pending?.Dispose();
                _pending = null;
                try
                {
                    await RecomputeAsync();
                }
                catch (Exception exception)
                {
                    // The changes taken for this run were put back; the next run tries them again.
                    _failedRuns++;
                    LogRecomputeFailed(logger, exception);
                    Schedule();
                }
            },
            new GrainTimerCreationOptions(NextRunDelay(), Timeout.InfiniteTimeSpan) { Interleave = false });
    }

    private TimeSpan NextRunDelay()
    {
        if (_failedRuns > 0)
        {
            return TimeSpan.FromTicks(Math.Min(LongestRetry.Ticks, Settle.Ticks << Math.Min(_failedRuns, 10)));
        }

        return Settle > _lastRun * QuietFactor ? Settle : _lastRun * QuietFactor;
    }

    private async Task RecomputeAsync()
    {
        _running = true;
        try
        {
            await RunAsync();
        }
        finally
        {
            _running = false;
        }
    }

    private async Task RunAsync()
    {
        var started = Stopwatch.GetTimestamp();
        _stale = false;
        // Taken before the first await: changes told during the run are kept for the next one.
        var claims = _changedClaims;
        var propositions = _changedPropositions;
        var recorded = _recordedClaims;
        var readAll = _readAll || _record is null || Stopwatch.GetElapsedTime(_fullReadAt) > FullReadInterval;
        _changedClaims = new HashSet<string>(StringComparer.Ordinal);
        _changedPropositions = new HashSet<string>(StringComparer.Ordinal);
        _recordedClaims = [];
        _readAll = false;
        TruthRecord record;
        try
        {
            if (_generation == 0)
            {
                _generation = await TruthGeneration.NextAsync(store);
            }

            await using var session = store.QuerySession();
            if (readAll)
            {
                var readAt = Stopwatch.GetTimestamp();
                record = await inputs.LoadAsync(session);
                _fullReadAt = readAt;
                // Committed before they were announced, so the read has them; a claim changed since
                // is read again in a later run.
                recorded = [];
            }
            else
            {
                record = _record!;
                await inputs.RefreshAsync(record, session, claims, propositions, recorded);
            }
        }
        catch
        {
            _changedClaims.UnionWith(claims);
            _changedPropositions.UnionWith(propositions);
            _recordedClaims.AddRange(recorded);
            _readAll |= readAll;
            _stale = true;
            throw;
        }

        _record = record;
        // Off the grain's thread: on a large record a run takes seconds of CPU, and readers' questions
        // (which interleave) would otherwise wait behind it. Nothing changes the record meanwhile:
        // only this run's turn writes to it.
        var hedges = inputs.Hedges;
        var open = await Task.Run(() => OpenEstimates(new TruthDiscoveryEngine().Discover(record.ToInput(hedges))));
        var version = TruthGeneration.VersionOf(_generation, ++_runs);
        IReadOnlyDictionary<string, IReadOnlyList<OptionProbability>> served;
        try
        {
            // On record before any reader is served it, and served as recorded, so a read known at a
            // later moment finds exactly what readers were served (see EstimateHistory).
            served = await _history.RecordAsync(version, open);
        }
        catch
        {
            // The record already holds this run's changes: the next run computes again from it.
            _stale = true;
            throw;
        }

        _estimates = new ProvisionalEstimates(version, served);
        _lastRun = Stopwatch.GetElapsedTime(started);
        _failedRuns = 0;
        // A change that arrived during the run keeps the new estimate marked stale.
        copy.Publish(_estimates with { Stale = _stale });
    }

    private static Dictionary<string, IReadOnlyList<OptionProbability>> OpenEstimates(TruthDiscoveryResult result) =>
        result.Objects.Where(o => !o.IsResolved).ToDictionary(
            o => o.ObjectId,
            o => (IReadOnlyList<OptionProbability>)[.. o.Candidates.Select(c => new OptionProbability(c.Value, c.Probability, c.Claimants))],
            StringComparer.Ordinal);

    [LoggerMessage(LogLevel.Warning, "Recomputing the truth estimate failed; it is tried again")]
    private static partial void LogRecomputeFailed(ILogger logger, Exception exception);
}

/// <summary>The truth grain's reads of the stored record.</summary>
public sealed class TruthInputs(ScoringPolicies policies)
{
    public HedgeWeights Hedges => policies.Current.Hedges;

    public async Task<TruthRecord> LoadAsync(IQuerySession session, CancellationToken cancellationToken = default)
    {
        var claims = await ClaimForEstimate.Select(session.Query<ClaimDocument>()).ToListAsync(cancellationToken);
        // After the claims: a proposition is written with its first claim, so every claim read has its options read too.
        var options = await PropositionOptions.Select(session.Query<PropositionDocument>()).ToListAsync(cancellationToken);
        var resolved = await session.Query<PropositionDocument>().Where(p => p.State == "resolved").ToListAsync(cancellationToken);
        return TruthRecord.From(claims, options, resolved);
    }

    /// <summary>
    /// Puts the recorded claims into <paramref name="record"/> and reads the listed claims and
    /// propositions again into it.
    /// </summary>
    public async Task RefreshAsync(
        TruthRecord record, IQuerySession session, IReadOnlyCollection<string> claimIds, IReadOnlyCollection<string> propositionIds,
        IReadOnlyCollection<RecordedClaimForTruth>? recorded = null, CancellationToken cancellationToken = default)
    {
        var propositionsOfClaims = new HashSet<string>(StringComparer.Ordinal);
        foreach (var claim in recorded ?? [])
        {
            record.PutRecorded(claim);
            propositionsOfClaims.Add(claim.PropositionId);
        }

        if (claimIds.Count > 0)
        {
            var ids = claimIds.ToArray();
            var claims = await ClaimForEstimate.Select(session.Query<ClaimDocument>().Where(c => ids.Contains(c.Id))).ToListAsync(cancellationToken);
            foreach (var claim in claims)
            {
                record.Put(claim);
                propositionsOfClaims.Add(claim.PropositionId);
            }
        }

        // A claim may have opened its proposition; options never change, so each is read once.
        var opened = propositionsOfClaims.Where(p => !record.HasOptionsOf(p) && !propositionIds.Contains(p)).ToArray();
        if (opened.Length > 0)
        {
            foreach (var proposition in await PropositionOptions.Select(session.Query<PropositionDocument>().Where(p => opened.Contains(p.Id))).ToListAsync(cancellationToken))
            {
                record.Put(proposition);
            }
        }

        if (propositionIds.Count > 0)
        {
            foreach (var proposition in await session.LoadManyAsync<PropositionDocument>(cancellationToken, propositionIds))
            {
                record.Put(proposition);
            }
        }
    }
}
