using System.Buffers;
using System.Globalization;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Sources;

namespace Reliability.Api.Apis;

public sealed record HandleRequest(string? Platform, string? Handle);

public sealed record PropositionRequest(string? Id, string? Question, List<string>? Options, List<string>? Topics, string? Region);

public sealed record ClaimRequest(
    string? Id,
    string? SourceId,
    HandleRequest? Handle,
    string? SourceName,
    string? PropositionId,
    PropositionRequest? Proposition,
    string? Option,
    DateTimeOffset? PublishedAt,
    string? Url,
    string? Text,
    string? Language,
    string? Hedge,
    string? RelayOf,
    List<string>? Evidence);

public sealed record ClaimBatchRequest(List<ClaimRequest?>? Claims);

public sealed record CorrectionRequest(string? Kind, DateTimeOffset? At, string? Url, string? Note, ClaimRequest? Replacement, string? Deletion);

public sealed record ResolutionRequest(string? Option, bool? Unresolvable, List<string>? Evidence, string? Note, DateTimeOffset? At);

public sealed record ArticleRequest(string? Url, DateTimeOffset? PublishedAt, string? Title, List<string>? ClaimIds, List<string>? Urls);

public sealed record RescoreRequest(string? Policy);

/// <summary>KnownAt: what the tracker had recorded by then (its own time), beside AsOf (the world's).</summary>
public sealed record LookupRequest(List<string>? Urls, List<HandleRequest?>? Handles, DateTimeOffset? AsOf, DateTimeOffset? KnownAt = null);

/// <summary>
/// Field-level checks of request shapes, before anything reaches the record. Errors are keyed by
/// the field's JSON path, so a client can point at the exact input.
/// </summary>
internal sealed class RequestErrors
{
    public const int MaxIdLength = 200;
    public const int MaxTextLength = 20_000;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    /// <summary>Fields with errors so far: a reader of many items compares it before and after one.</summary>
    public int Count => _errors.Count;

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
    }

    // Text keeps line breaks and tabs; every other control character (char.IsControl: NUL first) is refused.
    private static readonly SearchValues<char> RefusedControlCharacters = SearchValues.Create(
        [.. Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'))]);

    private static bool HasControlCharacters(string value) => value.AsSpan().ContainsAny(RefusedControlCharacters);

    /// <summary>
    /// Whether <see cref="Required"/> would accept the value. A long list's items are checked with
    /// this first, so a field's name is spelt out only for an item that is wrong.
    /// </summary>
    public static bool IsAcceptedRequired(string? value, int max = MaxIdLength) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= max && !HasControlCharacters(value);

    /// <summary>Required, at most <paramref name="max"/> characters, no NUL or other control characters.</summary>
    public string? Required(string field, string? value, int max = MaxIdLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "This field is required.");
            return null;
        }

        return Optional(field, value, max);
    }

    public string? Optional(string field, string? value, int max = MaxIdLength)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > max)
        {
            Add(field, $"At most {max} characters.");
        }

        if (HasControlCharacters(value))
        {
            Add(field, "Control characters such as NUL are not allowed.");
        }

        return value;
    }

    /// <summary>
    /// How far ahead of the service's clock the time of a claim, correction or resolution may be: the
    /// clocks of newsroom systems differ a little. A later time is a mistake (a wrong year or offset),
    /// and stored, it would stay out of every score until that time came.
    /// </summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(10);

    /// <summary>Refuses a time later than <paramref name="latest"/>: what is recorded has happened.</summary>
    public void NotLaterThan(string field, DateTimeOffset? value, DateTimeOffset latest, string hint = "Record what has happened, with its own time and offset.")
    {
        if (value > latest)
        {
            Add(field, string.Create(CultureInfo.InvariantCulture,
                $"In the future: the latest time accepted now is {latest.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}. {hint}"));
        }
    }

    /// <summary>Refuses the time of something recorded (a claim, a correction, a resolution) that has not happened yet.</summary>
    public void HasHappened(string field, DateTimeOffset? at, DateTimeOffset now) => NotLaterThan(field, at, now + ClockTolerance);

    /// <summary>Refuses an as-of time later than now: nothing is known of it yet, a score, a claim or a dispute.</summary>
    public void AsOfNotLaterThan(DateTimeOffset? asOf, DateTimeOffset now) =>
        NotLaterThan("asOf", asOf, now + ClockTolerance, "The record is known up to now; leave asOf out for the record as it stands now.");

    /// <summary>
    /// Refuses a known-at time still to come, as an as-of time is refused, and an as-of time later
    /// than it: what was recorded by then cannot say how things stood later.
    /// </summary>
    public void KnownAtNotLaterThan(DateTimeOffset? knownAt, DateTimeOffset? asOf, DateTimeOffset now)
    {
        NotLaterThan("knownAt", knownAt, now + ClockTolerance, "The tracker knows what it has recorded up to now; leave knownAt out for what it knows now.");
        if (asOf > knownAt)
        {
            Add("asOf", "Later than knownAt: what was recorded by then says how things stood up to then. Leave asOf out for as of knownAt.");
        }
    }

    /// <summary>
    /// An id or name that may be left out but not given blank: a blank one would register a source
    /// or open a proposition nobody can tell apart, under an id nobody can type.
    /// </summary>
    public string? OptionalNonBlank(string field, string? value, int max = MaxIdLength)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            Add(field, "Leave it out or give a value; it cannot be blank.");
            return null;
        }

        return Optional(field, value, max);
    }

    /// <summary>A handle: its platform, and a name that is more than '@'.</summary>
    public void Handle(string field, HandleRequest? handle)
    {
        Required($"{field}.platform", handle?.Platform, 50);
        if (Required($"{field}.handle", handle?.Handle) is { } name && name.Trim().TrimStart('@').Length == 0)
        {
            Add($"{field}.handle", "A handle is more than '@'.");
        }
    }

    public string? Url(string field, string? value)
    {
        if (Optional(field, value, 2_000) is not { } url)
        {
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            Add(field, "An absolute http(s) URL is required.");
        }

        return url;
    }

    public List<string> Urls(string field, List<string>? values, int max = 50)
    {
        var urls = values ?? [];
        if (urls.Count > max)
        {
            Add(field, $"At most {max} URLs.");
        }

        for (var i = 0; i < urls.Count; i++)
        {
            if (urls[i] is null)
            {
                Add($"{field}[{i}]", "A URL is required.");
            }
            else
            {
                Url($"{field}[{i}]", urls[i]);
            }
        }

        return urls;
    }

    public ClaimSubmission? Claim(string prefix, ClaimRequest? claim, DateTimeOffset now, bool isReplacement = false)
    {
        if (claim is null)
        {
            Add(prefix.TrimEnd('.'), "A claim object is required.");
            return null;
        }

        var id = Required(prefix + "id", claim.Id);
        if (!isReplacement && (claim.SourceId is null) == (claim.Handle is null))
        {
            Add(prefix + "sourceId", "Give exactly one of sourceId and handle.");
        }

        OptionalNonBlank(prefix + "sourceId", claim.SourceId);
        OptionalNonBlank(prefix + "sourceName", claim.SourceName, 500);
        if (claim.Handle is { } handle)
        {
            Handle(prefix + "handle", handle);
        }

        if (!isReplacement && (claim.PropositionId is null) == (claim.Proposition is null))
        {
            Add(prefix + "propositionId", "Give exactly one of propositionId and proposition.");
        }

        OptionalNonBlank(prefix + "propositionId", claim.PropositionId);
        var proposition = claim.Proposition is { } p ? Proposition(prefix + "proposition.", p) : null;
        var option = Required(prefix + "option", claim.Option, 500);
        if (claim.PublishedAt is null)
        {
            Add(prefix + "publishedAt", "This field is required (ISO-8601 with offset).");
        }

        HasHappened(prefix + "publishedAt", claim.PublishedAt, now);

        Url(prefix + "url", claim.Url);
        Optional(prefix + "text", claim.Text, MaxTextLength);
        Optional(prefix + "language", claim.Language, 35);
        OptionalNonBlank(prefix + "relayOf", claim.RelayOf);
        if (claim.Hedge is not null && claim.Hedge is not ("asserted" or "reported" or "speculative"))
        {
            Add(prefix + "hedge", "One of: asserted, reported, speculative.");
        }

        var evidence = Urls(prefix + "evidence", claim.Evidence);
        if (Any || id is null || option is null || claim.PublishedAt is null)
        {
            return null;
        }

        return new ClaimSubmission(
            id, claim.SourceId, claim.Handle is { } h ? new HandleView(h.Platform!, h.Handle!) : null, claim.SourceName,
            claim.PropositionId, proposition, option, claim.PublishedAt.Value, claim.Url, claim.Text, claim.Language,
            claim.Hedge, claim.RelayOf, evidence);
    }

    public NewProposition? Proposition(string prefix, PropositionRequest proposition)
    {
        OptionalNonBlank(prefix + "id", proposition.Id);
        var question = Required(prefix + "question", proposition.Question, 2_000);
        var options = proposition.Options ?? [];
        if (options.Count is < 2 or > 50)
        {
            Add(prefix + "options", "Between 2 and 50 options.");
        }

        for (var i = 0; i < options.Count; i++)
        {
            Required($"{prefix}options[{i}]", options[i], 500);
        }

        if (options.Distinct(StringComparer.Ordinal).Count() != options.Count)
        {
            Add(prefix + "options", "Options must be distinct.");
        }

        var topics = proposition.Topics ?? [];
        for (var i = 0; i < topics.Count; i++)
        {
            Required($"{prefix}topics[{i}]", topics[i], 100);
        }

        Optional(prefix + "region", proposition.Region, 200);
        return question is null ? null : new NewProposition(question, options, topics, proposition.Region, proposition.Id);
    }
}
