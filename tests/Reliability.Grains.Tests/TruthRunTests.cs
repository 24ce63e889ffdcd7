using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Propositions;
using Reliability.Domain.Model;
using Reliability.Grains.Propositions;
using Reliability.Infrastructure.EventStore;
using static Reliability.Grains.Tests.Record;

namespace Reliability.Grains.Tests;

public sealed class TruthRunTests(GrainCluster fixture) : IClassFixture<GrainCluster>
{
    [Fact]
    public async Task Readers_hear_the_estimate_is_pending_while_a_recomputation_is_still_working_on_the_changes()
    {
        var claims = Enumerable.Range(0, 12).Select(i => Claim($"run-{i}", $"run-s{i % 3}", $"run-p{i % 4}", "o" + (i % 2), i)).ToList();
        Assert.All(await fixture.Ledger.RecordClaimsAsync(claims), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        await fixture.AssertTruthEqualsBatchAsync();
        var truth = fixture.Grains.GetGrain<ITruthGrain>(0);
        Assert.False((await truth.GetAllIfNewerAsync(0)).Stale);

        // The next run blocks on its read of the changed claim for as long as this lock is held.
        await using var connection = fixture.Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"LOCK TABLE {EventStoreRegistration.SchemaName}.mt_doc_claimdocument IN ACCESS EXCLUSIVE MODE", connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        await truth.ChangedAsync(new TruthChanges(["run-0"], []));
        await WaitUntilRunStartedAsync(connection);
        var during = await truth.GetAllIfNewerAsync(0);
        Assert.True(during.Stale, "a recomputation still reading its changes was reported as caught up");

        await transaction.RollbackAsync();
        await TruthChecks.WaitForQuietTruthAsync(truth);
        Assert.False((await truth.GetAllIfNewerAsync(0)).Stale);
    }

    [Fact]
    public async Task A_recorded_claim_is_put_in_as_its_writer_hands_it_over_without_being_read_back()
    {
        var truth = fixture.Grains.GetGrain<ITruthGrain>(0);
        await TruthChecks.WaitForQuietTruthAsync(truth);
        // Claims told of as recorded are not in the store at all, and the claims' table is locked:
        // a grain that read them back would find nothing, or wait.
        await using var connection = fixture.Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"LOCK TABLE {EventStoreRegistration.SchemaName}.mt_doc_claimdocument IN ACCESS EXCLUSIVE MODE", connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        try
        {
            await truth.ChangedAsync(new TruthChanges([], [], [Told("told-1", "told-s1", "o1"), Told("told-2", "told-s2", "o1")]));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await truth.GetEstimatesAsync(["told-p"])) is { Stale: true } or { Propositions.Count: 0 })
            {
                Assert.True(DateTime.UtcNow < deadline, "the recorded claims did not reach the estimate while the claims' table was locked");
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }

            var estimate = (await truth.GetEstimatesAsync(["told-p"])).Propositions["told-p"];
            Assert.Equal("o1", estimate.MaxBy(o => o.Probability)!.Option);
        }
        finally
        {
            await transaction.RollbackAsync();
            // The told claims were never stored: a whole read of the record drops them.
            await truth.InvalidateAsync();
            await TruthChecks.WaitForQuietTruthAsync(truth);
        }

        Assert.Empty((await truth.GetEstimatesAsync(["told-p"])).Propositions);
    }

    [Fact]
    public async Task A_recorded_claim_told_again_after_its_retraction_was_read_does_not_stand_again()
    {
        var claims = new[] { Claim("late-1", "late-s1", "late-p", "o0", 1), Claim("late-2", "late-s2", "late-p", "o1", 2), Claim("late-3", "late-s3", "late-p", "o0", 3) };
        Assert.All(await fixture.Ledger.RecordClaimsAsync(claims), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        Assert.True((await fixture.Ledger.RecordCorrectionAsync("late-2", new CorrectionSubmission("retracted", Epoch.AddHours(1), null, "wrong", null))).Succeeded);
        var truth = fixture.Grains.GetGrain<ITruthGrain>(0);
        await TruthChecks.WaitForQuietTruthAsync(truth);

        // The recording's notice arrives after the retraction's (two nodes, two commits, one claim).
        await truth.ChangedAsync(new TruthChanges([], [], [new RecordedClaimForTruth("late-2", "late-s2", "late-p", "o1", Hedge.Asserted, null, "live")]));

        var estimates = await fixture.AssertTruthEqualsBatchAsync();
        Assert.True(estimates["late-p"].Single(c => c.Value == "o0").Probability > 0.9);
    }

    private static RecordedClaimForTruth Told(string id, string sourceId, string option) =>
        new(id, sourceId, "told-p", option, Hedge.Asserted, null, "live");

    /// <summary>Until a query on the claim documents waits for the lock this test holds.</summary>
    private static async Task WaitUntilRunStartedAsync(NpgsqlConnection connection)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = (SELECT oid FROM pg_class WHERE relname = 'mt_doc_claimdocument' AND relnamespace = @schema::regnamespace)",
                connection);
            command.Parameters.AddWithValue("schema", EventStoreRegistration.SchemaName);
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the recomputation never reached the record");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    [Fact]
    public async Task A_new_activation_of_the_truth_grain_outranks_every_estimate_of_the_one_before()
    {
        var claims = Enumerable.Range(0, 6).Select(i => Claim($"gen-{i}", $"gen-s{i % 3}", "gen-p", "o" + (i % 3 % 2), i)).ToList();
        Assert.All(await fixture.Ledger.RecordClaimsAsync(claims), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        var truth = fixture.Grains.GetGrain<ITruthGrain>(0);
        // Two runs at least, so the old activation's version is past any first run's.
        await TruthChecks.WaitForQuietTruthAsync(truth);
        await truth.InvalidateAsync();
        await TruthChecks.WaitForQuietTruthAsync(truth);
        var copies = fixture.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<TruthEstimates>()).ToList();
        var before = (await truth.GetEstimatesAsync([])).Version;
        foreach (var copy in copies)
        {
            await EventuallyAsync(async () => (await copy.CurrentAsync()).Version == before, "every silo's copy of the estimate caught up");
        }

        // As after idle collection or a rolling deploy; then a change only the new activation's estimate has.
        await fixture.Cluster.DeactivateAsync((IAddressable)truth);
        Assert.All(await fixture.Ledger.RecordClaimsAsync([Claim("gen-new", "gen-s0", "gen-q", "o1", 10)]), r => Assert.Equal(SubmissionStatus.Accepted, r.Status));
        foreach (var copy in copies)
        {
            await EventuallyAsync(async () => (await copy.CurrentAsync()).Propositions.ContainsKey("gen-q"), "every silo serving the new activation's estimate", 30);
            Assert.True((await copy.CurrentAsync()).Version > before);
        }
    }
}
