namespace Reliability.Domain.Truth;

/// <summary>
/// How often each pair of sources agrees on the objects they share, summed in one pass over the
/// claim pairs, for the accuracies measured from agreement (<see cref="AgreementAccuracy"/> for the
/// copy test, <see cref="ChanceCorrectedAccuracy"/> for how sure a verdict is stated). Each
/// partner a source shares at least <see cref="MinShared"/> objects with is kept with the pair's
/// agreement rate; everything a source shares with anyone is also summed for it alone, with the
/// agreement two sources wrong at random would reach on those objects.
/// </summary>
internal sealed class AgreementRates
{
    /// <summary>Least (weighted) objects a pair must share for its rate to stand on its own.</summary>
    public const double MinShared = 8;

    private AgreementRates(List<Partner>?[] partners, double[] shared, double[] agreed, double[] chance)
    {
        Partners = partners;
        Shared = shared;
        Agreed = agreed;
        Chance = chance;
    }

    /// <summary>Per source, its partners (null: none shares enough with it).</summary>
    public IReadOnlyList<List<Partner>?> Partners { get; }

    /// <summary>Per source, the (weighted) claim pairs it shares with any other source.</summary>
    public IReadOnlyList<double> Shared { get; }

    /// <summary>Per source, how many of those agree.</summary>
    public IReadOnlyList<double> Agreed { get; }

    /// <summary>Per source, how many of those two sources wrong at random would agree on.</summary>
    public IReadOnlyList<double> Chance { get; }

    /// <summary>
    /// The accuracy at which a source's claims, on the objects it shares with others, say nothing:
    /// right as often as one value drawn at random among the true one and n false ones.
    /// </summary>
    public double ChanceLevel(int source)
    {
        var c = Shared[source] > 0 ? Chance[source] / Shared[source] : 0;
        return c / (1 + c);
    }

    public static AgreementRates Measure(ClaimIndex index, SourcePairSweep sweep)
    {
        // A wrong value is one of n; two sources wrong at random agree on 1/n of such objects.
        var chanceOf = new double[index.ObjectCount];
        for (var o = 0; o < chanceOf.Length; o++)
        {
            chanceOf[o] = Math.Exp(-index.LogFalseValues[o]);
        }

        var partners = new List<Partner>?[index.SourceCount];
        var shared = new double[index.SourceCount];
        var agreed = new double[index.SourceCount];
        var chance = new double[index.SourceCount];
        sweep.ForEachSourcePair((s, u, pairs) =>
        {
            var pairShared = 0.0;
            var pairAgreed = 0.0;
            var pairChance = 0.0;
            foreach (var (a, b) in pairs)
            {
                var weight = Math.Min(index.ClaimWeight[a], index.ClaimWeight[b]);
                pairShared += weight;
                pairAgreed += index.ClaimCandidate[a] == index.ClaimCandidate[b] ? weight : 0;
                pairChance += weight * chanceOf[index.CandidateObject[index.ClaimCandidate[a]]];
            }

            foreach (var x in (ReadOnlySpan<int>)[s, u])
            {
                shared[x] += pairShared;
                agreed[x] += pairAgreed;
                chance[x] += pairChance;
            }

            if (pairShared >= MinShared)
            {
                (partners[s] ??= []).Add(new Partner(u, pairAgreed / pairShared));
                (partners[u] ??= []).Add(new Partner(s, pairAgreed / pairShared));
            }
        });

        return new AgreementRates(partners, shared, agreed, chance);
    }

    /// <param name="Source">The partner.</param>
    /// <param name="Rate">Share of the objects they share on which they agree.</param>
    internal readonly record struct Partner(int Source, double Rate);
}
