using Reliability.Api.Apis;

namespace Reliability.Api.Tests;

/// <summary>
/// The table a node finds asked URLs in: one request's searches go forward together, so what each
/// finds must be what a search of its own would, whatever the neighbours and whoever adds meanwhile.
/// </summary>
public sealed class UrlTableTests
{
    private sealed record Known(string Url, int Made);

    private static (UrlTable<Known> Table, Func<int> Made) Table(int maxUrls)
    {
        var made = 0;
        return (new UrlTable<Known>(maxUrls, url => new Known(url, Interlocked.Increment(ref made))), () => Volatile.Read(ref made));
    }

    private static string Url(int i) => $"https://x.com/source{i % 37}/status/{i}";

    [Fact]
    public void Urls_found_together_are_the_ones_each_search_alone_finds_and_each_is_made_once()
    {
        // Small enough that most URLs share a slot's neighbourhood with others, and the searches step past them.
        var (table, made) = Table(maxUrls: 64);
        string[] first = [.. Enumerable.Range(0, 40).Select(Url)];
        var found = new Known[first.Length];
        table.Find(first, found);

        Assert.Equal(first, found.Select(k => k.Url));
        Assert.Equal(40, made());

        // Known and new URLs mixed, one of them asked twice in the same request.
        string[] second = [Url(3), Url(45), Url(39), Url(45), Url(0), Url(50)];
        var again = new Known[second.Length];
        table.Find(second, again);

        Assert.Equal(second, again.Select(k => k.Url));
        Assert.Same(found[3], again[0]);
        Assert.Same(found[39], again[2]);
        Assert.Same(found[0], again[4]);
        Assert.Same(again[1], again[3]);
        Assert.Equal(42, made());
        foreach (var url in first.Concat(second))
        {
            Assert.Same(table.Find(url), table.Find(url));
            Assert.Equal(url, table.Find(url).Url);
        }

        Assert.Equal(42, made());
    }

    [Fact]
    public void Past_its_bound_the_table_forgets_what_it_knew_and_makes_it_again()
    {
        var (table, made) = Table(maxUrls: 4);
        var kept = Enumerable.Range(0, 4).Select(i => table.Find(Url(i))).ToList();
        Assert.All(Enumerable.Range(0, 4), i => Assert.Same(kept[i], table.Find(Url(i))));
        Assert.Equal(4, made());

        var fifth = table.Find(Url(4));

        Assert.Equal(5, made());
        Assert.Same(fifth, table.Find(Url(4)));
        var remade = table.Find(Url(0));
        Assert.NotSame(kept[0], remade);
        Assert.Equal(Url(0), remade.Url);
        Assert.Equal(6, made());
    }

    [Fact]
    public async Task Requests_at_once_while_urls_are_added_each_find_their_own_and_all_agree()
    {
        var (table, _) = Table(maxUrls: 10_000);
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, Known>(StringComparer.Ordinal);
        var disagreements = 0;
        var wrong = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            var random = new Random(worker);
            var found = new Known[50];
            for (var request = 0; request < 400; request++)
            {
                string[] urls = [.. Enumerable.Range(0, 50).Select(_ => Url(random.Next(3_000)))];
                table.Find(urls, found);
                for (var i = 0; i < urls.Length; i++)
                {
                    if (found[i].Url != urls[i])
                    {
                        Interlocked.Increment(ref wrong);
                    }

                    if (!ReferenceEquals(seen.GetOrAdd(urls[i], found[i]), found[i]))
                    {
                        Interlocked.Increment(ref disagreements);
                    }
                }
            }
        })));

        Assert.Equal(0, wrong);
        Assert.Equal(0, disagreements);
        Assert.True(seen.Count > 2_500, $"{seen.Count} URLs asked");
    }
}
