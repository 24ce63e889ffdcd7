namespace Reliability.Domain.Truth;

/// <summary>
/// The claims turned into integer-indexed arrays, in ordinal order of ids and values, so the
/// iteration is fast and its result does not depend on the order claims arrived in.
/// </summary>
internal sealed class ClaimIndex
{
    public required string[] SourceIds { get; init; }
    public required string[] ObjectIds { get; init; }
    public required string[] CandidateValues { get; init; }

    /// <summary>Candidates of object o are CandidateStart[o] .. CandidateStart[o + 1] − 1.</summary>
    public required int[] CandidateStart { get; init; }
    public required int[] CandidateObject { get; init; }

    /// <summary>Per object, ln of the number of its false values (at least 1).</summary>
    public required double[] LogFalseValues { get; init; }

    /// <summary>Claims sorted by object, candidate, source; those of object o start at ClaimStart[o].</summary>
    public required int[] ClaimStart { get; init; }
    public required int[] ClaimSource { get; init; }
    public required int[] ClaimCandidate { get; init; }
    public required double[] ClaimWeight { get; init; }

    /// <summary>Per object, the candidate held fixed by a resolution, or −1.</summary>
    public required int[] ResolvedCandidate { get; init; }
    public required double[] PriorAlpha { get; init; }
    public required double[] PriorBeta { get; init; }

    /// <summary>Per candidate, the other candidates of its object whose claims support it.</summary>
    public required int[] SupportStart { get; init; }
    public required int[] SupportFrom { get; init; }
    public required double[] SupportShare { get; init; }

    public int SourceCount => SourceIds.Length;

    /// <summary>Share of a claim of <paramref name="claimed"/> that counts for <paramref name="candidate"/>.</summary>
    public double Share(int candidate, int claimed)
    {
        if (candidate == claimed)
        {
            return 1;
        }

        for (var k = SupportStart[candidate]; k < SupportStart[candidate + 1]; k++)
        {
            if (SupportFrom[k] == claimed)
            {
                return SupportShare[k];
            }
        }

        return 0;
    }
    public int ObjectCount => ObjectIds.Length;

    public static ClaimIndex Build(TruthDiscoveryInput input, TruthPolicy policy)
    {
        var resolved = input.Resolved ?? [];
        var sourceIds = input.Claims.Select(c => c.SourceId).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal).ToArray();
        var objectIds = input.Claims.Select(c => c.ObjectId).Concat(resolved.Select(r => r.ObjectId))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var sourceIndex = IndexOf(sourceIds);
        var objectIndex = IndexOf(objectIds);

        var resolvedValue = new string?[objectIds.Length];
        foreach (var r in resolved)
        {
            var o = objectIndex[r.ObjectId];
            if (resolvedValue[o] is { } earlier && earlier != r.Value)
            {
                throw new ArgumentException($"Object '{r.ObjectId}' is resolved to both '{earlier}' and '{r.Value}'.", nameof(input));
            }

            resolvedValue[o] = r.Value;
        }

        var valuesPerObject = new SortedSet<string>[objectIds.Length];
        for (var o = 0; o < objectIds.Length; o++)
        {
            valuesPerObject[o] = new SortedSet<string>(StringComparer.Ordinal);
            if (resolvedValue[o] is { } v)
            {
                valuesPerObject[o].Add(v);
            }
        }

        foreach (var claim in input.Claims)
        {
            if (!(claim.Weight > 0 && claim.Weight <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(input), $"Claim weight {claim.Weight} of source '{claim.SourceId}' is not in (0, 1].");
            }

            valuesPerObject[objectIndex[claim.ObjectId]].Add(claim.Value);
        }

        var candidateStart = new int[objectIds.Length + 1];
        var candidateValues = new List<string>();
        var candidateObject = new List<int>();
        var candidateIndex = new Dictionary<(int, string), int>();
        for (var o = 0; o < objectIds.Length; o++)
        {
            candidateStart[o] = candidateValues.Count;
            foreach (var value in valuesPerObject[o])
            {
                candidateIndex[(o, value)] = candidateValues.Count;
                candidateValues.Add(value);
                candidateObject.Add(o);
            }
        }

        candidateStart[objectIds.Length] = candidateValues.Count;

        var resolvedCandidate = new int[objectIds.Length];
        for (var o = 0; o < objectIds.Length; o++)
        {
            resolvedCandidate[o] = resolvedValue[o] is { } v ? candidateIndex[(o, v)] : -1;
        }

        var claims = MergeRepeats(input.Claims, policy, sourceIndex, objectIndex, candidateIndex);
        var claimStart = new int[objectIds.Length + 1];
        foreach (var c in claims)
        {
            claimStart[c.Object + 1]++;
        }

        for (var o = 0; o < objectIds.Length; o++)
        {
            claimStart[o + 1] += claimStart[o];
        }

        var (priorAlpha, priorBeta) = Priors(input.Priors, policy, sourceIds.Length, sourceIndex);
        var (supportStart, supportFrom, supportShare) = Supports(policy, candidateStart, candidateValues);

        return new ClaimIndex
        {
            SourceIds = sourceIds,
            ObjectIds = objectIds,
            CandidateValues = [.. candidateValues],
            CandidateStart = candidateStart,
            CandidateObject = [.. candidateObject],
            LogFalseValues = [.. Enumerable.Range(0, objectIds.Length)
                .Select(o => Math.Log(Math.Max(policy.MinFalseValues, candidateStart[o + 1] - candidateStart[o] - 1)))],
            ClaimStart = claimStart,
            ClaimSource = [.. claims.Select(c => c.Source)],
            ClaimCandidate = [.. claims.Select(c => c.Candidate)],
            ClaimWeight = [.. claims.Select(c => c.Weight)],
            ResolvedCandidate = resolvedCandidate,
            PriorAlpha = priorAlpha,
            PriorBeta = priorBeta,
            SupportStart = supportStart,
            SupportFrom = supportFrom,
            SupportShare = supportShare,
        };
    }

    private readonly record struct IndexedClaim(int Object, int Candidate, int Source, double Weight);

    // A source repeating a value is not new evidence: it counts once, at its strongest.
    // A source backing several values of one object splits its weight between them.
    private static List<IndexedClaim> MergeRepeats(
        IReadOnlyList<TruthClaim> claims,
        TruthPolicy policy,
        Dictionary<string, int> sourceIndex,
        Dictionary<string, int> objectIndex,
        Dictionary<(int, string), int> candidateIndex)
    {
        var strongest = new Dictionary<(int Source, int Candidate), IndexedClaim>();
        foreach (var claim in claims)
        {
            var o = objectIndex[claim.ObjectId];
            var s = sourceIndex[claim.SourceId];
            var candidate = candidateIndex[(o, claim.Value)];
            var isRelay = claim.RelayOf is { } relayed && relayed != claim.SourceId;
            var weight = claim.Weight * (isRelay ? policy.RelayWeight : 1.0);
            if (!strongest.TryGetValue((s, candidate), out var seen) || seen.Weight < weight)
            {
                strongest[(s, candidate)] = new IndexedClaim(o, candidate, s, weight);
            }
        }

        var valuesBySourceAndObject = strongest.Values.CountBy(c => (c.Source, c.Object)).ToDictionary();
        return [.. strongest.Values
            .Select(c => c with { Weight = c.Weight / valuesBySourceAndObject[(c.Source, c.Object)] })
            .OrderBy(c => c.Object).ThenBy(c => c.Candidate).ThenBy(c => c.Source)];
    }

    private static (double[] Alpha, double[] Beta) Priors(
        IReadOnlyList<SourcePrior>? priors, TruthPolicy policy, int sourceCount, Dictionary<string, int> sourceIndex)
    {
        var alpha = new double[sourceCount];
        var beta = new double[sourceCount];
        Array.Fill(alpha, policy.PriorReliability * policy.PriorStrength);
        Array.Fill(beta, (1 - policy.PriorReliability) * policy.PriorStrength);
        foreach (var prior in priors ?? [])
        {
            if (!(prior.Alpha > 0 && prior.Beta > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(priors), $"Prior of source '{prior.SourceId}' needs positive Alpha and Beta.");
            }

            // A prior for a source that made no claim has nothing to act on.
            if (sourceIndex.TryGetValue(prior.SourceId, out var s))
            {
                alpha[s] = prior.Alpha;
                beta[s] = prior.Beta;
            }
        }

        return (alpha, beta);
    }

    private static (int[] Start, int[] From, double[] Share) Supports(
        TruthPolicy policy, int[] candidateStart, List<string> candidateValues)
    {
        var start = new int[candidateValues.Count + 1];
        var from = new List<int>();
        var share = new List<double>();
        var objectCount = candidateStart.Length - 1;
        for (var o = 0; o < objectCount; o++)
        {
            for (var candidate = candidateStart[o]; candidate < candidateStart[o + 1]; candidate++)
            {
                start[candidate] = from.Count;
                if (policy.SimilarityInfluence <= 0)
                {
                    continue;
                }

                for (var other = candidateStart[o]; other < candidateStart[o + 1]; other++)
                {
                    if (other == candidate)
                    {
                        continue;
                    }

                    var support = Math.Clamp(policy.Similarity.Support(candidateValues[candidate], candidateValues[other]), 0, 1);
                    if (support > 0)
                    {
                        from.Add(other);
                        share.Add(support * policy.SimilarityInfluence);
                    }
                }
            }
        }

        start[candidateValues.Count] = from.Count;
        return (start, [.. from], [.. share]);
    }

    private static Dictionary<string, int> IndexOf(string[] ids)
    {
        var index = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            index[ids[i]] = i;
        }

        return index;
    }
}
