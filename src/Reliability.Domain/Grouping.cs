namespace Reliability.Domain;

internal static class Grouping
{
    /// <summary>The list kept under a key, created empty on first use.</summary>
    public static List<T> ListFor<T>(this Dictionary<string, List<T>> groups, string key)
    {
        if (!groups.TryGetValue(key, out var list))
        {
            groups[key] = list = [];
        }

        return list;
    }
}
