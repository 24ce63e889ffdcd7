using System.Globalization;
using System.Text.Json;
using Reliability.Api.Hosting;
using Reliability.Contracts.Sources;

namespace Reliability.Api.Apis;

/// <summary>One ClaimReview as read from JSON-LD, before anything is stored.</summary>
internal sealed record ParsedReview(
    string ClaimReviewed,
    string? ReviewUrl,
    DateTimeOffset? ReviewDate,
    string? ReviewerName,
    string? ReviewerUrl,
    string AuthorName,
    string? AuthorUrl,
    HandleView? AuthorHandle,
    DateTimeOffset ClaimDate,
    string? AppearanceUrl,
    string AlternateName,
    string? RatingValue,
    string? BestRating,
    string? WorstRating);

/// <summary>
/// Reads schema.org ClaimReview JSON-LD. schema.org lets most properties be a text, a number, an
/// object or an array of them; the reader takes the first usable value and names the exact field
/// when it finds none.
/// </summary>
internal static class ClaimReviewReader
{
    public const int MaxReviews = 1_000;

    private static readonly Dictionary<string, string> SocialHosts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["x.com"] = "x",
        ["twitter.com"] = "x",
        ["t.me"] = "telegram",
        ["facebook.com"] = "facebook",
        ["instagram.com"] = "instagram",
        ["youtube.com"] = "youtube",
        ["tiktok.com"] = "tiktok",
    };

    /// <summary>
    /// Reads the reviews of a request. Dates in review markup are often bare days, and a day that has
    /// begun anywhere can be tomorrow in UTC, so a date may be up to a day ahead of
    /// <paramref name="now"/>.
    /// </summary>
    public static List<ParsedReview?> Read(JsonElement body, RequestErrors errors, DateTimeOffset now)
    {
        var items = body.ValueKind == JsonValueKind.Array ? body.EnumerateArray().ToList() : [body];
        if (items.Count is 0 or > MaxReviews)
        {
            errors.Add("", $"One ClaimReview object or an array of 1 to {MaxReviews}.");
            return [];
        }

        var prefix = body.ValueKind == JsonValueKind.Array;
        var latest = now.AddDays(1);
        return [.. items.Select((item, i) => ReadOne(item, prefix ? $"[{i}]." : "", errors, latest))];
    }

    private static ParsedReview? ReadOne(JsonElement review, string at, RequestErrors errors, DateTimeOffset latest)
    {
        var before = errors.Count;
        if (review.ValueKind != JsonValueKind.Object)
        {
            errors.Add(at.TrimEnd('.'), "A ClaimReview object is required.");
            return null;
        }

        if (Text(review, "@type", at, errors) != "ClaimReview")
        {
            errors.Add(at + "@type", "Must be \"ClaimReview\".");
        }

        var claimReviewed = errors.Required(at + "claimReviewed", Text(review, "claimReviewed", at, errors), 2_000);
        var reviewUrl = errors.Url(at + "url", Text(review, "url", at, errors));
        var reviewDate = Date(review, "datePublished", at, errors);
        errors.NotLaterThan(at + "datePublished", reviewDate, latest);
        var reviewer = Object(review, "author", at, errors);
        var reviewerName = reviewer is { } r ? errors.Optional(at + "author.name", Text(r, "name", at + "author.", errors), 500) : null;
        var reviewerUrl = reviewer is { } ru ? errors.Url(at + "author.url", Text(ru, "url", at + "author.", errors)) : null;

        var item = Object(review, "itemReviewed", at, errors);
        if (item is null)
        {
            errors.Add(at + "itemReviewed", "The reviewed claim is required.");
        }

        var itemAt = at + "itemReviewed.";
        var author = item is { } it ? Object(it, "author", itemAt, errors) : null;
        if (item is not null && author is null)
        {
            errors.Add(itemAt + "author", "The claimant (a Person or Organization) is required.");
        }

        var authorAt = itemAt + "author.";
        var authorName = author is { } a ? errors.Optional(authorAt + "name", Text(a, "name", authorAt, errors), 500) : null;
        var authorUrl = author is { } au ? errors.Url(authorAt + "url", Text(au, "url", authorAt, errors)) : null;
        var sameAs = author is { } s ? Texts(s, "sameAs", authorAt, errors) : [];
        var handle = new[] { authorUrl }.Concat(sameAs).Select(HandleOf).FirstOrDefault(h => h is not null);
        if (author is not null && string.IsNullOrWhiteSpace(authorName) && handle is null)
        {
            errors.Add(authorAt + "name", "Name the claimant, or give a social-media profile URL as url or sameAs.");
        }

        var claimDate = item is { } d ? Date(d, "datePublished", itemAt, errors) : null;
        errors.NotLaterThan(itemAt + "datePublished", claimDate, latest);
        if ((claimDate ?? reviewDate) is null)
        {
            errors.Add(itemAt + "datePublished", "When the claim was made is required (or the review's datePublished).");
        }

        var appearance = item is { } ap ? AppearanceUrl(ap, "appearance", itemAt, errors) ?? AppearanceUrl(ap, "firstAppearance", itemAt, errors) : null;

        var rating = Object(review, "reviewRating", at, errors);
        var ratingAt = at + "reviewRating.";
        var alternateName = rating is { } rn ? errors.Required(ratingAt + "alternateName", Text(rn, "alternateName", ratingAt, errors), 500) : null;
        if (rating is null)
        {
            errors.Add(at + "reviewRating", "The rating (with its alternateName) is required.");
        }

        var ratingValue = rating is { } rv ? errors.Optional(ratingAt + "ratingValue", Text(rv, "ratingValue", ratingAt, errors), 50) : null;
        var best = rating is { } rb ? errors.Optional(ratingAt + "bestRating", Text(rb, "bestRating", ratingAt, errors), 50) : null;
        var worst = rating is { } rw ? errors.Optional(ratingAt + "worstRating", Text(rw, "worstRating", ratingAt, errors), 50) : null;

        if (errors.Count > before || claimReviewed is null || alternateName is null || (claimDate ?? reviewDate) is null)
        {
            return null;
        }

        return new ParsedReview(
            claimReviewed.Trim(), reviewUrl, reviewDate, reviewerName, reviewerUrl,
            string.IsNullOrWhiteSpace(authorName) ? "@" + handle!.Handle : authorName.Trim(), authorUrl, handle,
            (claimDate ?? reviewDate)!.Value, appearance, alternateName.Trim(), ratingValue, best, worst);
    }

    /// <summary>
    /// The option a rating confirms. A numeric rating on a stated scale decides by which half it
    /// falls in; otherwise its words do. A rating that says neither (e.g. "half true") is unresolvable.
    /// </summary>
    public static string? Verdict(ParsedReview review)
    {
        if (Number(review.RatingValue) is { } value && Number(review.BestRating) is { } best && Number(review.WorstRating) is { } worst
            && best != worst)
        {
            var position = (value - worst) / (best - worst);
            return position > 0.5 ? "true" : position < 0.5 ? "false" : null;
        }

        var words = review.AlternateName.ToLowerInvariant();
        return words.Contains("false", StringComparison.Ordinal) || words.Contains("fake", StringComparison.Ordinal)
            || words.Contains("not true", StringComparison.Ordinal) || words.Contains("incorrect", StringComparison.Ordinal)
            ? "false"
            : words.Contains("half", StringComparison.Ordinal) || words.Contains("mixed", StringComparison.Ordinal) ? null
            : words.Contains("true", StringComparison.Ordinal) || words.Contains("correct", StringComparison.Ordinal)
                || words.Contains("accurate", StringComparison.Ordinal) ? "true"
            : null;
    }

    private static double? Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>A profile URL on a known platform names the claimant's account: x.com/name, t.me/name, youtube.com/@name.</summary>
    private static HandleView? HandleOf(string? url)
    {
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var host = uri.Host.ToLowerInvariant();
        foreach (var prefix in new[] { "www.", "mobile.", "m." })
        {
            host = host.StartsWith(prefix, StringComparison.Ordinal) ? host[prefix.Length..] : host;
        }

        var segment = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.TrimStart('@');
        return SocialHosts.TryGetValue(host, out var platform) && !string.IsNullOrWhiteSpace(segment) && segment.Length <= 100
            ? new HandleView(platform, segment)
            : null;
    }

    private static JsonElement? Value(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Cast<JsonElement?>().FirstOrDefault() : value;
    }

    private static string? Text(JsonElement parent, string name, string at, RequestErrors errors) => Value(parent, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } s => StringOf(s, at + name, errors),
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        _ => Wrong(at + name, "Text or a number is expected.", errors),
    };

    private static List<string> Texts(JsonElement parent, string name, string at, RequestErrors errors)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        var values = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [value];
        var texts = new List<string>();
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i].ValueKind != JsonValueKind.String)
            {
                errors.Add($"{at}{name}[{i}]", "A URL is expected.");
            }
            else if (errors.Url($"{at}{name}[{i}]", StringOf(values[i], $"{at}{name}[{i}]", errors)) is { } url)
            {
                texts.Add(url);
            }
        }

        return texts;
    }

    private static JsonElement? Object(JsonElement parent, string name, string at, RequestErrors errors) => Value(parent, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Object } o => o,
        _ => WrongObject(at + name, errors),
    };

    /// <summary>schema.org Date or DateTime; a bare date is that day at midnight UTC.</summary>
    private static DateTimeOffset? Date(JsonElement parent, string name, string at, RequestErrors errors)
    {
        if (Text(parent, name, at, errors) is not { } text)
        {
            return null;
        }

        if (StrictJson.TryParseTimestamp(text, out var timestamp))
        {
            return timestamp;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

        errors.Add(at + name, "An ISO-8601 date (2023-10-02) or date-time with offset.");
        return null;
    }

    /// <summary>appearance is a CreativeWork with a url, or the URL itself.</summary>
    private static string? AppearanceUrl(JsonElement parent, string name, string at, RequestErrors errors) => Value(parent, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } s => errors.Url(at + name, StringOf(s, at + name, errors)),
        { ValueKind: JsonValueKind.Object } o => errors.Url(at + name + ".url", Text(o, "url", at + name + ".", errors)),
        _ => Wrong(at + name, "A CreativeWork with a url, or a URL.", errors),
    };

    /// <summary>
    /// A JSON string's text. The body is read as a raw document, whose parser lets an escaped lone
    /// surrogate ("\ud800") through; only reading the text finds it, and it is the client's mistake.
    /// </summary>
    private static string? StringOf(JsonElement value, string field, RequestErrors errors)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return Wrong(field, "Not valid Unicode text (an unpaired surrogate).", errors);
        }
    }

    private static string? Wrong(string field, string message, RequestErrors errors)
    {
        errors.Add(field, message);
        return null;
    }

    private static JsonElement? WrongObject(string field, RequestErrors errors)
    {
        errors.Add(field, "An object is expected.");
        return null;
    }
}
