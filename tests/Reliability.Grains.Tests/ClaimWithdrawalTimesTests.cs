using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Reliability.Grains.Records;

namespace Reliability.Grains.Tests;

/// <summary>The start-up pass that fills in claims' withdrawal times, run by copies starting together.</summary>
public sealed class ClaimWithdrawalTimesTests() : RecordStoreTests("claim_withdrawal_times")
{
    /// <summary>
    /// Silos of one cluster start together on one database, each running the pass: none may fail
    /// to start because another created the pass's table at the same moment.
    /// </summary>
    [Fact]
    public async Task Copies_starting_together_on_a_new_database_all_complete_the_pass()
    {
        var schema = Store.Options.DatabaseSchemaName;
        for (var round = 0; round < 10; round++)
        {
            await using (var connection = new NpgsqlConnection(ConnectionString))
            {
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"drop table if exists {schema}.claim_withdrawal_time_passes", connection);
                await drop.ExecuteNonQueryAsync();
            }

            var copies = Enumerable.Range(0, 6)
                .Select(_ => Task.Run(() => new ClaimWithdrawalTimes(Store, NullLogger<ClaimWithdrawalTimes>.Instance).FillInUnlessDoneAsync()))
                .ToArray();
            Assert.All(await Task.WhenAll(copies), filled => Assert.Equal(0, filled));

            await using (var connection = new NpgsqlConnection(ConnectionString))
            {
                await connection.OpenAsync();
                await using var done = new NpgsqlCommand($"select count(*) from {schema}.claim_withdrawal_time_passes where pass = {ClaimWithdrawalTimes.Pass}", connection);
                Assert.Equal(1L, (long)(await done.ExecuteScalarAsync())!);
            }
        }
    }
}
