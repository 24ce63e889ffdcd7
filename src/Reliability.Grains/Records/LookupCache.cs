using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Reliability.Grains.Records;

/// <summary>How long this node may serve a lookup answer it has already worked out.</summary>
public sealed class LookupCacheOptions
{
    /// <summary>
    /// Writes made through this node drop the answers they affect at once; this bounds how long a
    /// write made through another node, or a score drifting with time, can go unseen here.
    /// Zero turns the cache off.
    /// </summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The plugin asks about the same posts and handles on every page view, and a lookup touches a grain
/// per cited source. This node keeps each worked-out answer, keyed by what was asked, together with
/// the sources it was built from. An answer is served again only while none of those sources has
/// changed through this node since, the truth estimate it used is still the latest, and it is
/// younger than <see cref="LookupCacheOptions.Lifetime"/>.
/// </summary>
public sealed class LookupCache(TimeProvider clock, IOptions<LookupCacheOptions> options)
{
    // A bound on memory, not a policy: past it the oldest half of the answers is dropped.
    public const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _changes = new(StringComparer.Ordinal);

    // ConcurrentDictionary.Count takes every lock; an approximate count is all the bound needs.
    private int _kept;

    /// <summary>Read before working an answer out, and handed back to <see cref="Keep"/> with it.</summary>
    public long ChangesOf(string sourceId) => _changes.GetValueOrDefault(sourceId);

    public bool TryGet<T>(string key, long truthVersion, out T value) where T : class
    {
        value = null!;
        if (!_entries.TryGetValue(key, out var entry))
        {
            return false;
        }

        if (entry.TruthVersion != truthVersion || clock.GetElapsedTime(entry.KeptAt) >= options.Value.Lifetime
            || entry.Sources.Any(s => _changes.GetValueOrDefault(s.SourceId) != s.Changes))
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            return false;
        }

        value = (T)entry.Value;
        return true;
    }

    /// <summary>
    /// Keeps an answer with the truth version it used and each source it was built from, paired with
    /// <see cref="ChangesOf"/> as read before building it.
    /// </summary>
    public void Keep(string key, object value, long truthVersion, IReadOnlyList<(string SourceId, long Changes)> sources)
    {
        if (options.Value.Lifetime <= TimeSpan.Zero)
        {
            return;
        }

        if (Interlocked.Increment(ref _kept) >= MaxEntries)
        {
            foreach (var old in _entries.OrderBy(e => e.Value.KeptAt).Take(MaxEntries / 2))
            {
                _entries.TryRemove(old);
            }

            Interlocked.Exchange(ref _kept, _entries.Count);
        }

        _entries[key] = new Entry(value, truthVersion, clock.GetTimestamp(), sources);
    }

    /// <summary>Told by the writer on this node after every commit: answers built from these sources are no longer served.</summary>
    public void Changed(IEnumerable<string> sourceIds)
    {
        foreach (var id in sourceIds)
        {
            _changes.AddOrUpdate(id, 1, (_, n) => n + 1);
        }
    }

    private sealed record Entry(object Value, long TruthVersion, long KeptAt, IReadOnlyList<(string SourceId, long Changes)> Sources);
}
