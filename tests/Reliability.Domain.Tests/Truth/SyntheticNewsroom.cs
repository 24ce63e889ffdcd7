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

    /// <summary>
    /// Thirty independent sources right 60–90 % of the time, five on each object; an origin right
    /// 70 % of the time on most objects, and eight accounts that each follow it on half of those,
    /// taking its value 80 % of the time and answering for themselves otherwise. The group agrees
    /// with itself on about nine objects in ten and with anyone else on about half.
    /// </summary>
    public static SyntheticNewsroom WithPartialCopyingGroup(int objects, int seed)
    {
        var random = new Random(seed);
        var claims = new List<TruthClaim>();
        var truth = new Dictionary<string, string>();
        var copied = new List<string>();
        var accuracy = Enumerable.Range(0, 30).Select(_ => 0.6 + (0.3 * random.NextDouble())).ToArray();
        string Answer(double right, int o) => random.NextDouble() < right ? truth[$"event-{o:D4}"] : $"mistake-{random.Next(4)}";
        for (var o = 0; o < objects; o++)
        {
            var id = $"event-{o:D4}";
            truth[id] = "what-happened";
            var sources = Enumerable.Range(0, 30).ToArray();
            random.Shuffle(sources);
            foreach (var i in sources.Take(5))
            {
                claims.Add(new TruthClaim($"independent-{i}", id, Answer(accuracy[i], o)));
            }

            if (random.NextDouble() >= 0.6)
            {
                continue;
            }

            var origin = Answer(0.7, o);
            claims.Add(new TruthClaim("origin", id, origin));
            if (origin != truth[id])
            {
                copied.Add(id);
            }

            for (var c = 0; c < 8; c++)
            {
                if (random.NextDouble() < 0.5)
                {
                    claims.Add(new TruthClaim($"follower-{c}", id, random.NextDouble() < 0.8 ? origin : Answer(0.7, o)));
                }
            }
        }

        return new SyntheticNewsroom(claims, truth, copied);
    }

    /// <summary>The value most sources claim for each object; ties go to the value first in ordinal order.</summary>
    public static Dictionary<string, string> MajorityVote(IEnumerable<TruthClaim> claims) =>
        claims.GroupBy(c => c.ObjectId).ToDictionary(
            o => o.Key,
            o => o.GroupBy(c => c.Value).OrderByDescending(v => v.Count()).ThenBy(v => v.Key, StringComparer.Ordinal).First().Key);

    /// <summary>
    /// Yes/no questions, each answered by <paramref name="perQuestion"/> of the sources, every source
    /// right with its own probability drawn from [<paramref name="lowest"/>, <paramref name="highest"/>]:
    /// with both at 0.5 a record of coin flips, in which nothing is known about any question.
    /// </summary>
    public static (SyntheticNewsroom Record, IReadOnlyDictionary<string, IReadOnlyList<string>> Options) YesNo(
        int questions, int sources, int perQuestion, double lowest, double highest, int seed)
    {
        var random = new Random(seed);
        var accuracy = Enumerable.Range(0, sources).Select(_ => lowest + ((highest - lowest) * random.NextDouble())).ToArray();
        var claims = new List<TruthClaim>();
        var truth = new Dictionary<string, string>();
        var options = new Dictionary<string, IReadOnlyList<string>>();
        for (var q = 0; q < questions; q++)
        {
            var id = $"question-{q:D4}";
            options[id] = ["yes", "no"];
            truth[id] = random.Next(2) == 0 ? "yes" : "no";
            var wrong = truth[id] == "yes" ? "no" : "yes";
            foreach (var s in Enumerable.Range(0, sources).OrderBy(_ => random.Next()).Take(perQuestion))
            {
                claims.Add(new TruthClaim($"source-{s}", id, random.NextDouble() < accuracy[s] ? truth[id] : wrong));
            }
        }

        return (new SyntheticNewsroom(claims, truth, []), options);
    }

    /// <summary>
    /// Timed claims: twenty independent sources right 60–90 % of the time, three on each object,
    /// posting within a day of it; a rumour channel right half the time, first on 40 % of the
    /// objects; and five aggregators right 90 % of the time on their own, on every object, each
    /// taking the channel's value 80 % of the time an hour or more after it posted.
    /// </summary>
    public static SyntheticNewsroom WithAggregators(int objects, int seed)
    {
        var random = new Random(seed);
        var claims = new List<TruthClaim>();
        var truth = new Dictionary<string, string>();
        var copied = new List<string>();
        var accuracy = Enumerable.Range(0, 20).Select(_ => 0.6 + (0.3 * random.NextDouble())).ToArray();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var o = 0; o < objects; o++)
        {
            var id = $"event-{o:D4}";
            truth[id] = "what-happened";
            string Answer(double right) => random.NextDouble() < right ? truth[id] : $"mistake-{random.Next(4)}";
            var posted = start.AddDays(o);
            foreach (var i in Enumerable.Range(0, 20).OrderBy(_ => random.Next()).Take(3))
            {
                claims.Add(new TruthClaim($"independent-{i}", id, Answer(accuracy[i]), At: posted.AddMinutes(random.Next(24 * 60))));
            }

            var rumour = random.NextDouble() < 0.4 ? Answer(0.5) : null;
            if (rumour is not null)
            {
                claims.Add(new TruthClaim("rumour-channel", id, rumour, At: posted));
                if (rumour != truth[id])
                {
                    copied.Add(id);
                }
            }

            for (var a = 0; a < 5; a++)
            {
                var value = rumour is not null && random.NextDouble() < 0.8 ? rumour : Answer(0.9);
                claims.Add(new TruthClaim($"aggregator-{a}", id, value, At: posted.AddMinutes(60 + random.Next(24 * 60))));
            }
        }

        return new SyntheticNewsroom(claims, truth, copied);
    }

    /// <summary>Share of this record's objects on which the engine's verdict is the truth.</summary>
    public double AccuracyOf(TruthDiscoveryResult result) =>
        Accuracy(result.Objects.ToDictionary(o => o.ObjectId, o => o.MostProbableValue), Truth);

    public static double Accuracy(IReadOnlyDictionary<string, string> predicted, IReadOnlyDictionary<string, string> truth) =>
        (double)truth.Count(t => predicted.TryGetValue(t.Key, out var v) && v == t.Value) / truth.Count;
}
