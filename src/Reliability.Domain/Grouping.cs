namespace Reliability.Domain;

internal static class Grouping
{
    /// <summary>The list kept under a key, created empty on first use.</summary>
    public static List<T> ListFor<TKey, T>(this Dictionary<TKey, List<T>> groups, TKey key)
        where TKey : notnull
    {
        if (!groups.TryGetValue(key, out var list))
        {
            groups[key] = list = [];
        }

        return list;
    }
}
