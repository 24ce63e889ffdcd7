using System.Net;

namespace Reliability.Plugin.Tests;

/// <summary>
/// The seed article's structure (shared/seed/000_c9a87d202ea77a1a.txt): an Arabic right-to-left report
/// with English tweets embedded as the platform publishes them, plus a host-page script and a layout
/// element the tests measure.
/// </summary>
internal static class SeedArticle
{
    public const string PublishedAt = "2023-09-28T18:00:00Z";
    public const string WarNoirPost = "https://x.com/war_noir/status/1707412345678901234";
    public const string GloryOldPost = "https://x.com/EternalGlory0/status/1707398765432109876";
    public const string GloryCorrectionPost = "https://x.com/EternalGlory0/status/1707456789012345678";
    public const string GloryVideoPost = "https://x.com/EternalGlory0/status/1707467890123456789";
    public const string OutletArticle = "https://www.france24.com/ar/أفريقيا/20230928-mali";
    public const string OutletHandle = "france24.com";

    /// <param name="scriptSrc">The annotator's URL, or null for a page without it (the extension's case).</param>
    /// <param name="api">The API base URL the page gives the annotator.</param>
    /// <param name="key">The reader key the page gives the annotator.</param>
    public static string Html(string? scriptSrc, string api, string key)
    {
        var script = scriptSrc is null
            ? ""
            : $"""<script src="{Attr(scriptSrc)}" data-api="{Attr(api)}" data-key="{Attr(key)}"></script>""";
        return $$"""
            <!doctype html>
            <html dir="rtl" lang="ar">
            <head>
              <meta charset="utf-8">
              <title>الجيش المالي يتعرض لهجمات انفصاليين وجماعة مرتبطة بالقاعدة</title>
              <meta property="article:published_time" content="{{PublishedAt}}">
              <style>
                body { font-family: sans-serif; margin: 0; display: flex; gap: 16px; }
                article { flex: 1; padding: 16px; line-height: 1.7; }
                #layout-probe { width: 220px; flex: none; align-self: flex-start; background: #eef; padding: 8px; }
                blockquote.twitter-tweet { direction: ltr; border-inline-start: 4px solid #1d9bf0; margin: 12px 0; padding: 8px; }
                span { color: #900; } /* a host page rule that must not reach the badges */
              </style>
              <script>
                document.documentElement.setAttribute('data-host-script', 'ran');
                window.hostClicks = 0;
              </script>
            </head>
            <body>
              <article>
                <p>UAE — This article was added by the user.</p>
                <h1>الجيش المالي يتعرض لهجمات انفصاليين وجماعة مرتبطة بالقاعدة</h1>
                <time datetime="{{PublishedAt}}">28 سبتمبر 2023</time>
                <p>أعلن الجيش المالي تعرض 3 من مواقعه في شمال وغرب ووسط البلاد إلى هجمات منذ الأربعاء، فيما أكد الانفصاليون وجماعة مرتبطة بتنظيم القاعدة السيطرة مؤقتاً على اثنين من تلك المواقع، بحسب <a id="outlet-link" href="{{Attr(OutletArticle)}}">فرانس 24</a>.</p>
                <blockquote class="twitter-tweet" id="tweet-war-noir"><p lang="en" dir="ltr">#Mali (#Sahel) 🇲🇱: #JNIM/#AQIM militants raided a Military base belonging to Malian Army (#FAMa) and captured large quantity of weapons &amp; ammunition in #Timbuktu (#Tombouctou). <a href="https://t.co/9vs4ur7yqt">pic.twitter.com/9vs4ur7yqt</a></p>&mdash; War Noir (@war_noir) <a href="{{Attr(WarNoirPost)}}?ref_src=twsrc%5Etfw">September 28, 2023</a></blockquote>
                <p>وكان الجيش أشار عبر مواقع التواصل الاجتماعي إلى أنه صدّ هجوماً كبيراً على مواقعه في أشاران بمنطقة تمبكتو.</p>
                <blockquote class="twitter-tweet" id="tweet-glory-old"><p lang="en" dir="ltr">🇲🇱 The Malian army repelled the attack on its base near Timbuktu.</p>&mdash; Eternal Glory (@EternalGlory0) <a href="{{Attr(GloryOldPost)}}">September 28, 2023</a></blockquote>
                <blockquote class="twitter-tweet" id="tweet-glory-correction"><p lang="en" dir="ltr">🇲🇱🥷| I deleted the old tweet saying the Malian army repelled the attack. The JNIM jihadists actually took control of the Malian military camp, they've published images of their gains. <a href="https://t.co/iS0I73iNZ6">https://t.co/iS0I73iNZ6</a></p>&mdash; Eternal Glory (@EternalGlory0) <a href="{{Attr(GloryCorrectionPost)}}">September 28, 2023</a></blockquote>
                <p>ومن الصعب التحقق من المعلومات التي يقدمها كل طرف في هذه المناطق النائية.</p>
                <blockquote class="twitter-tweet" id="tweet-glory-video"><p lang="en" dir="ltr">Video showing the equipment conquered by the JNIM after its victory against the Malian army and the capture of the base. <a href="https://t.co/TK4aRHD9io">pic.twitter.com/TK4aRHD9io</a></p>&mdash; Eternal Glory (@EternalGlory0) <a href="{{Attr(GloryVideoPost)}}">September 28, 2023</a></blockquote>
                <p><button id="host-button" type="button" onclick="window.hostClicks++">زر الصفحة</button></p>
              </article>
              <aside id="layout-probe">عمود جانبي بعرض ثابت</aside>
              {{script}}
            </body>
            </html>
            """;
    }

    private static string Attr(string value) => WebUtility.HtmlEncode(value);
}
