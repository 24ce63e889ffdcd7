using Microsoft.Extensions.Logging.Abstractions;
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
            await ExecuteAsync($"drop table if exists {schema}.claim_withdrawal_time_passes");

            var copies = Enumerable.Range(0, 6)
                .Select(_ => Task.Run(() => new ClaimWithdrawalTimes(Store, NullLogger<ClaimWithdrawalTimes>.Instance).FillInUnlessDoneAsync()))
                .ToArray();
            Assert.All(await Task.WhenAll(copies), filled => Assert.Equal(0, filled));
            Assert.Equal(1L, await ScalarAsync($"select count(*) from {schema}.claim_withdrawal_time_passes where pass = {ClaimWithdrawalTimes.Pass}"));
        }
    }
}
