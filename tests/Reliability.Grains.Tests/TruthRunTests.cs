using Npgsql;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Propositions;
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
}
