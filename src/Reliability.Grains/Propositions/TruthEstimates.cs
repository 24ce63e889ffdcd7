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
    private ProvisionalEstimates? _latest;
    private long _checkedAt;
    private Task<ProvisionalEstimates>? _checking;

    /// <summary>
    /// The latest estimates this silo knows of, at most <see cref="Freshness"/> behind the truth grain.
    /// Until a first estimate exists the truth grain is asked every time, which makes it compute one.
    /// </summary>
    public ValueTask<ProvisionalEstimates> CurrentAsync()
    {
        lock (_gate)
        {
            if (_latest is { Version: > 0 } latest && clock.GetElapsedTime(_checkedAt) < Freshness)
            {
                return ValueTask.FromResult(latest);
            }

            // Concurrent readers share one question to the truth grain.
            if (_checking is null || _checking.IsCompleted)
            {
                _checking = CheckAsync(_latest);
            }

            return _checking.IsCompleted ? new ValueTask<ProvisionalEstimates>(_checking) : new ValueTask<ProvisionalEstimates>(AwaitBrieflyAsync(_checking, _latest));
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
            return (known ?? Nothing) with { Stale = true };
        }
    }

    /// <summary>Handed by the truth grain on this silo whenever it has computed, or been asked to recompute.</summary>
    public void Publish(ProvisionalEstimates estimates)
    {
        lock (_gate)
        {
            if (_latest is null || estimates.Version >= _latest.Version)
            {
                _latest = estimates;
                _checkedAt = clock.GetTimestamp();
            }
        }
    }

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
            return known;
        }

        lock (_gate)
        {
            var newest = update.Estimates ?? _latest ?? Nothing;
            if (_latest is null || newest.Version >= _latest.Version)
            {
                _latest = newest with { Stale = update.Stale };
            }

            _checkedAt = clock.GetTimestamp();
            return _latest;
        }
    }
}
