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

    // Claims per source: who follows whom where accuracies are not measured.
    private readonly int[] _claimCount;

    /// <summary>Least (weighted) claims on resolved objects for a source's record there to decide.</summary>
    private const double MinResolvedClaims = 10;

    // Only source pairs that agree on at least one value matter: a pair that only ever disagrees
    // gives no claim a discount. Their disagreements do not depend on the estimates, so they are
    // summed once here; every round then walks the agreeing claim pairs alone. (On a record of random
    // yes/no claims, half the pairs disagree and the engine runs the detector some ninety times.)
    // A round is bound by memory, not arithmetic: a claim pair is kept as its two claims and its
    // source pair, and everything else is read from the index, where the claims of one object lie
    // together.
    private readonly double[] _disagreementEvidence;
    private readonly int[] _agreeingPair;
    private readonly int[] _firstClaim;
    private readonly int[] _secondClaim;
    private readonly double[] _falseValues;
    private readonly double[] _pairEvidence;
    private readonly double[] _copyProbability;

    public CopyDetector(ClaimIndex index, TruthPolicy policy)
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

        // Counted first, so every array (and the pair table) is allocated once at its final size:
        // on a large record the claim pairs run to millions.
        var agreeingClaimPairs = 0;
        ForEachClaimPair(index, policy, (a, b) =>
        {
            if (index.ClaimCandidate[a] == index.ClaimCandidate[b])
            {
                agreeingClaimPairs++;
            }
        });

        _agreeingPair = new int[agreeingClaimPairs];
        _firstClaim = new int[agreeingClaimPairs];
        _secondClaim = new int[agreeingClaimPairs];
        var pairIds = new Dictionary<long, int>(agreeingClaimPairs, PackedPairs.Comparer);
        var i = 0;
        ForEachClaimPair(index, policy, (a, b) =>
        {
            var candidate = index.ClaimCandidate[a];
            if (candidate != index.ClaimCandidate[b])
            {
                return;
            }

            var sa = index.ClaimSource[a];
            var sb = index.ClaimSource[b];
            var key = PackedPairs.Key(Math.Min(sa, sb), Math.Max(sa, sb));
            if (!pairIds.TryGetValue(key, out var id))
            {
                id = pairIds.Count;
                pairIds[key] = id;
            }

            _agreeingPair[i] = id;
            _firstClaim[i] = a;
            _secondClaim[i] = b;
            i++;
        });

        _disagreementEvidence = new double[pairIds.Count];
        var disagreement = Math.Log(1 - policy.CopySelectivity);
        ForEachClaimPair(index, policy, (a, b) =>
        {
            if (index.ClaimCandidate[a] != index.ClaimCandidate[b])
            {
                var sa = index.ClaimSource[a];
                var sb = index.ClaimSource[b];
                if (pairIds.TryGetValue(PackedPairs.Key(Math.Min(sa, sb), Math.Max(sa, sb)), out var id))
                {
                    _disagreementEvidence[id] += Math.Min(index.ClaimWeight[a], index.ClaimWeight[b]) * disagreement;
                }
            }
        });

        _pairEvidence = new double[pairIds.Count];
        _copyProbability = new double[pairIds.Count];
        _measuredAccuracy = policy.DetectCopying ? MeasuredAccuracy(index, policy) : [];
        _claimCount = new int[index.SourceCount];
        foreach (var source in index.ClaimSource)
        {
            _claimCount[source]++;
        }
    }

    /// <summary>
    /// An editor's verdicts measure a source more firmly than its agreement with others does: with
    /// half the flights record resolved, judging by agreement alone lost 0.004 of accuracy, judging
    /// by the resolved record where there is enough of it lost nothing.
    /// </summary>
    private static double[] MeasuredAccuracy(ClaimIndex index, TruthPolicy policy)
    {
        var accuracy = AgreementAccuracy.Estimate(index, policy);
        var right = new double[index.SourceCount];
        var resolved = new double[index.SourceCount];
        for (var c = 0; c < index.ClaimWeight.Length; c++)
        {
            var candidate = index.ClaimCandidate[c];
            var verdict = index.ResolvedCandidate[index.CandidateObject[candidate]];
            if (verdict >= 0)
            {
                var s = index.ClaimSource[c];
                resolved[s] += index.ClaimWeight[c];
                right[s] += candidate == verdict ? index.ClaimWeight[c] : 0;
            }
        }

        for (var s = 0; s < accuracy.Length; s++)
        {
            if (resolved[s] >= MinResolvedClaims)
            {
                accuracy[s] = (index.PriorAlpha[s] + right[s]) / (index.PriorAlpha[s] + index.PriorBeta[s] + resolved[s]);
            }
        }

        return accuracy;
    }

    /// <summary>Every pair of claims by different sources on one object, object by object.</summary>
    public static void ForEachClaimPair(ClaimIndex index, TruthPolicy policy, Action<int, int> visit)
    {
        for (var o = 0; o < index.ObjectCount; o++)
        {
            // Pairs grow with the square of an object's claims; a viral proposition would swamp
            // the cost while adding little the other objects do not already show.
            if (index.ClaimStart[o + 1] - index.ClaimStart[o] > policy.CopyTestMaxClaimsPerObject)
            {
                continue;
            }

            for (var a = index.ClaimStart[o]; a < index.ClaimStart[o + 1]; a++)
            {
                for (var b = a + 1; b < index.ClaimStart[o + 1]; b++)
                {
                    if (index.ClaimSource[a] != index.ClaimSource[b])
                    {
                        visit(a, b);
                    }
                }
            }
        }
    }

    /// <summary>Per source, the accuracy the test judges it by when it has one (NaN: its rating).</summary>
    public IReadOnlyList<double> MeasuredAccuracies => _measuredAccuracy;

    /// <summary>Fills <paramref name="discount"/> (one factor per claim) from the current estimates.</summary>
    public void Discount(double[] reliability, double[] probability, double[] discount)
    {
        Array.Fill(discount, 1.0);
        if (!_policy.DetectCopying || _pairEvidence.Length == 0)
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

        Array.Copy(_disagreementEvidence, _pairEvidence, _pairEvidence.Length);
        var selectivity = _policy.CopySelectivity;
        var claimSource = _index.ClaimSource;
        var claimCandidate = _index.ClaimCandidate;
        var claimWeight = _index.ClaimWeight;
        for (var i = 0; i < _agreeingPair.Length; i++)
        {
            var a = _firstClaim[i];
            var b = _secondClaim[i];
            var candidate = claimCandidate[a];
            var ra = capped[claimSource[a]];
            var rb = capped[claimSource[b]];
            var p = probability[candidate];
            var independent = (p * ra * rb) + ((1 - p) * (1 - ra) * (1 - rb) / _falseValues[candidate]);
            var shared = (ra + rb) / 2;
            var copied = (selectivity * ((p * shared) + ((1 - p) * (1 - shared)))) + ((1 - selectivity) * independent);
            _pairEvidence[_agreeingPair[i]] += Math.Min(claimWeight[a], claimWeight[b]) * Math.Log(copied / independent);
        }

        // Once per pair of sources, not per pair of their claims: sources that share many objects
        // would otherwise work out the same probability again for each.
        var priorLogOdds = Math.Log(_policy.CopyPrior / (1 - _policy.CopyPrior));
        for (var pair = 0; pair < _copyProbability.Length; pair++)
        {
            _copyProbability[pair] = 1 / (1 + Math.Exp(-(priorLogOdds + _pairEvidence[pair])));
        }

        for (var i = 0; i < _agreeingPair.Length; i++)
        {
            var a = _firstClaim[i];
            var b = _secondClaim[i];
            var sa = claimSource[a];
            var sb = claimSource[b];
            // The more reliable source keeps its vote. Where both are measured without the verdicts,
            // that decides; otherwise the source with more claims keeps it (a newcomer repeating an
            // established source is the likelier copy), and only then the rating, then the earlier
            // source id. Both measures stay put from round to round, where two close ratings can
            // swap places each round and the discount with them: a bookstore record and two
            // generated long-tail records never settled so.
            var bothMeasured = !double.IsNaN(_measuredAccuracy[sa]) && !double.IsNaN(_measuredAccuracy[sb]);
            var (ra, rb) = bothMeasured ? (_measuredAccuracy[sa], _measuredAccuracy[sb])
                : _claimCount[sa] != _claimCount[sb] ? (_claimCount[sa], _claimCount[sb])
                : (reliability[sa], reliability[sb]);
            var follower = ra > rb || (ra == rb && sa < sb) ? b : a;
            discount[follower] *= 1 - (selectivity * _copyProbability[_agreeingPair[i]]);
        }
    }
}
