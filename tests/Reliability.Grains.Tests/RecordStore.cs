using Marten;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;
using Reliability.Infrastructure.EventStore;
using Reliability.Testing;

namespace Reliability.Grains.Tests;

/// <summary>
/// A database of its own with the record's Marten store on it and its schema applied, for tests of
/// rows the ledger writes beside Marten.
/// </summary>
public sealed class RecordStore : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private RecordStore(ServiceProvider services, string connectionString)
    {
        _services = services;
        ConnectionString = connectionString;
        Store = services.GetRequiredService<IDocumentStore>();
    }

    public IDocumentStore Store { get; }

    public string ConnectionString { get; }

    public static async Task<RecordStore> CreateAsync(string database)
    {
        var connectionString = await TestDatabase.CreateAsync(database);
        var services = new ServiceCollection().AddLogging();
        services.AddReliabilityEventStore(connectionString, o => o.ConfigureRecord());
        var store = new RecordStore(services.BuildServiceProvider(), connectionString);
        await store.Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return store;
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

/// <summary>Tests that each get a <see cref="RecordStore"/> of their own, named after <paramref name="database"/>.</summary>
public abstract class RecordStoreTests(string database) : IAsyncLifetime
{
    private RecordStore? _record;

    protected IDocumentStore Store => (_record ?? throw new InvalidOperationException("Not initialized")).Store;

    protected string ConnectionString => (_record ?? throw new InvalidOperationException("Not initialized")).ConnectionString;

    /// <summary>Runs SQL of the test's own on a connection of its own, beside the store.</summary>
    protected async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A count or other bigint the test's own SQL reads.</summary>
    protected async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task InitializeAsync() => _record = await RecordStore.CreateAsync(database);

    public async Task DisposeAsync()
    {
        if (_record is not null)
        {
            await _record.DisposeAsync();
        }
    }
}
