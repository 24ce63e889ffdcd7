using Reliability.Contracts.Propositions;

namespace Reliability.Grains.Propositions;

/// <summary>
/// This silo's copy of the truth grain's latest estimates. Every live score and claim status needs
/// them; asking the one truth grain each time would make it the bottleneck of every read. The silo
/// hosting the truth grain is handed each new estimate as it is computed; the others ask whether
/// there is a newer one at most every <see cref="Freshness"/>.
/// </summary>
public sealed class TruthEstimates(IGrainFactory grains, TimeProvider clock)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromMilliseconds(500);

    // A truth grain that does not answer at once is busy or moving; a reader then goes on with the
    // estimate it has, marked pending, while the question is still answered for the next reader.
    private static readonly TimeSpan ReaderPatience = TimeSpan.FromSeconds(2);

    private static readonly ProvisionalEstimates Nothing = new(0, new Dictionary<string, IReadOnlyList<OptionProbability>>(), Stale: true);

    private readonly Lock _gate = new();

    // The latest estimates with when they were last checked, replaced whole under the gate: readers
    // of a fresh copy (every lookup and live score) take no lock.
    private volatile Known? _known;
    private Task<ProvisionalEstimates>? _checking;

    /// <summary>
    /// The latest estimates this silo knows of, at most <see cref="Freshness"/> behind the truth grain.
    /// Until a first estimate exists the truth grain is asked every time, which makes it compute one.
    /// </summary>
    public ValueTask<ProvisionalEstimates> CurrentAsync()
    {
        if (Fresh(_known) is { } fresh)
        {
            return ValueTask.FromResult(fresh);
        }

        lock (_gate)
        {
            if (Fresh(_known) is { } refreshed)
            {
                return ValueTask.FromResult(refreshed);
            }

            // Concurrent readers share one question to the truth grain.
            if (_checking is null || _checking.IsCompleted)
            {
                _checking = CheckAsync(_known?.Latest);
            }

            return _checking.IsCompleted ? new ValueTask<ProvisionalEstimates>(_checking) : new ValueTask<ProvisionalEstimates>(AwaitBrieflyAsync(_checking, _known?.Latest));
        }
    }

    private async Task<ProvisionalEstimates> AwaitBrieflyAsync(Task<ProvisionalEstimates> checking, ProvisionalEstimates? known)
    {
        try
        {
            return await checking.WaitAsync(ReaderPatience, clock);
        }
        catch (TimeoutException)
        {
            return Newest(known) with { Stale = true };
        }
    }

    /// <summary>Handed by the truth grain on this silo whenever it has computed, or been asked to recompute.</summary>
    public void Publish(ProvisionalEstimates estimates)
    {
        lock (_gate)
        {
            if (_known is null || estimates.Version >= _known.Latest.Version)
            {
                _known = new Known(estimates, clock.GetTimestamp());
            }
        }
    }

    /// <summary>
    /// What a check that got no answer serves: the estimate it started from, or a newer one handed to
    /// this silo meanwhile. Serving the older one would move a score back to an estimate already replaced.
    /// </summary>
    private ProvisionalEstimates Newest(ProvisionalEstimates? known)
    {
        var latest = _known?.Latest;
        return latest is not null && (known is null || latest.Version > known.Version) ? latest : known ?? Nothing;
    }

    private ProvisionalEstimates? Fresh(Known? known) =>
        known is { Latest.Version: > 0 } && clock.GetElapsedTime(known.CheckedAt) < Freshness ? known.Latest : null;

    private async Task<ProvisionalEstimates> CheckAsync(ProvisionalEstimates? known)
    {
        EstimatesUpdate update;
        try
        {
            update = await grains.GetGrain<ITruthGrain>(0).GetAllIfNewerAsync(known?.Version ?? 0);
        }
        catch (Exception) when (known is not null)
        {
            // The truth grain is moving (its silo left): provisional evidence a moment old beats no answer.
            return Newest(known);
        }

        lock (_gate)
        {
            var latest = _known?.Latest;
            var newest = update.Estimates ?? latest ?? Nothing;
            if (latest is null || newest.Version >= latest.Version)
            {
                latest = newest with { Stale = update.Stale };
            }

            _known = new Known(latest, clock.GetTimestamp());
            return latest;
        }
    }

    private sealed record Known(ProvisionalEstimates Latest, long CheckedAt);
}
