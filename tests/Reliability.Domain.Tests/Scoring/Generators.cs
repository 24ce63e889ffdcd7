namespace Reliability.Domain.Tests.Scoring;

/// <summary>A generated history for the subject source, the moment to score it at, and an estimate for open propositions.</summary>
internal sealed record Scenario(IReadOnlyList<IReliabilityEvent> Events, double AsOfDay, ProvisionalTruth Provisional)
{
    public DateTimeOffset AsOf => Day(AsOfDay);

    /// <summary>The subject's claims published by the as-of time.</summary>
    public IEnumerable<Claim> SubjectClaims =>
        Events.OfType<ClaimRecorded>().Select(c => c.Claim).Where(c => c.SourceId == Subject && c.PublishedAt <= AsOf);

    public Scenario With(params IReliabilityEvent[] more) => this with { Events = [.. Events, .. more] };

    public override string ToString() =>
        $"as of day {AsOfDay}: {string.Join(Environment.NewLine, Events.Select(e => e.ToString()))}";
}

internal static class Generators
{
    private static readonly string[] Topics = ["logistics", "casualties", "territory"];
    private static readonly string[] Regions = ["timbuktu", "mopti", "segou"];

    /// <summary>Policies anywhere in the range <see cref="ScoringPolicy.Problems"/> allows.</summary>
    public static readonly Gen<ScoringPolicy> Policy =
        from priors in Gen.Select(Gen.Double[0.5, 10], Gen.Double[0.5, 10])
        from halfLife in Gen.Double[1, 3000]
        from decays in Gen.Bool
        from hedges in Gen.Select(Gen.Double[0.01, 0.45], Gen.Double[0.5, 0.99])
        from relay in Gen.Double[0.01, 0.99]
        from corrections in Gen.Select(Gen.Double[0, 0.45], Gen.Double[0.5, 0.99], Gen.Double[1, 3])
        from provisional in Gen.Double[0.01, 1]
        from hindsight in Gen.Double[0, 1]
        from minimum in Gen.Double[0.1, 10]
        from mass in Gen.Double[0.8, 0.99]
        from bands in Gen.Select(Gen.Double[0.1, 0.45], Gen.Double[0.55, 0.9], Gen.Double[0, 0.049])
        select ScoringPolicy.Beta with
        {
            Version = "generated",
            PriorConfirmed = priors.Item1,
            PriorRefuted = priors.Item2,
            RecencyHalfLife = decays ? TimeSpan.FromDays(halfLife) : null,
            Hedges = new HedgeWeights(1.0, hedges.Item2, hedges.Item1),
            RelayWeight = relay,
            Corrections = new CorrectionModifiers(corrections.Item1, corrections.Item2, corrections.Item3),
            ProvisionalWeight = provisional,
            HindsightWeight = hindsight,
            MinimumEvidence = minimum,
            CredibleMass = mass,
            Bands = new BandThresholds(bands.Item2, bands.Item1, bands.Item3),
        };

    private sealed record PropositionSpec(int Options, int TopicMask, int Region, int Verdict, int Truth, int Revised, double Day, double[]? Estimate);

    private sealed record ClaimSpec(
        int Proposition, int Option, double Day, Hedge Hedge, bool Relay, bool ByOther, int Correction, double Delay, double ReplacementLag,
        int Reversals);

    private static readonly Gen<PropositionSpec> PropositionGen =
        from options in Gen.Int[2, 3]
        from topics in Gen.Int[0, 7]
        from region in Gen.Int[-1, 2]
        from verdict in Gen.Int[0, 3]
        from truth in Gen.Int[0, 2]
        from revised in Gen.Int[0, 2]
        from day in Gen.Double[0, 700]
        from estimate in Gen.Double[0.01, 1].Array[3].Null()
        select new PropositionSpec(options, topics, region, verdict, truth, revised, day, estimate);

    private static readonly Gen<ClaimSpec> ClaimGen =
        from proposition in Gen.Int[0, 4]
        from option in Gen.Int[0, 2]
        from day in Gen.Double[0, 600]
        from hedge in Gen.Enum<Hedge>()
        from relay in Gen.Int[0, 4]
        from byOther in Gen.Int[0, 5]
        from correction in Gen.Int[0, 9]
        from delay in Gen.Double[0, 150]
        from lag in Gen.OneOf(Gen.Const(0.0), Gen.Double[-10, 60])
        from reversals in Gen.Int[1, 4]
        select new ClaimSpec(proposition, option, day, hedge, relay == 0, byOther == 0, correction, delay, lag, reversals);

    public static readonly Gen<Scenario> Scenario =
        from propositions in PropositionGen.Array[1, 5]
        from claims in ClaimGen.Array[0, 14]
        from asOf in Gen.Double[0, 800]
        select Build(propositions, claims, asOf);

    private static Scenario Build(PropositionSpec[] propositions, ClaimSpec[] claims, double asOfDay)
    {
        var events = new List<IReliabilityEvent>();
        var estimates = new Dictionary<string, IReadOnlyDictionary<string, double>>();
        string OptionOf(PropositionSpec spec, int index) => $"o{index % spec.Options}";

        for (var i = 0; i < propositions.Length; i++)
        {
            var spec = propositions[i];
            var id = $"p{i}";
            var options = Enumerable.Range(0, spec.Options).Select(o => OptionOf(spec, o)).ToArray();
            var topics = Topics.Where((_, bit) => (spec.TopicMask & (1 << bit)) != 0).ToArray();
            events.Add(Proposition(id, options, topics, spec.Region < 0 ? null : Regions[spec.Region]));
            if (spec.Verdict == 1 || spec.Verdict == 3)
            {
                events.Add(Resolved(id, OptionOf(spec, spec.Truth), spec.Day));
            }
            else if (spec.Verdict == 2)
            {
                events.Add(Unresolvable(id, spec.Day));
            }

            if (spec.Verdict == 3 && spec.Revised > 0)
            {
                events.Add(Resolved(id, OptionOf(spec, spec.Truth + spec.Revised), spec.Day + 30, revision: 2));
            }

            if (spec.Estimate is { } weights)
            {
                var total = weights.Take(spec.Options).Sum();
                estimates[id] = options.Select((o, k) => (o, p: weights[k] / total)).ToDictionary(x => x.o, x => x.p);
            }
        }

        for (var i = 0; i < claims.Length; i++)
        {
            var spec = claims[i];
            var proposition = propositions[spec.Proposition % propositions.Length];
            var propositionId = $"p{spec.Proposition % propositions.Length}";
            var id = $"c{i}";
            events.Add(Claim(id, propositionId, OptionOf(proposition, spec.Option), spec.Day, spec.Hedge,
                spec.Relay ? "wire" : null, spec.ByOther ? "other" : Subject));
            var at = spec.Day + spec.Delay;
            switch (spec.Correction)
            {
                case 5:
                    events.Add(Retraction($"r{i}", id, at));
                    break;
                case 6:
                    events.Add(SilentDeletion($"r{i}", id, at));
                    break;
                case 7:
                    events.Add(Correction($"r{i}", id, CorrectionKind.Deleted, at, DeletionNotice.Announced));
                    break;
                case 8:
                    // A chain of reversals, each replacement reversed into the next: with two options it
                    // goes back and forth, with three it comes back to the first option after three.
                    var reversed = id;
                    for (var k = 1; k <= spec.Reversals; k++)
                    {
                        var replacement = k == 1 ? $"c{i}-rev" : $"c{i}-rev{k}";
                        var reversedAt = at + ((k - 1) * ((spec.Delay / 4) + 1));
                        events.Add(Correction(k == 1 ? $"r{i}" : $"r{i}-{k}", reversed, CorrectionKind.Reversed, reversedAt, replacement: replacement));
                        // The replacement may be posted with the reversal, after it, or even before it.
                        events.Add(Claim(replacement, propositionId, OptionOf(proposition, spec.Option + k), reversedAt + spec.ReplacementLag, spec.Hedge));
                        reversed = replacement;
                    }

                    break;
                case 9:
                    events.Add(Correction($"r{i}", id, CorrectionKind.Amended, at));
                    break;
                default:
                    break;
            }
        }

        return new Scenario(events, asOfDay, new ProvisionalTruth(estimates));
    }
}
