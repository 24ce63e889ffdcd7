namespace Reliability.Cli.Bench;

/// <summary>How much work each figure gets. The default run stays under ten minutes on two cores.</summary>
public sealed record BenchSizes(
    string Mode,
    int Clients,
    int IngestClaims,
    int IngestSources,
    int IngestPropositions,
    TimeSpan Window,
    int ColdClaims,
    int ColdSources,
    int MemorySources,
    int ScaleClaims,
    int ScaleSources,
    IReadOnlyList<string>? TruthDatasets)
{
    /// <summary>
    /// The shortest warm-up before a figure (see <see cref="Load.SettleAsync"/>): long enough for a
    /// fresh service to finish compiling its hot paths, which on two cores takes 20–25 s under load.
    /// </summary>
    public TimeSpan WarmUpMinimum { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest a figure's warm-up may take before it is measured anyway.</summary>
    public TimeSpan WarmUpLimit { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Claims per source for the memory figure.</summary>
    public const int MemoryClaimsPerSource = 100;

    /// <summary>A smoke run: every figure, tiny sizes; the tests run it to keep the command working.</summary>
    public static BenchSizes Quick { get; } = new("quick", 2, 1_000, 40, 20, TimeSpan.FromSeconds(1), 500, 1, 0, 0, 0,
        ["flights", "population-conflicts"]) { WarmUpMinimum = TimeSpan.Zero, WarmUpLimit = TimeSpan.FromSeconds(2) };

    public static BenchSizes Default { get; } = new("default", 8, 20_000, 2_000, 800, TimeSpan.FromSeconds(10), 10_000, 3, 0, 0, 0, null);

    /// <summary>The default figures plus memory per grain and a million claims over 100,000 sources.</summary>
    public static BenchSizes Full { get; } = Default with { Mode = "full", MemorySources = 2_000, ScaleClaims = 1_000_000, ScaleSources = 100_000 };
}
