using System.Reflection;
using Reliability.Contracts.Propositions;
using Reliability.Grains.Propositions;

namespace Reliability.Grains.Tests;

public sealed class TruthEstimatesTests
{
    [Fact]
    public async Task A_reader_goes_on_with_what_its_silo_has_when_the_truth_grain_does_not_answer()
    {
        var estimates = new TruthEstimates(ScriptedCluster.Create(new TaskCompletionSource<EstimatesUpdate>().Task), TimeProvider.System);

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

    [Fact]
    public async Task A_check_that_fails_serves_the_newest_estimate_its_silo_was_handed_meanwhile()
    {
        var answer = new TaskCompletionSource<EstimatesUpdate>();
        var estimates = new TruthEstimates(ScriptedCluster.Create(answer.Task), TimeProvider.System);
        estimates.Publish(Estimate(3, 0.6));

        // The copy is due a check, which the truth grain has not answered yet.
        await Task.Delay(TruthEstimates.Freshness + TimeSpan.FromMilliseconds(100));
        var reading = estimates.CurrentAsync().AsTask();
        Assert.False(reading.IsCompleted);

        // A newer estimate reaches the silo, then the check fails (the grain's silo left).
        estimates.Publish(Estimate(5, 0.8));
        answer.SetException(new InvalidOperationException("the truth grain's silo left"));
        var served = await reading.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(5, served.Version);
        Assert.Equal(0.8, served.Propositions["p"][0].Probability);
    }

    private static ProvisionalEstimates Estimate(long version, double yes) =>
        new(version, new Dictionary<string, IReadOnlyList<OptionProbability>>
        {
            ["p"] = [new OptionProbability("yes", yes, 2), new OptionProbability("no", 1 - yes, 1)],
        });

    /// <summary>A cluster whose truth grain gives the answer the test scripts (one never given: a grain busy for longer than a reader should wait).</summary>
    public class ScriptedCluster : DispatchProxy
    {
        private Task<EstimatesUpdate> _answer = null!;

        public static IGrainFactory Create(Task<EstimatesUpdate> answer)
        {
            var cluster = Create<IGrainFactory, ScriptedCluster>();
            ((ScriptedCluster)(object)cluster)._answer = answer;
            return cluster;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == nameof(IGrainFactory.GetGrain) && targetMethod.ReturnType == typeof(ITruthGrain)
                ? new ScriptedTruth(_answer)
                : throw new NotSupportedException(targetMethod?.Name);
    }

    private sealed class ScriptedTruth(Task<EstimatesUpdate> answer) : ITruthGrain
    {
        public Task<EstimatesUpdate> GetAllIfNewerAsync(long knownVersion) => answer;

        public Task<ProvisionalEstimates> GetEstimatesAsync(IReadOnlyList<string> propositionIds) => throw new NotSupportedException();

        public Task ChangedAsync(TruthChanges changes) => throw new NotSupportedException();

        public Task InvalidateAsync() => throw new NotSupportedException();
    }

}
