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

    /// <summary>
    /// Per object, ln n of Accu's vote, n its false values: all candidates but one where the object
    /// declares its options; otherwise those claimed, but at least <see cref="TruthPolicy.MinFalseValues"/>,
    /// since claims show only part of a domain nobody declared.
    /// </summary>
    public required double[] LogFalseValues { get; init; }

    /// <summary>Claims sorted by object, candidate, source; those of object o start at ClaimStart[o].</summary>
    public required int[] ClaimStart { get; init; }
    public required int[] ClaimSource { get; init; }
    public required int[] ClaimCandidate { get; init; }
    public required double[] ClaimWeight { get; init; }

    /// <summary>
    /// Per claim, when its source first said its value, in UTC ticks (<see cref="Untimed"/> where no
    /// claim behind it has a time); null when no claim in the record has one.
    /// </summary>
    public long[]? ClaimSaidAt { get; init; }

    public const long Untimed = long.MinValue;

    /// <summary>Per source, its claims in the record (repeats merged, superseded claims left out).</summary>
    public required int[] SourceClaims { get; init; }

    /// <summary>Per object, the candidate held fixed by a resolution, or −1.</summary>
    public required int[] ResolvedCandidate { get; init; }

    /// <summary>Per source, its (weighted) claims on resolved objects, and how many of them the verdict bore out.</summary>
    public required double[] SourceResolvedClaims { get; init; }
    public required double[] SourceResolvedRight { get; init; }

    /// <summary>A source's accuracy on resolved objects: the Beta posterior mean of its record there under its prior.</summary>
    public double ResolvedAccuracy(int source) =>
        (PriorAlpha[source] + SourceResolvedRight[source]) / (PriorAlpha[source] + PriorBeta[source] + SourceResolvedClaims[source]);

    public required double[] PriorAlpha { get; init; }
    public required double[] PriorBeta { get; init; }

    /// <summary>Per candidate, the other candidates of its object whose claims support it.</summary>
    public required int[] SupportStart { get; init; }
    public required int[] SupportFrom { get; init; }
    public required double[] SupportShare { get; init; }

    public int SourceCount => SourceIds.Length;

    public int ObjectCount => ObjectIds.Length;

    public static ClaimIndex Build(TruthDiscoveryInput input, TruthPolicy policy)
    {
        var resolved = input.Resolved ?? [];
        var (sourceIds, sourceIndex) = Ranked(input.Claims.Select(c => c.SourceId));
        var (objectIds, objectIndex) = Ranked(input.Claims.Select(c => c.ObjectId).Concat(resolved.Select(r => r.ObjectId)));
        var declared = DeclaredOptions(input.Options, objectIndex);
        var (_, valueRank) = Ranked(input.Claims.Select(c => c.Value).Concat(resolved.Select(r => r.Value)).Concat(declared.Values.SelectMany(o => o)));

        // A candidate is an (object, value) pair; packing both ranks in a long sorts candidates
        // by object, then value, which is the order every array below relies on.
        long CandidateKey(string objectId, string value) => PackedPairs.Key(objectIndex[objectId], valueRank[value]);

        var resolvedKey = new Dictionary<int, long>();
        foreach (var r in resolved)
        {
            var key = CandidateKey(r.ObjectId, r.Value);
            if (!resolvedKey.TryAdd((int)(key >> 32), key) && resolvedKey[(int)(key >> 32)] != key)
            {
                throw new ArgumentException($"Object '{r.ObjectId}' is resolved to two different values.", nameof(input));
            }
        }

        var claimKeys = new long[input.Claims.Count];
        for (var i = 0; i < claimKeys.Length; i++)
        {
            var claim = input.Claims[i];
            if (!(claim.Weight > 0 && claim.Weight <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(input), $"Claim weight {claim.Weight} of source '{claim.SourceId}' is not in (0, 1].");
            }

            claimKeys[i] = CandidateKey(claim.ObjectId, claim.Value);
        }

        var declaredKeys = declared.SelectMany(d => d.Value.Select(option => PackedPairs.Key(d.Key, valueRank[option])));
        // A superseded claim counts as if it had never been made: its value is no candidate unless
        // something else makes it one.
        var superseded = Superseded(input.Claims, sourceIndex, claimKeys);
        var standingKeys = superseded is null ? claimKeys : claimKeys.Where((_, i) => !superseded[i]);
        var candidateKeys = standingKeys.Concat(resolvedKey.Values).Concat(declaredKeys).Distinct().Order().ToArray();
        var candidateIndex = new Dictionary<long, int>(candidateKeys.Length, PackedPairs.Comparer);
        var candidateStart = new int[objectIds.Length + 1];
        var candidateObject = new int[candidateKeys.Length];
        var candidateValues = new string[candidateKeys.Length];
        for (var v = 0; v < candidateKeys.Length; v++)
        {
            candidateIndex[candidateKeys[v]] = v;
            candidateObject[v] = (int)(candidateKeys[v] >> 32);
            candidateStart[candidateObject[v] + 1]++;
        }

        for (var i = 0; i < claimKeys.Length; i++)
        {
            if (superseded?[i] != true)
            {
                candidateValues[candidateIndex[claimKeys[i]]] = input.Claims[i].Value;
            }
        }

        foreach (var r in resolved)
        {
            candidateValues[candidateIndex[CandidateKey(r.ObjectId, r.Value)]] = r.Value;
        }

        foreach (var (o, options) in declared)
        {
            foreach (var option in options)
            {
                candidateValues[candidateIndex[PackedPairs.Key(o, valueRank[option])]] = option;
            }
        }

        for (var o = 0; o < objectIds.Length; o++)
        {
            candidateStart[o + 1] += candidateStart[o];
        }

        var resolvedCandidate = new int[objectIds.Length];
        Array.Fill(resolvedCandidate, -1);
        foreach (var (o, key) in resolvedKey)
        {
            resolvedCandidate[o] = candidateIndex[key];
        }

        var claims = MergeRepeats(
            input.Claims, policy, sourceIndex, [.. claimKeys.Select((k, i) => superseded?[i] == true ? -1 : candidateIndex[k])], candidateObject, superseded);
        var claimStart = new int[objectIds.Length + 1];
        foreach (var c in claims)
        {
            claimStart[candidateObject[c.Candidate] + 1]++;
        }

        for (var o = 0; o < objectIds.Length; o++)
        {
            claimStart[o + 1] += claimStart[o];
        }

        var sourceClaims = ClaimsPerSource(claims, sourceIds.Length);
        var (resolvedClaims, resolvedRight) = ResolvedRecords(claims, candidateObject, resolvedCandidate, sourceIds.Length);
        var (priorAlpha, priorBeta, stated) = Priors(input.Priors, policy, sourceIds.Length, sourceIndex);
        NewcomerPriors(policy, sourceClaims, resolvedClaims, resolvedRight, stated, priorAlpha, priorBeta);
        var (supportStart, supportFrom, supportShare) = Supports(policy, candidateStart, candidateValues);

        return new ClaimIndex
        {
            SourceIds = sourceIds,
            ObjectIds = objectIds,
            CandidateValues = candidateValues,
            CandidateStart = candidateStart,
            CandidateObject = candidateObject,
            LogFalseValues = [.. Enumerable.Range(0, objectIds.Length).Select(o => Math.Log(Math.Max(
                declared.ContainsKey(o) ? 1 : policy.MinFalseValues, candidateStart[o + 1] - candidateStart[o] - 1)))],
            ClaimStart = claimStart,
            ClaimSource = [.. claims.Select(c => c.Source)],
            ClaimCandidate = [.. claims.Select(c => c.Candidate)],
            ClaimWeight = [.. claims.Select(c => c.Weight)],
            ClaimSaidAt = input.Claims.Any(c => c.At is not null) ? [.. claims.Select(c => c.SaidAt)] : null,
            SourceClaims = sourceClaims,
            ResolvedCandidate = resolvedCandidate,
            SourceResolvedClaims = resolvedClaims,
            SourceResolvedRight = resolvedRight,
            PriorAlpha = priorAlpha,
            PriorBeta = priorBeta,
            SupportStart = supportStart,
            SupportFrom = supportFrom,
            SupportShare = supportShare,
        };
    }

    private static int[] ClaimsPerSource(IndexedClaim[] claims, int sources)
    {
        var counts = new int[sources];
        foreach (var claim in claims)
        {
            counts[claim.Source]++;
        }

        return counts;
    }

    private static (double[] Claims, double[] Right) ResolvedRecords(IndexedClaim[] claims, int[] candidateObject, int[] resolvedCandidate, int sources)
    {
        var (resolved, right) = (new double[sources], new double[sources]);
        foreach (var claim in claims)
        {
            var verdict = resolvedCandidate[candidateObject[claim.Candidate]];
            if (verdict >= 0)
            {
                resolved[claim.Source] += claim.Weight;
                right[claim.Source] += claim.Candidate == verdict ? claim.Weight : 0;
            }
        }

        return (resolved, right);
    }

    /// <summary>The declared options of the objects that are claimed or resolved, by object index.</summary>
    private static Dictionary<int, string[]> DeclaredOptions(
        IReadOnlyDictionary<string, IReadOnlyList<string>>? options, Dictionary<string, int> objectIndex)
    {
        var declared = new Dictionary<int, string[]>();
        foreach (var (objectId, values) in options ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            var distinct = (values ?? []).Distinct(StringComparer.Ordinal).ToArray();
            if (distinct.Length < 2 || distinct.Any(v => v is null))
            {
                throw new ArgumentException($"Object '{objectId}' must declare at least two distinct options.", nameof(options));
            }

            if (objectIndex.TryGetValue(objectId, out var o))
            {
                declared[o] = distinct;
            }
        }

        return declared;
    }

    private readonly record struct IndexedClaim(int Candidate, int Source, double Weight, long SaidAt);

    // A source repeating a value is not new evidence: it counts once, at its strongest, said when it
    // was first said. A source backing several values of one object splits its weight between them,
    // unless it said one of them later than the others (Superseded).
    private static IndexedClaim[] MergeRepeats(
        IReadOnlyList<TruthClaim> claims,
        TruthPolicy policy,
        Dictionary<string, int> sourceIndex,
        int[] claimCandidate,
        int[] candidateObject,
        bool[]? superseded)
    {
        var strongest = new Dictionary<long, (double Weight, long SaidAt)>(claims.Count, PackedPairs.Comparer);
        for (var i = 0; i < claims.Count; i++)
        {
            if (superseded?[i] == true)
            {
                continue;
            }

            var claim = claims[i];
            var isRelay = claim.RelayOf is { } relayed && relayed != claim.SourceId;
            var weight = claim.Weight * (isRelay ? policy.RelayWeight : 1.0);
            var saidAt = claim.At?.UtcTicks ?? Untimed;
            var key = PackedPairs.Key(claimCandidate[i], sourceIndex[claim.SourceId]);
            strongest[key] = strongest.TryGetValue(key, out var seen)
                ? (Math.Max(seen.Weight, weight), seen.SaidAt == Untimed ? saidAt : saidAt == Untimed ? seen.SaidAt : Math.Min(seen.SaidAt, saidAt))
                : (weight, saidAt);
        }

        var merged = strongest.Select(p => new IndexedClaim((int)(p.Key >> 32), (int)p.Key, p.Value.Weight, p.Value.SaidAt)).ToArray();
        var valuesBySourceAndObject = new Dictionary<long, int>(merged.Length, PackedPairs.Comparer);
        foreach (var c in merged)
        {
            var key = PackedPairs.Key(candidateObject[c.Candidate], c.Source);
            valuesBySourceAndObject[key] = valuesBySourceAndObject.GetValueOrDefault(key) + 1;
        }

        for (var i = 0; i < merged.Length; i++)
        {
            var c = merged[i];
            merged[i] = c with { Weight = c.Weight / valuesBySourceAndObject[PackedPairs.Key(candidateObject[c.Candidate], c.Source)] };
        }

        // Candidate order already follows object order; source breaks ties.
        Array.Sort(merged, (x, y) => x.Candidate != y.Candidate ? x.Candidate.CompareTo(y.Candidate) : x.Source.CompareTo(y.Source));
        return merged;
    }

    /// <summary>
    /// Per claim, whether its source later said another value of the same object: it changed its
    /// mind, as a reversal does, and what it says now is the later value. A newsroom's own record
    /// declares reversals; a file of claims with times shows them only so. Claims said at the same
    /// moment both stand, and an untimed claim neither supersedes nor is superseded, since nothing
    /// orders it. Null when no claim has a time.
    /// </summary>
    private static bool[]? Superseded(IReadOnlyList<TruthClaim> claims, Dictionary<string, int> sourceIndex, long[] claimKeys)
    {
        if (!claims.Any(c => c.At is not null))
        {
            return null;
        }

        // A claim's key packs its object and value ranks; with the source, it names what the source said.
        var lastSaid = new Dictionary<(long Said, int Source), long>();
        for (var i = 0; i < claims.Count; i++)
        {
            if (claims[i].At is { } at)
            {
                var key = (claimKeys[i], sourceIndex[claims[i].SourceId]);
                lastSaid[key] = lastSaid.TryGetValue(key, out var seen) ? Math.Max(seen, at.UtcTicks) : at.UtcTicks;
            }
        }

        // Per (object, source): when it last said anything, the value it said then (−1 if it said two
        // at that moment), and when it last said any other value.
        var latest = new Dictionary<long, (long Last, long Said, long OtherLast)>(PackedPairs.Comparer);
        foreach (var ((said, source), at) in lastSaid)
        {
            var objectKey = PackedPairs.Key((int)(said >> 32), source);
            latest[objectKey] = !latest.TryGetValue(objectKey, out var l) ? (at, said, Untimed)
                : at > l.Last ? (at, said, l.Last)
                : at == l.Last ? (at, -1, at)
                : l with { OtherLast = Math.Max(l.OtherLast, at) };
        }

        var superseded = new bool[claims.Count];
        for (var i = 0; i < claims.Count; i++)
        {
            if (claims[i].At is { } at)
            {
                var l = latest[PackedPairs.Key((int)(claimKeys[i] >> 32), sourceIndex[claims[i].SourceId])];
                superseded[i] = (l.Said == claimKeys[i] ? l.OtherLast : l.Last) > at.UtcTicks;
            }
        }

        return superseded;
    }

    private static (double[] Alpha, double[] Beta, bool[] Stated) Priors(
        IReadOnlyList<SourcePrior>? priors, TruthPolicy policy, int sourceCount, Dictionary<string, int> sourceIndex)
    {
        var alpha = new double[sourceCount];
        var beta = new double[sourceCount];
        var stated = new bool[sourceCount];
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
                stated[s] = true;
            }
        }

        return (alpha, beta, stated);
    }

    /// <summary>
    /// A newcomer (at most <see cref="TruthPolicy.NewcomerClaims"/> claims) has no record of its own,
    /// so its rating is its prior. Where editors have resolved what other newcomers claimed, that
    /// record says how far accounts new to the record can be trusted, and it sets the prior's mean
    /// (weighed against <see cref="TruthPolicy.NewcomerPriorPseudoClaims"/> pseudo-claims at
    /// <see cref="TruthPolicy.PriorReliability"/>; its strength stays <see cref="TruthPolicy.PriorStrength"/>).
    /// A newcomer's own resolved claims are left out of its prior: they count in its record already.
    /// Without it, resolving half of a generated long-tail record cost the other half a point: the
    /// regular sources, measured by verdicts, fell to their true accuracy while newcomers right half
    /// the time were still taken for 0.8 and outvoted them.
    /// </summary>
    private static void NewcomerPriors(
        TruthPolicy policy, int[] sourceClaims, double[] resolvedClaims, double[] resolvedRight, bool[] stated, double[] alpha, double[] beta)
    {
        double cohortRight = 0, cohortClaims = 0;
        for (var s = 0; s < sourceClaims.Length; s++)
        {
            if (sourceClaims[s] <= policy.NewcomerClaims)
            {
                (cohortRight, cohortClaims) = (cohortRight + resolvedRight[s], cohortClaims + resolvedClaims[s]);
            }
        }

        if (cohortClaims == 0)
        {
            return;
        }

        var pseudo = policy.NewcomerPriorPseudoClaims;
        for (var s = 0; s < sourceClaims.Length; s++)
        {
            if (stated[s] || sourceClaims[s] > policy.NewcomerClaims)
            {
                continue;
            }

            var mean = ((policy.PriorReliability * pseudo) + cohortRight - resolvedRight[s]) / (pseudo + cohortClaims - resolvedClaims[s]);
            alpha[s] = mean * policy.PriorStrength;
            beta[s] = (1 - mean) * policy.PriorStrength;
        }
    }

    private static (int[] Start, int[] From, double[] Share) Supports(
        TruthPolicy policy, int[] candidateStart, string[] candidateValues)
    {
        var start = new int[candidateValues.Length + 1];
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

        start[candidateValues.Length] = from.Count;
        return (start, [.. from], [.. share]);
    }

    /// <summary>The distinct ids in ordinal order, and each id's position in it.</summary>
    private static (string[] Ids, Dictionary<string, int> Index) Ranked(IEnumerable<string> ids)
    {
        var distinct = new HashSet<string>(ids, StringComparer.Ordinal).ToArray();
        Array.Sort(distinct, StringComparer.Ordinal);
        var index = new Dictionary<string, int>(distinct.Length, StringComparer.Ordinal);
        for (var i = 0; i < distinct.Length; i++)
        {
            index[distinct[i]] = i;
        }

        return (distinct, index);
    }
}
