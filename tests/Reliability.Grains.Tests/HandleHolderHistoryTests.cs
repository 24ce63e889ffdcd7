using Microsoft.Extensions.Logging.Abstractions;
using Reliability.Grains.Records;

namespace Reliability.Grains.Tests;

/// <summary>The start-up pass that fills in who held each handle, run by copies starting together.</summary>
public sealed class HandleHolderHistoryTests() : RecordStoreTests("handle_holder_history")
{
    /// <summary>
    /// Silos of one cluster start together on one database, each running the pass: they take turns,
    /// none fails on the pass's table made at the same moment, and the pass is recorded done once.
    /// </summary>
    [Fact]
    public async Task Copies_starting_together_on_a_new_database_all_complete_the_pass()
    {
        var schema = Store.Options.DatabaseSchemaName;
        for (var round = 0; round < 5; round++)
        {
            await ExecuteAsync($"drop table if exists {schema}.handle_holder_passes");
            var copies = Enumerable.Range(0, 6)
                .Select(_ => Task.Run(() => new HandleHolderHistory(Store, NullLogger<HandleHolderHistory>.Instance).FillInUnlessDoneAsync()))
                .ToArray();
            Assert.All(await Task.WhenAll(copies), filled => Assert.Equal(0, filled));
            Assert.Equal(1L, await ScalarAsync($"select count(*) from {schema}.handle_holder_passes where pass = {HandleHolderHistory.Pass}"));
        }
    }
}
