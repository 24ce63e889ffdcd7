namespace Reliability.Domain.Truth;

/// <summary>
/// Two non-negative ints packed into one long key, e.g. (object, source) or a pair of sources, and
/// a hash that spreads them. A long's own hash XORs its halves, so every (a, b) with the same a ^ b
/// lands in one bucket: with a few thousand sources, millions of source pairs shared a few
/// thousand buckets and the copy detector spent seconds walking their chains.
/// </summary>
internal sealed class PackedPairs : IEqualityComparer<long>
{
    public static PackedPairs Comparer { get; } = new();

    public static long Key(int first, int second) => ((long)first << 32) | (uint)second;

    public bool Equals(long x, long y) => x == y;

    // Fibonacci hashing: the multiply carries every bit of the key into the high half.
    public int GetHashCode(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> 32);
}
