using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Reliability.Infrastructure.Security;

namespace Reliability.Infrastructure.Tests.EventStore;

/// <summary>The shared pool prepares the statements the service repeats, on a real server.</summary>
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
}
