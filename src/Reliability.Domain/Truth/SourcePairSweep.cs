namespace Reliability.Domain.Truth;

/// <summary>
/// Every pair of claims by two sources on one object, reached source by source: for a source s,
/// each claim of s paired with each claim of a source u &gt; s on the same object, so every claim
/// pair is met once and every pair of sources is met while s's turn lasts. The copy test and the
/// accuracies from agreement sum per pair of sources; a source at a time, its claim pairs can be
/// grouped by partner with arrays indexed by the partner, where they kept a table of every pair of
/// sources. On a million yes/no claims over 100,000 sources the pairs run to about fifty million,
/// and those tables alone took 2 GiB.
/// </summary>
internal sealed class SourcePairSweep
{
    private readonly ClaimIndex _index;
    private readonly int[] _sourceStart;
    private readonly int[] _sourceClaims;
    private readonly int[] _claimObject;

    public SourcePairSweep(ClaimIndex index, TruthPolicy policy)
    {
        _index = index;
        _claimObject = new int[index.ClaimSource.Length];
        _sourceStart = new int[index.SourceCount + 1];
        for (var o = 0; o < index.ObjectCount; o++)
        {
            // Pairs grow with the square of an object's claims; a viral proposition would swamp
            // the cost while adding little the other objects do not already show.
            var included = index.ClaimStart[o + 1] - index.ClaimStart[o] <= policy.CopyTestMaxClaimsPerObject;
            for (var c = index.ClaimStart[o]; c < index.ClaimStart[o + 1]; c++)
            {
                _claimObject[c] = included ? o : -1;
                if (included)
                {
                    _sourceStart[index.ClaimSource[c] + 1]++;
                }
            }
        }

        for (var s = 0; s < index.SourceCount; s++)
        {
            _sourceStart[s + 1] += _sourceStart[s];
        }

        // Claims in index order within each source, so a source's objects come in object order.
        _sourceClaims = new int[_sourceStart[^1]];
        var next = _sourceStart[..^1];
        for (var c = 0; c < _claimObject.Length; c++)
        {
            if (_claimObject[c] >= 0)
            {
                _sourceClaims[next[index.ClaimSource[c]]++] = c;
            }
        }
    }

    /// <summary>
    /// Calls <paramref name="visit"/> once for every pair of sources that claim on a common object,
    /// the source first, with the claim pairs they share (the source's claim first), object by object.
    /// </summary>
    public void ForEachSourcePair(SourcePairVisit visit)
    {
        var claimSource = _index.ClaimSource;
        var metBy = new int[_index.SourceCount];
        Array.Fill(metBy, -1);
        var shared = new int[_index.SourceCount];
        var met = new List<int>();
        var pairs = new ClaimPair[64];
        for (var s = 0; s < _index.SourceCount; s++)
        {
            var claims = _sourceClaims.AsSpan(_sourceStart[s], _sourceStart[s + 1] - _sourceStart[s]);

            // Counted first, then laid out partner by partner: a visit sees all its claim pairs together.
            var total = 0;
            foreach (var a in claims)
            {
                var o = _claimObject[a];
                for (var b = _index.ClaimStart[o]; b < _index.ClaimStart[o + 1]; b++)
                {
                    var u = claimSource[b];
                    if (u <= s)
                    {
                        continue;
                    }

                    if (metBy[u] != s)
                    {
                        metBy[u] = s;
                        shared[u] = 0;
                        met.Add(u);
                    }

                    shared[u]++;
                    total++;
                }
            }

            if (total == 0)
            {
                continue;
            }

            if (pairs.Length < total)
            {
                pairs = new ClaimPair[Math.Max(total, pairs.Length * 2)];
            }

            // shared[u] becomes the end of u's claim pairs as they are laid out, then their start.
            var end = 0;
            foreach (var u in met)
            {
                end += shared[u];
                shared[u] = end - shared[u];
            }

            foreach (var a in claims)
            {
                var o = _claimObject[a];
                for (var b = _index.ClaimStart[o]; b < _index.ClaimStart[o + 1]; b++)
                {
                    var u = claimSource[b];
                    if (u > s)
                    {
                        pairs[shared[u]++] = new ClaimPair(a, b);
                    }
                }
            }

            var from = 0;
            foreach (var u in met)
            {
                visit(s, u, pairs.AsSpan(from, shared[u] - from));
                from = shared[u];
            }

            met.Clear();
        }
    }
}

/// <summary>Two claims on one object: <see cref="A"/> by the first source of a pair, <see cref="B"/> by the second.</summary>
internal readonly record struct ClaimPair(int A, int B);

/// <summary>A pair of sources (<paramref name="source"/> &lt; <paramref name="partner"/>) and the claim pairs they share.</summary>
internal delegate void SourcePairVisit(int source, int partner, ReadOnlySpan<ClaimPair> pairs);
