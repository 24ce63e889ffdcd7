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

    /// <summary>Seeds of each generated record shape (see <see cref="GeneratedRecords"/>).</summary>
    public int GeneratedSeeds { get; init; } = GeneratedRecords.Seeds;

    /// <summary>Claims per source for the memory figure.</summary>
    public const int MemoryClaimsPerSource = 100;

    /// <summary>A smoke run: every figure, tiny sizes; the tests run it to keep the command working.</summary>
    public static BenchSizes Quick { get; } = new("quick", 2, 1_000, 40, 20, TimeSpan.FromSeconds(1), 500, 1, 0, 0, 0,
        ["flights", "population-conflicts"]) { WarmUpMinimum = TimeSpan.Zero, WarmUpLimit = TimeSpan.FromSeconds(2), GeneratedSeeds = 1 };

    /// <summary>
    /// Ingest writes 100,000 claims (about half a minute) because the service recomputes its truth
    /// estimate in the background, paced to at most a ninth of a core: a run of a few seconds, then
    /// a pause eight times as long. A six-second window of 20,000 claims fell inside a run or between
    /// two by chance, and the figure moved by up to a third with it. Each 20,000 claims go to sets of
    /// sources and propositions of their own (see <see cref="ClaimsPerSet"/>).
    /// </summary>
    public static BenchSizes Default { get; } = new("default", 8, 100_000, 2_000, 800, TimeSpan.FromSeconds(10), 10_000, 3, 0, 0, 0, null)
    {
        ClaimsPerSet = 20_000,
    };

    /// <summary>
    /// How many claims share one set of <see cref="IngestSources"/> sources and
    /// <see cref="IngestPropositions"/> propositions; the next claims start a fresh set. A longer
    /// load then repeats the record's shape (about 10 claims per source, 25 per proposition) rather
    /// than thickening it: with 100,000 claims on one set, each source had 50 claims and the reads
    /// measured larger sources (score 0.71× against 0.84×); spread over 10,000 sources and 4,000
    /// propositions instead, a claim more often opened a proposition for its source and ingest fell
    /// to 0.51×. The reads use the first set.
    /// </summary>
    public int ClaimsPerSet { get; init; } = int.MaxValue;

    /// <summary>Propositions of the million claims resolved after the rescore (the first ones of their 10,000).</summary>
    public int ScaleResolutions { get; init; }

    /// <summary>The default figures plus memory per grain and a million claims over 100,000 sources, a tenth of their propositions then resolved.</summary>
    public static BenchSizes Full { get; } = Default with
    {
        Mode = "full", MemorySources = 2_000, ScaleClaims = 1_000_000, ScaleSources = 100_000, ScaleResolutions = 1_000,
    };
}
