using System.Globalization;
using Reliability.Domain.Truth;

namespace Reliability.Cli.Bench;

/// <summary>
/// A generated record: its claims, the true value of every object, and the accuracy each source was
/// generated with. Every question has the answers <c>answer-0</c> … <c>answer-W</c>, W = <see cref="WrongValues"/>.
/// </summary>
public sealed record GeneratedRecord(
    IReadOnlyList<TruthClaim> Claims,
    IReadOnlyDictionary<string, string> Truth,
    IReadOnlyDictionary<string, double> Accuracy,
    int WrongValues)
{
    public static string AnswerName(int index) => "answer-" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The engine's input, with every question's answers declared as a proposition declares its options.</summary>
    public TruthDiscoveryInput ToInput()
    {
        IReadOnlyList<string> answers = [.. Enumerable.Range(0, WrongValues + 1).Select(AnswerName)];
        return new TruthDiscoveryInput(Claims, Options: Truth.Keys.ToDictionary(q => q, _ => answers, StringComparer.Ordinal));
    }

    /// <summary>Whether the claims say when they were made.</summary>
    public bool IsTimed => Claims.Any(c => c.At is not null);

    /// <summary>The same record with the claims' times left out, as a file without its time column.</summary>
    public GeneratedRecord WithoutTimes() => this with { Claims = [.. Claims.Select(c => c with { At = null })] };
}

/// <summary>One shape of record a newsroom meets, generated afresh from each seed.</summary>
public sealed record RecordShape(string Name, string Description, Func<Random, GeneratedRecord> Generate);

/// <summary>
/// The engine, majority vote and a vote that knows every source's true accuracy, on one shape,
/// each the mean over the seeds; with how sure the engine said it was of its verdicts
/// (<see cref="Confidence"/>, its mean stated probability) and how far that is from how often it was
/// right (<see cref="CalibrationError"/>, see <see cref="GeneratedRecords.Calibration"/>); and the
/// engine on a random half of the questions without (<see cref="EngineOnJudgedHalf"/>) and with
/// (<see cref="EngineHalfResolved"/>) the other half resolved. Where the claims say when they were
/// made, <see cref="EngineWithoutTimes"/> is the engine on the same claims with their times left
/// out (NaN where they have none).
/// </summary>
public sealed record GeneratedResult(
    string Shape, string Description, int Objects, int Claims, double Engine, double Vote, double InformedVote,
    double Confidence, double CalibrationError, double EngineOnJudgedHalf, double EngineHalfResolved, double EngineWithoutTimes = double.NaN);

/// <summary>
/// Records generated with a known truth, in the shapes a newsroom meets: independent sources of
/// mixed accuracy, yes/no questions, few sources per question, a long tail of one-claim sources, a
/// popular falsehood, undeclared relays of one office, a group that copies most of what one source
/// says, one source on every question with newcomers who keep its figure, and two records whose
/// claims say when they were made: sources that correct a hasty first answer, and aggregators that
/// pick up a rumour channel's posts. The canonical
/// datasets are four records; the engine's one configuration must also hold on records nobody
/// tuned it on, and these show where it does and where it does not. Besides the engine, each
/// shape is judged by majority vote and by Accu's vote weighted with the accuracy every source was
/// generated with (it knows nothing of copying).
/// </summary>
public static class GeneratedRecords
{
    public const int Seed = 20_261_127;
    public const int Seeds = 5;

    public static IReadOnlyList<RecordShape> Shapes { get; } =
    [
        new("independent", "60 independent sources, 8 on each of 1,000 questions, right 55–95 % of the time; mistakes spread over 4 wrong answers",
            random => Independent(random, sources: 60, objects: 1_000, perObject: 8, wrongValues: 4, low: 0.55, high: 0.95)),
        new("yes/no", "the same on yes/no questions, sources right 55–90 % of the time, 7 on each",
            random => Independent(random, sources: 60, objects: 1_000, perObject: 7, wrongValues: 1, low: 0.55, high: 0.90)),
        new("few sources", "3 sources on each of 2,000 questions",
            random => Independent(random, sources: 60, objects: 2_000, perObject: 3, wrongValues: 4, low: 0.55, high: 0.95)),
        new("long tail", "20 regular sources (60–95 %), each on 15 % of the questions, and 0–3 one-claim sources (50 %) on each",
            LongTail),
        new("popular falsehood", "independent sources, but 70 % of mistakes are the same outdated answer",
            PopularFalsehood),
        new("undeclared relays", "30 independent sources (60–90 %), 5 on each question; an office (60 %) on half of them, repeated word for word by 10 accounts, each on 60 % of its posts",
            UndeclaredRelays),
        new("copying group", "30 independent sources (60–90 %), 5 on each question; a source (70 %) on 60 % of them, and 8 accounts, each on half of its questions, taking its answer 80 % of the time",
            CopyingGroup),
        new("dominant source", "one source on each of 2,000 questions (80 %); 10 experts (90–98 %) each on 10 %; 0–2 newcomers (45 %) on each, who keep the dominant source's answer 40 % of the time",
            DominantSource),
        new("second thoughts", "timed: 30 sources (60–90 %), 3 on each of 2,000 questions; on a third of its questions a source first posts a hasty answer (right 40 % of the time), then, hours later, its considered one",
            SecondThoughts),
        new("aggregators", "timed: 30 independent sources (60–90 %), 3 on each question; a rumour channel (50 %) first on 40 % of them; 5 aggregators, right 90 % of the time on their own, on every question, each taking the channel's answer 80 % of the time, an hour or more after it",
            Aggregators),
    ];

    public static IReadOnlyList<GeneratedResult> Run(TruthPolicy policy, int seeds = Seeds)
    {
        var engine = new TruthDiscoveryEngine(policy);
        var results = new List<GeneratedResult>();
        foreach (var shape in Shapes)
        {
            double onEngine = 0, onVote = 0, onInformed = 0, confidence = 0, calibrationError = 0, onHalfResolved = 0, onJudgedHalf = 0, withoutTimes = 0;
            int objects = 0, claims = 0;
            for (var s = 0; s < seeds; s++)
            {
                var record = shape.Generate(new Random(Seed + s));
                var estimates = engine.Discover(record.ToInput()).Objects;
                var verdicts = estimates.ToDictionary(o => o.ObjectId, o => o.MostProbableValue, StringComparer.Ordinal);
                onEngine += Accuracy(verdicts, record.Truth);
                withoutTimes += record.IsTimed
                    ? Accuracy(engine.Discover(record.WithoutTimes().ToInput()).Objects.ToDictionary(o => o.ObjectId, o => o.MostProbableValue, StringComparer.Ordinal), record.Truth)
                    : double.NaN;
                var calibration = Calibration(estimates.Where(o => record.Truth.ContainsKey(o.ObjectId))
                    .Select(o => (o.Probability, o.MostProbableValue == record.Truth[o.ObjectId])));
                confidence += calibration.Confidence;
                calibrationError += calibration.Error;
                onVote += Accuracy(WeightedVote(record.Claims, _ => 1.0), record.Truth);
                onInformed += Accuracy(WeightedVote(record.Claims, source => AccuWeight(record.Accuracy[source], record.WrongValues)), record.Truth);
                var (plainHalf, anchoredHalf) = HalfResolvedAccuracy(engine, record, verdicts, new Random(Seed + s));
                (onJudgedHalf, onHalfResolved) = (onJudgedHalf + plainHalf, onHalfResolved + anchoredHalf);
                (objects, claims) = (objects + record.Truth.Count, claims + record.Claims.Count);
            }

            results.Add(new GeneratedResult(
                shape.Name, shape.Description, objects / seeds, claims / seeds, onEngine / seeds, onVote / seeds, onInformed / seeds,
                confidence / seeds, calibrationError / seeds, onJudgedHalf / seeds, onHalfResolved / seeds, withoutTimes / seeds));
        }

        return results;
    }

    /// <summary>
    /// The engine's accuracy on a seeded random half of the questions, without and then with the other
    /// half given as resolved to its true answer, as a desk's editors resolve what they can. Both are
    /// judged on the same half: a half has its own share of hard questions, so set beside the whole
    /// record's figure a difference of a point would say nothing about what the resolutions did.
    /// </summary>
    private static (double Plain, double Anchored) HalfResolvedAccuracy(TruthDiscoveryEngine engine, GeneratedRecord record, Dictionary<string, string> plain, Random random)
    {
        var questions = record.Truth.Keys.Order(StringComparer.Ordinal).ToArray();
        random.Shuffle(questions);
        var revealed = questions[..(questions.Length / 2)];
        var judged = questions[(questions.Length / 2)..].ToDictionary(q => q, q => record.Truth[q], StringComparer.Ordinal);
        var input = record.ToInput() with { Resolved = [.. revealed.Select(q => new ResolvedTruth(q, record.Truth[q]))] };
        var verdicts = engine.Discover(input).Objects.ToDictionary(o => o.ObjectId, o => o.MostProbableValue, StringComparer.Ordinal);
        return (Accuracy(plain, judged), Accuracy(verdicts, judged));
    }

    /// <summary>The most weighted value of each object; ties go to the value first in ordinal order, as in the engine.</summary>
    public static Dictionary<string, string> WeightedVote(IEnumerable<TruthClaim> claims, Func<string, double> weightOf) =>
        claims.GroupBy(c => c.ObjectId, StringComparer.Ordinal).ToDictionary(
            o => o.Key,
            o => o.GroupBy(c => c.Value, StringComparer.Ordinal)
                .Select(v => (Value: v.Key, Weight: v.Sum(c => weightOf(c.SourceId))))
                .OrderByDescending(v => v.Weight).ThenBy(v => v.Value, StringComparer.Ordinal)
                .First().Value,
            StringComparer.Ordinal);

    /// <summary>
    /// How sure the verdicts were said to be, and how far that was from how often they were right. A
    /// journalist reads "90 % likely" as right nine times in ten. The error is the expected
    /// calibration error: verdicts grouped by stated probability in tenths, and within each group
    /// the distance between the mean stated probability and the share right, weighted by the group's size.
    /// </summary>
    public static (double Confidence, double Error) Calibration(IEnumerable<(double Stated, bool Right)> verdicts)
    {
        var all = verdicts.ToList();
        if (all.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        var error = all.GroupBy(v => Math.Min(9, (int)(v.Stated * 10)))
            .Sum(group => group.Count() * Math.Abs(group.Average(v => v.Stated) - group.Average(v => v.Right ? 1.0 : 0.0)));
        return (all.Average(v => v.Stated), error / all.Count);
    }

    /// <summary>Share of objects whose verdict is their true value.</summary>
    public static double Accuracy(IReadOnlyDictionary<string, string> verdicts, IReadOnlyDictionary<string, string> truth) =>
        (double)truth.Count(t => verdicts.TryGetValue(t.Key, out var value) && value == t.Value) / truth.Count;

    private static double AccuWeight(double accuracy, int wrongValues)
    {
        var a = Math.Clamp(accuracy, 0.01, 0.99);
        return Math.Log(wrongValues * a / (1 - a));
    }

    private static GeneratedRecord Independent(Random random, int sources, int objects, int perObject, int wrongValues, double low, double high)
    {
        var record = new Builder(random, wrongValues);
        var ids = record.Sources("source", sources, low, high);
        for (var o = 0; o < objects; o++)
        {
            var question = record.Question(o);
            foreach (var source in record.Pick(ids, perObject))
            {
                record.Answer(source, question);
            }
        }

        return record.Build();
    }

    private static GeneratedRecord LongTail(Random random)
    {
        var record = new Builder(random, 4);
        var regular = record.Sources("regular", 20, 0.60, 0.95);
        for (var o = 0; o < 1_000; o++)
        {
            var question = record.Question(o);
            foreach (var source in regular.Where(_ => random.NextDouble() < 0.15))
            {
                record.Answer(source, question);
            }

            for (var n = random.Next(4); n > 0; n--)
            {
                record.Answer(record.Source($"newcomer-{o}-{n}", 0.5), question);
            }
        }

        return record.Build();
    }

    private static GeneratedRecord PopularFalsehood(Random random)
    {
        var record = new Builder(random, 4);
        var ids = record.Sources("source", 60, 0.55, 0.95);
        for (var o = 0; o < 1_000; o++)
        {
            var question = record.Question(o);
            var outdated = record.WrongAnswer(question);
            foreach (var source in record.Pick(ids, 8))
            {
                record.Answer(source, question, random.NextDouble() < 0.7 ? outdated : null);
            }
        }

        return record.Build();
    }

    private static GeneratedRecord UndeclaredRelays(Random random) =>
        Followed(random, leader: ("office", 0.6, 0.5), followers: ("relay", 10, 0.6), copiedShare: 1.0);

    private static GeneratedRecord CopyingGroup(Random random) =>
        Followed(random, leader: ("origin", 0.7, 0.6), followers: ("copier", 8, 0.5), copiedShare: 0.8);

    /// <summary>
    /// 30 independent sources (60–90 %), 5 on each of 1,000 questions; a leader on a share of the
    /// questions, and followers, each on a share of the leader's, taking its answer a share of the time.
    /// </summary>
    private static GeneratedRecord Followed(
        Random random, (string Name, double Accuracy, double Coverage) leader, (string Prefix, int Count, double Coverage) followers, double copiedShare)
    {
        var record = new Builder(random, 4);
        var independent = record.Sources("source", 30, 0.60, 0.90);
        var leading = record.Source(leader.Name, leader.Accuracy);
        var following = Enumerable.Range(0, followers.Count).Select(f => record.Source($"{followers.Prefix}-{f}", leader.Accuracy)).ToList();
        for (var o = 0; o < 1_000; o++)
        {
            var question = record.Question(o);
            foreach (var source in record.Pick(independent, 5))
            {
                record.Answer(source, question);
            }

            if (random.NextDouble() >= leader.Coverage)
            {
                continue;
            }

            var said = record.Answer(leading, question);
            foreach (var follower in following.Where(_ => random.NextDouble() < followers.Coverage))
            {
                record.Follow(follower, question, said, copiedShare);
            }
        }

        return record.Build();
    }

    private static GeneratedRecord DominantSource(Random random)
    {
        var record = new Builder(random, 4);
        var dominant = record.Source("dominant", 0.8);
        var experts = record.Sources("expert", 10, 0.90, 0.98);
        for (var o = 0; o < 2_000; o++)
        {
            var question = record.Question(o);
            var figure = record.Answer(dominant, question);
            foreach (var expert in experts.Where(_ => random.NextDouble() < 0.1))
            {
                record.Answer(expert, question);
            }

            for (var n = random.Next(3); n > 0; n--)
            {
                record.Follow(record.Source($"newcomer-{o}-{n}", 0.45), question, figure, 0.4);
            }
        }

        return record.Build();
    }

    private static GeneratedRecord SecondThoughts(Random random)
    {
        var record = new Builder(random, 4);
        var sources = record.Sources("source", 30, 0.60, 0.90);
        for (var o = 0; o < 2_000; o++)
        {
            var question = record.Question(o);
            foreach (var source in record.Pick(sources, 3))
            {
                var first = record.Moment(o).AddMinutes(random.Next(60));
                if (random.NextDouble() < 1.0 / 3)
                {
                    record.AnswerAs(source, question, 0.4, first);
                    record.Answer(source, question, at: first.AddHours(1 + random.Next(24)));
                }
                else
                {
                    record.Answer(source, question, at: first);
                }
            }
        }

        return record.Build();
    }

    private static GeneratedRecord Aggregators(Random random)
    {
        var record = new Builder(random, 4);
        var independent = record.Sources("source", 30, 0.60, 0.90);
        var channel = record.Source("rumour-channel", 0.5);
        var aggregators = Enumerable.Range(0, 5).Select(a => record.Source($"aggregator-{a}", 0.9)).ToList();
        for (var o = 0; o < 1_000; o++)
        {
            var question = record.Question(o);
            var posted = record.Moment(o);
            foreach (var source in record.Pick(independent, 3))
            {
                record.Answer(source, question, at: posted.AddMinutes(random.Next(24 * 60)));
            }

            var rumour = random.NextDouble() < 0.4 ? record.Answer(channel, question, at: posted) : null;
            foreach (var aggregator in aggregators)
            {
                var at = posted.AddMinutes(60 + random.Next(24 * 60));
                _ = rumour is not null && random.NextDouble() < 0.8 ? record.Say(aggregator, question, rumour, at) : record.Answer(aggregator, question, at: at);
            }
        }

        return record.Build();
    }

    /// <summary>Collects a record's sources, questions and claims from one seeded random sequence.</summary>
    private sealed class Builder(Random random, int wrongValues)
    {
        private readonly List<TruthClaim> _claims = [];
        private readonly Dictionary<string, string> _truth = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _trueAnswer = new(StringComparer.Ordinal);
        private readonly Dictionary<string, double> _accuracy = new(StringComparer.Ordinal);

        public string Source(string id, double accuracy)
        {
            _accuracy[id] = accuracy;
            return id;
        }

        public List<string> Sources(string prefix, int count, double low, double high) =>
            [.. Enumerable.Range(0, count).Select(s => Source($"{prefix}-{s}", low + ((high - low) * random.NextDouble())))];

        /// <summary>
        /// A question with answers <c>answer-0</c> … <c>answer-W</c>, the true one drawn at random, so
        /// breaking ties by value order favours no answer.
        /// </summary>
        public string Question(int index)
        {
            var id = "question-" + index.ToString(CultureInfo.InvariantCulture);
            _trueAnswer[id] = random.Next(wrongValues + 1);
            _truth[id] = GeneratedRecord.AnswerName(_trueAnswer[id]);
            return id;
        }

        /// <summary>One of the question's wrong answers, drawn at random.</summary>
        public string WrongAnswer(string question)
        {
            var wrong = random.Next(wrongValues);
            return GeneratedRecord.AnswerName(wrong < _trueAnswer[question] ? wrong : wrong + 1);
        }

        public IEnumerable<string> Pick(List<string> sources, int count)
        {
            var picked = sources.ToArray();
            random.Shuffle(picked);
            return picked.Take(count);
        }

        /// <summary>When question <paramref name="index"/> came up: a question a day, from the start of 2026.</summary>
        public DateTimeOffset Moment(int index) => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(index);

        /// <summary>The source's own answer: right as often as its accuracy, else a wrong one (<paramref name="usualMistake"/> if given).</summary>
        public string Answer(string source, string question, string? usualMistake = null, DateTimeOffset? at = null) =>
            AnswerAs(source, question, _accuracy[source], at, usualMistake);

        /// <summary>An answer right with probability <paramref name="accuracy"/>, whatever the source's own.</summary>
        public string AnswerAs(string source, string question, double accuracy, DateTimeOffset? at, string? usualMistake = null)
        {
            var value = random.NextDouble() < accuracy ? _truth[question] : usualMistake ?? WrongAnswer(question);
            return Say(source, question, value, at);
        }

        /// <summary>The answer another source gave, <paramref name="share"/> of the time; else the source's own.</summary>
        public string Follow(string source, string question, string followed, double share) =>
            random.NextDouble() < share ? Say(source, question, followed) : Answer(source, question);

        public string Say(string source, string question, string value, DateTimeOffset? at = null)
        {
            _claims.Add(new TruthClaim(source, question, value, At: at));
            return value;
        }

        /// <summary>The record; a question no source happened to claim is no question, and is left out.</summary>
        public GeneratedRecord Build()
        {
            var claimed = _claims.Select(c => c.ObjectId).ToHashSet(StringComparer.Ordinal);
            return new(_claims, _truth.Where(t => claimed.Contains(t.Key)).ToDictionary(StringComparer.Ordinal), _accuracy, wrongValues);
        }
    }
}
