namespace Reliability.Domain.Truth;

/// <summary>
/// Finds sources that share the same values far more than independent sources would, after
/// Dong, Berti-Equille and Srivastava (VLDB 2009): agreeing on a value that is probably false is
/// strong evidence of copying, disagreeing is evidence against. A copier's vote for a value is
/// discounted by the chance that it took the value from a more reliable source backing it too.
/// </summary>
internal sealed class CopyDetector
{
    private readonly ClaimIndex _index;
    private readonly TruthPolicy _policy;

    // Every pair of claims by different sources on the same object, and which source pair it belongs to.
    private readonly int[] _firstClaim;
    private readonly int[] _secondClaim;
    private readonly int[] _sourcePair;
    private readonly double[] _pairEvidence;
    private readonly double[] _copyProbability;

    public CopyDetector(ClaimIndex index, TruthPolicy policy)
    {
        _index = index;
        _policy = policy;
        var first = new List<int>();
        var second = new List<int>();
        var sourcePair = new List<int>();
        var pairIds = new Dictionary<long, int>(PackedPairs.Comparer);
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
                    var sa = index.ClaimSource[a];
                    var sb = index.ClaimSource[b];
                    if (sa == sb)
                    {
                        continue;
                    }

                    var key = PackedPairs.Key(Math.Min(sa, sb), Math.Max(sa, sb));
                    if (!pairIds.TryGetValue(key, out var id))
                    {
                        id = pairIds.Count;
                        pairIds[key] = id;
                    }

                    first.Add(a);
                    second.Add(b);
                    sourcePair.Add(id);
                }
            }
        }

        _firstClaim = [.. first];
        _secondClaim = [.. second];
        _sourcePair = [.. sourcePair];
        _pairEvidence = new double[pairIds.Count];
        _copyProbability = new double[pairIds.Count];
    }

    /// <summary>Fills <paramref name="discount"/> (one factor per claim) from the current estimates.</summary>
    public void Discount(double[] reliability, double[] probability, double[] discount)
    {
        Array.Fill(discount, 1.0);
        if (!_policy.DetectCopying || _pairEvidence.Length == 0)
        {
            return;
        }

        Array.Clear(_pairEvidence);
        var selectivity = _policy.CopySelectivity;
        var disagreement = Math.Log(1 - selectivity);
        for (var i = 0; i < _firstClaim.Length; i++)
        {
            var a = _firstClaim[i];
            var b = _secondClaim[i];
            var weight = Math.Min(_index.ClaimWeight[a], _index.ClaimWeight[b]);
            var candidate = _index.ClaimCandidate[a];
            if (candidate != _index.ClaimCandidate[b])
            {
                _pairEvidence[_sourcePair[i]] += weight * disagreement;
                continue;
            }

            // Capped: a source estimated near-perfect because it and its copies outvote everyone
            // would otherwise make agreeing on everything look like mere accuracy.
            var ra = Math.Min(reliability[_index.ClaimSource[a]], _policy.CopyTestReliabilityCap);
            var rb = Math.Min(reliability[_index.ClaimSource[b]], _policy.CopyTestReliabilityCap);
            var o = _index.CandidateObject[candidate];
            var falseValues = Math.Max(1, _index.CandidateStart[o + 1] - _index.CandidateStart[o] - 1);
            var p = probability[candidate];
            var independent = (p * ra * rb) + ((1 - p) * (1 - ra) * (1 - rb) / falseValues);
            var shared = (ra + rb) / 2;
            var copied = (selectivity * ((p * shared) + ((1 - p) * (1 - shared)))) + ((1 - selectivity) * independent);
            _pairEvidence[_sourcePair[i]] += weight * Math.Log(copied / independent);
        }

        // Once per pair of sources, not per pair of their claims: sources that share many objects
        // would otherwise work out the same probability again for each. Only when first needed: a
        // pair that never agrees on a value needs none.
        var priorLogOdds = Math.Log(_policy.CopyPrior / (1 - _policy.CopyPrior));
        Array.Fill(_copyProbability, double.NaN);
        for (var i = 0; i < _firstClaim.Length; i++)
        {
            var a = _firstClaim[i];
            var b = _secondClaim[i];
            if (_index.ClaimCandidate[a] != _index.ClaimCandidate[b])
            {
                continue;
            }

            var pair = _sourcePair[i];
            var copyProbability = _copyProbability[pair];
            if (double.IsNaN(copyProbability))
            {
                copyProbability = _copyProbability[pair] = 1 / (1 + Math.Exp(-(priorLogOdds + _pairEvidence[pair])));
            }

            var sa = _index.ClaimSource[a];
            var sb = _index.ClaimSource[b];
            // The more reliable source keeps its vote; ties go to the earlier source id.
            var follower = reliability[sa] > reliability[sb] || (reliability[sa] == reliability[sb] && sa < sb) ? b : a;
            discount[follower] *= 1 - (selectivity * copyProbability);
        }
    }
}
