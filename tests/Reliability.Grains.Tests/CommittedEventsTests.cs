using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Propositions;
using Reliability.Contracts.Sources;
using Reliability.Domain.Events;
using Reliability.Grains.Propositions;
using Reliability.Grains.Recording;
using Reliability.Grains.Records;
using static Reliability.Grains.Tests.Record;

namespace Reliability.Grains.Tests;

/// <summary>
/// The writer hands each grain the events it just committed, instead of the grain reading them
/// back. What the grain folds must be exactly what is stored, whichever silo it lives on.
/// </summary>
public sealed class CommittedEventsTests(GrainCluster fixture) : IClassFixture<GrainCluster>
{
    [Fact]
    public async Task Every_kind_of_event_survives_the_trip_between_silos_unchanged()
    {
        await fixture.Ledger.RecordClaimsAsync([Claim("trip-1", "trip", "trip-p", "o0", 1), Claim("trip-2", "trip", "trip-q", "o1", 2)]);
        Assert.True((await fixture.Ledger.RecordCorrectionAsync("trip-1", new CorrectionSubmission("retracted", Epoch.AddHours(2), null, "wrong", null))).Succeeded);
        Assert.True((await fixture.Ledger.ResolveAsync("trip-q", new ResolutionSubmission("o1", false, ["https://example.org/proof"], null, "ed", Epoch.AddDays(1)))).Succeeded);
        var stored = await StreamAsync(fixture.Store, StreamKeys.Source("trip"));
        Assert.Equal(
            [typeof(SourceRegistered), typeof(ClaimRecorded), typeof(ClaimRecorded), typeof(CorrectionRecorded), typeof(PropositionResolved)],
            stored.Select(e => e.GetType()));
        Assert.Equal(["trip-p", "trip-q"], PropositionsIn(stored));
        // A proposition's own stream opens with the one kind a source's stream no longer holds.
        stored = [.. stored, .. await StreamAsync(fixture.Store, StreamKeys.Proposition("trip-q"))];
        Assert.Contains(stored, e => e is PropositionOpened);

        using var services = new ServiceCollection().AddSerializer(serializer => serializer.AddReliabilityEvents()).BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var trip = serializer.Deserialize<CommittedEvents>(serializer.SerializeToArray(new CommittedEvents(1, stored.Count, stored)))!;

        Assert.Equal((1L, (long)stored.Count), (trip.FromVersion, trip.ToVersion));
        Assert.Equal(stored.Select(e => e.GetType()), trip.Events.Select(e => e.GetType()));
        Assert.Equal(stored.Select(e => JsonSerializer.Serialize<object>(e)), trip.Events.Select(e => JsonSerializer.Serialize<object>(e)));
    }

    [Fact]
    public async Task A_grain_handed_its_events_answers_exactly_as_one_that_read_its_stream()
    {
        var claims = Enumerable.Range(0, 30).Select(i => Claim($"hand-{i}", "handed", $"hand-p{i % 4}", "o" + (i % 3 % 2), i)).ToList();
        foreach (var batch in claims.Chunk(7))
        {
            await fixture.Ledger.RecordClaimsAsync(batch);
        }

        Assert.True((await fixture.Ledger.RecordCorrectionAsync("hand-3", new CorrectionSubmission("deleted", Epoch.AddHours(5), null, null, null))).Succeeded);
        Assert.True((await fixture.Ledger.ResolveAsync("hand-p1", new ResolutionSubmission("o1", false, null, null, "ed", Epoch.AddDays(1)))).Succeeded);
        // Claim pages show the live truth estimate: the one these writes set off must land, and reach
        // every silo's copy of it, before the page is compared across a re-read.
        await TruthChecks.WaitForQuietTruthAsync(fixture.Grains.GetGrain<ITruthGrain>(0));
        await Task.Delay(TruthEstimates.Freshness * 2);
        var grain = fixture.Grains.GetGrain<ISourceGrain>("handed");
        var asOf = Epoch.AddDays(2);
        var handed = JsonSerializer.Serialize(await grain.ExplainAsync(asOf));
        var page = JsonSerializer.Serialize(await grain.GetClaimsAsync(null, 50));

        await fixture.Cluster.DeactivateAsync((IAddressable)grain);
        await EventuallyAsync(async () => JsonSerializer.Serialize(await grain.ExplainAsync(asOf)) == handed, "the re-read grain explains its score as the handed one did");
        Assert.Equal(page, JsonSerializer.Serialize(await grain.GetClaimsAsync(null, 50)));
        Assert.Equal(30, (await grain.GetProfileAsync())!.ClaimCount);
    }
}
