using Npgsql;
using Reliability.Infrastructure.EventStore;
using Reliability.Testing;

namespace Reliability.Infrastructure.Tests.EventStore;

/// <summary>
/// Marten's resilience pipelines run a failed command again by executing the very same
/// <see cref="NpgsqlBatch"/> on whatever pooled connection comes next. With Npgsql 9 and automatic
/// preparation, a batch that was auto-prepared on one connection keeps that connection's statement
/// names and, executed on another, binds to whatever the other connection prepared under the same
/// name: a protocol error at best, another statement's answer at worst. The shared pool must not
/// auto-prepare while that holds.
/// </summary>
public sealed class PreparedStatementTests
{
    [Fact]
    public async Task A_batch_run_again_on_another_connection_runs_its_own_statement()
    {
        await using var dataSource = EventStoreRegistration.CreateDataSource(await TestDatabase.CreateAsync("replay"));
        await using var first = await dataSource.OpenConnectionAsync();
        await using var second = await dataSource.OpenConnectionAsync();

        // Each connection repeats a different statement of the same shape, as two sessions of the
        // service repeat different loads by id.
        await using var other = new NpgsqlCommand("select lower($1::text)", second);
        other.Parameters.Add(new NpgsqlParameter { Value = "From The Other Connection" });
        for (var i = 0; i < 3; i++)
        {
            await other.ExecuteScalarAsync();
        }

        await using var batch = new NpgsqlBatch(first);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select upper($1::text)") { Parameters = { new NpgsqlParameter { Value = "Replayed" } } });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("REPLAYED", await batch.ExecuteScalarAsync());
        }

        batch.Connection = second;
        Assert.Equal("REPLAYED", await batch.ExecuteScalarAsync());
    }

    [Fact]
    public void The_service_pool_does_not_prepare_statements_unless_the_connection_string_asks()
    {
        using var plain = EventStoreRegistration.CreateDataSource("Host=127.0.0.1;Database=unused");
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(plain.ConnectionString).MaxAutoPrepare);

        using var prepared = EventStoreRegistration.CreateDataSource("Host=127.0.0.1;Database=unused;Max Auto Prepare=20");
        Assert.Equal(20, new NpgsqlConnectionStringBuilder(prepared.ConnectionString).MaxAutoPrepare);
    }
}
