using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Reliability.Cli.Bench;

public sealed record BenchProposition(string Id, string Question, IReadOnlyList<string> Options);

/// <summary>A claim as <c>POST /v1/claims</c> takes it; the raw baseline stores the same fields.</summary>
public sealed record BenchClaim(string Id, string SourceId, BenchProposition Proposition, string Option, DateTimeOffset PublishedAt, string Url, string Text);

/// <summary>
/// Seeded claims, so two runs send the same record. A set of claims has its own prefix, so sets
/// never share ids, sources or propositions.
/// </summary>
internal static class BenchClaims
{
    public const int BatchSize = 100;
    private static readonly string[] Options = ["yes", "no"];
    // Claim n is published n seconds after this, so the largest load (the full run's million claims)
    // spans under two weeks and every claim is in the past: the service refuses one published later
    // than now, and before it did, a score left out the claims not yet published as of the request.
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string SourceId(string set, int source) => $"{set}-s{source.ToString(CultureInfo.InvariantCulture)}";

    public static BenchClaim Claim(string set, long number, int source, int proposition, Random random)
    {
        var id = $"{set}-c{number.ToString(CultureInfo.InvariantCulture)}";
        var propositionId = $"{set}-p{proposition.ToString(CultureInfo.InvariantCulture)}";
        return new BenchClaim(
            id,
            SourceId(set, source),
            new BenchProposition(propositionId, $"Did event {propositionId} happen?", Options),
            Options[random.Next(Options.Length)],
            Epoch.AddSeconds(number),
            $"https://example.org/{SourceId(set, source)}/status/{number.ToString(CultureInfo.InvariantCulture)}",
            $"Claim {id}: an account of event {propositionId}.");
    }

    /// <summary>
    /// Batch <paramref name="batch"/> of a load of <paramref name="clients"/> feeds: it belongs to feed
    /// batch % clients, and a feed's claims name only its own sources and propositions, as separate
    /// newsroom feeds do; writers contending for one source are the conflict tests' business.
    /// </summary>
    public static IReadOnlyList<BenchClaim> FeedBatch(string set, int batch, int clients, int sources, int propositions, int seed)
    {
        var feed = batch % clients;
        var random = new Random(Mix(seed, set.Length, batch));
        var sourcesPerFeed = Math.Max(1, sources / clients);
        var propositionsPerFeed = Math.Max(1, propositions / clients);
        return [.. Enumerable.Range(0, BatchSize).Select(i => Claim(
            set,
            ((long)batch * BatchSize) + i,
            feed + (clients * random.Next(sourcesPerFeed)),
            feed + (clients * random.Next(propositionsPerFeed)),
            random))];
    }

    /// <summary>
    /// Batch <paramref name="batch"/> of claims that all name one source, on propositions of feed
    /// <paramref name="feed"/> of <paramref name="feeds"/> (see <see cref="FeedBatch"/>).
    /// </summary>
    public static IReadOnlyList<BenchClaim> SourceBatch(
        string set, int source, int batch, int claimsPerSource, int propositions, int feed, int feeds, int seed)
    {
        var random = new Random(Mix(seed, source, batch));
        var propositionsPerFeed = Math.Max(1, propositions / feeds);
        return [.. Enumerable.Range(0, BatchSize).Select(i => Claim(
            set, ((long)source * claimsPerSource) + ((long)batch * BatchSize) + i, source, feed + (feeds * random.Next(propositionsPerFeed)), random))];
    }

    /// <summary>A seed per batch that is the same in every run (<see cref="HashCode"/> is not).</summary>
    private static int Mix(int seed, int a, int b) => unchecked((((seed * 31) + a) * 1_000_003) + b);

    public static StringContent Body(IReadOnlyList<BenchClaim> claims) =>
        new(JsonSerializer.Serialize(new { claims }, Json), Encoding.UTF8, "application/json");

    public static string ToJson(BenchClaim claim) => JsonSerializer.Serialize(claim, Json);
}
