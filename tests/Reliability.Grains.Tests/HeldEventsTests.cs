using System.Text.Json;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Domain.Scoring;
using Reliability.Grains.Sources;

namespace Reliability.Grains.Tests;

/// <summary>
/// A source grain holds its events with shared copies of the strings and propositions they repeat
/// (see <see cref="HeldEvents"/>): the events held must be the events read, to the last field.
/// </summary>
public sealed class HeldEventsTests
{
    private static readonly DateTimeOffset Epoch = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Events_held_are_the_events_read_and_share_what_they_repeat()
    {
        var read = ReadBack(Stream("held", ("held-p1", "yes"), ("held-p2", "no"), ("held-p1", "no")));
        var held = Hold("held", read, new SharedPropositions());

        // The same JSON, as a snapshot writes it, and the same score.
        Assert.Equal(read.Select(SnapshotJson), held.Select(SnapshotJson));
        Assert.Equal(ScoreJson("held", read), ScoreJson("held", held));

        var claims = held.OfType<ClaimRecorded>().ToList();
        Assert.NotSame(read.OfType<ClaimRecorded>().First().Claim.SourceId, read.OfType<ClaimRecorded>().Last().Claim.SourceId);
        Assert.All(claims, c => Assert.Same(claims[0].Claim.SourceId, c.Claim.SourceId));

        // The third claim carries no proposition: it shares the one the first claim carried.
        var p1 = claims[0].Proposition!;
        Assert.Null(claims[2].Proposition);
        Assert.Same(p1.Id, claims[2].Claim.PropositionId);
        Assert.Same(p1.Options[0], claims[0].Claim.Option);
        Assert.Same(p1.Options[1], claims[2].Claim.Option);
        Assert.Same(Array.Empty<string>(), claims[1].Claim.EvidenceUrls);
    }

    [Fact]
    public void Sources_claiming_on_one_proposition_hold_one_copy_of_it()
    {
        var shared = new SharedPropositions();
        var first = Hold("one", ReadBack(Stream("one", ("both-p", "yes"))), shared).OfType<ClaimRecorded>().Single();
        var second = Hold("two", ReadBack(Stream("two", ("both-p", "no"))), shared).OfType<ClaimRecorded>().Single();

        Assert.Same(first.Proposition, second.Proposition);
        Assert.Same(first.Proposition!.Options[1], second.Claim.Option);
    }

    [Fact]
    public void A_copy_that_differs_from_the_one_kept_is_held_as_it_is()
    {
        var shared = new SharedPropositions();
        var kept = shared.Share(Proposition("odd-p"));
        var other = Proposition("odd-p") with { Question = "Asked otherwise?" };

        Assert.Same(other, shared.Share(other));
        Assert.Same(kept, shared.Share(Proposition("odd-p")));
    }

    [Fact]
    public void Past_its_bound_the_pool_forgets_and_still_shares_what_comes_after()
    {
        var shared = new SharedPropositions(maxEntries: 3);
        var kept = Enumerable.Range(0, 3).Select(i => shared.Share(Proposition($"bound-p{i}"))).ToList();
        var fourth = shared.Share(Proposition("bound-p3"));

        Assert.Same(fourth, shared.Share(Proposition("bound-p3")));
        // Forgotten, not lost: a new copy is kept, equal to the one the grains already hold.
        var again = shared.Share(Proposition("bound-p0"));
        Assert.NotSame(kept[0], again);
        Assert.Equal(SnapshotJson(new PropositionOpened(kept[0], Epoch)), SnapshotJson(new PropositionOpened(again, Epoch)));
    }

    private static Proposition Proposition(string id) => new(id, $"Did {id} happen?", ["yes", "no"], ["security"], "sahel");

    /// <summary>A source's stream: its registration, then its claims, each of its first claims on a proposition carrying it.</summary>
    private static List<IReliabilityEvent> Stream(string sourceId, params (string Proposition, string Option)[] claims)
    {
        var events = new List<IReliabilityEvent> { new SourceRegistered(new Source(sourceId, sourceId, SourceKind.Person, false, []), Epoch) };
        var carried = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < claims.Length; i++)
        {
            var (propositionId, option) = claims[i];
            var claim = new Claim($"{sourceId}-c{i}", sourceId, propositionId, option, Epoch.AddHours(i + 1),
                $"https://example.org/{sourceId}/{i}", "An account of it.", "en", Hedge.Asserted, null, []);
            events.Add(new ClaimRecorded(claim, carried.Add(propositionId) ? Proposition(propositionId) : null));
        }

        return events;
    }

    /// <summary>The events as a read from the store gives them: every string a copy of its own.</summary>
    private static List<IReliabilityEvent> ReadBack(List<IReliabilityEvent> events) =>
        [.. events.Select(e => JsonSerializer.Deserialize(JsonSerializer.Serialize(e, e.GetType()), e.GetType())).Cast<IReliabilityEvent>()];

    private static List<IReliabilityEvent> Hold(string sourceId, List<IReliabilityEvent> read, SharedPropositions shared)
    {
        var ledger = new Ledger();
        var held = new List<IReliabilityEvent>();
        foreach (var e in read)
        {
            var h = HeldEvents.Compact(e, sourceId, ledger, shared);
            ledger.Apply(h);
            held.Add(h);
        }

        return held;
    }

    private static string SnapshotJson(IReliabilityEvent e) => JsonSerializer.Serialize(SnapshotEvent.Of(e));

    private static string ScoreJson(string sourceId, IReadOnlyList<IReliabilityEvent> events) =>
        JsonSerializer.Serialize(SourceScorer.Score(sourceId, events, Epoch.AddDays(10), ScoringPolicy.Beta));
}
