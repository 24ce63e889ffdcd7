using Reliability.Cli.Bench;

namespace Reliability.Cli.Tests;

/// <summary>When the benchmark's warm-up counts a rate as settled, on rates given round by round.</summary>
public sealed class WarmUpTests
{
    [Fact]
    public void A_rate_still_climbing_is_not_settled()
    {
        // A fresh service as measured: the compiler is busy for the first rounds.
        double[] rates = [1_000, 1_150, 1_080, 1_420, 1_400, 1_550, 1_710, 1_650, 2_230];

        Assert.False(Load.IsSettled(rates));
    }

    [Fact]
    public void A_rate_that_varies_round_to_round_but_not_in_the_mean_is_settled()
    {
        double[] rates = [1_000, 1_400, 2_230, 2_490, 1_580, 2_200, 2_410, 2_440, 1_600];

        Assert.True(Load.IsSettled(rates));
    }

    [Fact]
    public void Fewer_rounds_than_two_means_are_never_settled()
    {
        Assert.False(Load.IsSettled([100, 100, 100, 100, 100]));
        Assert.True(Load.IsSettled([100, 100, 100, 100, 100, 100]));
    }

    [Fact]
    public async Task A_warm_up_runs_until_the_rate_settles()
    {
        double[] rates = [100, 200, 300, 400, 500, 600, 600, 600, 600, 600, 600, 600, 600];

        var warmUp = await Load.SettleAsync(
            (round, _) => Task.FromResult(new Throughput((long)rates[round], 1)), TimeSpan.Zero, TimeSpan.FromMinutes(5), CancellationToken.None);

        Assert.True(warmUp.Settled);
        Assert.Equal(10, warmUp.Rounds);
        Assert.Equal(600, warmUp.SettledRate);
    }

    [Fact]
    public async Task A_warm_up_that_never_settles_stops_at_its_limit_and_says_so()
    {
        var warmUp = await Load.SettleAsync(
            async (round, token) =>
            {
                await Task.Delay(10, token);
                return new Throughput(100L << Math.Min(round, 40), 1);
            },
            TimeSpan.Zero, TimeSpan.FromMilliseconds(200), CancellationToken.None);

        Assert.False(warmUp.Settled);
        Assert.True(warmUp.Seconds >= 0.2);
    }

    [Fact]
    public async Task A_warm_up_runs_at_least_its_minimum_even_when_settled_from_the_start()
    {
        var warmUp = await Load.SettleAsync(
            async (_, token) =>
            {
                await Task.Delay(10, token);
                return new Throughput(500, 1);
            },
            TimeSpan.FromMilliseconds(300), TimeSpan.FromMinutes(5), CancellationToken.None);

        Assert.True(warmUp.Settled);
        Assert.True(warmUp.Seconds >= 0.3);
        Assert.True(warmUp.Rounds >= 2 * Load.SettleRounds);
    }
}
