using Reliability.Domain.Truth;

namespace Reliability.Domain.Tests.Truth;

/// <summary>Generated claims with a known truth, for checking the engine's behaviour under copying.</summary>
internal sealed record SyntheticNewsroom(
    IReadOnlyList<TruthClaim> Claims,
    IReadOnlyDictionary<string, string> Truth,
    IReadOnlyList<string> CopiedFalsehoods)
{
    /// <summary>
    /// Independent sources are right 90% of the time and make their own mistakes; one origin is
    /// wrong on a tenth of the objects and a group of copiers repeats everything it says.
    /// </summary>
    public static SyntheticNewsroom WithCopyingGroup(int objects, int independents, int copiers, int seed)
    {
        var random = new Random(seed);
        var claims = new List<TruthClaim>();
        var truth = new Dictionary<string, string>();
        var copied = new List<string>();
        for (var o = 0; o < objects; o++)
        {
            var id = $"event-{o:D3}";
            truth[id] = $"true-{o}";
            for (var i = 0; i < independents; i++)
            {
                var value = random.NextDouble() < 0.9 ? truth[id] : $"mistake-{i}-{o}";
                claims.Add(new TruthClaim($"independent-{i}", id, value));
            }

            var originValue = o % 10 == 3 ? $"rumour-{o}" : truth[id];
            if (originValue != truth[id])
            {
                copied.Add(id);
            }

            claims.Add(new TruthClaim("origin", id, originValue));
            for (var c = 0; c < copiers; c++)
            {
                claims.Add(new TruthClaim($"copier-{c}", id, originValue));
            }
        }

        return new SyntheticNewsroom(claims, truth, copied);
    }

    public static double Accuracy(IReadOnlyDictionary<string, string> predicted, IReadOnlyDictionary<string, string> truth) =>
        (double)truth.Count(t => predicted.TryGetValue(t.Key, out var v) && v == t.Value) / truth.Count;
}
