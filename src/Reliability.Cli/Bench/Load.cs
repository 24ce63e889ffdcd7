using System.Diagnostics;

namespace Reliability.Cli.Bench;

/// <summary>A rate measured under load: how many operations completed in how long.</summary>
public sealed record Throughput(long Operations, double Seconds)
{
    public double PerSecond => Seconds > 0 ? Operations / Seconds : 0;

    /// <summary>CPU time the service used during the window, in seconds; 0 where it was not measured.</summary>
    public double ServiceCpuSeconds { get; init; }

    /// <summary>
    /// CPU time every process used during the window (the service, the database and the load
    /// generator, which share the machine), in seconds; null where the machine's time is not known.
    /// </summary>
    public double? MachineCpuSeconds { get; init; }

    /// <summary>
    /// The service's CPU per operation, in µs. Unlike a rate, it hardly moves with the machine's speed
    /// from one window to the next, so it shows a change in a read path that a run's drift would hide.
    /// </summary>
    public double ServiceCpuMicroseconds => Operations > 0 ? ServiceCpuSeconds * 1e6 / Operations : 0;

    /// <summary>The whole machine's CPU per operation, in µs, where known.</summary>
    public double? MachineCpuMicroseconds => Operations > 0 ? MachineCpuSeconds * 1e6 / Operations : null;

    /// <summary>Two windows of the same load taken together.</summary>
    public static Throughput operator +(Throughput a, Throughput b) => new(a.Operations + b.Operations, a.Seconds + b.Seconds)
    {
        ServiceCpuSeconds = a.ServiceCpuSeconds + b.ServiceCpuSeconds,
        MachineCpuSeconds = a.MachineCpuSeconds + b.MachineCpuSeconds,
    };
}

/// <summary>How a warm-up ended: its rounds, how long it took, the mean rate of its last rounds, and whether that rate had settled.</summary>
public sealed record WarmUp(int Rounds, double Seconds, double SettledRate, bool Settled);

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

    /// <summary>
    /// Warms a system up until its rate settles: rounds of work, numbered from 0, for at least
    /// <paramref name="minimum"/>, then until the mean rate of the last <see cref="SettleRounds"/>
    /// rounds is within <see cref="SettledWithin"/> of the mean of the ones before them, or
    /// <paramref name="limit"/> has passed. A freshly started .NET service spends its first twenty or
    /// so seconds under load compiling its hot paths again, optimised, on the same cores; a figure
    /// taken then measures the compiler as much as the service. Rounds vary by a third on a busy
    /// two-core machine, hence means of several rounds rather than two rounds side by side.
    /// </summary>
    public static async Task<WarmUp> SettleAsync(
        Func<int, CancellationToken, Task<Throughput>> round, TimeSpan minimum, TimeSpan limit, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var rates = new List<double>();
        while (true)
        {
            rates.Add((await round(rates.Count, cancellationToken)).PerSecond);
            var settled = clock.Elapsed >= minimum && IsSettled(rates);
            if (settled || clock.Elapsed >= limit)
            {
                return new WarmUp(rates.Count, clock.Elapsed.TotalSeconds, rates.TakeLast(SettleRounds).Average(), settled);
            }
        }
    }

    /// <summary>How many rounds a warm-up's rate is averaged over.</summary>
    public const int SettleRounds = 3;

    /// <summary>How close the last rounds' mean rate must be to the mean of the rounds before for a warm-up to count as settled.</summary>
    public const double SettledWithin = 0.10;

    public static bool IsSettled(IReadOnlyList<double> rates)
    {
        if (rates.Count < 2 * SettleRounds)
        {
            return false;
        }

        var last = rates.TakeLast(SettleRounds).Average();
        var before = rates.SkipLast(SettleRounds).TakeLast(SettleRounds).Average();
        return Math.Abs(last - before) <= SettledWithin * before;
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
