using Reliability.Grains.Records;

namespace Reliability.Grains.Tests;

/// <summary>Which spellings of a cited URL are one post, and which are two.</summary>
public sealed class UrlKeysTests
{
    public static TheoryData<string, string> SamePost => new()
    {
        // Tracking parameters go wherever they stand; the others stay, in any order.
        { "https://news.example/article.php?utm_source=x&id=42", "https://news.example/article.php?id=42" },
        { "https://news.example/article.php?id=42&utm_medium=social&fbclid=abc", "http://www.news.example/article.php?id=42" },
        { "https://news.example/a?b=2&a=1", "https://news.example/a?a=1&b=2&gclid=z" },
        { "https://news.example/story?igshid=1&mc_cid=2&mc_eid=3", "https://news.example/story/" },
        { "https://news.example/story#comments", "https://news.example/story" },
        { "https://m.news.example/story", "https://news.example/story" },
        // X: a status by its id, whoever is named before it, whatever shows of it.
        { "https://x.com/War_Noir/status/1707000000000000001", "https://twitter.com/war_noir/status/1707000000000000001?s=20&t=abc" },
        { "https://x.com/war_noir/status/1707000000000000001/photo/1", "https://x.com/war_noir/status/1707000000000000001" },
        { "https://mobile.twitter.com/war_noir/status/1707000000000000001/video/1", "https://x.com/war_noir/status/1707000000000000001" },
        { "https://x.com/i/web/status/1707000000000000001", "https://x.com/war_noir/status/1707000000000000001" },
        { "https://twitter.com/i/status/1707000000000000001", "https://x.com/renamed/status/1707000000000000001?ref_src=twsrc" },
        { "https://twitter.com/#!/war_noir/status/1707000000000000001", "https://x.com/war_noir/status/1707000000000000001" },
        { "https://x.com/War_Noir", "https://twitter.com/war_noir/" },
        // YouTube: one video whichever address shows it.
        { "https://youtu.be/dQw4w9WgXcQ?si=share123", "https://www.youtube.com/watch?v=dQw4w9WgXcQ" },
        { "https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=30s", "https://youtube.com/watch?v=dQw4w9WgXcQ" },
        { "https://www.youtube.com/shorts/dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ" },
        // Telegram: channel names compare without case; /s/ is the web preview of the same post.
        { "https://t.me/Channel/123", "https://t.me/channel/123" },
        { "https://t.me/s/channel/123", "https://t.me/channel/123?single" },
        { "https://telegram.me/channel/123", "https://t.me/channel/123" },
    };

    public static TheoryData<string, string> OtherPosts => new()
    {
        // The first key function dropped a query that began with a tracking parameter, and with it the id.
        { "https://news.example/article.php?utm_source=x&id=42", "https://news.example/article.php?utm_source=x&id=99" },
        { "https://news.example/article.php?id=42", "https://news.example/article.php?id=99" },
        { "https://news.example/Story", "https://news.example/story" },
        { "https://news.example/list?a=1&a=2", "https://news.example/list?a=2&a=1" },
        { "https://news.example/page?si=1", "https://news.example/page?si=2" },
        { "https://x.com/war_noir/status/1707000000000000001", "https://x.com/war_noir/status/1707000000000000002" },
        { "https://youtu.be/dQw4w9WgXcQ", "https://youtu.be/DQW4W9WGXCQ" },
        { "https://t.me/channel/123", "https://t.me/channel/124" },
        { "https://t.me/+AbCdEfGh", "https://t.me/+abcdefgh" },
        { "https://news.example/story", "https://other.example/story" },
    };

    [Theory]
    [MemberData(nameof(SamePost))]
    public void Spellings_of_one_post_share_its_key(string one, string other)
    {
        Assert.NotNull(UrlKeys.Of(one));
        Assert.Equal(UrlKeys.Of(one), UrlKeys.Of(other));
    }

    [Theory]
    [MemberData(nameof(OtherPosts))]
    public void Two_posts_never_share_a_key(string one, string other)
    {
        Assert.NotNull(UrlKeys.Of(one));
        Assert.NotEqual(UrlKeys.Of(one), UrlKeys.Of(other));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("ftp://news.example/file")]
    public void What_is_no_web_address_has_no_key(string? url) => Assert.Null(UrlKeys.Of(url));

    [Fact]
    public void A_stored_field_of_urls_is_re_keyed_as_a_url_or_as_a_list_of_urls()
    {
        Assert.Equal("\"x.com/status/1\"", UrlKeyMigration.KeysOf("\"https://twitter.com/A/status/1\""));
        Assert.Equal("[\"x.com/status/1\",\"t.me/channel/2\"]",
            UrlKeyMigration.KeysOf("[\"https://x.com/a/status/1\",\"https://x.com/i/web/status/1\",\"https://t.me/s/Channel/2\",\"not a url\",5]"));
        Assert.Null(UrlKeyMigration.KeysOf(null));
        Assert.Equal("null", UrlKeyMigration.KeysOf("\"not a url\""));
    }

    [Fact]
    public void The_first_key_function_stays_as_it_was_for_the_ids_derived_from_it()
    {
        Assert.Equal("x.com/war_noir/status/1", UrlKeysVersion1.Of("https://twitter.com/War_Noir/status/1?s=20"));
        Assert.Equal("news.example/article.php", UrlKeysVersion1.Of("https://news.example/article.php?utm_source=x&id=42"));
        Assert.Equal("a-" + StreamKeys.Digest("news.example/article.php")[..16],
            StreamKeys.ArticleIdForVersion1("https://news.example/article.php?utm_source=x&id=42"));
    }
}
