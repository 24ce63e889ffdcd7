using System.Reflection;
using Reliability.Contracts.Propositions;
using Reliability.Grains.Propositions;

namespace Reliability.Grains.Tests;

public sealed class TruthEstimatesTests
{
    [Fact]
    public async Task A_reader_goes_on_with_what_its_silo_has_when_the_truth_grain_does_not_answer()
    {
        var estimates = new TruthEstimates(SilentCluster.Create(), TimeProvider.System);

        // No estimate yet, and the truth grain is busy: the reader is told the estimate is pending.
        var first = await estimates.CurrentAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, first.Version);
        Assert.True(first.Stale);

        var known = new ProvisionalEstimates(3, new Dictionary<string, IReadOnlyList<OptionProbability>>
        {
            ["p"] = [new OptionProbability("yes", 0.7, 2), new OptionProbability("no", 0.3, 1)],
        });
        estimates.Publish(known);
        Assert.Same(known, await estimates.CurrentAsync());

        // Once the copy is due a check that goes unanswered, the copy is served, marked pending.
        await Task.Delay(TruthEstimates.Freshness + TimeSpan.FromMilliseconds(100));
        var later = await estimates.CurrentAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(3, later.Version);
        Assert.Equal(0.7, later.Propositions["p"][0].Probability);
        Assert.True(later.Stale);
    }

    /// <summary>A cluster whose truth grain never answers, as one busy for longer than a reader should wait.</summary>
    public class SilentCluster : DispatchProxy
    {
        public static IGrainFactory Create() => Create<IGrainFactory, SilentCluster>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == nameof(IGrainFactory.GetGrain) && targetMethod.ReturnType == typeof(ITruthGrain)
                ? new SilentTruth()
                : throw new NotSupportedException(targetMethod?.Name);
    }

    private sealed class SilentTruth : ITruthGrain
    {
        public Task<EstimatesUpdate> GetAllIfNewerAsync(long knownVersion) => new TaskCompletionSource<EstimatesUpdate>().Task;

        public Task<ProvisionalEstimates> GetEstimatesAsync(IReadOnlyList<string> propositionIds) => throw new NotSupportedException();

        public Task ChangedAsync(TruthChanges changes) => throw new NotSupportedException();

        public Task InvalidateAsync() => throw new NotSupportedException();
    }
}
