using Npgsql;
using Reliability.Infrastructure.EventStore;
using Reliability.Testing;

namespace Reliability.Infrastructure.Tests.EventStore;

/// <summary>
/// Marten does not run a command again once it was sent (<see cref="CommandReplay"/>), so the pool
/// must not hand out a connection the server has dropped: a restart would otherwise fail the next
/// command on every idle connection.
/// </summary>
public sealed class ConnectionPoolTests
{
    [Fact]
    public async Task An_idle_connection_the_server_dropped_is_discarded_before_anyone_takes_it()
    {
        var database = await TestDatabase.CreateAsync("dropped");
        await using var dataSource = EventStoreRegistration.CreateDataSource(database);
        int dropped;
        await using (var idle = await dataSource.OpenConnectionAsync())
        {
            dropped = idle.ProcessID;
        }

        await using (var admin = new NpgsqlConnection(database))
        {
            await admin.OpenAsync();
            await using var terminate = new NpgsqlCommand($"select pg_terminate_backend({dropped})", admin);
            Assert.True((bool)(await terminate.ExecuteScalarAsync())!);
        }

        await Task.Delay(TimeSpan.FromSeconds((2 * EventStoreRegistration.IdleConnectionCheckSeconds) + 1));

        await using var next = await dataSource.OpenConnectionAsync();
        await using var query = new NpgsqlCommand("select 1", next);
        Assert.Equal(1, await query.ExecuteScalarAsync());
        Assert.NotEqual(dropped, next.ProcessID);
    }

    [Fact]
    public void Idle_connections_are_checked_unless_the_connection_string_says_otherwise()
    {
        using var checkedPool = EventStoreRegistration.CreateDataSource("Host=127.0.0.1;Database=unused");
        Assert.Equal(EventStoreRegistration.IdleConnectionCheckSeconds, new NpgsqlConnectionStringBuilder(checkedPool.ConnectionString).KeepAlive);

        using var unwatched = EventStoreRegistration.CreateDataSource("Host=127.0.0.1;Database=unused;Keepalive=0");
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(unwatched.ConnectionString).KeepAlive);
    }
}
