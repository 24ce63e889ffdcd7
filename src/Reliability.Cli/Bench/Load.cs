using System.Diagnostics;

namespace Reliability.Cli.Bench;

/// <summary>A rate measured under load: how many operations completed in how long.</summary>
public sealed record Throughput(long Operations, double Seconds)
{
    public double PerSecond => Seconds > 0 ? Operations / Seconds : 0;
}

/// <summary>Drives the same operation from a number of concurrent clients, as a load generator does.</summary>
internal static class Load
{
    /// <summary>
    /// Each client runs its own seeded sequence of operations one after another until the time is up;
    /// <paramref name="operation"/> returns how many units (requests, claims) it completed.
    /// </summary>
    public static async Task<Throughput> ForAsync(
        int clients, TimeSpan duration, int seed, Func<Random, CancellationToken, Task<int>> operation, CancellationToken cancellationToken)
    {
        long done = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var random = new Random(seed + client);
            while (clock.Elapsed < duration)
            {
                Interlocked.Add(ref done, await operation(random, cancellationToken));
            }
        }, cancellationToken)));
        return new Throughput(done, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Splits a fixed amount of work over the clients: client <c>c</c> runs items c, c+clients, ….</summary>
    public static async Task<Throughput> EachAsync(
        int clients, int items, Func<int, CancellationToken, Task<int>> operation, CancellationToken cancellationToken)
    {
        long done = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            for (var item = client; item < items; item += clients)
            {
                Interlocked.Add(ref done, await operation(item, cancellationToken));
            }
        }, cancellationToken)));
        return new Throughput(done, clock.Elapsed.TotalSeconds);
    }
}
