using System.Diagnostics;
using Reliability.Cli.Datasets;
using Reliability.Domain.Truth;

namespace Reliability.Cli.Bench;

/// <summary>The best classic algorithm on a dataset, from the datasets README.</summary>
public sealed record ReferenceAccuracy(string Method, double Accuracy);

public sealed record TruthDatasetResult(
    string Dataset,
    int Claims,
    int GoldObjects,
    double Accuracy,
    double Milliseconds,
    ReferenceAccuracy? Reference);

/// <summary>Accuracy on the unrevealed half when half the gold objects are given as resolved, averaged over splits.</summary>
public sealed record HalfResolvedResult(string Dataset, int Splits, double Accuracy, double Milliseconds);

public sealed record TruthBenchmarkReport(
    string DatasetsDirectory,
    IReadOnlyList<TruthDatasetResult> Datasets,
    IReadOnlyList<HalfResolvedResult> HalfResolved,
    IReadOnlyList<GeneratedResult> Generated,
    int GeneratedSeeds);

/// <summary>
/// Runs truth discovery on every canonical dataset (NAME.claims.tsv with NAME.gold.tsv) and scores
/// the most probable values against the gold standard.
/// </summary>
public sealed class TruthBenchmark(TruthPolicy policy)
{
    public const int HalfResolvedSplits = 10;
    public const int HalfResolvedSeed = 20_091_001;

    /// <summary>Best column per row of the README's reference table.</summary>
    public static IReadOnlyDictionary<string, ReferenceAccuracy> References { get; } = new Dictionary<string, ReferenceAccuracy>
    {
        ["flights"] = new("PooledInvestment", 0.940),
        ["books"] = new("PooledInvestment", 0.790),
        ["population"] = new("Investment", 0.854),
        ["population-conflicts"] = new("TruthFinder", 0.830),
    };

    /// <summary>The datasets README's figures with half the truth revealed (it quotes flights only).</summary>
    public static IReadOnlyDictionary<string, ReferenceAccuracy> HalfResolvedReferences { get; } = new Dictionary<string, ReferenceAccuracy>
    {
        ["flights"] = new("Beta-Bernoulli vote", 0.936),
    };

    /// <summary>
    /// Datasets whose half-resolved accuracy is reported: every canonical one, since a newsroom's
    /// editors resolve what they can and the engine should use it on every kind of record, not only
    /// the one the target names.
    /// </summary>
    public static IReadOnlyList<string> HalfResolvedDatasets { get; } = ["books", "flights", "population", "population-conflicts"];

    public TruthBenchmark() : this(TruthPolicy.Default)
    {
    }

    /// <param name="datasetsDirectory">The folder of NAME.claims.tsv and NAME.gold.tsv files.</param>
    /// <param name="only">Dataset names to run (default: every one in the folder).</param>
    /// <param name="generatedSeeds">Seeds of each generated record shape (see <see cref="GeneratedRecords"/>).</param>
    public TruthBenchmarkReport Run(string datasetsDirectory, IReadOnlyCollection<string>? only = null, int generatedSeeds = GeneratedRecords.Seeds)
    {
        if (!Directory.Exists(datasetsDirectory))
        {
            throw new DatasetFormatException($"{datasetsDirectory}: datasets directory not found");
        }

        var names = Directory.GetFiles(datasetsDirectory, "*.claims.tsv")
            .Select(f => Path.GetFileName(f)[..^".claims.tsv".Length])
            .Where(n => File.Exists(Path.Combine(datasetsDirectory, $"{n}.gold.tsv")))
            .Where(n => only is null || only.Contains(n))
            .Order(StringComparer.Ordinal)
            .ToList();

        // Compile the engine's code paths before anything is timed, so the first dataset is not charged for it.
        new TruthDiscoveryEngine(policy).Discover(new TruthDiscoveryInput(
            [new TruthClaim("a", "o", "x"), new TruthClaim("b", "o", "y"), new TruthClaim("c", "o", "x;y")]));

        var results = new List<TruthDatasetResult>();
        var halves = new List<HalfResolvedResult>();
        foreach (var name in names)
        {
            var claims = CanonicalDataset.ToTruthClaims(CanonicalDataset.ReadClaims(Path.Combine(datasetsDirectory, $"{name}.claims.tsv")));
            var gold = CanonicalDataset.ReadTruths(Path.Combine(datasetsDirectory, $"{name}.gold.tsv"));
            results.Add(RunFull(name, claims, gold));
            if (HalfResolvedDatasets.Contains(name))
            {
                halves.Add(RunHalfResolved(name, claims, gold));
            }
        }

        return new TruthBenchmarkReport(datasetsDirectory, results, halves, GeneratedRecords.Run(policy, generatedSeeds), generatedSeeds);
    }

    public TruthDatasetResult RunFull(string name, IReadOnlyList<TruthClaim> claims, IReadOnlyList<ResolvedTruth> gold)
    {
        var clock = Stopwatch.StartNew();
        var result = new TruthDiscoveryEngine(policy).Discover(new TruthDiscoveryInput(claims));
        var elapsed = clock.Elapsed.TotalMilliseconds;
        return new TruthDatasetResult(name, claims.Count, gold.Count, Accuracy(result, gold), elapsed, References.GetValueOrDefault(name));
    }

    /// <summary>Reveals a seeded random half of the gold objects as resolved and judges the other half.</summary>
    public HalfResolvedResult RunHalfResolved(string name, IReadOnlyList<TruthClaim> claims, IReadOnlyList<ResolvedTruth> gold)
    {
        var ordered = gold.OrderBy(g => g.ObjectId, StringComparer.Ordinal).ToArray();
        var accuracy = 0.0;
        var clock = Stopwatch.StartNew();
        for (var split = 0; split < HalfResolvedSplits; split++)
        {
            var shuffled = ordered.ToArray();
            new Random(HalfResolvedSeed + split).Shuffle(shuffled);
            var revealed = shuffled[..(shuffled.Length / 2)];
            var judged = shuffled[(shuffled.Length / 2)..];
            var result = new TruthDiscoveryEngine(policy).Discover(new TruthDiscoveryInput(claims, revealed));
            accuracy += Accuracy(result, judged);
        }

        return new HalfResolvedResult(name, HalfResolvedSplits, accuracy / HalfResolvedSplits, clock.Elapsed.TotalMilliseconds / HalfResolvedSplits);
    }

    /// <summary>Share of gold objects whose most probable value equals the gold value exactly (unclaimed objects count as wrong).</summary>
    public static double Accuracy(TruthDiscoveryResult result, IReadOnlyCollection<ResolvedTruth> gold)
    {
        if (gold.Count == 0)
        {
            return 0;
        }

        var predicted = result.Objects.ToDictionary(o => o.ObjectId, o => o.MostProbableValue, StringComparer.Ordinal);
        var right = gold.Count(g => predicted.TryGetValue(g.ObjectId, out var value) && value == g.Value);
        return (double)right / gold.Count;
    }
}
