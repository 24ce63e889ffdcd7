using System.Collections.Concurrent;
using Reliability.Domain.Model;

namespace Reliability.Grains.Sources;

/// <summary>
/// One copy of each proposition for all the source grains of a silo. Every claimant's stream carries
/// the propositions it claimed on (see <see cref="Domain.Events.ClaimRecorded"/>), so a proposition
/// claimed by two hundred sources was held two hundred times, about a third of an active source's
/// memory. A proposition never changes once opened, so a copy read from any stream can stand for all.
/// </summary>
/// <param name="maxEntries">
/// A bound on memory, not a policy: past it the propositions kept are forgotten at once (the grains
/// keep the copies they hold, and share them no further).
/// </param>
public sealed class SharedPropositions(int maxEntries = SharedPropositions.DefaultMaxEntries)
{
    public const int DefaultMaxEntries = 200_000;

    private readonly ConcurrentDictionary<string, Proposition> _propositions = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>
    /// The copy every grain holds of this proposition. A copy that differs from the one kept (which a
    /// proposition that never changes should not) is returned as it is, never merged.
    /// </summary>
    public Proposition Share(Proposition proposition)
    {
        ArgumentNullException.ThrowIfNull(proposition);
        if (_propositions.TryGetValue(proposition.Id, out var kept))
        {
            return Same(kept, proposition) ? kept : proposition;
        }

        // Arrays, not the lists the serializer built: no spare capacity, and no list around them.
        var compact = proposition with
        {
            Options = [.. proposition.Options],
            Topics = proposition.Topics.Count == 0 ? [] : [.. proposition.Topics],
        };
        if (Interlocked.Increment(ref _count) > maxEntries)
        {
            _propositions.Clear();
            Interlocked.Exchange(ref _count, 1);
        }

        kept = _propositions.GetOrAdd(proposition.Id, compact);
        return Same(kept, proposition) ? kept : proposition;
    }

    private static bool Same(Proposition a, Proposition b) =>
        string.Equals(a.Id, b.Id, StringComparison.Ordinal)
        && string.Equals(a.Question, b.Question, StringComparison.Ordinal)
        && string.Equals(a.Region, b.Region, StringComparison.Ordinal)
        && a.Options.SequenceEqual(b.Options, StringComparer.Ordinal)
        && a.Topics.SequenceEqual(b.Topics, StringComparer.Ordinal);
}
