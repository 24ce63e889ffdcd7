using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Reliability.Grains.Records;

/// <summary>How long this node may serve a lookup answer or live score it has already worked out.</summary>
public sealed class ReadCacheOptions
{
    /// <summary>
    /// Writes made through this node drop the answers they affect at once, and so do other nodes'
    /// writes while this node hears their notices (see <see cref="ReadCacheNotices"/>); this bounds
    /// how long a score drifting with time, or a notice lost on its way, can go unseen here. Live
    /// scores are kept as long. Zero turns the cache off.
    /// </summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// While this node cannot hear other nodes' notices (its listening connection is down, or not
    /// open yet), an answer is served at most this long: the bound on how late a write made
    /// through another node shows here.
    /// </summary>
    public TimeSpan LifetimeWithoutNotices { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The plugin asks about the same posts, handles and scores on every page view, and each answer
/// otherwise costs a grain call per cited source. This node keeps each worked-out answer, keyed by
/// what was asked, together with what it was built from (sources, the claims at a post's URL). An
/// answer is served again only while none of those has changed through this node, or through
/// another node that told this one, since; the truth estimate it used is still the latest; and it
/// is younger than its lifetime (see <see cref="ReadCacheOptions"/>).
/// </summary>
public sealed class ReadCache(TimeProvider clock, IOptions<ReadCacheOptions> options)
{
    // A bound on memory, not a policy: past it the oldest half of the answers is dropped.
    public const int MaxEntries = 100_000;

    public static readonly TimeSpan PostLifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Kept> _entries = new(StringComparer.Ordinal);
    // Changes counted per slot of a dependency's hash, not per dependency: a count per source and
    // per post URL ever written grew with the record (a million keys, about 200 MB, at a million
    // claims). Dependencies sharing a slot only make each other's answers be worked out again; a
    // change is never missed.
    private const int ChangeSlots = 1 << 20;
    private readonly long[] _changes = new long[ChangeSlots];

    // Moves after every change recorded in _changes. An answer whose dependencies were found
    // unchanged at an epoch that still stands needs no second look at them: a lookup checks every
    // item it serves, and under reads alone that look was a large part of its cost.
    private long _epoch;

    // See ChangesOf; and whether other nodes' notices reach this one now.
    private long _restarts;
    private volatile bool _hearing;

    // ConcurrentDictionary.Count takes every lock; an approximate count is all the bound needs.
    private int _count;
    private readonly Lock _dropping = new();

    private readonly ConcurrentDictionary<string, Post> _posts = new(StringComparer.Ordinal);
    private int _keptPosts;

    /// <summary>What an answer can depend on: a source, or the claims at a post's URL.</summary>
    public static string SourceKey(string sourceId) => "source:" + sourceId;

    public static string PostKey(string urlKey) => "post:" + urlKey;

    /// <summary>Read before working an answer out, and handed back to <see cref="Keep"/> with it.</summary>
    /// <remarks>
    /// A node that starts hearing other nodes again may have missed notices meanwhile, so every
    /// dependency counts as changed: the count of such restarts is folded into every dependency's
    /// count, in bits no dependency's own changes reach. An answer whose counts were read before
    /// the restart is never served afterwards, even when kept after it.
    /// </remarks>
    public long ChangesOf(string dependency) => (Interlocked.Read(ref _restarts) << 40) + Volatile.Read(ref _changes[SlotOf(dependency)]);

    public bool TryGet<T>(string key, long truthVersion, out T value) where T : class
    {
        value = null!;
        if (!TryGetKept(key, truthVersion, out var kept) || kept.Value is not T known)
        {
            return false;
        }

        value = known;
        return true;
    }

    /// <summary>As <see cref="TryGet{T}"/>, with the answer as kept, for a caller that holds on to it (see <see cref="IsServable(Kept, long)"/>).</summary>
    public bool TryGetKept(string key, long truthVersion, [NotNullWhen(true)] out Kept? kept)
    {
        if (!_entries.TryGetValue(key, out kept))
        {
            return false;
        }

        if (!IsServable(kept, truthVersion))
        {
            if (_entries.TryRemove(new KeyValuePair<string, Kept>(key, kept)))
            {
                Interlocked.Decrement(ref _count);
            }

            kept = null;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Whether an answer kept earlier may still be served, by the same rules as <see cref="TryGet{T}"/>.
    /// A lookup asks about the same URLs again and again, and holds each URL's last answer: checking
    /// that answer spares a search of the cache by key, which under reads alone was a large part of
    /// an answer's cost. An answer dropped from the cache only to bound its size stays servable.
    /// </summary>
    public bool IsServable(Kept kept, long truthVersion) => IsServable(kept, truthVersion, Now);

    /// <summary>
    /// As <see cref="IsServable(Kept, long)"/>, at a moment read once (<see cref="Now"/>) for the
    /// many answers one request checks: the clock was read once per answer.
    /// </summary>
    public bool IsServable(Kept kept, long truthVersion, long now) =>
        kept.TruthVersion == truthVersion && clock.GetElapsedTime(kept.KeptAt, now) < CurrentLifetime && !Changed(kept);

    /// <summary>The cache clock's timestamp now, for <see cref="IsServable(Kept, long, long)"/>.</summary>
    public long Now => clock.GetTimestamp();

    /// <summary>Whether this node hears other nodes' change notices now (see <see cref="ReadCacheNotices"/>).</summary>
    public bool HearsOtherNodes => _hearing;

    private TimeSpan CurrentLifetime => _hearing
        ? options.Value.Lifetime
        : TimeSpan.FromTicks(Math.Min(options.Value.Lifetime.Ticks, options.Value.LifetimeWithoutNotices.Ticks));

    /// <summary>
    /// This node now hears every other node's notices. What it worked out before may have missed
    /// some, so none of it is served again, and the claims remembered at post URLs are read afresh.
    /// </summary>
    public void StartedHearing()
    {
        Interlocked.Increment(ref _restarts);
        Interlocked.Increment(ref _epoch);
        _posts.Clear();
        Interlocked.Exchange(ref _keptPosts, 0);
        _hearing = true;
    }

    /// <summary>This node may miss other nodes' notices from now on: answers are served only as long as without notices.</summary>
    public void StoppedHearing() => _hearing = false;

    /// <summary>
    /// Another node committed changes to these sources and recorded claims at these post URLs: answers
    /// built from them are no longer served, and the URLs' claims are read afresh.
    /// </summary>
    public void ChangedElsewhere(IEnumerable<string> sourceIds, IEnumerable<string> urlKeys)
    {
        foreach (var urlKey in urlKeys)
        {
            // Counted before the entry goes, as Recorded does: a reader keeping what it read between
            // the two then sees the count moved and drops its entry again.
            Bump(PostKey(urlKey));
            _posts.TryRemove(urlKey, out _);
        }

        Changed(sourceIds);
    }

    private bool Changed(Kept entry)
    {
        // Read before the dependencies: a change landing meanwhile moves the epoch past this one.
        var epoch = Interlocked.Read(ref _epoch);
        if (entry.UnchangedAt == epoch)
        {
            return false;
        }

        for (var i = 0; i < entry.DependsOn.Count; i++)
        {
            if (ChangesOf(entry.DependsOn[i].Key) != entry.DependsOn[i].Changes)
            {
                return true;
            }
        }

        entry.UnchangedAt = epoch;
        return false;
    }

    /// <summary>
    /// Keeps an answer with the truth version it used and what it was built from (see <see cref="SourceKey"/>
    /// and <see cref="PostKey"/>), each paired with <see cref="ChangesOf"/> as read before building it.
    /// </summary>
    /// <param name="key">The answer's key.</param>
    /// <param name="value">The answer.</param>
    /// <param name="truthVersion">The truth estimate's version it used.</param>
    /// <param name="dependsOn">What it was built from, each with its count of changes read before.</param>
    /// <param name="workedOutAt">
    /// When the answer's figures were worked out, if before now: a grain serves its live score for a
    /// while itself, and an answer built from it lives out the rest of its lifetime from that moment.
    /// Counted from now, the two lifetimes stacked, and recency decay showed minutes late.
    /// </param>
    /// <param name="builtWithTruthVersion">
    /// The truth version the grains that built the answer used, when they say: a grain on another
    /// silo may still hold an older estimate than this node (up to <see cref="Propositions.TruthEstimates.Freshness"/>
    /// behind). Such an answer is served once and not kept: kept under this node's version, its older
    /// probabilities would be served until the estimate moves again or the lifetime runs out.
    /// </param>
    /// <returns>The answer as kept, or null when the cache is off or the answer is not kept.</returns>
    public Kept? Keep(string key, object value, long truthVersion, IReadOnlyList<(string Key, long Changes)> dependsOn, DateTimeOffset? workedOutAt = null,
        long? builtWithTruthVersion = null)
    {
        if (options.Value.Lifetime <= TimeSpan.Zero || builtWithTruthVersion < truthVersion)
        {
            return null;
        }

        var keptAt = clock.GetTimestamp();
        if (workedOutAt is { } at && clock.GetUtcNow() - at is { Ticks: > 0 } age)
        {
            keptAt -= (long)(age.TotalSeconds * clock.TimestampFrequency);
        }

        var entry = new Kept(value, truthVersion, keptAt, dependsOn);
        if (!_entries.TryAdd(key, entry))
        {
            _entries[key] = entry;
        }
        else if (Interlocked.Increment(ref _count) >= MaxEntries)
        {
            DropOldestHalf();
        }

        return entry;
    }

    private void DropOldestHalf()
    {
        // One thread drops while the others go on keeping and serving.
        if (!_dropping.TryEnter())
        {
            return;
        }

        try
        {
            // ToArray copies exactly the entries present, under the dictionary's locks; sorting the
            // dictionary itself could meet the slots of entries removed meanwhile (empty pairs).
            var entries = _entries.ToArray();
            Array.Sort(entries, (a, b) => a.Value.KeptAt.CompareTo(b.Value.KeptAt));
            foreach (var old in entries.AsSpan(0, Math.Min(entries.Length, MaxEntries / 2)))
            {
                _entries.TryRemove(old);
            }

            Interlocked.Exchange(ref _count, _entries.Count);
        }
        finally
        {
            _dropping.Exit();
        }
    }

    /// <summary>
    /// The claims recorded at a post's URL, as last read or recorded here. A URL's claims only ever
    /// grow, so this is kept for <see cref="PostLifetime"/>: only a further claim at a URL already
    /// known here, recorded through another node that could not tell this one, can go unseen that
    /// long. URLs with no claims are never kept: a first claim at one shows at once. While the node
    /// cannot hear the others, no longer than <see cref="ReadCacheOptions.LifetimeWithoutNotices"/>:
    /// a claim recorded through another node would otherwise go unseen for the whole lifetime.
    /// </summary>
    public bool TryGetPost(string urlKey, out IReadOnlyList<PostClaim> claims)
    {
        claims = [];
        var lifetime = _hearing ? PostLifetime : TimeSpan.FromTicks(Math.Min(PostLifetime.Ticks, options.Value.LifetimeWithoutNotices.Ticks));
        if (!_posts.TryGetValue(urlKey, out var post) || clock.GetElapsedTime(post.KeptAt) >= lifetime || options.Value.Lifetime <= TimeSpan.Zero)
        {
            return false;
        }

        claims = post.Claims;
        return true;
    }

    /// <summary>
    /// Keeps the claims read at a URL, unless a claim was recorded there since
    /// <paramref name="changesWhenRead"/> (<see cref="ChangesOf"/> of its <see cref="PostKey"/>, read
    /// before the claims were): the list read may lack it, and <see cref="Recorded"/> could not add it
    /// to an entry that did not exist yet.
    /// </summary>
    public void KeepPost(string urlKey, IReadOnlyList<PostClaim> claims, long changesWhenRead)
    {
        var dependency = PostKey(urlKey);
        if (claims.Count == 0 || options.Value.Lifetime <= TimeSpan.Zero || ChangesOf(dependency) != changesWhenRead)
        {
            return;
        }

        if (Interlocked.Increment(ref _keptPosts) >= MaxEntries)
        {
            _posts.Clear();
            Interlocked.Exchange(ref _keptPosts, 0);
        }

        var kept = new Post(claims, clock.GetTimestamp());
        _posts[urlKey] = kept;
        // Recorded counts first and looks for the entry after: a claim counted between the check
        // above and the entry's arrival finds no entry, so the entry goes again.
        if (ChangesOf(dependency) != changesWhenRead)
        {
            _posts.TryRemove(new KeyValuePair<string, Post>(urlKey, kept));
        }
    }

    /// <summary>A claim just recorded through this node at a URL this node already knows joins the URL's claims.</summary>
    public void Recorded(string urlKey, PostClaim claim)
    {
        Bump(PostKey(urlKey));
        // Two writers may add to one entry at once: each tries again on what the other left.
        while (_posts.TryGetValue(urlKey, out var post) && !post.Claims.Contains(claim)
            && !_posts.TryUpdate(urlKey, post with { Claims = [.. post.Claims, claim] }, post))
        {
        }
    }

    /// <summary>
    /// A claim may have been recorded at the URL, or not (a commit whose outcome is unknown): the
    /// URL's claims are read afresh.
    /// </summary>
    public void MayHaveRecorded(string urlKey)
    {
        Bump(PostKey(urlKey));
        _posts.TryRemove(urlKey, out _);
    }

    /// <summary>Told by the writer on this node after every commit: answers built from these sources are no longer served.</summary>
    public void Changed(IEnumerable<string> sourceIds)
    {
        foreach (var id in sourceIds)
        {
            Bump(SourceKey(id));
        }
    }

    private void Bump(string dependency)
    {
        Interlocked.Increment(ref _changes[SlotOf(dependency)]);

        // After the count: whoever sees the new epoch looks at the dependencies again and finds the change.
        Interlocked.Increment(ref _epoch);
    }

    /// <summary>
    /// FNV-1a over the key's characters: the same slot in every process, so which dependencies share
    /// one does not change from run to run.
    /// </summary>
    private static int SlotOf(string dependency)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in dependency)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return (int)((hash ^ (hash >> 32)) & (ChangeSlots - 1));
    }

    private sealed record Post(IReadOnlyList<PostClaim> Claims, long KeptAt);

    /// <summary>An answer as kept: what was worked out, and what it was worked out from.</summary>
    // A class, not a record: it is removed only if it is still this very entry, and UnchangedAt moves.
    public sealed class Kept(object value, long truthVersion, long keptAt, IReadOnlyList<(string Key, long Changes)> dependsOn)
    {
        private long _unchangedAt = -1;

        public object Value { get; } = value;

        internal long TruthVersion { get; } = truthVersion;

        internal long KeptAt { get; } = keptAt;

        internal IReadOnlyList<(string Key, long Changes)> DependsOn { get; } = dependsOn;

        /// <summary>The latest epoch at which every dependency was found as it was when the answer was worked out.</summary>
        internal long UnchangedAt
        {
            get => Interlocked.Read(ref _unchangedAt);
            set => Interlocked.Exchange(ref _unchangedAt, value);
        }
    }
}

/// <summary>A claim recorded at a post's URL, and its source.</summary>
public sealed record PostClaim(string ClaimId, string SourceId);
