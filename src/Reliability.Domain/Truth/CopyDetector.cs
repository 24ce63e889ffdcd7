namespace Reliability.Domain.Truth;

/// <summary>
/// Finds sources that share the same values far more than independent sources would, after
/// Dong, Berti-Equille and Srivastava (VLDB 2009): agreeing on a value that is probably false is
/// strong evidence of copying, disagreeing is evidence against. Agreement is judged with accuracies
/// measured on resolved objects or by agreement with other sources (<see cref="AgreementAccuracy"/>),
/// not with ratings the copies may have inflated. A copier's vote for a value is discounted by the
/// chance that it took the value from a more reliable source backing it too.
/// </summary>
internal sealed class CopyDetector
{
    private readonly ClaimIndex _index;
    private readonly TruthPolicy _policy;
    private readonly double[] _cappedReliability;

    // Accuracies measured without the engine's verdicts: a source's record on resolved objects
    // where it has enough claims there, else its agreement with other sources (AgreementAccuracy);
    // NaN where it has neither.
    private readonly double[] _measuredAccuracy;

    /// <summary>
    /// Least (weighted) claims on resolved objects for a source's record there to decide, where a
    /// source is otherwise measured by its agreement with others (here and in <see cref="ChanceCorrectedAccuracy"/>).
    /// </summary>
    internal const double MinResolvedClaims = 10;

    // Only source pairs that agree on at least one value matter: a pair that only ever disagrees
    // gives no claim a discount. Their disagreements do not depend on the estimates, so they are
    // summed once here; every round then walks the agreeing claim pairs alone. (On a record of random
    // yes/no claims, half the pairs disagree and the engine runs the detector some ninety times.)
    // The agreeing claim pairs of source pair p are _firstClaim/_secondClaim[_pairStart[p] ..
    // _pairStart[p + 1]], the first claim's source the lower: a round sums a pair's evidence and
    // discounts its follower in one go, and holds nothing per pair but what is summed here.
    private readonly double[] _disagreementEvidence;
    private readonly int[] _pairStart;
    private readonly int[] _firstClaim;
    private readonly int[] _secondClaim;
    private readonly double[] _falseValues;

    // Per agreeing pair, where claims have times: which source said their shared values later
    // (0 the first, 1 the second), or −1 where time does not tell. Null when no claim has a time.
    private readonly sbyte[]? _laterByTime;

    /// <summary>
    /// Of the shared values two sources said at different moments, how many more one of them must
    /// have said later for time to decide which copied. A copier is later on every value it copied;
    /// of two independent sources each is later about half the time, so on a value or two either is
    /// as likely to be, and on a record of a million claims where most pairs share one value, letting
    /// that decide took three times the rounds to settle.
    /// </summary>
    internal const int MinLaterMargin = 3;

    public CopyDetector(ClaimIndex index, TruthPolicy policy)
        : this(index, policy, new SourcePairSweep(index, policy))
    {
    }

    // The engine lays out the claim pairs source by source once, for every step that reads them.
    public CopyDetector(ClaimIndex index, TruthPolicy policy, SourcePairSweep sweep)
    {
        _index = index;
        _policy = policy;
        _cappedReliability = new double[index.SourceCount];
        _falseValues = new double[index.CandidateValues.Length];
        for (var c = 0; c < _falseValues.Length; c++)
        {
            var o = index.CandidateObject[c];
            _falseValues[c] = Math.Max(1, index.CandidateStart[o + 1] - index.CandidateStart[o] - 1);
        }

        if (!policy.DetectCopying)
        {
            (_disagreementEvidence, _pairStart, _firstClaim, _secondClaim, _measuredAccuracy) = ([], [0], [], [], []);
            return;
        }

        var claimCandidate = index.ClaimCandidate;

        // Counted first, so every array is allocated once at its final size: on a large record the
        // claim pairs run to tens of millions.
        var agreeingPairs = 0;
        var agreeingClaimPairs = 0;
        sweep.ForEachSourcePair((_, _, pairs) =>
        {
            var agreeing = 0;
            foreach (var (a, b) in pairs)
            {
                agreeing += claimCandidate[a] == claimCandidate[b] ? 1 : 0;
            }

            agreeingPairs += agreeing > 0 ? 1 : 0;
            agreeingClaimPairs += agreeing;
        });

        _disagreementEvidence = new double[agreeingPairs];
        _pairStart = new int[agreeingPairs + 1];
        _firstClaim = new int[agreeingClaimPairs];
        _secondClaim = new int[agreeingClaimPairs];
        var saidAt = index.ClaimSaidAt;
        _laterByTime = saidAt is null ? null : new sbyte[agreeingPairs];
        var disagreement = Math.Log(1 - policy.CopySelectivity);
        var pair = 0;
        var i = 0;
        sweep.ForEachSourcePair((_, _, pairs) =>
        {
            var evidence = 0.0;
            var start = i;
            var (firstLater, ordered) = (0, 0);
            foreach (var (a, b) in pairs)
            {
                if (claimCandidate[a] == claimCandidate[b])
                {
                    _firstClaim[i] = a;
                    _secondClaim[i] = b;
                    i++;
                    if (saidAt is not null && saidAt[a] != ClaimIndex.Untimed && saidAt[b] != ClaimIndex.Untimed)
                    {
                        var order = Math.Sign(saidAt[a] - saidAt[b]);
                        (firstLater, ordered) = (firstLater + order, ordered + Math.Abs(order));
                    }
                }
                else
                {
                    evidence += Math.Min(index.ClaimWeight[a], index.ClaimWeight[b]) * disagreement;
                }
            }

            if (i > start)
            {
                if (_laterByTime is not null)
                {
                    // Later by a margin, and on at least two thirds of the values said at different moments.
                    var decided = Math.Abs(firstLater) >= MinLaterMargin && 3 * Math.Abs(firstLater) >= ordered;
                    _laterByTime[pair] = (sbyte)(!decided ? -1 : firstLater > 0 ? 0 : 1);
                }

                _disagreementEvidence[pair] = evidence;
                _pairStart[++pair] = i;
            }
        });

        Agreement = AgreementRates.Measure(index, sweep);
        _measuredAccuracy = MeasuredAccuracy(index, Agreement, policy);
    }

    /// <summary>How often each pair of sources agrees, summed once for every use of it; null when copying is not looked for.</summary>
    public AgreementRates? Agreement { get; }

    /// <summary>
    /// An editor's verdicts measure a source more firmly than its agreement with others does: with
    /// half the flights record resolved, judging by agreement alone lost 0.004 of accuracy, judging
    /// by the resolved record where there is enough of it lost nothing.
    /// </summary>
    private static double[] MeasuredAccuracy(ClaimIndex index, AgreementRates agreement, TruthPolicy policy)
    {
        var accuracy = AgreementAccuracy.Estimate(agreement, policy);
        for (var s = 0; s < accuracy.Length; s++)
        {
            if (index.SourceResolvedClaims[s] >= MinResolvedClaims)
            {
                accuracy[s] = index.ResolvedAccuracy(s);
            }
        }

        return accuracy;
    }

    /// <summary>Per source, the accuracy the test judges it by when it has one (NaN: its rating).</summary>
    public IReadOnlyList<double> MeasuredAccuracies => _measuredAccuracy;

    /// <summary>Fills <paramref name="discount"/> (one factor per claim) from the current estimates.</summary>
    public void Discount(double[] reliability, double[] probability, double[] discount)
    {
        Array.Fill(discount, 1.0);
        if (!_policy.DetectCopying || _disagreementEvidence.Length == 0)
        {
            return;
        }

        // Each source is judged by its accuracy measured without the engine's verdicts where there
        // is one: its rating comes from verdicts that copies may have made, and a group rated on
        // its own verdicts agrees as much as accurate independent sources would. Capped:
        // a source estimated near-perfect would otherwise make agreeing on everything look like
        // mere accuracy.
        var capped = _cappedReliability;
        for (var s = 0; s < capped.Length; s++)
        {
            var judgedBy = double.IsNaN(_measuredAccuracy[s]) ? reliability[s] : _measuredAccuracy[s];
            capped[s] = Math.Min(judgedBy, _policy.CopyTestReliabilityCap);
        }

        var selectivity = _policy.CopySelectivity;
        var priorLogOdds = Math.Log(_policy.CopyPrior / (1 - _policy.CopyPrior));
        var claimSource = _index.ClaimSource;
        var claimCandidate = _index.ClaimCandidate;
        var claimWeight = _index.ClaimWeight;
        for (var pair = 0; pair < _disagreementEvidence.Length; pair++)
        {
            var start = _pairStart[pair];
            var end = _pairStart[pair + 1];
            var sa = claimSource[_firstClaim[start]];
            var sb = claimSource[_secondClaim[start]];
            var ra = capped[sa];
            var rb = capped[sb];
            var shared = (ra + rb) / 2;
            var evidence = _disagreementEvidence[pair];
            for (var i = start; i < end; i++)
            {
                var a = _firstClaim[i];
                var b = _secondClaim[i];
                var candidate = claimCandidate[a];
                var p = probability[candidate];
                var independent = (p * ra * rb) + ((1 - p) * (1 - ra) * (1 - rb) / _falseValues[candidate]);
                var copied = (selectivity * ((p * shared) + ((1 - p) * (1 - shared)))) + ((1 - selectivity) * independent);
                evidence += Math.Min(claimWeight[a], claimWeight[b]) * Math.Log(copied / independent);
            }

            var copyProbability = 1 / (1 + Math.Exp(-(priorLogOdds + evidence)));

            // Where the claims have times, the source that said the shared values later copied
            // them: a copy cannot come first. Otherwise the more reliable source keeps its vote.
            // Where both are measured without the verdicts, that decides; otherwise the source with
            // more claims keeps it (a newcomer repeating an established source is the likelier
            // copy), and only then the rating, then the earlier source id. Each of these stays put
            // from round to round, where two close ratings can swap places each round and the
            // discount with them: a bookstore record and two generated long-tail records never settled so.
            var later = _laterByTime?[pair] ?? -1;
            var bothMeasured = !double.IsNaN(_measuredAccuracy[sa]) && !double.IsNaN(_measuredAccuracy[sb]);
            var (ka, kb) = bothMeasured ? (_measuredAccuracy[sa], _measuredAccuracy[sb])
                : _index.SourceClaims[sa] != _index.SourceClaims[sb] ? (_index.SourceClaims[sa], _index.SourceClaims[sb])
                : (reliability[sa], reliability[sb]);
            var firstFollows = later >= 0 ? later == 0 : !(ka > kb || (ka == kb && sa < sb));
            var factor = 1 - (selectivity * copyProbability);
            for (var i = start; i < end; i++)
            {
                discount[firstFollows ? _firstClaim[i] : _secondClaim[i]] *= factor;
            }
        }
    }
}
