namespace Reliability.Api.Apis;

/// <summary>
/// What a node keeps per URL it has been asked about, found for all of a request's URLs at once.
/// </summary>
/// <remarks>
/// A lookup asks about 50 URLs among the tens of thousands a node knows. A dictionary finds them one
/// after another, and each search is a chain of loads (bucket, node, kept URL) from a heap of
/// gigabytes, each a miss of the processor's caches waited out in turn: `perf` put a tenth of the
/// machine there. Here a URL's hash, its text and its value sit side by side in one slot of an open
/// table, and a request's searches go forward together, one step of every search before the next,
/// so the processor fetches their slots, then their kept URLs, together.
/// <para>
/// Slots are only ever filled, never changed or emptied: a reader that sees a slot's hash sees the
/// URL and value written before it. Past <c>maxUrls</c> the table is replaced by an empty one, as
/// the read cache forgets what it keeps; readers holding the old one finish with it.
/// </para>
/// </remarks>
internal sealed class UrlTable<T>(int maxUrls, Func<string, T> create) where T : class
{
    private struct Slot
    {
        /// <summary>The URL's hash, never 0; 0 marks an empty slot and is written last.</summary>
        public int Hash;
        public string Url;
        public T Value;
    }

    // Searches in one request settle in a few passes; these mark a settled one.
    private const int Found = -1;
    private const int Missing = -2;

    private readonly Lock _adding = new();
    private readonly int _capacity = (int)Math.Max(8, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)maxUrls * 2));
    private Slot[]? _slots;
    private int _count;

    public T Find(string url)
    {
        Span<T> found = [null!];
        Find([url], found);
        return found[0];
    }

    /// <summary>Each URL's value, kept or created now.</summary>
    public void Find(IReadOnlyList<string> urls, Span<T> found)
    {
        var slots = Volatile.Read(ref _slots) ?? [];
        var mask = slots.Length - 1;
        Span<int> hashes = urls.Count <= 256 ? stackalloc int[urls.Count] : new int[urls.Count];
        Span<int> at = urls.Count <= 256 ? stackalloc int[urls.Count] : new int[urls.Count];
        Span<bool> matched = urls.Count <= 256 ? stackalloc bool[urls.Count] : new bool[urls.Count];
        var searching = slots.Length == 0 ? 0 : urls.Count;
        for (var i = 0; i < urls.Count; i++)
        {
            hashes[i] = HashOf(urls[i]);
            at[i] = slots.Length == 0 ? Missing : hashes[i] & mask;
        }

        while (searching > 0)
        {
            // Every search's slot, then the URLs kept in the slots whose hash matched.
            for (var i = 0; i < at.Length; i++)
            {
                if (at[i] < 0)
                {
                    continue;
                }

                var hash = Volatile.Read(ref slots[at[i]].Hash);
                if (hash == 0)
                {
                    at[i] = Missing;
                    searching--;
                }
                else if (hash != hashes[i])
                {
                    at[i] = (at[i] + 1) & mask;
                }
                else
                {
                    matched[i] = true;
                }
            }

            for (var i = 0; i < at.Length; i++)
            {
                if (!matched[i])
                {
                    continue;
                }

                matched[i] = false;
                if (string.Equals(slots[at[i]].Url, urls[i], StringComparison.Ordinal))
                {
                    found[i] = slots[at[i]].Value;
                    at[i] = Found;
                    searching--;
                }
                else
                {
                    at[i] = (at[i] + 1) & mask;
                }
            }
        }

        for (var i = 0; i < at.Length; i++)
        {
            if (at[i] == Missing)
            {
                found[i] = Add(urls[i], hashes[i]);
            }
        }
    }

    private T Add(string url, int hash)
    {
        // Another request, or this one asking twice, may have added it since the search.
        if (Volatile.Read(ref _slots) is { } added && Search(added, url, hash) is var found && added[found].Hash != 0)
        {
            return added[found].Value;
        }

        // Made before taking the lock: making one (parsing a URL) is the slow part, and a value made
        // twice by two requests at once is a pure function of the URL.
        var value = create(url);
        lock (_adding)
        {
            var slots = _slots;
            var at = slots is null ? -1 : Search(slots, url, hash);
            if (at >= 0 && slots![at].Hash != 0)
            {
                return slots[at].Value;
            }

            if (slots is null || _count >= maxUrls)
            {
                slots = new Slot[_capacity];
                _count = 0;
                Volatile.Write(ref _slots, slots);
                at = Search(slots, url, hash);
            }

            slots[at].Url = url;
            slots[at].Value = value;
            Volatile.Write(ref slots[at].Hash, hash);
            _count++;
            return value;
        }
    }

    /// <summary>The slot that holds the URL, or the empty one where it would go.</summary>
    private static int Search(Slot[] slots, string url, int hash)
    {
        var mask = slots.Length - 1;
        var at = hash & mask;
        while (Volatile.Read(ref slots[at].Hash) != 0 && (slots[at].Hash != hash || !string.Equals(slots[at].Url, url, StringComparison.Ordinal)))
        {
            at = (at + 1) & mask;
        }

        return at;
    }

    private static int HashOf(string url) => url.GetHashCode() is var hash && hash != 0 ? hash : 1;
}
