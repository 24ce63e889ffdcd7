using Marten;
using Marten.Services;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Reliability.Infrastructure.EventStore;
using Reliability.Infrastructure.Security;
using Reliability.Testing;

namespace Reliability.Infrastructure.Tests.EventStore;

/// <summary>
/// The shared pool prepares the statements the service repeats, on a real server, and Marten never
/// runs a batch again once any of it reached the server (<see cref="CommandReplay"/>).
/// </summary>
public sealed class PreparedStatementTests
{
    [Fact]
    public async Task A_load_the_store_repeats_is_prepared_on_its_connection()
    {
        await using var services = await StoreHost.CreateAsync("prepared", (_, _) => { });
        var store = services.GetRequiredService<IDocumentStore>();
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();

        // One connection at a time, so every load runs on the same pooled connection.
        for (var i = 0; i < 3; i++)
        {
            await using var session = store.QuerySession();
            Assert.Null(await session.LoadAsync<ApiKey>("no-such-key-" + i));
        }

        await using var connection = await dataSource.OpenConnectionAsync();
        await using var count = new NpgsqlCommand("select count(*) from pg_prepared_statements where statement ilike '%mt_doc_apikey%'", connection);
        Assert.True((long)(await count.ExecuteScalarAsync())! >= 1, "the repeated load was not prepared");
    }

    /// <summary>
    /// Npgsql 9 ran a prepared batch sent again on another connection as whatever that connection had
    /// prepared under the same name ("replayed" below); the service relies on Npgsql 10 not doing so.
    /// </summary>
    [Fact]
    public async Task A_prepared_batch_run_again_on_another_connection_still_runs_its_own_statement()
    {
        await using var dataSource = EventStoreRegistration.CreateDataSource(await TestDatabase.CreateAsync("replay"));
        await using var first = await dataSource.OpenConnectionAsync();
        await using var second = await dataSource.OpenConnectionAsync();

        // Each connection repeats a statement of the same shape, as two sessions repeat loads by id.
        await using var other = new NpgsqlCommand("select lower($1::text)", second);
        other.Parameters.Add(new NpgsqlParameter { Value = "Other" });
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
    public async Task A_commit_the_server_refused_is_not_sent_again()
    {
        await using var services = await StoreHost.CreateAsync("no-replay-write", (_, _) => { });
        var store = services.GetRequiredService<IDocumentStore>();
        var table = $"{EventStoreRegistration.SchemaName}.mt_doc_apikey";

        // Another transaction holds the table, so the commit's lock request fails at once with
        // lock_not_available: one of the errors Marten's default write policy sends again.
        await using var holder = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await using (var share = new NpgsqlCommand($"lock table {table} in access share mode", holder, holding))
        {
            await share.ExecuteNonQueryAsync();
        }

        var sent = new SentBatches();
        await using var session = store.LightweightSession();
        session.Logger = sent;
        session.QueueSqlCommand($"lock table {table} in access exclusive mode nowait");
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => session.SaveChangesAsync());

        Assert.Contains(Infrastructure.ExceptionChain.Of(refused), e => e is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable });
        Assert.Equal(1, sent.Count);
    }

    [Fact]
    public async Task A_query_the_server_failed_is_not_sent_again()
    {
        await using var services = await StoreHost.CreateAsync("no-replay-read", (_, _) => { });
        var sent = new SentBatches();
        await using var session = services.GetRequiredService<IDocumentStore>().QuerySession();
        session.Logger = sent;

        // Any NpgsqlException is one Marten's default read policy sends again.
        var failed = await Assert.ThrowsAnyAsync<Exception>(() => session.QueryAsync<int>("select 1 / (select count(*)::int from pg_class where false)"));

        Assert.Contains(Infrastructure.ExceptionChain.Of(failed), e => e is PostgresException { SqlState: PostgresErrorCodes.DivisionByZero });
        Assert.Equal(1, sent.Count);
    }

    [Fact]
    public async Task Only_a_command_that_never_reached_a_server_counts_as_safe_to_run_again()
    {
        var unreachable = await FailureOfAsync($"Host=127.0.0.1;Port={LoopbackPorts.Free()};Database=none;Timeout=2");
        Assert.True(CommandReplay.NothingWasSent(unreachable), unreachable.ToString());

        var refusedByServer = await FailureOfAsync(await TestDatabase.CreateAsync("replay-classify"), "select 1 / 0");
        Assert.False(CommandReplay.NothingWasSent(refusedByServer), refusedByServer.ToString());
    }

    private static async Task<Exception> FailureOfAsync(string connectionString, string sql = "select 1")
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteScalarAsync();
        }
        catch (Exception failure)
        {
            return failure;
        }

        throw new InvalidOperationException($"'{sql}' did not fail");
    }

    /// <summary>Counts what Marten hands to Npgsql for execution.</summary>
    private sealed class SentBatches : IMartenSessionLogger
    {
        public int Count { get; private set; }

        public void OnBeforeExecute(NpgsqlCommand command) => Count++;

        public void OnBeforeExecute(NpgsqlBatch batch) => Count++;

        public void LogSuccess(NpgsqlCommand command)
        {
        }

        public void LogFailure(NpgsqlCommand command, Exception ex)
        {
        }

        public void LogSuccess(NpgsqlBatch batch)
        {
        }

        public void LogFailure(NpgsqlBatch batch, Exception ex)
        {
        }

        public void LogFailure(Exception ex, string message)
        {
        }

        public void RecordSavedChanges(IDocumentSession session, IChangeSet commit)
        {
        }
    }
}
