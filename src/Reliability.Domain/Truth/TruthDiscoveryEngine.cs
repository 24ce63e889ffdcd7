using MathNet.Numerics.Distributions;

namespace Reliability.Domain.Truth;

/// <summary>
/// Estimates which value of each object is true and how reliable each source is, alternating
/// until stable: (a) a value's probability from the Accu vote weights ln(n·A/(1−A)) of the
/// sources backing it, A capped at <see cref="TruthPolicy.VoteReliabilityCap"/> (plus a share of
/// the support of similar values, and where resolved disputes show pair effects, each source's
/// record against those claiming other values, <see cref="HeadToHead"/>), (b) a source's reliability
/// as the Beta posterior mean of the probabilities of the values it claimed.
/// Pure: no I/O, and the result does not depend on the order of the input.
/// </summary>
public sealed class TruthDiscoveryEngine(TruthPolicy policy)
{
    public TruthDiscoveryEngine() : this(TruthPolicy.Default)
    {
    }

    public TruthPolicy Policy { get; } = policy;

    public TruthDiscoveryResult Discover(TruthDiscoveryInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var index = ClaimIndex.Build(input, Policy);
        // The claim pairs source by source, laid out once for the copy test, the resolved disputes
        // and the stated probabilities' agreement rates alike.
        var sweep = new SourcePairSweep(index, Policy);
        var copies = new CopyDetector(index, Policy, sweep);
        var headToHead = Policy.WeighHeadToHead ? HeadToHead.Find(index, Policy, sweep) : null;

        var reliability = new double[index.SourceCount];
        for (var s = 0; s < reliability.Length; s++)
        {
            reliability[s] = Clamp(index.PriorAlpha[s] / (index.PriorAlpha[s] + index.PriorBeta[s]));
        }

        var probability = new double[index.CandidateValues.Length];
        var discount = new double[index.ClaimWeight.Length];
        Array.Fill(discount, 1.0);
        var score = new double[index.CandidateValues.Length];
        var total = new double[index.CandidateValues.Length];
        var logOdds = new double[index.SourceCount];
        var next = new double[index.SourceCount];
        var record = new SourceRecord(index, Policy);

        var iterations = 0;
        var converged = false;
        // Copies are looked for only once the plain estimate has settled: judged against the
        // first majority, independent reliable sources agreeing on the truth look like copiers.
        var detectingCopies = false;
        while (iterations < Policy.MaxIterations && !converged)
        {
            iterations++;
            EstimateValues(index, headToHead, reliability, logOdds, discount, score, total, probability);
            EstimateReliability(index, probability, reliability, record, next);
            var change = 0.0;
            for (var s = 0; s < next.Length; s++)
            {
                change = Math.Max(change, Math.Abs(next[s] - reliability[s]));
                reliability[s] = next[s];
            }

            var settled = iterations > 1 && change < Policy.Tolerance;
            if (Policy.DetectCopying && (detectingCopies || settled))
            {
                converged = detectingCopies && settled;
                detectingCopies = true;
                copies.Discount(reliability, probability, discount);
            }
            else
            {
                converged = settled;
            }
        }

        EstimateValues(index, headToHead, reliability, logOdds, discount, score, total, probability);
        var stated = Policy.TemperByAgreement
            ? StatedProbabilities(index, headToHead, copies.Agreement ?? AgreementRates.Measure(index, sweep), reliability, discount, total, probability)
            : probability;
        // Verdicts and ratings come from the estimate itself; only what a verdict is said to be worth is held back.
        return new TruthDiscoveryResult(Verdicts(index, probability, stated), Reliabilities(index, probability, reliability, record), iterations, converged);
    }

    /// <summary>
    /// The probabilities a verdict is stated with: no surer than the same vote would be with every
    /// source's margin over chance shrunk to what the sources' agreement, chance taken out, shows of
    /// them as a whole (<see cref="ChanceCorrectedAccuracy"/>). Ratings are partly the engine's own
    /// making: sources that agree by chance rate each other up, and on records of coin flips the
    /// estimate stated 0.78 on average (60 sources of about 120 claims) and 0.996 (5,000 sources of
    /// ten claims, the service benchmark's shape). Each object's vote sums are cooled (scaled down
    /// together) until its verdict's probability falls to the modest vote's, or to an even share if
    /// the modest vote prefers another option. Where agreement shows what the ratings claim, nothing
    /// changes; verdicts and ratings never do, so accuracy cannot move.
    /// </summary>
    private double[] StatedProbabilities(
        ClaimIndex index, HeadToHead? headToHead, AgreementRates agreement, double[] reliability, double[] discount, double[] total, double[] probability)
    {
        // What each source votes with: a rating above the cap adds no weight here either.
        var voting = reliability.Select(r => Math.Min(Clamp(r), Policy.VoteReliabilityCap)).ToArray();
        var modest = ChanceCorrectedAccuracy.Shrink(index, agreement, Policy, voting);
        var modestProbability = new double[probability.Length];
        EstimateValues(index, headToHead, modest, new double[modest.Length], discount, new double[probability.Length], new double[probability.Length], modestProbability);
        var stated = (double[])probability.Clone();
        for (var o = 0; o < index.ObjectCount; o++)
        {
            var first = index.CandidateStart[o];
            var count = index.CandidateStart[o + 1] - first;
            if (index.ResolvedCandidate[o] >= 0 || count == 1)
            {
                continue;
            }

            var best = first;
            for (var v = first; v < first + count; v++)
            {
                best = probability[v] > probability[best] ? v : best;
            }

            var target = Math.Max(modestProbability[best], 1.0 / count);
            if (target < probability[best])
            {
                Cool(total.AsSpan(first, count), best - first, target, stated.AsSpan(first, count));
            }
        }

        return stated;
    }

    /// <summary>Softmax of the scores times t, with t in [0, 1] found by bisection so that <paramref name="best"/> gets <paramref name="target"/>.</summary>
    private static void Cool(ReadOnlySpan<double> scores, int best, double target, Span<double> probabilities)
    {
        Span<double> cooled = scores.Length <= 64 ? stackalloc double[scores.Length] : new double[scores.Length];
        double low = 0, high = 1;
        for (var step = 0; step < 40; step++)
        {
            var t = 0.5 * (low + high);
            for (var i = 0; i < scores.Length; i++)
            {
                cooled[i] = t * scores[i];
            }

            Softmax(cooled, probabilities);
            (low, high) = probabilities[best] > target ? (low, t) : (t, high);
        }
    }

    private double Clamp(double reliability) =>
        Math.Clamp(reliability, Policy.ReliabilityFloor, 1 - Policy.ReliabilityFloor);

    private void EstimateValues(
        ClaimIndex index, HeadToHead? headToHead, double[] reliability, double[] logOdds, double[] discount, double[] score, double[] total, double[] probability)
    {
        for (var s = 0; s < logOdds.Length; s++)
        {
            var a = Math.Min(Clamp(reliability[s]), Policy.VoteReliabilityCap);
            logOdds[s] = Math.Log(a / (1 - a));
        }

        Array.Clear(score);
        for (var c = 0; c < index.ClaimWeight.Length; c++)
        {
            score[index.ClaimCandidate[c]] += Vote(index, logOdds, discount, c);
        }

        headToHead?.AddTo(index, discount, score);

        for (var o = 0; o < index.ObjectCount; o++)
        {
            var first = index.CandidateStart[o];
            var end = index.CandidateStart[o + 1];
            var resolved = index.ResolvedCandidate[o];
            if (resolved >= 0 || end - first == 1)
            {
                // Fixed by a resolution, or one value claimed and no other declared: nothing to weigh.
                for (var v = first; v < end; v++)
                {
                    probability[v] = v == resolved || resolved < 0 ? 1.0 : 0.0;
                }

                continue;
            }

            for (var v = first; v < end; v++)
            {
                total[v] = score[v];
                for (var k = index.SupportStart[v]; k < index.SupportStart[v + 1]; k++)
                {
                    total[v] += index.SupportShare[k] * score[index.SupportFrom[k]];
                }
            }

            Softmax(total.AsSpan(first, end - first), probability.AsSpan(first, end - first));
        }
    }

    // Accu's vote ln(n·A/(1−A)): a source right only as often as chance among n false values adds nothing.
    private static double Vote(ClaimIndex index, double[] logOdds, double[] discount, int claim)
    {
        var vote = index.LogFalseValues[index.CandidateObject[index.ClaimCandidate[claim]]] + logOdds[index.ClaimSource[claim]];
        return index.ClaimWeight[claim] * discount[claim] * vote;
    }

    private static void Softmax(ReadOnlySpan<double> scores, Span<double> probabilities)
    {
        var max = double.NegativeInfinity;
        foreach (var score in scores)
        {
            max = Math.Max(max, score);
        }

        var sum = 0.0;
        for (var i = 0; i < scores.Length; i++)
        {
            probabilities[i] = Math.Exp(scores[i] - max);
            sum += probabilities[i];
        }

        for (var i = 0; i < scores.Length; i++)
        {
            probabilities[i] /= sum;
        }
    }

    private void EstimateReliability(ClaimIndex index, double[] probability, double[] reliability, SourceRecord record, double[] next)
    {
        Record(index, probability, reliability, record);
        for (var s = 0; s < next.Length; s++)
        {
            next[s] = Clamp((index.PriorAlpha[s] + record.Right[s]) / (index.PriorAlpha[s] + index.PriorBeta[s] + record.Evidence[s]));
        }
    }

    /// <summary>
    /// Per source, the weighted claims it got right (in expectation) and all its weighted claims,
    /// summed into <paramref name="record"/>. A claim counts as right with its value's probability,
    /// except in a contest a newcomer takes part in (<see cref="TruthPolicy.NewcomerClaims"/>,
    /// <see cref="TruthPolicy.SmallContestClaims"/>): there the probability is decided by the
    /// newcomer's rating, which is only the prior, so a claim counts as right as far as its value is
    /// backed: with odds of one against the chance that every source backing it is wrong.
    /// </summary>
    private void Record(ClaimIndex index, double[] probability, double[] reliability, SourceRecord record)
    {
        var (right, evidence, missed) = (record.Right, record.Evidence, record.AllBackersWrong);
        Array.Clear(right);
        Array.Clear(evidence);
        if (record.HasNewcomerContests)
        {
            Array.Fill(missed, 1.0);
            for (var c = 0; c < index.ClaimWeight.Length; c++)
            {
                var candidate = index.ClaimCandidate[c];
                if (record.NewcomerContest[index.CandidateObject[candidate]])
                {
                    // As in the vote, a rating above the cap adds nothing.
                    var backer = Math.Min(Clamp(reliability[index.ClaimSource[c]]), Policy.VoteReliabilityCap);
                    missed[candidate] *= Math.Pow(1 - backer, index.ClaimWeight[c]);
                }
            }
        }

        for (var c = 0; c < index.ClaimWeight.Length; c++)
        {
            var s = index.ClaimSource[c];
            var candidate = index.ClaimCandidate[c];
            var o = index.CandidateObject[candidate];
            var weight = index.ClaimWeight[c] * (index.ResolvedCandidate[o] >= 0 ? 1 : Policy.ProvisionalEvidenceWeight);
            var credit = record.NewcomerContest[o] ? 1 / (1 + missed[candidate]) : probability[candidate];
            right[s] += weight * credit;
            evidence[s] += weight;
        }
    }

    /// <summary>The verdicts of the estimate (<paramref name="probability"/>), stated with <paramref name="stated"/>.</summary>
    private static List<ObjectVerdict> Verdicts(ClaimIndex index, double[] probability, double[] stated)
    {
        var verdicts = new List<ObjectVerdict>(index.ObjectCount);
        // Repeats were merged when the index was built, so each claim of a candidate is another source.
        var claimants = new int[index.CandidateValues.Length];
        foreach (var candidate in index.ClaimCandidate)
        {
            claimants[candidate]++;
        }

        for (var o = 0; o < index.ObjectCount; o++)
        {
            var best = index.CandidateStart[o];
            var candidates = new List<ValueProbability>(index.CandidateStart[o + 1] - best);
            for (var v = index.CandidateStart[o]; v < index.CandidateStart[o + 1]; v++)
            {
                candidates.Add(new ValueProbability(index.CandidateValues[v], stated[v], claimants[v]));
                // Strictly greater: ties go to the value first in ordinal order.
                if (probability[v] > probability[best])
                {
                    best = v;
                }
            }

            verdicts.Add(new ObjectVerdict(
                index.ObjectIds[o], index.CandidateValues[best], stated[best], index.ResolvedCandidate[o] >= 0, candidates));
        }

        return verdicts;
    }

    private List<SourceReliability> Reliabilities(ClaimIndex index, double[] probability, double[] reliability, SourceRecord record)
    {
        Record(index, probability, reliability, record);
        var (right, evidence) = (record.Right, record.Evidence);
        var tail = (1 - Policy.CredibleMass) / 2;
        var reliabilities = new List<SourceReliability>(index.SourceCount);
        for (var s = 0; s < index.SourceCount; s++)
        {
            var alpha = index.PriorAlpha[s] + right[s];
            var beta = index.PriorBeta[s] + evidence[s] - right[s];
            var mean = alpha / (alpha + beta);
            // For very skewed posteriors the mean can fall outside the central interval; widen it
            // rather than report an estimate its own interval excludes.
            var lower = Math.Min(mean, Beta.InvCDF(alpha, beta, tail));
            var upper = Math.Max(mean, Beta.InvCDF(alpha, beta, 1 - tail));
            reliabilities.Add(new SourceReliability(index.SourceIds[s], mean, lower, upper, evidence[s]));
        }

        return reliabilities;
    }

    /// <summary>
    /// What <see cref="Record"/> sums, kept for a whole run: on a record of a hundred thousand claims,
    /// arrays made afresh every round were a sixth of everything the service allocated during ingest,
    /// most of it on the large-object heap, which only a full collection frees.
    /// </summary>
    private sealed class SourceRecord
    {
        public SourceRecord(ClaimIndex index, TruthPolicy policy)
        {
            Right = new double[index.SourceCount];
            Evidence = new double[index.SourceCount];
            NewcomerContest = NewcomerContests(index, policy);
            HasNewcomerContests = Array.IndexOf(NewcomerContest, true) >= 0;
            AllBackersWrong = HasNewcomerContests ? new double[index.CandidateValues.Length] : [];
        }

        public double[] Right { get; }

        public double[] Evidence { get; }

        /// <summary>Per object: an open contest of few claims that a source with next to no record takes part in.</summary>
        public bool[] NewcomerContest { get; }

        public bool HasNewcomerContests { get; }

        /// <summary>Per candidate of such a contest: the chance that every source backing it is wrong.</summary>
        public double[] AllBackersWrong { get; }

        private static bool[] NewcomerContests(ClaimIndex index, TruthPolicy policy)
        {
            var contests = new bool[index.ObjectCount];
            for (var o = 0; o < index.ObjectCount; o++)
            {
                var (first, end) = (index.ClaimStart[o], index.ClaimStart[o + 1]);
                if (index.ResolvedCandidate[o] >= 0 || end - first > policy.SmallContestClaims)
                {
                    continue;
                }

                var contested = false;
                var newcomer = false;
                for (var c = first; c < end; c++)
                {
                    contested |= index.ClaimCandidate[c] != index.ClaimCandidate[first];
                    newcomer |= index.SourceClaims[index.ClaimSource[c]] <= policy.NewcomerClaims;
                }

                contests[o] = contested && newcomer;
            }

            return contests;
        }
    }
}
